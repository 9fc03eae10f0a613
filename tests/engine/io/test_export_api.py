"""Export around the edges: every layer type has every exporter, the check scripts run
on their own (no NeuroCanvas importable) and catch a wrong model, the CLI, clear errors
(untrained, duplicate names, unsupported layers, missing packages, weights that do not
fit), and the NumPy safetensors reader/writer against the safetensors library."""
import ast
import subprocess
import importlib.util
import sys
from dataclasses import replace

import numpy as np
import pytest

from engine.cli import main
from engine.errors import ProjectError, TrainingError
from engine.inference import TrainedModel
from engine.io import onnx_layers, safetensors_lite, torch_layers
from engine.io.common import ExportError
from engine.io.export import export_model
from engine.io.named_weights import import_weights
from engine.io.parity import TOLERANCE, script_text
from engine.project import Project, save_project
from engine.spec import NetworkSpec

from .export_cases import (REGISTERED, SYNTHETIC, graph, synthetic_types,  # noqa: F401
                           train_project, trained)

pytestmark = pytest.mark.torch  # compared with PyTorch where it is installed

MLP = "synthetic:mlp"
# Run a script with NeuroCanvas's packages made unimportable: proof that it stands alone.
ISOLATED = ("import runpy, sys; sys.modules['engine'] = sys.modules['designer'] = None; "
            "sys.argv = [sys.argv[1]]; runpy.run_path(sys.argv[0], run_name='__main__')")


def run_isolated(script):
    return subprocess.run([sys.executable, "-c", ISOLATED, script.name], cwd=script.parent,
                          capture_output=True, text=True, timeout=120)


# ---- coverage -----------------------------------------------------------------------------
def test_every_registered_layer_type_has_every_exporter_and_a_synthetic_design():
    numpy_reference: dict = {"__file__": "c.py", "__name__": "reference"}
    exec(script_text("npz", "m.npz", "s.npz", "c.py"), numpy_reference)
    layer_types = REGISTERED - {"Input"}
    assert layer_types <= set(onnx_layers.EMITTERS)
    assert layer_types <= set(torch_layers.EMITTERS)
    assert layer_types <= set(numpy_reference["LAYERS"])
    covered = set().union(*(synthetic_types(name) for name in SYNTHETIC))
    assert REGISTERED <= covered, f"add a synthetic design using {REGISTERED - covered}"


def test_check_scripts_use_the_shared_tolerance():
    text = script_text("onnx", "m.onnx", "s.npz", "c.py")
    assert f"\nTOLERANCE = {TOLERANCE!r}\n" in text and f"--tolerance {TOLERANCE:g}]" in text


# ---- the check scripts on their own -------------------------------------------------------
@pytest.mark.parametrize("fmt", ["onnx", "pytorch", "npz"])
def test_check_script_runs_alone_and_fails_on_a_wrong_model(fmt, trained, tmp_path):
    pytest.importorskip({"onnx": "onnxruntime", "pytorch": "torch", "npz": "numpy"}[fmt])
    out = tmp_path / ("torch" if fmt == "pytorch" else f"mlp.{fmt}")
    result = export_model(trained(MLP), fmt, out, include_parity=False)
    assert result.passed is None and result.max_abs_diff is None
    script, samples = result.paths[-2:]
    for path in result.paths:
        if path.suffix == ".py":
            assert not {"engine", "designer"} & imported_roots(path), path
    done = run_isolated(script)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("OK: largest absolute difference")

    with np.load(samples) as f:
        inputs, outputs = f["inputs"], f["outputs"]
    np.savez(samples, inputs=inputs, outputs=outputs + 0.01)
    done = run_isolated(script)
    assert done.returncode == 1 and done.stdout.startswith("FAILED"), done.stdout


def imported_roots(path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_export_reports_a_parity_failure(trained, tmp_path, monkeypatch):
    """A wrong translation must not pass silently: break Dense in ONNX and look."""
    pytest.importorskip("onnxruntime")
    real = onnx_layers.EMITTERS["Dense"]

    def off_by_one(g, layer, inputs):
        return g.op("Add", [real(g, layer, inputs), g.const("one", np.float32(1))], "bug")
    monkeypatch.setitem(onnx_layers.EMITTERS, "Dense", off_by_one)
    result = export_model(trained(MLP), "onnx", tmp_path / "m.onnx")
    assert result.passed is False and result.max_abs_diff > TOLERANCE
    assert "Parity FAILED" in result.message


# ---- the API ------------------------------------------------------------------------------
def test_result_paths_progress_and_suffix(trained, tmp_path):
    calls = []
    result = export_model(trained(MLP), "onnx", tmp_path / "sub" / "mlp",
                          progress=lambda f, text: calls.append((f, text)))
    names = sorted(p.name for p in result.paths)
    assert names == ["mlp.onnx", "mlp_check_parity.py", "mlp_parity_samples.npz"]
    assert all(p.exists() for p in result.paths)
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert result.samples == 16 and "Parity OK" in result.message


def test_accepts_a_project_path_and_custom_samples(trained, tmp_path):
    path = tmp_path / "t.ncproj"
    save_project(trained(MLP), path)
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(2, 6)
    result = export_model(str(path), "npz", tmp_path / "w.npz", sample_inputs=x)
    with np.load(tmp_path / "w_parity_samples.npz") as f:
        assert np.array_equal(f["inputs"], x)
    assert result.passed and result.samples == 2


def test_untrained_unknown_format_and_bad_targets(trained, tmp_path):
    project = trained(MLP)
    with pytest.raises(TrainingError, match="has not been trained yet"):
        export_model(replace(project, weights=None), "onnx", tmp_path / "m.onnx")
    with pytest.raises(ExportError, match="Unknown export format 'tflite'"):
        export_model(project, "tflite", tmp_path / "m")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="is a file: a PyTorch export is a folder"):
        export_model(project, "pytorch", tmp_path / "file")
    with pytest.raises(ExportError, match="is a folder: give a file name"):
        export_model(project, "npz", tmp_path)


def test_two_layers_with_one_name_are_refused(tmp_path):
    spec = graph((2,), "features", [("a", "Dense", {"units": 3}), ("b", "Dense", {"units": 2})])
    data = spec.to_dict()
    data["layers"][2]["name"] = "a"
    spec = NetworkSpec.from_dict(data)
    from engine.network import Network
    project = Project(spec, weights=Network(spec).weights(), name="twins")
    for fmt in ("npz", "onnx", "pytorch"):
        with pytest.raises(ExportError, match="Two layers are called 'a'.*rename one"):
            export_model(project, fmt, tmp_path / f"x.{fmt}")
    assert not list(tmp_path.iterdir())  # refused before writing anything


def test_unsupported_layers_are_named(trained, tmp_path, monkeypatch):
    monkeypatch.delitem(onnx_layers.EMITTERS, "Activation")
    monkeypatch.delitem(torch_layers.EMITTERS, "Activation")
    with pytest.raises(ExportError, match=r"ONNX export does not support Activation layers "
                                          r"yet \('act'\)"):
        export_model(trained(MLP), "onnx", tmp_path / "m.onnx")
    with pytest.raises(ExportError, match="PyTorch export does not support Activation"):
        export_model(trained(MLP), "pytorch", tmp_path / "t")


def test_missing_packages_say_what_to_install(trained, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    with pytest.raises(ExportError, match="ONNX export needs the onnx package: pip install onnx"):
        export_model(trained(MLP), "onnx", tmp_path / "m.onnx")


def test_parity_is_skipped_with_a_note_when_the_runtime_is_missing(trained, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    result = export_model(trained(MLP), "pytorch", tmp_path / "t")
    assert result.passed is None and result.max_abs_diff is None
    assert "torch is not installed" in result.message and "check_parity.py" in result.message
    assert (tmp_path / "t" / "model.py").exists()


# ---- importing weights back ---------------------------------------------------------------
def test_import_names_every_missing_extra_and_misshapen_tensor(trained, tmp_path):
    project = trained(MLP)
    export_model(project, "npz", tmp_path / "w.npz", include_parity=False)
    with np.load(tmp_path / "w.npz") as f:
        arrays = {k: f[k] for k in f.files}
    del arrays["relu1.b"]
    arrays["ghost.W"] = np.zeros(3, np.float32)
    arrays["leaky.W"] = arrays["leaky.W"][:, :5]
    np.savez(tmp_path / "bad.npz", **arrays)
    blank = Project(project.spec, name="blank")
    with pytest.raises(ProjectError) as err:
        import_weights(blank, tmp_path / "bad.npz")
    text = str(err.value)
    assert text.startswith("The weights in bad.npz do not fit this design: ")
    for part in ("missing relu1.b (8,)", "unexpected ghost.W",
                 "leaky.W is (8, 5), expected (8, 8)"):
        assert part in text
    tensors = {k: v for k, v in arrays.items() if not k.startswith("__")}
    (tmp_path / "bad.safetensors").write_bytes(safetensors_lite.to_bytes(tensors))
    with pytest.raises(ProjectError, match="missing relu1.b"):
        import_weights(blank, tmp_path / "bad.safetensors")


def test_import_a_plain_third_party_npz(trained, tmp_path):
    """Arrays named <layer>.<param> without NeuroCanvas's metadata import too; the
    project keeps its own preprocessing."""
    project = trained(MLP)
    from engine.io.named_weights import named_arrays
    arrays = named_arrays(TrainedModel.from_project(project).network)
    np.savez(tmp_path / "plain.npz", **{k: v.astype(np.float64) for k, v in arrays.items()})
    imported = import_weights(project, tmp_path / "plain.npz")
    assert imported.preprocessing == project.preprocessing
    assert all(w.dtype == np.float32 for w in imported.weights.values())


def test_import_refuses_other_and_damaged_files(trained, tmp_path):
    project = trained(MLP)
    with pytest.raises(ProjectError, match="from .npz or .safetensors files, not .txt"):
        import_weights(project, tmp_path / "w.txt")
    with pytest.raises(ProjectError, match="no such file"):
        import_weights(project, tmp_path / "none.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip at all")
    with pytest.raises(ProjectError, match="junk.npz is damaged or not a weight file"):
        import_weights(project, tmp_path / "junk.npz")
    (tmp_path / "junk.safetensors").write_bytes(b"\xff" * 16)
    with pytest.raises(ProjectError, match="junk.safetensors is damaged"):
        import_weights(project, tmp_path / "junk.safetensors")


# ---- safetensors without the library, checked against the library --------------------------
def test_safetensors_files_agree_with_the_safetensors_library(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    rng = np.random.default_rng(0)
    arrays = {"a.W": rng.normal(size=(3, 4)).astype(np.float32), "b": np.arange(5),
              "scalar": np.array(7, np.int64), "h": np.ones((2, 1), np.float16),
              "t": rng.normal(size=(4, 3)).astype(np.float32).T}  # not C-contiguous
    path = tmp_path / "ours.safetensors"
    path.write_bytes(safetensors_lite.to_bytes(arrays, {"k": "v"}))
    loaded = st.load_file(str(path))
    theirs = tmp_path / "theirs.safetensors"
    # safetensors 0.8's save_file writes a non-contiguous array in memory order (its
    # own load_file then returns other numbers): hand it contiguous copies.
    st.save_file({k: v.copy(order="C") for k, v in arrays.items()}, str(theirs),
                 metadata={"k": "v"})
    back, meta = safetensors_lite.load(theirs)
    assert meta == {"k": "v"}
    for key, arr in arrays.items():
        for other in (loaded[key], back[key]):
            assert other.dtype == arr.dtype and other.shape == arr.shape
            assert np.array_equal(other, arr), key


# ---- the command line ---------------------------------------------------------------------
@pytest.fixture
def trained_file(trained, tmp_path):
    path = tmp_path / "mlp_trained.ncproj"
    save_project(trained(MLP), path)
    return path


@pytest.mark.parametrize("fmt", ["npz", "safetensors", "onnx", "pytorch"])
def test_cli_exports_each_format(fmt, trained_file, tmp_path, capsys):
    out = tmp_path / "out" / ("torch" if fmt == "pytorch" else f"mlp.{fmt}")
    assert main(["export", str(trained_file), "--format", fmt, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"wrote {out}" in text
    if fmt == "pytorch" and importlib.util.find_spec("torch") is None:
        assert "Parity not measured here (torch is not installed)" in text
        pytest.skip("the PyTorch export's parity check needs PyTorch (an optional extra)")
    assert "Parity OK: largest difference" in text


def test_cli_no_parity_and_errors(trained_file, tmp_path, capsys, monkeypatch):
    out = tmp_path / "m.onnx"
    assert main(["export", str(trained_file), "--format", "onnx", "--out", str(out),
                 "--no-parity"]) == 0
    assert "Parity" not in capsys.readouterr().out and out.exists()

    untrained = tmp_path / "untrained.ncproj"
    save_project(Project(NetworkSpec.from_dict(trained_file_spec(trained_file)), name="u"),
                 untrained)
    assert main(["export", str(untrained), "--format", "npz", "--out", str(out)]) == 1
    assert capsys.readouterr().err == ("error: 'u' has not been trained yet: train it first "
                                       "(neurocanvas train PROJECT --out TRAINED.ncproj)\n")
    monkeypatch.setitem(sys.modules, "onnx", None)
    assert main(["export", str(trained_file), "--format", "onnx", "--out", str(out)]) == 1
    assert capsys.readouterr().err == ("error: ONNX export needs the onnx package: "
                                       "pip install onnx\n")


def trained_file_spec(path):
    from engine.project import load_project
    return load_project(path).spec.to_dict()


def test_missing_packages_lists_what_each_format_needs(monkeypatch):
    from engine.io.export import FORMATS, missing_packages
    torch = [] if importlib.util.find_spec("torch") else ["torch"]  # optional: parity only
    expected = {fmt: ([], torch if fmt == "pytorch" else []) for fmt in FORMATS}
    assert {fmt: missing_packages(fmt) for fmt in FORMATS} == expected
    monkeypatch.setitem(sys.modules, "onnx", None)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    assert missing_packages("onnx") == (["onnx"], ["onnxruntime"])


def test_odd_layer_names_make_valid_code_and_keys(tmp_path):
    """Spaces, dots, keywords, nn.Module attributes and leading digits in layer names."""
    pytest.importorskip("torch")  # the parity check runs the generated module
    layers = [("fc.1", "Dense", {"units": 4}), ("class", "Dense", {"units": 4}),
              ("eval", "Dense", {"units": 4}), ("2nd layer", "Dense", {"units": 4}),
              ("2nd_layer", "Dense", {"units": 2, "activation": "linear"})]
    x = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32)
    np.savez(tmp_path / "d.npz", x=x, y=np.arange(32) % 2)
    project = train_project(Project(graph((3,), "features", layers), name="odd names"),
                            {"source": "npz", "path": str(tmp_path / "d.npz")})
    for fmt in ("npz", "pytorch"):
        result = export_model(project, fmt, tmp_path / ("t" if fmt == "pytorch" else "w.npz"))
        assert result.passed, result.message
    source = (tmp_path / "t" / "model.py").read_text()
    for attr in ("self.fc_1 =", "self.class_layer =", "self.eval_layer =",
                 "self.layer_2nd_layer =", "self.layer_2nd_layer_2 =", "class OddNames("):
        assert attr in source
    with np.load(tmp_path / "w.npz") as f:
        assert {"fc.1.W", "2nd layer.b", "class.W"} <= set(f.files)
    assert import_weights(project, tmp_path / "w.npz").weights.keys() == project.weights.keys()
