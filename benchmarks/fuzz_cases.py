"""Hostile inputs for every surface that reads what a person (or another program) hands
NeuroCanvas: project files, CSV tables, NPZ arrays, image folders, text, time series,
the training process's frames and commands. Each generator is seeded and yields
``(label, run)`` pairs; ``run()`` feeds one input to the real reader and either returns
or raises. ``benchmarks/fuzz_inputs.py`` runs thousands and prints a table;
``tests/engine/test_fuzz.py`` runs a fast subset.

An outcome is good when the reader returns or raises a NeuroCanvasError (a message for
people); anything else (a raw exception, MemoryError, a hang) is a defect.
"""
from __future__ import annotations

import io
import json
import random
import struct
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

Case = tuple[str, Callable[[], object]]
CELLS = ["1", "-2.5", "", "nan", "NaN", "inf", "-inf", "1e308", "-1e39", "3.4e38", "0x10",
         "1_000", " 7 ", '"quoted"', '"a,b"', '"multi\nline"', "text", "é", "\u2028",
         "=CMD()", "\x00", "1" * 400, "label", "?", "None", "true", "１２"]
BYTES = [b"\xff\xfe", b"\xef\xbb\xbf", b"\x00", b"\r", b"\r\n", b'"', b",", b"\n\n"]


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# ---- CSV and time series ---------------------------------------------------------------
def _csv_text(rng: random.Random) -> bytes:
    columns = rng.randint(1, 6)
    if rng.random() < 0.7:  # a sound header, so the cells get read
        header = rng.sample(["a", "b", "label", "c", "é", "x y"], min(columns, 6))
    else:
        header = [rng.choice(["a", "b", "label", "", "a", "é", '"q"']) for _ in range(columns)]
    columns = len(header)
    lines = [",".join(header)]
    hostile = rng.random() < 0.6
    for _ in range(rng.randint(0, 40)):
        width = columns + (rng.choice([0, 0, 0, 0, -1, 1]) if hostile else 0)
        lines.append(",".join(rng.choice(CELLS) if hostile and rng.random() < 0.2
                              else _sound_cell(rng, header[k] if k < columns else "")
                              for k in range(max(width, 0))))
    data = ("\n" if rng.random() < 0.8 else "\r\n").join(lines).encode("utf-8")
    if rng.random() < 0.2:  # a raw hostile byte somewhere
        at = rng.randint(0, len(data))
        data = data[:at] + rng.choice(BYTES) + data[at:]
    if rng.random() < 0.05:
        data += b"1," + b"9" * 200_000 + b"\n"  # a field past the csv module's limit
    return data


def _sound_cell(rng: random.Random, column: str) -> str:
    if column == "label":
        return rng.choice(["cat", "dog", "1", "0"])
    return rng.choice(["1", "2.5", "-3", "0", "1e3", "0.001"])


def csv_cases(folder: Path, n: int, seed: int = 0) -> Iterator[Case]:
    from engine.data import load_csv

    rng = random.Random(seed)
    for i in range(n):
        path = _write(folder, f"t{i % 8}.csv", _csv_text(rng))
        target = rng.choice(["label", "a", "b", "missing"])
        task = rng.choice([None, None, "classification", "regression"])
        yield f"csv {i}", lambda p=path, t=target, k=task: load_csv(p, t, k)


def timeseries_cases(folder: Path, n: int, seed: int = 0) -> Iterator[Case]:
    from engine.data import load_timeseries

    rng = random.Random(seed + 1)
    for i in range(n):
        path = _write(folder, f"s{i % 8}.csv", _csv_text(rng))
        window, horizon = rng.choice([1, 2, 3, 50, 0]), rng.choice([1, 2, 0, 100])
        yield f"timeseries {i}", (lambda p=path, w=window, h=horizon:
                                  load_timeseries(p, "a", w, h))


# ---- NPZ ---------------------------------------------------------------------------------
def _npz_arrays(rng: random.Random) -> dict:
    n = rng.choice([0, 1, 3, 8])
    pick = rng.randrange(8)
    x = [np.zeros((n, 3)), np.ones((n,)), np.full((n, 2), np.nan), np.full((n, 2), 1e300),
         np.array(["a"] * n), np.zeros((n, 1, 2, 2)), np.zeros((n, 2), complex),
         np.zeros(())][pick]
    y = rng.choice([np.arange(n) % 2, np.zeros(n + 1), np.array(["u", "v"] * n)[:n],
                    np.full(n, 1e9), np.full(n, -1), np.zeros((n, 2))])
    arrays = {"x": x, "y": y}
    if rng.random() < 0.2:
        del arrays[rng.choice(["x", "y"])]
    return arrays


def _npz_bytes(rng: random.Random) -> bytes:
    buf = io.BytesIO()
    choice = rng.random()
    if choice < 0.1:
        np.save(buf, np.zeros(3))  # a single .npy named .npz
    elif choice < 0.2:
        return _huge_npy_header()
    else:
        np.savez(buf, **_npz_arrays(rng))
    data = buf.getvalue()
    if rng.random() < 0.15 and data:
        at = rng.randrange(len(data))
        data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]
    return data


def _huge_npy_header() -> bytes:
    """An NPZ whose x declares 4 TB: the reader must not try to allocate it."""
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (500000000000,), }"
    header = header.ljust(118) + "\n"
    npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + b"\0" * 64
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("x.npy", npy)
        zf.writestr("y.npy", npy)
    return buf.getvalue()


def npz_cases(folder: Path, n: int, seed: int = 0) -> Iterator[Case]:
    from engine.data import load_npz

    rng = random.Random(seed + 2)
    for i in range(n):
        path = _write(folder, f"a{i % 8}.npz", _npz_bytes(rng))
        task = rng.choice([None, "classification", "regression"])
        yield f"npz {i}", lambda p=path, t=task: load_npz(p, t)


# ---- images and text ------------------------------------------------------------------------
def image_cases(folder: Path, n: int, seed: int = 0) -> Iterator[Case]:
    from engine.data import load_image_folder

    rng = random.Random(seed + 3)
    png = _tiny_png()
    for i in range(n):
        root = folder / f"images{i % 4}"
        if root.exists():
            for path in sorted(root.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
        root.mkdir(exist_ok=True)
        for k in range(rng.randint(0, 3)):
            sub = root / rng.choice(["cat", "dog", ".hidden", "é"])
            sub.mkdir(exist_ok=True)
            data = rng.choice([png, b"", b"not an image", png[:20], png + b"junk"])
            (sub / f"{k}{rng.choice(['.png', '.jpg', '.txt', ''])}").write_bytes(data)
        size = rng.choice([(8, 8), (1, 1), (4, 9), (0, 0), (60000, 60000)])
        color = rng.choice(["grayscale", "rgb", "cmyk"])
        yield f"images {i}", lambda r=root, s=size, c=color: load_image_folder(r, s, c)


def _tiny_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (3, 2), (200, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


def text_cases(folder: Path, n: int, seed: int = 0) -> Iterator[Case]:
    from engine.data import load_text_file

    rng = random.Random(seed + 4)
    for i in range(n):
        body = "".join(rng.choice(["ab", "\n", "é", "\r\n", "\u2028", " "])
                       for _ in range(rng.randint(0, 400)))
        data = body.encode("utf-8")
        if rng.random() < 0.15:
            data += rng.choice(BYTES)
        path = _write(folder, f"x{i % 8}.txt", data)
        seq, stride = rng.choice([2, 3, 64, 1, 0, 10**9]), rng.choice([0, 1, 2, -1])
        yield f"text {i}", (lambda p=path, s=seq, t=stride: load_text_file(p, s, t))


# ---- project files --------------------------------------------------------------------------
def _valid_project() -> bytes:
    from engine.project import Project, save_project
    from engine.spec import NetworkSpec

    spec = NetworkSpec.from_dict({"version": 1, "layers": [
        {"id": "in", "type": "Input", "name": "input", "config": {"shape": [4]}},
        {"id": "d", "type": "Dense", "name": "dense", "config": {"units": 3}}],
        "edges": [{"from": "in", "to": "d"}]})
    weights = {"d/W": np.zeros((4, 3), np.float32), "d/b": np.zeros(3, np.float32)}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.ncproj"
        save_project(Project(spec, {"in": (0.0, 0.0), "d": (200.0, 0.0)}, weights=weights,
                             sweeps=[_SWEEP]), path)  # its experiments section is fuzzed too
        return path.read_bytes()


_SWEEP = {"params": ["learning_rate=0.001,0.01", "d.units=2..8:int"], "method": "grid",
          "trials_asked": 4, "seed": 0, "epochs": 2, "metric": "val_accuracy", "goal": "max",
          "status": "finished", "started": "2026-12-06T19:00:00Z", "seconds": 1.5,
          "trials": [{"trial": 0, "settings": {"learning_rate": 0.01, "d.units": 2},
                      "status": "finished", "best": 0.5, "best_epoch": 1, "curve": [0.5, 0.4],
                      "params": 15, "seconds": 0.7, "message": "Trained 2 epochs"}]}


HOSTILE_VALUES = [float("nan"), float("inf"), -1, 0, 10**30, 1e308, "x", None, [], {}, True,
                  "\u2028", [[[[[]]]]], 2**63]


def _mutate_json(doc, rng: random.Random):
    """Replace one value somewhere in the document with a hostile one."""
    node, parent, key = doc, None, None
    for _ in range(rng.randint(1, 5)):
        keys = list(node.keys()) if isinstance(node, dict) else \
            list(range(len(node))) if isinstance(node, list) else []
        if not keys:
            break
        parent, key = node, rng.choice(keys)
        if not isinstance(node[key], (dict, list)) or rng.random() < 0.3:
            break
        node = node[key]
    if parent is not None:
        parent[key] = rng.choice(HOSTILE_VALUES)
    return doc


def _project_bytes(template: bytes, rng: random.Random) -> bytes:
    with zipfile.ZipFile(io.BytesIO(template)) as zf:
        doc = json.loads(zf.read("project.json"))
        weights = zf.read("weights.npz")
    choice = rng.random()
    text = json.dumps(_mutate_json(doc, rng) if choice < 0.6 else doc, allow_nan=True)
    if 0.6 <= choice < 0.7:
        text = "[" * 100_000 + "]" * 100_000  # nested past any parser's recursion
    buf = io.BytesIO()
    method = rng.choice([zipfile.ZIP_DEFLATED] * 4 + [zipfile.ZIP_STORED, zipfile.ZIP_LZMA])
    with zipfile.ZipFile(buf, "w", method) as zf:
        zf.writestr("project.json", text)
        if rng.random() < 0.8:
            zf.writestr("weights.npz", weights if rng.random() < 0.7 else _npz_bytes(rng))
    data = buf.getvalue()
    if rng.random() < 0.2:
        at = rng.randrange(len(data))
        data = data[:at] + bytes([data[at] ^ rng.randrange(1, 256)]) + data[at + 1:]
    return data


def project_cases(folder: Path, n: int, seed: int = 0) -> Iterator[Case]:
    from engine.cli import main

    rng = random.Random(seed + 5)
    template = _valid_project()
    for i in range(n):
        path = _write(folder, f"p{i % 8}.ncproj", _project_bytes(template, rng))
        yield f"project {i}", lambda p=path: _quiet_info(main, p)


def _quiet_info(main, path: Path) -> None:
    """``neurocanvas info``: exit 0, or 1 with a one-line ``error:`` (counted as the
    typed error it was); a traceback here is a defect."""
    import contextlib

    from engine.errors import ProjectError

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["info", str(path)])
    lines = [line for line in err.getvalue().splitlines() if line.startswith("error:")]
    if code == 1 and lines:
        raise ProjectError(lines[0])
    if code != 0:
        raise AssertionError(f"info exited {code}: {err.getvalue()[-200:]}")


# ---- the training process's frames and commands ---------------------------------------------
def frame_cases(folder: Path, n: int, seed: int = 0) -> Iterator[Case]:
    from engine import wire
    from engine.control import TrainControl
    from engine.remote import _apply

    rng = random.Random(seed + 6)
    valid = [wire.encode(x)[8:] for x in ("stop", {"sample": np.zeros(3)}, [1, 2.5, None],
                                           {"d": np.arange(4)})]

    class Session:  # what _apply needs: a probe that checks samples as the real one
        probe = None

    for i in range(n):
        body = bytearray(rng.choice(valid))
        for _ in range(rng.randint(0, 3)):
            if body:
                body[rng.randrange(len(body))] = rng.randrange(256)
        if rng.random() < 0.2:
            body = body[:rng.randrange(len(body) + 1)]

        def run(b=bytes(body)):
            command = wire.decode(b)
            try:
                _apply(command, TrainControl(), Session())
            except ValueError:
                pass  # a refused command: the process answers CommandRefused
        yield f"frame {i}", run


SURFACES: dict[str, Callable[[Path, int, int], Iterator[Case]]] = {
    "project files (info)": project_cases, "CSV tables": csv_cases, "NPZ arrays": npz_cases,
    "image folders": image_cases, "text": text_cases, "time series": timeseries_cases,
    "frames and commands": frame_cases,
}
