"""Every export of every bundled example, and of synthetic designs that between them use
every registered layer type, computes what the engine computes: the ONNX model in
onnxruntime, the generated PyTorch module, and the NumPy reference reading the weight
files. Weight files reload bit-identically and import back into the design."""
import importlib.util
import inspect
import itertools
import json

import numpy as np
import pytest

from engine.inference import TrainedModel
from engine.io.common import logits_activation
from engine.io.export import export_model
from engine.io.named_weights import import_weights, named_arrays
from engine.io.parity import sample_inputs
from engine.project import Project

from .export_cases import CASES, trained  # noqa: F401  (trained is a fixture)

pytestmark = pytest.mark.torch  # compared with PyTorch where it is installed

TOLERANCE = 1e-4
_modules = itertools.count()


def fresh_inputs(model: TrainedModel, n: int = 3) -> np.ndarray:
    """Inputs other than the parity samples, in a batch of another size."""
    return sample_inputs(model, n=n, seed=11)


@pytest.mark.parametrize("case", CASES)
def test_onnx_runs_in_onnxruntime_like_the_engine(case, trained, tmp_path):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    model = TrainedModel.from_project(trained(case))
    result = export_model(model, "onnx", tmp_path / "model.onnx")
    assert result.passed, result.message
    assert result.max_abs_diff < TOLERANCE

    proto = onnx.load(str(tmp_path / "model.onnx"))
    onnx.checker.check_model(proto, full_check=True)
    assert proto.ir_version <= 10 and proto.opset_import[0].version >= 17
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "N"
    session = ort.InferenceSession(str(tmp_path / "model.onnx"),
                                   providers=["CPUExecutionProvider"])
    x = fresh_inputs(model)
    got = session.run(None, {"input": x})[0]
    assert np.abs(got - model.predict(x)).max() < TOLERANCE


def load_generated(folder):
    spec = importlib.util.spec_from_file_location(f"generated_{next(_modules)}",
                                                  folder / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("case", CASES)
def test_generated_pytorch_module_computes_like_the_engine(case, trained, tmp_path):
    torch = pytest.importorskip("torch")
    model = TrainedModel.from_project(trained(case))
    result = export_model(model, "pytorch", tmp_path / "torch")
    assert result.passed, result.message
    assert result.max_abs_diff < TOLERANCE

    module = load_generated(tmp_path / "torch")
    net = module.load_model()
    x = fresh_inputs(model)
    with torch.no_grad():
        got = net(torch.from_numpy(x)).numpy()
    assert np.abs(got - model.predict(x)).max() < TOLERANCE
    final, own = logits_activation(model)
    if final:  # forward(x, logits=True) gives what a fused loss trains on
        network = model.network
        expected = network.forward(network.prepare_input(model.transform(x)),
                                   strip=final if own else None)
        with torch.no_grad():
            logits = net(torch.from_numpy(x), logits=True).numpy()
        assert np.abs(logits - expected).max() < TOLERANCE
    else:
        assert "logits" not in inspect.signature(net.forward).parameters


def _load_file(fmt, path):
    if fmt == "npz":
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
        return arrays, str(arrays.pop("__design__")), json.loads(str(arrays.pop("__export__")))
    safetensors = pytest.importorskip("safetensors")
    from safetensors.numpy import load_file

    with safetensors.safe_open(str(path), framework="np") as f:
        meta = f.metadata()
    return load_file(str(path)), meta["design"], json.loads(meta["export"])


@pytest.mark.parametrize("fmt", ["npz", "safetensors"])
@pytest.mark.parametrize("case", CASES)
def test_weight_files_reload_bit_identically_and_import_back(case, fmt, trained, tmp_path):
    project = trained(case)
    model = TrainedModel.from_project(project)
    path = tmp_path / f"weights.{fmt}"
    result = export_model(model, fmt, path)
    assert result.passed, result.message  # the NumPy reference in the check script
    assert result.max_abs_diff < TOLERANCE

    arrays, design, info = _load_file(fmt, path)
    expected = named_arrays(model.network)
    assert list(arrays) == list(expected) if fmt == "npz" else set(arrays) == set(expected)
    for key, arr in expected.items():
        assert arrays[key].dtype == arr.dtype and np.array_equal(arrays[key], arr), key
    assert json.loads(design) == project.spec.to_dict()
    assert set(info["arrays"]) == set(expected)
    assert all(entry["layout"] for entry in info["arrays"].values())

    blank = Project(project.spec, name=project.name)
    imported = import_weights(blank, path)
    assert set(imported.weights) == set(project.weights)
    for key, arr in project.weights.items():
        assert np.array_equal(imported.weights[key], arr), key
    x = fresh_inputs(model)
    again = TrainedModel.from_project(imported)
    assert np.array_equal(again.predict(x), model.predict(x))
