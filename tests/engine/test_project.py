"""Project files: round trips, atomic saves, and clear errors for damaged files."""
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from engine.errors import NeuroCanvasError, ProjectError
from engine.project import Project, load_project, save_project

from .helpers import chain_spec


def _project(weights=True):
    spec = chain_spec((2,), [("Dense", {"units": 3}), ("Dense", {"units": 2, "activation": "softmax"})])
    w = {"l0/W": np.arange(6.0).reshape(2, 3), "l0/b": np.zeros(3),
         "l1/W": np.ones((3, 2)), "l1/b": np.ones(2)} if weights else None
    return Project(spec, {"in": (0, 0), "l0": (220, 10.5), "l1": (440, 0)},
                   {"source": "builtin", "name": "xor"}, {"epochs": 5}, w,
                   [{"epoch": 1, "loss": 0.5}], {"mean": [0.0, 1.0]}, "demo")


def test_round_trip_keeps_everything(tmp_path):
    path = tmp_path / "a.ncproj"
    save_project(_project(), path)
    back = load_project(path)
    ref = _project()
    assert back.spec == ref.spec and back.layout == ref.layout and back.name == "demo"
    assert (back.data, back.training, back.history, back.preprocessing) == (
        ref.data, ref.training, ref.history, ref.preprocessing)
    assert set(back.weights) == set(ref.weights)
    for k in ref.weights:
        np.testing.assert_array_equal(back.weights[k], ref.weights[k])


def test_failed_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "a.ncproj"
    save_project(_project(), path)
    before = path.read_bytes()
    import engine.project as mod

    def explode(*_a, **_k):
        raise OSError("disk full")
    monkeypatch.setattr(mod, "_npz_bytes", explode)
    with pytest.raises(OSError):
        save_project(_project(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.ncproj"]  # no temp files left


def _zip(tmp_path, members: dict) -> str:
    path = tmp_path / "bad.ncproj"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _doc(**changes):
    doc = json.loads(json.dumps({
        "format": "neurocanvas-project", "version": 1, "name": "x",
        "design": _project().spec.to_dict(), "layout": {}, "data": {}, "training": {},
        "history": []}))
    doc.update(changes)
    return json.dumps(doc)


def _npz(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


@pytest.mark.parametrize("members,match", [
    ({"other.txt": "x"}, "project.json is missing"),
    ({"project.json": "{broken"}, "project.json is damaged"),
    ({"project.json": json.dumps({"format": "other"})}, "not a NeuroCanvas project"),
    ({"project.json": _doc(version=5)}, "version 5 is unknown"),
    ({"project.json": _doc(design={"version": 1, "layers": "x"})}, "design.layers: must be a list"),
    ({"project.json": _doc(layout={"ghost": [1, 2]})}, "layout entry 'ghost'"),
    ({"project.json": _doc(history={})}, "'history' must be a list"),
    ({"project.json": _doc(), "weights.npz": b"junk"}, "weights.npz is damaged"),
    ({"project.json": _doc(), "weights.npz": _npz(**{"l0/W": np.array([np.nan])})}, "NaN"),
    ({"project.json": _doc(), "weights.npz": _npz(**{"l0/W": np.array(["a"])})}, "not numeric"),
])
def test_damaged_files_raise_project_errors(tmp_path, members, match):
    with pytest.raises(ProjectError, match=match):
        load_project(_zip(tmp_path, members))


def test_object_arrays_are_never_unpickled(tmp_path):
    arr = np.array([{"evil": 1}], dtype=object)
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    npz = io.BytesIO()
    with zipfile.ZipFile(npz, "w") as zf:
        zf.writestr("l0/W.npy", buf.getvalue())
    with pytest.raises(ProjectError, match="not plain arrays"):
        load_project(_zip(tmp_path, {"project.json": _doc(), "weights.npz": npz.getvalue()}))


def test_not_a_zip_missing_file_and_folder(tmp_path):
    junk = tmp_path / "junk.ncproj"
    junk.write_text("hello")
    with pytest.raises(ProjectError, match="not a zip archive"):
        load_project(junk)
    with pytest.raises(ProjectError, match="no such file"):
        load_project(tmp_path / "missing.ncproj")
    with pytest.raises(ProjectError, match="folder"):
        load_project(tmp_path)


def test_layout_positions_that_qt_cannot_draw_are_brought_into_the_canvas(tmp_path):
    """NaN, infinite and huge positions (JSON from elsewhere) crashed the window."""
    from engine.project import MAX_COORDINATE

    spec = chain_spec((4,), [("Dense", {"units": 2})])
    path = tmp_path / "odd.ncproj"
    save_project(Project(spec, {"in": (0.0, 0.0), "l0": (1.0, 2.0)}), path)
    with zipfile.ZipFile(path) as zf:
        doc = json.loads(zf.read("project.json"))
    doc["layout"] = {"in": [float("nan"), float("inf")], "l0": [-1e300, 10 ** 400]}
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.json", json.dumps(doc))
    layout = load_project(path).layout
    assert layout == {"in": (0.0, MAX_COORDINATE), "l0": (-MAX_COORDINATE, MAX_COORDINATE)}


def _project_zip(tmp_path, members: dict, method=zipfile.ZIP_DEFLATED):
    path = tmp_path / f"hostile{len(list(tmp_path.iterdir()))}.ncproj"
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _valid_doc(tmp_path) -> dict:
    spec = chain_spec((4,), [("Dense", {"units": 2})])
    path = tmp_path / "valid.ncproj"
    save_project(Project(spec, {"in": (0.0, 0.0), "l0": (1.0, 2.0)}), path)
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("project.json"))


def test_hostile_project_files_give_a_project_error_naming_what(tmp_path):
    doc = _valid_doc(tmp_path)
    text = json.dumps(doc)
    cases = {
        "nested too deeply": {"project.json": "[" * 200_000 + "]" * 200_000},
        "not read": None,  # filled below: LZMA, a method other tools use
        "single array": {"project.json": text, "weights.npz": _npy_bytes()},
    }
    cases["not read"] = _project_zip(tmp_path, {"project.json": text}, zipfile.ZIP_LZMA)
    for expected, members in cases.items():
        path = members if isinstance(members, Path) else _project_zip(tmp_path, members)
        with pytest.raises(ProjectError, match=expected):
            load_project(path)
    nan_units = json.loads(text)
    nan_units["design"]["layers"][1]["config"]["units"] = float("nan")
    with pytest.raises(NeuroCanvasError, match="whole number"):
        load_project(_project_zip(tmp_path, {"project.json": json.dumps(nan_units)}))


def test_a_damaged_or_encrypted_member_is_refused_by_name(tmp_path):
    doc = _valid_doc(tmp_path)
    path = _project_zip(tmp_path, {"project.json": json.dumps(doc) * 50})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("project.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 20, start + 60):
        data[i] ^= 0x5A  # garbage in the middle of the deflated stream
    path.write_bytes(bytes(data))
    with pytest.raises(ProjectError, match="project.json is damaged"):
        load_project(path)
    path = _project_zip(tmp_path, {"project.json": json.dumps(doc)})
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")  # zipfile resets flags when writing: set it here
    data[central + 8] |= 0x1
    path.write_bytes(bytes(data))
    with pytest.raises(ProjectError, match="project.json is encrypted"):
        load_project(path)


def _npy_bytes() -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.zeros(3))
    return buf.getvalue()


def test_a_fifo_or_a_folder_is_refused_before_anything_opens_it(tmp_path):
    """Opening a FIFO blocks until a writer comes: the CLI's info hung for good."""
    import os

    from engine.data import load_csv, load_npz, load_text_file

    fifo = tmp_path / "pipe.ncproj"
    os.mkfifo(fifo)
    with pytest.raises(ProjectError, match="named pipe"):
        load_project(fifo)
    for loader, args in ((load_csv, ("label",)), (load_npz, ()), (load_text_file, ())):
        with pytest.raises(NeuroCanvasError, match="named pipe"):
            loader(fifo, *args)
    with pytest.raises(ProjectError, match="is a folder"):
        load_project(tmp_path)


def test_weights_beyond_float32_are_refused(tmp_path):
    spec = chain_spec((4,), [("Dense", {"units": 2})])
    weights = {"l0/W": np.full((4, 2), 1e300), "l0/b": np.zeros(2)}
    path = tmp_path / "huge.ncproj"
    save_project(Project(spec, weights=weights), path)
    with pytest.raises(ProjectError, match="'l0/W' holds values beyond the 32-bit"):
        load_project(path)


def test_weights_that_do_not_fit_are_set_aside_and_named(tmp_path, capsys):
    """The design opens untrained; every missing, unexpected or misshapen tensor is
    named (by the engine, in info, in the window); the file is not touched."""
    from engine.cli import main

    spec = chain_spec((4,), [("Dense", {"units": 3}), ("Dense", {"units": 2})])
    weights = {"l0/W": np.zeros((4, 5)), "l0/b": np.zeros(3), "l1/W": np.zeros((3, 2)),
               "zz/W": np.ones(2)}
    path = tmp_path / "misfit.ncproj"
    save_project(Project(spec, weights=weights), path)
    before = path.read_bytes()
    project = load_project(path)
    assert project.weights is None and project.checkpoint is None
    (note,) = project.notes
    for part in ("missing l1/b", "unexpected zz/W", "l0/W is (4, 5), expected (4, 3)"):
        assert part in note
    assert main(["info", str(path)]) == 0
    err = capsys.readouterr().err
    assert "warning: The saved weights do not fit this design" in err and "zz/W" in err
    assert path.read_bytes() == before
