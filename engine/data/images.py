"""Images from a folder with one sub-folder per class (``cats/``, ``dogs/`` ...).

PNG and JPEG files are read with Pillow (imported here only, when a folder is loaded),
converted to grayscale or RGB, resized, and stacked into float32 ``(N, C, H, W)`` with
values in [0, 1]. Class indices follow the sub-folders' names in sorted order. Hidden
files and files of other types are skipped and counted in ``meta["skipped_files"]``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import DataError
from ..memory import check_data_fits
from .dataset import Dataset
from ..wording import noun
from .progress import report

EXTENSIONS = (".png", ".jpg", ".jpeg")
COLORS = {"grayscale": "L", "rgb": "RGB"}  # Pillow modes: one letter a channel
MAX_SIDE = 4096  # pixels a side after resizing
MAX_IMAGE_BYTES = 4 << 30  # the decoded images and their float32 copy, checked first


def _pillow():
    try:
        from PIL import Image
    except ImportError:
        raise DataError("Loading an image folder needs Pillow: pip install pillow") from None
    return Image


def _normalize_size(size) -> tuple[int, int]:
    height, width = (size, size) if isinstance(size, int) else tuple(size)
    if not 1 <= height <= MAX_SIDE or not 1 <= width <= MAX_SIDE:
        raise DataError(f"The image size must be 1 to {MAX_SIDE} pixels a side, not "
                        f"{size!r}.")
    return int(height), int(width)


def list_image_files(root: Path) -> tuple[list[str], list[list[Path]], list[Path]]:
    """(class names, image files per class, skipped files) of a class-per-folder tree."""
    if not root.is_dir():
        raise DataError(f"There is no folder {root}.")
    classes = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise DataError(f"{root} has no sub-folders. Put the images of each class in a "
                        f"sub-folder named after the class.")
    files, skipped = [], []
    for folder in classes:
        entries = sorted(p for p in folder.rglob("*") if p.is_file())
        images = [p for p in entries
                  if p.suffix.lower() in EXTENSIONS and not p.name.startswith(".")]
        chosen = set(images)
        skipped += [p for p in entries if p not in chosen]
        if not images:
            raise DataError(f"The class folder {folder} holds no PNG or JPEG images.")
        files.append(images)
    return [c.name for c in classes], files, skipped


def _read(image_module, path: Path, mode: str, size, resize: bool):
    try:
        with image_module.open(path) as img:
            img.load()
            img = img.convert(mode)
            if resize and img.size != (size[1], size[0]):
                img = img.resize((size[1], size[0]), image_module.Resampling.BILINEAR)
            return np.asarray(img, dtype=np.uint8)
    except (OSError, ValueError, SyntaxError, image_module.DecompressionBombError) as exc:
        raise DataError(f"Cannot read the image {path}: {exc}", column=str(path)) from None


def _stack(arrays: list[np.ndarray], paths: list[Path]) -> np.ndarray:
    first = arrays[0].shape
    for arr, path in zip(arrays, paths):
        if arr.shape != first:
            raise DataError(f"The images differ in size: {paths[0].name} is "
                            f"{first[1]}x{first[0]} but {path} is {arr.shape[1]}x"
                            f"{arr.shape[0]}. Turn resizing on or make them one size.",
                            column=str(path))
    return np.stack(arrays)


def load_image_folder(path: str | Path, size: int | tuple[int, int] = (28, 28),
                      color: str = "grayscale", resize: bool = True) -> Dataset:
    """A class-per-folder image tree as x float32 (N, C, H, W) in [0, 1], y int64 (N,).
    ``size`` is (height, width) or one side for squares; ``color`` grayscale (C=1) or
    rgb (C=3). With ``resize`` off all images must already share one size."""
    if color not in COLORS:
        raise DataError(f"color must be grayscale or rgb, not {color!r}.")
    root, size, image_module = Path(path), _normalize_size(size), _pillow()
    classes, files, skipped = list_image_files(root)
    paths = [p for group in files for p in group]
    need = len(paths) * len(COLORS[color]) * size[0] * size[1] * 4 * 2  # uint8 and float32
    check_data_fits(need, f"{len(paths):,} images of {size[0]}x{size[1]}",
                    "choose a smaller size", MAX_IMAGE_BYTES)
    arrays = []
    for i, p in enumerate(paths):
        if i % 64 == 0:
            report("reading", i / len(paths))
        arrays.append(_read(image_module, p, COLORS[color], size, resize))
    x = _stack(arrays, paths).astype(np.float32) / 255.0
    x = x[:, None] if x.ndim == 3 else x.transpose(0, 3, 1, 2)
    y = np.repeat(np.arange(len(classes)), [len(g) for g in files]).astype(np.int64)
    note = f"; {len(skipped)} other files skipped" if skipped else ""
    return Dataset(x=np.ascontiguousarray(x), y=y, task="classification", name=root.name,
                   input_kind="image", class_names=tuple(classes), source=str(root),
                   description=f"Image folder {root.name}: {len(y)} {color} images of "
                               f"{x.shape[2]}x{x.shape[3]} (HxW) in {len(classes)} "
                               f"{noun(len(classes), 'class', 'classes')}{note}.",
                   meta={"skipped_files": [str(p) for p in skipped]})
