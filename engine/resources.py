"""Where the bundled resources (data sets, examples, icons) live.

``resources/`` sits beside ``engine/`` at the top of the repository. An installed wheel
carries the same folder as the package ``neurocanvas_resources`` (``pyproject.toml`` maps
it; an editable install maps that name back to the checkout's folder), and a PyInstaller
desktop bundle copies it to ``resources/`` in the bundle. ``NEUROCANVAS_RESOURCES``
overrides the place (a packager that puts it elsewhere, or a test).
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from .errors import DataError

ENV_VAR = "NEUROCANVAS_RESOURCES"
PACKAGE = "neurocanvas_resources"  # the name ``resources/`` has in a wheel


def resources_dir() -> Path:
    """The ``resources/`` folder: the env override; a desktop bundle's; the checkout's
    (beside ``engine/``, next to ``pyproject.toml``); the installed package's."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    frozen = getattr(sys, "_MEIPASS", None)  # a PyInstaller build (one-folder or one-file)
    if frozen and (Path(frozen) / "resources").is_dir():
        return Path(frozen) / "resources"
    root = Path(__file__).resolve().parent.parent
    checkout = root / "resources"
    # Only a checkout: in site-packages a ``resources`` folder would be someone else's.
    if (root / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    installed = _installed_package_dir()
    return installed if installed is not None else checkout


def _installed_package_dir() -> Path | None:
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        if Path(location).is_dir():
            return Path(location)
    return None


def data_file(name: str) -> Path:
    """A bundled data file, or DataError saying where it was looked for."""
    path = resources_dir() / "data" / name
    if not path.is_file():
        raise DataError(f"The bundled data file {name!r} is missing (looked in {path.parent}). "
                        f"Reinstall NeuroCanvas or set {ENV_VAR} to its resources folder.")
    return path


def examples_dir() -> Path:
    """The bundled example projects (``*.ncproj``)."""
    return resources_dir() / "examples"


def icon_file(name: str = "neurocanvas.svg") -> Path:
    """A file of the app's icon (``resources/icons``)."""
    return resources_dir() / "icons" / name
