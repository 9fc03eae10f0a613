"""The ``*.ncproj`` project file: one zip holding the design, its canvas layout, the
dataset choice, training settings and, once trained, the weights and metrics history.

Layout of the zip (as Keras's ``.keras``): ``project.json`` (everything but arrays),
``weights.npz`` (trained weights, keyed ``layer_id/param``) and, once a run has taken
one, ``checkpoint.npz`` (the arrays of its last ``engine.run.Checkpoint``; the rest of
it is ``checkpoint`` in ``project.json``), from which training can continue. Arrays are read with
``allow_pickle=False``; nothing is ever unpickled. Loading validates everything before
returning; saving writes a temporary file beside the target and renames it, so a crash
or a full disk never leaves a half-written project.
"""
from __future__ import annotations

import io
import json
import math
import os
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .atomic import write_atomic
from .errors import ProjectError, SpecError
from .files import regular_file
from .run.checkpoint import Checkpoint
from .graph import infer_shapes
from .network import fit_problems, weight_shapes
from .spec import NetworkSpec, design_fingerprint
from .sweep.record import experiments_section, read_experiments
from .sweep.space import SweepError

FORMAT = "neurocanvas-project"
FORMAT_VERSION = 1
FLOAT32_MAX = float(np.finfo(np.float32).max)
MAX_COORDINATE = 1e6  # canvas positions beyond this are brought back (scene units)
MAX_MEMBER_BYTES = 2 << 30
MAX_JSON_BYTES = 64 << 20  # project.json: a design, settings and a long history fit easily  # refuse zip members that claim more than 2 GiB (zip bombs)


@dataclass
class Project:
    spec: NetworkSpec
    layout: dict[str, tuple[float, float]] = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)
    weights: dict[str, np.ndarray] | None = None
    history: list[dict] = field(default_factory=list)
    preprocessing: dict | None = None
    name: str = "Untitled"
    checkpoint: Checkpoint | None = None  # of the last run, to continue it
    notes: list[str] = field(default_factory=list)  # what loading set aside (not saved)
    sweeps: list[dict] = field(default_factory=list)  # hyperparameter sweeps (engine.sweep)

    @property
    def trained(self) -> bool:
        return self.weights is not None

    @property
    def trained_design(self) -> str | None:
        """The fingerprint of the design the weights were trained on (None: unknown,
        as in files written before it was recorded)."""
        design = (self.preprocessing or {}).get("design")
        return design if isinstance(design, str) else None

    @property
    def stale(self) -> bool:
        """Whether the design was edited since its weights were trained."""
        return (self.trained and self.trained_design is not None
                and self.trained_design != design_fingerprint(self.spec))

    def with_results(self, result, data: dict | None = None,
                     training: dict | None = None) -> "Project":
        """This project after a run (an ``engine.events.RunResult``): its weights,
        history, preprocessing and checkpoint, and the data and settings it used."""
        return replace(self, data=self.data if data is None else data,
                       training=self.training if training is None else training,
                       weights=result.weights, history=list(result.ended.history),
                       preprocessing=result.preprocessing,
                       checkpoint=result.checkpoint or self.checkpoint)


def save_project(project: Project, path: str | os.PathLike) -> None:
    """Write atomically: the old file stays whole until the new one is complete."""
    doc = _document(project)
    checkpoint_arrays = None
    if project.checkpoint is not None:
        doc["checkpoint"], checkpoint_arrays = project.checkpoint.to_parts()

    def write(fh) -> None:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(_member("project.json"), json.dumps(doc, indent=2))
            # Arrays are stored, not deflated: trained floats shrink by about 7% for 30 ms
            # a megabyte, and the window saves (autosave at each run's end) on its GUI thread.
            if project.weights is not None:
                zf.writestr(_member("weights.npz"), _npz_bytes(project.weights),
                            compress_type=zipfile.ZIP_STORED)
            if checkpoint_arrays:
                zf.writestr(_member("checkpoint.npz"), _npz_bytes(checkpoint_arrays),
                            compress_type=zipfile.ZIP_STORED)

    write_atomic(path, write)


def load_project(path: str | os.PathLike) -> Project:
    path = regular_file(path, ProjectError, "project file")
    try:
        with zipfile.ZipFile(path) as zf:
            names = _check_members(zf, path)
            doc = _read_json(zf, path)
            weights = _read_weights(zf, path) if "weights.npz" in names else None
            checkpoint = (_read_weights(zf, path, "checkpoint.npz")
                          if "checkpoint.npz" in names else None)
    except FileNotFoundError:
        raise ProjectError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ProjectError(f"{path} is a folder, not a project file") from None
    except (zipfile.BadZipFile, NotImplementedError):  # (a zip version it cannot read)
        raise ProjectError(f"{path} is not a NeuroCanvas project (not a zip archive); "
                           f"it may be damaged or another kind of file") from None
    except OSError as exc:
        raise ProjectError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    project = _project_from(doc, weights, path)
    if checkpoint is not None and isinstance(doc.get("checkpoint"), dict) and not project.notes:
        try:
            project.checkpoint = Checkpoint.from_parts(doc["checkpoint"], checkpoint)
        except ProjectError as exc:
            raise ProjectError(f"{path}: {exc}") from None
    return project


def _document(project: Project) -> dict:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "name": project.name,
        "design": project.spec.to_dict(),
        "layout": {k: [float(x), float(y)] for k, (x, y) in project.layout.items()},
        "data": project.data,
        "training": project.training,
        "history": project.history,
        "preprocessing": project.preprocessing,
        "trained": project.weights is not None,
    } | ({"experiments": experiments_section(project.sweeps)} if project.sweeps else {})


def _member(name: str) -> zipfile.ZipInfo:
    """A fixed timestamp: the same project always saves to the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    contiguous = {k: np.require(v, requirements="C") for k, v in arrays.items()}
    np.savez(buf, **contiguous)  # type: ignore[arg-type]  # numpy's stub types **kwds badly
    return buf.getvalue()


def _check_members(zf: zipfile.ZipFile, path: Path) -> set[str]:
    names = set(zf.namelist())
    if "project.json" not in names:
        raise ProjectError(f"{path} is a zip archive but not a NeuroCanvas project "
                           f"(project.json is missing)")
    for info in zf.infolist():
        if info.file_size > MAX_MEMBER_BYTES:
            raise ProjectError(f"{path}: {info.filename} claims {info.file_size} bytes; "
                               f"refusing to unpack it")
    return names


def _read_member(zf: zipfile.ZipFile, path: Path, name: str, limit: int) -> bytes:
    """A member's bytes, checked before and while unpacking: not encrypted, a method
    this reader has (stored or deflated), at most ``limit`` bytes, and whole."""
    info = zf.getinfo(name)
    if info.flag_bits & 0x1:
        raise ProjectError(f"{path}: {name} is encrypted; NeuroCanvas projects never are")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ProjectError(f"{path}: {name} is compressed with a method NeuroCanvas does "
                           f"not read (zip method {info.compress_type})")
    if info.file_size > limit:
        raise ProjectError(f"{path}: {name} claims {info.file_size:,} bytes, more than the "
                           f"{limit:,} allowed; refusing to unpack it")
    try:
        with zf.open(info) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError,
            ValueError) as exc:
        raise ProjectError(f"{path}: {name} is damaged and cannot be unpacked ({exc})") from None
    if len(data) > limit:
        raise ProjectError(f"{path}: {name} unpacks to more than {limit:,} bytes")
    return data


def _read_json(zf: zipfile.ZipFile, path: Path) -> dict:
    try:
        doc = json.loads(_read_member(zf, path, "project.json", MAX_JSON_BYTES).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProjectError(f"{path}: project.json is damaged ({exc})") from None
    except RecursionError:
        raise ProjectError(f"{path}: project.json is nested too deeply to be a "
                           f"NeuroCanvas project") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ProjectError(f"{path}: project.json is not a NeuroCanvas project")
    version = doc.get("version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise ProjectError(f"{path}: project format version {version!r} is unknown; this "
                           f"NeuroCanvas reads versions up to {FORMAT_VERSION}")
    return doc


def _read_weights(zf: zipfile.ZipFile, path: Path,
                  member: str = "weights.npz") -> dict[str, np.ndarray]:
    loaded = None
    try:
        loaded = np.load(io.BytesIO(_read_member(zf, path, member, MAX_MEMBER_BYTES)),
                         allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array, not named arrays")
        arrays = {k: loaded[k] for k in loaded.files}
    except (ValueError, OSError, zipfile.BadZipFile, zlib.error, EOFError,
            NotImplementedError, RuntimeError) as exc:  # (an unknown method, encrypted)
        raise ProjectError(f"{path}: {member} is damaged or not plain arrays ({exc})") from None
    except MemoryError:
        raise ProjectError(f"{path}: {member} declares arrays larger than this machine's "
                           f"memory") from None
    finally:
        if isinstance(loaded, np.lib.npyio.NpzFile):
            loaded.close()
    for key, arr in arrays.items():
        if arr.dtype.kind not in "fiu":
            raise ProjectError(f"{path}: weight {key!r} is not numeric ({arr.dtype})")
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise ProjectError(f"{path}: weight {key!r} holds NaN or infinite values")
        if arr.dtype.kind == "f" and arr.size and np.abs(arr).max() > FLOAT32_MAX:
            raise ProjectError(f"{path}: weight {key!r} holds values beyond the 32-bit "
                               f"numbers the network computes in (about ±3.4e38)")
    return arrays


def _project_from(doc: dict, weights, path: Path) -> Project:
    try:
        spec = NetworkSpec.from_dict(doc.get("design"), where="design")
    except SpecError as exc:
        raise ProjectError(f"{path}: {exc.message}", where=exc.where) from None
    ids = {layer.id for layer in spec.layers}
    layout = _parse_layout(doc.get("layout", {}), ids, path)
    for key, kind in (("data", dict), ("training", dict), ("history", list)):
        if not isinstance(doc.get(key, kind()), kind):
            raise ProjectError(f"{path}: '{key}' must be a{'n object' if kind is dict else ' list'}")
    prep = doc.get("preprocessing")
    if prep is not None and not isinstance(prep, dict):
        raise ProjectError(f"{path}: 'preprocessing' must be an object")
    name = doc.get("name")
    name = name if isinstance(name, str) else path.stem
    project = Project(spec, layout, doc.get("data", {}), doc.get("training", {}), weights,
                      doc.get("history", []), prep, name)
    if "experiments" in doc:  # absent in projects saved before sweeps existed
        try:
            project.sweeps = read_experiments(doc["experiments"])
        except SweepError as exc:
            raise ProjectError(f"{path}: {exc.message}") from None
    if weights is not None:
        _set_aside_misfits(project)
    return project


def _parse_layout(raw, ids: set[str], path: Path) -> dict[str, tuple[float, float]]:
    if not isinstance(raw, dict):
        raise ProjectError(f"{path}: 'layout' must be an object")
    layout = {}
    for key, pos in raw.items():
        ok = (key in ids and isinstance(pos, list) and len(pos) == 2
              and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos))
        if not ok:
            raise ProjectError(f"{path}: layout entry {key!r} is not a position of a layer")
        layout[key] = (canvas_coordinate(pos[0]), canvas_coordinate(pos[1]))
    return layout


def canvas_coordinate(value) -> float:
    """A canvas coordinate Qt can draw: NaN and infinities (JSON allows them here) and
    huge values crashed the window's scene, so they are brought into the canvas."""
    try:
        number = float(value)
    except OverflowError:  # an integer too big for a float
        number = math.inf if value > 0 else -math.inf
    if math.isnan(number):
        return 0.0
    return min(max(number, -MAX_COORDINATE), MAX_COORDINATE)


def _set_aside_misfits(project: Project) -> None:
    """Weights that do not fit the design (a file edited by hand, or from another
    version) are set aside, not loaded: the design opens, untrained, and ``notes`` says
    which tensors are missing, unexpected or misshapen. The file itself is untouched."""
    expected = weight_shapes(infer_shapes(project.spec))
    if expected is None or project.weights is None:
        return
    problems = fit_problems(expected, project.weights)
    if problems:
        project.notes.append("The saved weights do not fit this design and were set "
                             "aside (the project opens untrained): " + "; ".join(problems))
        project.weights = None
        project.checkpoint = None


