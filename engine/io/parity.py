"""Parity checks: sample inputs, NeuroCanvas's outputs for them, and a self-contained
script that runs the exported model on the same inputs in the target environment
(NumPy plus the target library only) and reports the largest difference.

The script is assembled from ``templates/``: the shared part (``check_common.py``) and
the part for one target (``run_onnx.py``, ``run_torch.py`` or ``run_numpy.py``, a plain
NumPy implementation of every layer for the weight files). Export runs the same script
in-process to measure the difference when the target library is installed here.
"""
from __future__ import annotations

import importlib.util
import itertools
import re
import textwrap
from pathlib import Path

import numpy as np

from ..inference import TrainedModel
from ..atomic import write_atomic

TOLERANCE = 1e-4
SAMPLES = 16
TEMPLATES = Path(__file__).resolve().parent / "templates"
BODY_MARK = "# ---- body ----"

# format -> (template, library the script needs besides NumPy, how it runs the model)
TARGETS = {
    "onnx": ("run_onnx.py", "onnxruntime", "runs the ONNX model with onnxruntime"),
    "pytorch": ("run_torch.py", "torch", "runs model.py with its weights in PyTorch"),
    "npz": ("run_numpy.py", None, "recomputes the network in plain NumPy from the weights "
            "and the design stored in the .npz file"),
    "safetensors": ("run_numpy.py", "safetensors", "loads the file with the safetensors "
                    "library and recomputes the network in plain NumPy from the weights "
                    "and the design stored in it"),
}
_counter = itertools.count()


def sample_inputs(model: TrainedModel, n: int = SAMPLES, seed: int = 0) -> np.ndarray:
    """Random raw inputs shaped like the training data: Gaussian values around the
    training mean and spread (the standardiser's), or valid token ids."""
    net = model.network
    shape = (n,) + tuple(net.spec.input_shape)
    rng = np.random.default_rng(seed)
    if net.input_kind == "tokens":
        return rng.integers(0, _vocab_size(model), shape).astype(np.int64)
    x = rng.standard_normal(shape)
    norm = model.normalizer
    if norm is not None:
        bshape = [1] * len(shape)
        bshape[norm.axis] = len(norm.mean)
        x = x * norm.std.reshape(bshape) + norm.mean.reshape(bshape)
    return x.astype(np.float32)


def _vocab_size(model: TrainedModel) -> int:
    sizes = [node.layer.config["vocab_size"] for node in model.network.nodes
             if node.layer.type_name == "Embedding"]
    return min(sizes) if sizes else max(len(model.dataset.get("vocabulary") or []), 2)


def write_parity_files(model: TrainedModel, fmt: str, folder: Path, model_file: str,
                       prefix: str = "", inputs: np.ndarray | None = None) -> list[Path]:
    """Write ``<prefix>parity_samples.npz`` and ``<prefix>check_parity.py`` into
    ``folder`` (where ``model_file`` is); returns both paths."""
    x = sample_inputs(model) if inputs is None else np.asarray(inputs)
    outputs = np.asarray(model.predict(x), dtype=np.float32)
    samples = folder / f"{prefix}parity_samples.npz"
    script = folder / f"{prefix}check_parity.py"
    write_atomic(samples, lambda fh: np.savez(fh, inputs=x, outputs=outputs))
    text = script_text(fmt, model_file, samples.name, script.name)
    write_atomic(script, text.encode("utf-8"))
    return [script, samples]


def script_text(fmt: str, model_file: str, samples_file: str, script_name: str) -> str:
    template, library, how = TARGETS[fmt]
    needs = "NumPy" + (f" and {library}" if library else "")
    # File names are the user's text: in the code they appear only as repr()'d string
    # literals, never inside the docstring (a quote or newline there would become code).
    about = textwrap.fill(f"It {how}, on the inputs in SAMPLES_FILE, and compares the "
                          f"outputs with those NeuroCanvas computed. Needs {needs} only.", 80)
    usage = script_name if re.fullmatch(r"[A-Za-z0-9_.-]+", script_name) else "THIS_SCRIPT"
    doc = (f'"""Parity check for a NeuroCanvas export (the model file: MODEL_FILE).\n\n'
           f"{about}\n\n"
           f"    python {usage} [--tolerance {TOLERANCE:g}]\n\n"
           f"Prints the largest absolute difference. Exit status 0: within the tolerance;\n"
           f'1: above it; 2: the check could not run (a missing package).\n"""\n')
    common = (TEMPLATES / "check_common.py").read_text(encoding="utf-8")
    body = (TEMPLATES / template).read_text(encoding="utf-8").split(BODY_MARK, 1)[1]
    if "json." not in body:
        common = common.replace("import json\n", "")
    text = (doc + common + "\n\n" + body.lstrip("\n")
            + '\n\nif __name__ == "__main__":\n    sys.exit(main())\n')
    return (text.replace('"__MODEL_FILE__"', repr(model_file))
            .replace('"__SAMPLES_FILE__"', repr(samples_file))
            .replace('"__WEIGHTS_FORMAT__"', repr(fmt))
            .replace("TOLERANCE = 1e-4", f"TOLERANCE = {TOLERANCE!r}"))


def measure(script: Path) -> tuple[float, int]:
    """Run a written check script in this process: (largest difference, samples).
    Raises ImportError when the target library is not installed here."""
    name = f"_neurocanvas_parity_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.measure(script.parent)
