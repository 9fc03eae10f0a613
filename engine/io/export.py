"""Export a trained model for other tools, with a parity check: the one entry point the
CLI and the designer's File > Export dialog call.

    result = export_model(project, "onnx", "out/digits.onnx", progress=callback)
    result.paths          # every file written
    result.max_abs_diff   # largest |exported - NeuroCanvas| on the parity samples, or None
    result.passed         # True / False, or None when the check could not run here
    result.message        # one or two sentences for a person

Formats (``FORMATS``): ``npz`` and ``safetensors`` (weights by layer name plus the
design), ``onnx`` (one .onnx file), ``pytorch`` (a folder: model.py,
weights.safetensors, README.txt). Every export also writes a check script and sample
inputs with NeuroCanvas's outputs next to the model (see ``parity.py``); with
``include_parity`` the check also runs here when the target library is installed.
``progress(fraction, text)`` is called between steps (fraction from 0 to 1).
See docs/export.md for what each file holds.
"""
from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..inference import TrainedModel
from ..project import Project, load_project
from . import parity
from .common import ExportError, layer_names

FORMATS = {"npz": "NumPy .npz", "safetensors": "safetensors", "onnx": "ONNX",
           "pytorch": "PyTorch"}
SUFFIXES = {"npz": ".npz", "safetensors": ".safetensors", "onnx": ".onnx", "pytorch": ""}

# format -> (packages needed to export, packages the parity check needs besides NumPy)
REQUIREMENTS = {"npz": ((), ()), "safetensors": ((), ("safetensors",)),
                "onnx": (("onnx",), ("onnxruntime",)), "pytorch": ((), ("torch",))}

Progress = Callable[[float, str], None]


def missing_packages(fmt: str) -> tuple[list[str], list[str]]:
    """(packages missing to export ``fmt``, packages missing to run its parity check
    here): lets a dialog grey out a format or warn before it starts."""
    export, check = REQUIREMENTS[fmt]
    return ([p for p in export if importlib.util.find_spec(p) is None],
            [p for p in check if importlib.util.find_spec(p) is None])


@dataclass
class ExportResult:
    paths: list[Path]
    max_abs_diff: float | None
    message: str
    format: str = ""
    tolerance: float = parity.TOLERANCE
    passed: bool | None = None  # None: parity not checked here
    samples: int = 0


def export_model(source: Project | TrainedModel | str | os.PathLike, format: str,
                 out_path: str | os.PathLike, include_parity: bool = True,
                 progress: Progress | None = None,
                 sample_inputs: np.ndarray | None = None) -> ExportResult:
    """Export a trained project (or its TrainedModel, or a .ncproj path) as ``format``
    to ``out_path``: a file for npz, safetensors and onnx (the suffix is added when
    missing), a folder for pytorch. Raises ExportError (or TrainingError for an
    untrained project) with a message for people."""
    report = progress or (lambda fraction, text: None)
    if format not in FORMATS:
        raise ExportError(f"Unknown export format {format!r}: choose one of "
                          f"{', '.join(FORMATS)}")
    report(0.0, "Preparing the model")
    model = _trained_model(source)
    layer_names(model.network)  # two layers with one name: fail before writing anything
    target = _target_path(format, Path(out_path))
    report(0.1, f"Writing the {FORMATS[format]} export")
    paths = _write(format, model, target)
    folder, model_file, prefix = _parity_place(format, target)
    report(0.6, "Writing the parity check")
    check = parity.write_parity_files(model, format, folder, model_file, prefix, sample_inputs)
    paths += check
    result = ExportResult(paths, None, f"Exported {FORMATS[format]} to {target}.", format)
    if include_parity:
        report(0.7, f"Checking parity with {parity.TARGETS[format][1] or 'NumPy'}")
        _check(result, check[0])
    report(1.0, "Done")
    return result


def _trained_model(source) -> TrainedModel:
    if isinstance(source, TrainedModel):
        return source
    if isinstance(source, (str, os.PathLike)):
        source = load_project(source)
    if not isinstance(source, Project):
        raise TypeError(f"export_model takes a Project, a TrainedModel or a path, not "
                        f"{type(source).__name__}")
    return TrainedModel.from_project(source)


def _no_file_in_the_way(out: Path) -> None:
    """The nearest existing folder above ``out`` must be a folder: a file there made
    mkdir say only 'File exists'."""
    for above in out.parents:
        if above.exists():
            if not above.is_dir():
                raise ExportError(f"{above} is a file, not a folder: {out} cannot be "
                                  f"written inside it")
            return


def _target_path(fmt: str, out: Path) -> Path:
    _no_file_in_the_way(out)
    if fmt == "pytorch":
        if out.exists() and not out.is_dir():
            raise ExportError(f"{out} is a file: a PyTorch export is a folder (model.py, "
                              f"weights, check script); give a folder path")
        out.mkdir(parents=True, exist_ok=True)
        return out
    if out.is_dir():
        raise ExportError(f"{out} is a folder: give a file name such as "
                          f"{out / ('model' + SUFFIXES[fmt])}")
    if out.suffix.lower() != SUFFIXES[fmt]:
        out = out.with_name(out.name + SUFFIXES[fmt])
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _write(fmt: str, model: TrainedModel, target: Path) -> list[Path]:
    if fmt == "npz":
        from .named_weights import write_npz
        return [write_npz(model, target)]
    if fmt == "safetensors":
        from .named_weights import write_safetensors
        return [write_safetensors(model, target)]
    if fmt == "onnx":
        from .onnx_export import export_onnx
        return [export_onnx(model, target)]
    from .torch_codegen import export_pytorch
    return export_pytorch(model, target)


def _parity_place(fmt: str, target: Path) -> tuple[Path, str, str]:
    """(folder, model file the script opens, prefix of the check files)."""
    if fmt == "pytorch":
        from .torch_codegen import MODEL_FILE
        return target, MODEL_FILE, ""
    return target.parent, target.name, f"{target.stem}_"


def _check(result: ExportResult, script: Path) -> None:
    library = parity.TARGETS[result.format][1]
    try:
        diff, n = parity.measure(script)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or library
        result.message += (f" Parity not measured here ({missing} is not installed): run "
                           f"{script.name} where it is.")
        return
    except Exception as exc:  # the exported model failed to run: a bug to report
        result.passed = False
        result.message += f" Parity check FAILED: the exported model did not run ({exc})."
        return
    result.max_abs_diff, result.samples = diff, n
    result.passed = bool(diff <= result.tolerance)
    verdict = "OK" if result.passed else "FAILED"
    result.message += (f" Parity {verdict}: largest difference {diff:.2g} over {n} samples "
                       f"(tolerance {result.tolerance:g}).")
