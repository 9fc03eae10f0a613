"""``neurocanvas sweep``: try settings of a project side by side, one training process
per trial (``engine.sweep``), print a table, and keep the sweep in the project."""
from __future__ import annotations

import argparse
import json
import signal
from dataclasses import replace
from pathlib import Path

from .errors import TrainingError
from .sweep import METHODS, SweepError, best_trial, bind, pareto_front, parse_space, trials_for
from .sweep.scheduler import SweepEnded, SweepScheduler, TrialEnded, TrialEpoch, TrialStarted
from .sweep.space import format_value

EXIT_INTERRUPTED = 130
EXAMPLES = """examples:
  neurocanvas sweep PROJECT --param lr=1e-4..1e-1:log --trials 8 --parallel 2
  neurocanvas sweep PROJECT --param batch_size=16,32,64 --param optimizer=sgd,adam --method grid
  neurocanvas sweep PROJECT --param hidden1.units=16..256:int --param dropout1.rate=0..0.5 --epochs 20
  neurocanvas sweep PROJECT --param lr=1e-3..1e-1:log --json | jq .event

A parameter is a training setting (lr, batch_size, optimizer, epochs, weight_decay, ...)
or a layer's, LAYER.SETTING, with values a,b,c or a range LOW..HIGH (:log for log
spacing, :int for whole numbers). Random draws --trials settings; grid tries every
combination, a range at as many points as --trials allows. Each trial trains in its own
process, --parallel at once (default: one per core), one BLAS thread each. The sweep is
saved in the project (or --out); Ctrl+C stops every trial and keeps what finished."""


def register(sub) -> None:
    p = sub.add_parser("sweep", help="try settings side by side (hyperparameter sweep)",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("project", help="the project (.ncproj) to sweep")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUES",
                   help="a setting to vary (1 to 3 of them), e.g. lr=1e-4..1e-1:log")
    p.add_argument("--trials", type=int, default=8, help="random: how many trials; grid: "
                   "the budget that sets how many points a range gets (default 8)")
    p.add_argument("--method", choices=METHODS, default="random",
                   help="random draws (default) or every combination (grid)")
    p.add_argument("--parallel", type=int, default=0, metavar="N",
                   help="trials at once (default: the number of cores)")
    p.add_argument("--epochs", type=int, help="epochs per trial (default: the project's)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random draws")
    p.add_argument("--metric", help="rank by this metric (default: val_accuracy, else "
                                    "val_loss)")
    p.add_argument("--out", help="save the project with the sweep here (default: the "
                                 "project itself)")
    p.add_argument("--no-save", action="store_true", help="do not save the sweep")
    p.add_argument("--json", action="store_true", help="one JSON object per event on "
                                                       "stdout, the whole sweep last")
    p.set_defaults(run=run_sweep)


def run_sweep(args) -> int:
    from .project import load_project, save_project

    project = load_project(args.project)
    if args.parallel < 0 or (args.epochs is not None and args.epochs < 1):
        raise SweepError("--parallel and --epochs must be positive numbers")
    dims = bind(parse_space(args.param), project.spec)
    trials = trials_for(dims, args.method, args.trials, args.seed)
    _check_runs(project, args)
    if not args.no_save:  # before the trials, not after hours of them
        from .cli_train import check_writable

        check_writable(Path(args.out or args.project))
    setup = {"params": [d.text() for d in dims], "method": args.method,
             "trials_asked": args.trials, "seed": args.seed}
    scheduler = SweepScheduler(args.project, trials, parallel=args.parallel,
                               epochs=args.epochs, metric=args.metric, setup=setup)
    report = _Report(args.json, len(trials), scheduler.parallel)
    previous = signal.signal(signal.SIGINT, lambda *_: scheduler.cancel())
    try:
        for event in scheduler.run():
            report.show(event)
    finally:
        signal.signal(signal.SIGINT, previous)
    sweep = event.sweep
    if not args.no_save:
        out = Path(args.out or args.project)
        latest = load_project(args.project)  # as it is now, not as it was an age ago
        save_project(replace(latest, sweeps=latest.sweeps + [sweep]), out)
        report.saved(out, len(latest.sweeps) + 1)
    if scheduler.cancelled:
        return EXIT_INTERRUPTED
    if args.metric and scheduler.reported and args.metric not in scheduler.reported:
        raise SweepError(f"no trial reported the metric {args.metric!r}; they report "
                         f"{', '.join(sorted(scheduler.reported))}")
    if all(t["status"] == "failed" for t in sweep["trials"]):
        raise TrainingError("every trial failed: " + sweep["trials"][0]["message"])
    return 0


def _check_runs(project, args) -> None:
    """The project trains as it is (data found, design valid), before any process starts."""
    from .data import prepare
    from .run import make_job

    settings = {**project.training, **({"epochs": args.epochs} if args.epochs else {})}
    data = prepare(project.data, int(settings.get("seed", 0)),
                   base_dir=Path(args.project).resolve().parent)
    make_job(project.spec, data, {**settings, "backend": "numpy"}, data_config=project.data)


class _Report:
    def __init__(self, as_json: bool, total: int, parallel: int):
        self.json, self.total, self.parallel, self.done = as_json, total, parallel, 0

    def show(self, event) -> None:
        if self.json:
            print(json.dumps(_json_event(event)), flush=True)
        elif isinstance(event, TrialStarted) and event.index < self.parallel:
            if event.index == 0:
                print(f"{self.total} trials, {self.parallel} at once")
        elif isinstance(event, TrialEnded):
            self.done += 1
            t = event.trial
            best = "" if t["best"] is None else f"  best {_fmt(t['best'])} (epoch {t['best_epoch']})"
            why = f"  {t['message']}" if t["status"] == "failed" else ""
            print(f"[{self.done}/{self.total}] trial {t['trial'] + 1} {t['status']}: "
                  f"{settings_text(t['settings'])}{best}  {t['seconds']:.1f} s{why}", flush=True)
        elif isinstance(event, SweepEnded):
            print()
            print(table(event.sweep))

    def saved(self, path: Path, number: int) -> None:
        if self.json:
            print(json.dumps({"event": "saved", "path": str(path), "sweep": number}))
        else:
            print(f"saved as sweep {number} in {path}")


def _json_event(event) -> dict:
    if isinstance(event, TrialStarted):
        return {"event": "trial_started", "trial": event.index, "settings": event.settings}
    if isinstance(event, TrialEpoch):
        return {"event": "trial_epoch", "trial": event.index, "epoch": event.epoch,
                event.metric: event.value}
    if isinstance(event, TrialEnded):
        return {"event": "trial_ended", **event.trial, "curve": None}
    return {"event": "sweep", **event.sweep}


def settings_text(settings: dict) -> str:
    return "  ".join(f"{k}={format_value(v)}" for k, v in settings.items())


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.4f}"


def table(sweep: dict) -> str:
    """The trials, best first, with the best and the Pareto front marked."""
    names = list(dict.fromkeys(k for t in sweep["trials"] for k in t["settings"]))
    front = set(pareto_index(sweep))
    best = best_trial(sweep)
    sign = -1 if sweep["goal"] == "max" else 1
    order = sorted(sweep["trials"], key=lambda t: (t["best"] is None,
                                                   sign * (t["best"] or 0), t["trial"]))
    rows = [["trial"] + names + [sweep["metric"], "epoch", "parameters", "seconds", "status"]]
    for t in order:
        mark = "*" if best is not None and t is best else ("P" if t["trial"] in front else "")
        rows.append([f"{t['trial'] + 1}{mark}"]
                    + [format_value(t["settings"].get(n, "")) for n in names]
                    + [_fmt(t["best"]), str(t["best_epoch"] or "-"),
                       "-" if t["params"] is None else f"{t['params']:,}",
                       f"{t['seconds']:.1f}", t["status"]])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"{sweep['status']} in {sweep['seconds']:.1f} s;  * best, P on the Pareto "
                 f"front (fewest parameters for its {sweep['metric']})")
    if best is not None:
        lines.append(f"best: {settings_text(best['settings'])}  "
                     f"{sweep['metric']} {_fmt(best['best'])}")
    return "\n".join(lines)


def pareto_index(sweep: dict) -> list[int]:
    trials = sweep["trials"]
    points = [(t["params"], t["best"]) for t in trials]
    return [trials[i]["trial"] for i in pareto_front(points, sweep["goal"] == "max")]

