"""Where the bundled resources (data sets, examples, icons) live.

``resources/`` sits beside ``engine/`` at the top of the repository, and a desktop build
copies it the same way. ``NEUROCANVAS_RESOURCES`` overrides the place (a packager that
puts it elsewhere, or a test).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import DataError

ENV_VAR = "NEUROCANVAS_RESOURCES"


def resources_dir() -> Path:
    """The ``resources/`` folder: the env override, else the sibling of ``engine/``."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    here = Path(__file__).resolve().parent.parent / "resources"
    if here.is_dir():
        return here
    frozen = getattr(sys, "_MEIPASS", None)  # a PyInstaller one-file build
    if frozen and (Path(frozen) / "resources").is_dir():
        return Path(frozen) / "resources"
    return here


def data_file(name: str) -> Path:
    """A bundled data file, or DataError saying where it was looked for."""
    path = resources_dir() / "data" / name
    if not path.is_file():
        raise DataError(f"The bundled data file {name!r} is missing (looked in {path.parent}). "
                        f"Reinstall NeuroCanvas or set {ENV_VAR} to its resources folder.")
    return path
