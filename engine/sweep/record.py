"""A finished (or stopped) sweep as the project keeps it, and the strict reader of the
project file's ``experiments`` section.

``experiments`` is ``{"version": 1, "sweeps": [sweep, ...]}``; a sweep records how it
was set up (``params`` in the ``NAME=VALUES`` syntax, method, trials asked, seed,
epochs, the metric and whether higher is better) and one row per trial: its settings,
how it ended (finished, stopped, diverged, failed or cancelled), its best metric, the
metric per epoch (the curve), its parameter count, seconds and a message. Projects
saved before sweeps existed have no such section and load as before; anything in it
that is not exactly this shape is refused with a message, never half-read.
"""
from __future__ import annotations

import math

from .space import SweepError, parse_dimension
from .sampling import METHODS, MAX_TRIALS

EXPERIMENTS_VERSION = 1
STATUSES = ("finished", "stopped", "diverged", "failed", "cancelled")
SWEEP_STATUSES = ("finished", "stopped")
MAX_SWEEPS = 1000
MAX_CURVE = 100_000
MAX_TEXT = 10_000
MAX_PARAM_TEXT = 300
_SWEEP_KEYS = {"params": list, "method": str, "trials_asked": int, "seed": int,
               "epochs": (int, type(None)), "metric": str, "goal": str, "status": str,
               "started": str, "seconds": float, "trials": list}
_TRIAL_KEYS = {"trial": int, "settings": dict, "status": str, "best": (float, type(None)),
               "best_epoch": (int, type(None)), "curve": list, "params": (int, type(None)),
               "seconds": float, "message": str}


def experiments_section(sweeps: list[dict]) -> dict:
    return {"version": EXPERIMENTS_VERSION, "sweeps": sweeps}


def read_experiments(raw) -> list[dict]:
    """The sweeps of a project file's ``experiments`` section; SweepError saying what
    is wrong and where (``experiments.sweeps[2].trials[0].best``)."""
    if not isinstance(raw, dict) or set(raw) != {"version", "sweeps"}:
        raise SweepError("'experiments' must be an object with 'version' and 'sweeps'")
    version = raw["version"]
    if type(version) is not int or not 1 <= version <= EXPERIMENTS_VERSION:
        raise SweepError(f"'experiments' version {_short(version)} is unknown; this NeuroCanvas "
                         f"reads version {EXPERIMENTS_VERSION}")
    sweeps = raw["sweeps"]
    if not isinstance(sweeps, list) or len(sweeps) > MAX_SWEEPS:
        raise SweepError(f"'experiments.sweeps' must be a list of at most {MAX_SWEEPS} sweeps")
    for i, sweep in enumerate(sweeps):
        check_sweep(sweep, f"experiments.sweeps[{i}]")
    return sweeps


def check_sweep(sweep, where: str = "sweep") -> None:
    _check_keys(sweep, _SWEEP_KEYS, where)
    if not 1 <= len(sweep["params"]) <= 3:
        raise SweepError(f"{where}.params must list 1 to 3 parameters")
    for j, text in enumerate(sweep["params"]):
        if not isinstance(text, str) or len(text) > MAX_PARAM_TEXT:
            raise SweepError(f"{where}.params[{j}] must be a NAME=VALUES text of at most "
                             f"{MAX_PARAM_TEXT} characters")
        try:
            parse_dimension(text)
        except SweepError as exc:
            raise SweepError(f"{where}.params[{j}]: {exc.message}") from None
    _one_of(sweep["method"], METHODS, f"{where}.method")
    _one_of(sweep["goal"], ("max", "min"), f"{where}.goal")
    _one_of(sweep["status"], SWEEP_STATUSES, f"{where}.status")
    if not 1 <= sweep["trials_asked"] <= MAX_TRIALS or len(sweep["trials"]) > MAX_TRIALS:
        raise SweepError(f"{where}: at most {MAX_TRIALS:,} trials")
    for text_key in ("metric", "started"):
        if len(sweep[text_key]) > 200:
            raise SweepError(f"{where}.{text_key} is too long")
    for j, trial in enumerate(sweep["trials"]):
        check_trial(trial, f"{where}.trials[{j}]")


def check_trial(trial, where: str) -> None:
    _check_keys(trial, _TRIAL_KEYS, where)
    _one_of(trial["status"], STATUSES, f"{where}.status")
    if len(trial["settings"]) > 3:
        raise SweepError(f"{where}.settings holds more than 3 settings")
    for name, value in trial["settings"].items():
        ok = isinstance(value, (bool, int, str)) or (isinstance(value, float)
                                                      and math.isfinite(value))
        if not ok or len(name) > 200 or (isinstance(value, str) and len(value) > 200):
            raise SweepError(f"{where}.settings.{name[:40]} must be a number, text or "
                             f"true/false")
    curve = trial["curve"]
    if len(curve) > MAX_CURVE or not all(v is None or _finite(v) for v in curve):
        raise SweepError(f"{where}.curve must be a list of numbers (null where missing)")
    if len(trial["message"]) > MAX_TEXT:
        raise SweepError(f"{where}.message is too long")
    if trial["params"] is not None and trial["params"] < 0:
        raise SweepError(f"{where}.params cannot be negative")


def _check_keys(obj, keys: dict, where: str) -> None:
    if not isinstance(obj, dict):
        raise SweepError(f"{where} must be an object")
    if set(obj) != set(keys):
        extra, missing = sorted(set(obj) - set(keys)), sorted(set(keys) - set(obj))
        what = f"unknown key {extra[0]!r}" if extra else f"missing key {missing[0]!r}"
        raise SweepError(f"{where}: {what}")
    for key, kind in keys.items():
        value = obj[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and (_finite(value) or (value is None and type(None) in kinds)):
            continue  # (an integral float may be written as an int)
        if float in kinds or isinstance(value, bool) or not isinstance(value, kinds):
            raise SweepError(f"{where}.{key} has the wrong type ({type(value).__name__}"
                             f"{'' if not isinstance(value, float) else ', not finite'})")


def _finite(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _one_of(value, allowed, where: str) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise SweepError(f"{where} must be one of {', '.join(allowed)}, not {_short(value)}")


def _short(value) -> str:
    """A value from a file, shown in a message: at most about 40 characters of it."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def best_trial(sweep: dict) -> dict | None:
    """The trial with the best metric (ties: the earlier), or None when none has one."""
    scored = [t for t in sweep["trials"] if t["best"] is not None]
    if not scored:
        return None
    sign = 1.0 if sweep["goal"] == "max" else -1.0
    return max(scored, key=lambda t: (sign * t["best"], -t["trial"]))
