"""Generated code is safe by construction: hostile project names, layer names and file
names (quotes, triple quotes, backslashes, new lines, Unicode that folds together, digits
of other scripts, keywords) never break the generated Python or run as code. Each case
writes model.py and a check script, compiles them, reads every user string back from a
repr()'d literal, and, where the library is installed, imports and runs them: the
parity check passes and nothing else ran (a sentinel file a hostile name tries to
create never appears)."""
from __future__ import annotations

import ast
import importlib.util
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from engine.io.export import export_model
from engine.project import Project
from engine.spec import LayerSpec, NetworkSpec

from .export_cases import graph, train_project

pytestmark = pytest.mark.torch  # compared with PyTorch where it is installed

SENTINEL = "PWNED_SENTINEL"
ATTACKS = [
    f'"""; open("{SENTINEL}", "w").write("x"); """',
    f"'''\nimport os\nos.system('touch {SENTINEL}')\n'''",
    f'x"\nopen("{SENTINEL}", "w")\n#',
    f"\\\\\" + open('{SENTINEL}', 'w').name + \"",
    "back\\slash\\", 'quote"', "apostrophe'", "new\nline", "tab\tcarriage\rreturn",
    "ｆｃ", "fc", "١٢٣", "123", "class", "None", "lambda", "__init__", "forward", "self",
    "名前", "ünïcødé", "\u2028separator", "🙂", "x", "", " ",
]
ALPHABET = ['"', "'", "\\", "\n", "#", ";", "(", ")", "ｆ", "é", "١", "_", "a", "1", " "]


def hostile_names(n: int, seed: int = 0) -> list[str]:
    """The fixed attacks, then ``n`` seeded random strings over a hostile alphabet."""
    rng = random.Random(seed)
    return ATTACKS + ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 12)))
                      for _ in range(n)]


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Project:
    folder = tmp_path_factory.mktemp("hostile")
    x = np.random.default_rng(0).normal(size=(48, 3)).astype(np.float32)
    np.savez(folder / "d.npz", x=x, y=np.arange(48) % 2)
    layers = [(f"l{i}", "Dense", {"units": 4}) for i in range(4)]
    layers.append(("out", "Dense", {"units": 2, "activation": "softmax"}))
    return train_project(Project(graph((3,), "features", layers)),
                         {"source": "npz", "path": str(folder / "d.npz")})


def renamed(project: Project, project_name: str, layer_names: list[str]) -> Project:
    """The same trained project under other names (weights are keyed by layer id)."""
    layers = list(project.spec.layers)
    for i, name in zip(range(1, len(layers)), layer_names):
        layers[i] = LayerSpec(layers[i].id, layers[i].type, name, layers[i].config)
    return replace(project, name=project_name,
                   spec=NetworkSpec(tuple(layers), project.spec.edges, project.spec.version))


def string_constants(source: str) -> dict[str, str]:
    """Module-level NAME = "literal" assignments, read back (and the source parses)."""
    tree = ast.parse(source)
    return {node.targets[0].id: node.value.value for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}


def assert_nothing_else_runs(source: str) -> None:
    """Top level holds only imports, definitions, constants and the main guard."""
    for node in ast.parse(source).body:
        assert isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef,
                                 ast.Assign, ast.If, ast.Expr)), ast.dump(node)[:200]
        if isinstance(node, ast.Expr):  # the docstring only
            assert isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        if isinstance(node, ast.If):
            assert ast.unparse(node.test) == "__name__ == '__main__'"


def check_model_py(folder: Path, project_name: str, tmp_path: Path) -> None:
    source = (folder / "model.py").read_text(encoding="utf-8")
    compile(source, "model.py", "exec")
    assert_nothing_else_runs(source)
    assert string_constants(source)["PROJECT_NAME"] == project_name
    tree = ast.parse(source)
    attrs = [t.attr for node in ast.walk(tree) if isinstance(node, ast.Assign)
             for t in node.targets if isinstance(t, ast.Attribute)]
    assert all(a.isascii() and a.isidentifier() for a in attrs)
    assert len(set(attrs)) == len(attrs)  # "ｆｃ" and "fc" do not share an attribute


@pytest.mark.parametrize("chunk", range(4))
def test_hostile_names_make_valid_inert_pytorch_code(trained, tmp_path, chunk,
                                                     monkeypatch):
    monkeypatch.chdir(tmp_path)  # where a hostile name would drop its sentinel
    names = hostile_names(36)[chunk::4]
    has_torch = importlib.util.find_spec("torch") is not None
    for i, name in enumerate(names):
        layer_names = [name, name + "ｆｃ", name + "fc", f"{i}{name}"]
        if len(set(layer_names)) < 4 or any(not n.strip() for n in layer_names):
            layer_names = [f"{name}{k}" if name.strip() else f"layer{k}" for k in range(4)]
        project = renamed(trained, name, layer_names)
        out = tmp_path / f"torch_{i}"
        result = export_model(project, "pytorch", out, include_parity=has_torch)
        check_model_py(out, name, tmp_path)
        title, underline = (out / "README.txt").read_text(encoding="utf-8").split("\n")[:2]
        assert title.endswith(", exported from NeuroCanvas for PyTorch"), (name, title)
        assert underline == "=" * len(title), name  # one line, however the name breaks
        check = (out / "check_parity.py").read_text(encoding="utf-8")
        compile(check, "check_parity.py", "exec")
        assert_nothing_else_runs(check)
        if has_torch:
            assert result.passed, (name, result.message)
        assert not (tmp_path / SENTINEL).exists(), name
        assert not (out / SENTINEL).exists(), name


@pytest.mark.parametrize("fmt", ["npz", "onnx"])
def test_hostile_file_names_make_valid_inert_check_scripts(trained, tmp_path, fmt,
                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)
    for i, attack in enumerate(ATTACKS[:4] + ["back\\slash", "quote'\"mix"]):
        stem = attack.replace("/", "_").replace("\0", "_").replace("\n", "_")
        path = tmp_path / f"case{i}" / f"{stem}.{fmt}"
        path.parent.mkdir()
        runtime = importlib.util.find_spec("onnxruntime") if fmt == "onnx" else True
        result = export_model(trained, fmt, path, include_parity=bool(runtime))
        scripts = [p for p in result.paths if p.suffix == ".py"]
        assert scripts, result.paths
        source = scripts[0].read_text(encoding="utf-8")
        compile(source, scripts[0].name, "exec")
        assert_nothing_else_runs(source)
        assert string_constants(source)["MODEL_FILE"] == path.name
        if runtime:
            assert result.passed, (attack, result.message)
        assert not (tmp_path / SENTINEL).exists(), attack


SAFE_ONNX_NAME = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"


@pytest.mark.parametrize("chunk", range(2))
def test_hostile_names_make_plain_onnx_names_and_keep_the_text_as_data(trained, tmp_path,
                                                                      chunk):
    """ONNX node, tensor and graph names are plain (tools turn them into identifiers and
    file names); the project's own name survives only in the doc string, and the design
    in the metadata reads back exactly. Parity still holds."""
    import json
    import re

    onnx = pytest.importorskip("onnx", reason="ONNX export needs the onnx package")
    runtime = importlib.util.find_spec("onnxruntime") is not None
    for i, name in enumerate(hostile_names(16)[chunk::2]):
        layer_names = [f"{name}{k}" if name.strip() else f"layer{k}" for k in range(4)]
        project = renamed(trained, name, layer_names)
        path = tmp_path / f"m{chunk}_{i}.onnx"
        result = export_model(project, "onnx", path, include_parity=runtime)
        if runtime:
            assert result.passed, (name, result.message)
        proto = onnx.load(str(path))
        names = [proto.graph.name] + [t.name for t in proto.graph.initializer]
        names += [n.name for n in proto.graph.node]
        names += [v for n in proto.graph.node for v in (*n.input, *n.output)]
        assert all(re.fullmatch(SAFE_ONNX_NAME, n) for n in names), (name, names)
        tensors = [t.name for t in proto.graph.initializer]
        assert len(set(tensors)) == len(tensors)
        assert proto.doc_string.startswith(f"{name}: exported by NeuroCanvas")
        props = {p.key: p.value for p in proto.metadata_props}
        design = json.loads(props["neurocanvas.design"])
        assert [layer["name"] for layer in design["layers"][1:5]] == layer_names


def test_hostile_safetensors_metadata_is_a_typed_error(tmp_path):
    """A .safetensors file whose __metadata__ is not a table of text is refused as
    damaged, not a traceback."""
    import json
    import struct

    from engine.errors import ProjectError
    from engine.io.named_weights import read_weights

    for metadata in (["a"], {"export": 1}, {"export": {"x": 1}}, "text"):
        header = json.dumps({"__metadata__": metadata}).encode()
        header += b" " * (-len(header) % 8)
        path = tmp_path / "w.safetensors"
        path.write_bytes(struct.pack("<Q", len(header)) + header)
        with pytest.raises(ProjectError, match="__metadata__ is not a table of text"):
            read_weights(path)
