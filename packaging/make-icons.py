#!/usr/bin/env python3
"""Render the app icon's PNGs from its SVG: resources/icons/neurocanvas.svg ->
resources/icons/neurocanvas-{16,32,...,512}.png (with Qt's SVG renderer, QtSvg, which
PySide6-Essentials, a dependency of the app, always has).

    python packaging/make-icons.py           write the PNGs (commit them)
    python packaging/make-icons.py --check   exit 1 if a committed PNG differs from a
                                             fresh rendering (the SVG changed, PNGs not)
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["NEUROCANVAS_RESOURCES"] = str(ROOT / "resources")  # this checkout's, always

import numpy as np  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

from designer.app_icon import ICON_SIZES, icon_png  # noqa: E402
from engine.resources import icon_file  # noqa: E402

# A re-rendering may differ from the committed PNG (another Qt version antialiases edges a
# little differently), but only this share of its pixels by more than PIXEL_TOLERANCE
# (0..255) in any channel: a changed colour or shape moves far more.
PIXEL_TOLERANCE = 32
CHANGED_SHARE = 0.005


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format_ARGB32)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setRenderHint(QPainter.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format_RGBA8888)
    rows = np.frombuffer(bytes(image.constBits()), np.uint8).reshape(image.height(), -1)
    return rows[:, :image.width() * 4].astype(np.int16)


def changed_share(a: QImage, b: QImage) -> float:
    """The share of pixels that differ by more than PIXEL_TOLERANCE (1.0: another size)."""
    if a.size() != b.size():
        return 1.0
    differs = np.abs(pixels(a) - pixels(b)) > PIXEL_TOLERANCE
    return float(differs.reshape(a.height(), a.width(), 4).any(axis=2).mean())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed PNGs instead of writing them")
    args = parser.parse_args(argv)
    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - painting needs it
    svg = icon_file()
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        print(f"error: {svg} is not a valid SVG for Qt", file=sys.stderr)
        return 1
    stale = []
    for size in ICON_SIZES:
        image, path = render(renderer, size), icon_png(size)
        if args.check:
            if not path.is_file() or changed_share(image, QImage(str(path))) > CHANGED_SHARE:
                stale.append(path.name)
        elif not image.save(str(path), "PNG"):
            print(f"error: could not write {path}", file=sys.stderr)
            return 1
        else:
            print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
    if stale:
        print("out of date with neurocanvas.svg (run packaging/make-icons.py): "
              + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
