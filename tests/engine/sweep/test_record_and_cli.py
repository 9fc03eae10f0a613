"""A sweep kept in the project: saved, reloaded, old projects unchanged, hostile
sections refused with a message; and ``neurocanvas sweep`` end to end."""
import copy
import json
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from engine.cli import main
from engine.errors import ProjectError
from engine.project import load_project, save_project

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"

SWEEP = {"params": ["learning_rate=0.0001..0.1:log"], "method": "random", "trials_asked": 2,
         "seed": 0, "epochs": 3, "metric": "val_accuracy", "goal": "max",
         "status": "finished", "started": "2026-12-06T19:00:00Z", "seconds": 4.5,
         "trials": [{"trial": 0, "settings": {"learning_rate": 0.01}, "status": "finished",
                     "best": 0.9, "best_epoch": 2, "curve": [0.5, 0.9, None],
                     "params": 1234, "seconds": 2.0, "message": "Trained 3 epochs"},
                    {"trial": 1, "settings": {"learning_rate": -1.0}, "status": "failed",
                     "best": None, "best_epoch": None, "curve": [], "params": None,
                     "seconds": 0.1, "message": "Learning rate must be at least 1e-08"}]}


def test_sweeps_save_and_reload(tmp_path):
    project = load_project(EXAMPLES / "xor.ncproj")
    assert project.sweeps == []  # an example saved before sweeps existed
    save_project(replace(project, sweeps=[SWEEP, SWEEP]), tmp_path / "p.ncproj")
    assert load_project(tmp_path / "p.ncproj").sweeps == [SWEEP, SWEEP]


def test_a_project_without_sweeps_saves_as_before(tmp_path):
    project = load_project(EXAMPLES / "xor.ncproj")
    save_project(project, tmp_path / "p.ncproj")
    with zipfile.ZipFile(tmp_path / "p.ncproj") as zf:
        assert "experiments" not in json.loads(zf.read("project.json"))


def hostile(section_change):
    doc = {"version": 1, "sweeps": [copy.deepcopy(SWEEP)]}
    section_change(doc)
    return doc


def _set(path, value):
    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


@pytest.mark.parametrize("change, words", [
    (lambda d: d.update(version=2), "version 2 is unknown"),
    (lambda d: d.update(version="1"), "version '1' is unknown"),
    (lambda d: d.update(sweeps={}), "must be a list"),
    (lambda d: d.update(extra=1), "must be an object with"),
    (_set(["sweeps", 0], "sweep"), r"sweeps\[0\] must be an object"),
    (_set(["sweeps", 0, "method"], "bayes"), "method must be one of"),
    (_set(["sweeps", 0, "params"], ["lr=1..0"]), r"params\[0\]: parameter learning_rate"),
    (_set(["sweeps", 0, "params"], []), "1 to 3"),
    (_set(["sweeps", 0, "seconds"], "long"), "seconds has the wrong type"),
    (_set(["sweeps", 0, "trials", 0, "best"], True), "best has the wrong type"),
    (_set(["sweeps", 0, "trials", 0, "curve"], [0.1, "x"]), "curve must be a list"),
    (_set(["sweeps", 0, "trials", 0, "curve"], [[0.1]]), "curve must be a list"),
    (_set(["sweeps", 0, "trials", 0, "settings"], {"lr": [1]}), "settings.lr must be"),
    (_set(["sweeps", 0, "trials", 0, "status"], "great"), "status must be one of"),
    (_set(["sweeps", 0, "trials", 0, "params"], -5), "cannot be negative"),
    (lambda d: d["sweeps"][0]["trials"][0].pop("curve"), "missing key 'curve'"),
    (lambda d: d["sweeps"][0].update(colour="red"), "unknown key 'colour'"),
    (lambda d: d["sweeps"].extend([SWEEP] * 1001), "at most 1000"),
])
def test_hostile_experiments_are_refused_with_a_message(tmp_path, change, words):
    path = tmp_path / "bad.ncproj"
    shutil.copy(EXAMPLES / "xor.ncproj", path)
    with zipfile.ZipFile(path) as zf:
        doc = json.loads(zf.read("project.json"))
    doc["experiments"] = hostile(change)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.json", json.dumps(doc))
    with pytest.raises(ProjectError, match=words):
        load_project(path)


def test_cli_sweep_prints_a_table_and_saves_the_sweep(tmp_path, capsys):
    project = tmp_path / "digits.ncproj"
    shutil.copy(EXAMPLES / "digits_mlp.ncproj", project)
    code = main(["sweep", str(project), "--param", "lr=1e-5,3e-3", "--param",
                 "hidden1.units=16,64", "--method", "grid", "--parallel", "2",
                 "--epochs", "3"])
    out = capsys.readouterr().out
    assert code == 0
    assert "trial  learning_rate  hidden1.units  val_accuracy" in out
    assert out.count(" finished") >= 4 and "best: learning_rate=0.003" in out
    assert "saved as sweep 1 in" in out
    sweep = load_project(project).sweeps[0]
    assert len(sweep["trials"]) == 4 and sweep["method"] == "grid"
    # the Pareto mark: the small network that learns is on the front
    assert "P" in out or "*" in out


def test_cli_sweep_json_and_out(tmp_path, capsys):
    out_path = tmp_path / "with_sweep.ncproj"
    code = main(["sweep", str(EXAMPLES / "xor.ncproj"), "--param", "lr=1e-3..1e-1:log",
                 "--trials", "2", "--parallel", "2", "--epochs", "5", "--json",
                 "--out", str(out_path)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    kinds = [line["event"] for line in lines]
    assert kinds.count("trial_started") == 2 and kinds.count("trial_ended") == 2
    assert kinds.count("trial_epoch") == 10 and kinds[-2:] == ["sweep", "saved"]
    assert lines[-2]["trials"][0]["settings"]["learning_rate"] > 0
    assert len(load_project(out_path).sweeps) == 1
    assert load_project(EXAMPLES / "xor.ncproj").sweeps == []  # --out left it alone


@pytest.mark.parametrize("args, words", [
    (["--param", "lr=1e-4.."], "a range is two numbers"),
    (["--param", "ghost.units=1,2"], "no layer 'ghost'"),
    ([], "say what to vary"),
    (["--param", "lr=1,2", "--trials", "0"], "number of trials"),
])
def test_cli_sweep_mistakes_are_one_line(args, words, capsys):
    code = main(["sweep", str(EXAMPLES / "xor.ncproj"), "--no-save"] + args)
    err = capsys.readouterr().err
    assert code == 1 and words in err and err.count("\n") == 1 and err.startswith("error: ")


def test_cli_sweep_names_the_metrics_there_are_when_one_is_not(capsys):
    code = main(["sweep", str(EXAMPLES / "xor.ncproj"), "--no-save", "--param",
                 "lr=0.01", "--epochs", "1", "--metric", "val_f1"])
    err = capsys.readouterr().err
    assert code == 1 and "no trial reported the metric 'val_f1'; they report accuracy, " \
                         "loss, val_accuracy, val_loss" in err


def test_cli_sweep_every_trial_failing_is_an_error(capsys):
    # Valid settings of a layer, but no network that fits the data's 2 classes.
    code = main(["sweep", str(EXAMPLES / "xor.ncproj"), "--no-save", "--param",
                 "output.units=3,5", "--epochs", "1", "--parallel", "2"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out.count(" failed: output.units=") == 2
    assert captured.err.startswith("error: every trial failed: The output layer 'output' "
                                   "gives")


JUNK = (None, True, -1, 0, 10**30, 1.5, float("nan"), float("inf"), "", "x" * 20_000, [],
        [1, "a"], {}, {"a": {"b": []}}, "lr=1..0", "finished", "max")


def _paths(node, prefix=()):
    yield prefix
    children = (node.items() if isinstance(node, dict)
                else enumerate(node) if isinstance(node, list) else ())
    for key, child in children:
        yield from _paths(child, prefix + (key,))


def test_junk_anywhere_in_the_section_is_a_message_never_a_crash(tmp_path):
    import random

    from engine.sweep import SweepError, read_experiments

    rng = random.Random(7)
    base = {"version": 1, "sweeps": [SWEEP]}
    paths = [p for p in _paths(base) if p]
    refused = 0
    for _ in range(400):
        doc = copy.deepcopy(base)
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(paths)
            target = doc
            try:
                for key in path[:-1]:
                    target = target[key]
                target[path[-1]] = rng.choice(JUNK)
            except (KeyError, IndexError, TypeError):
                continue  # a path an earlier change took away
        try:
            read_experiments(json.loads(json.dumps(doc)))
        except SweepError as exc:
            refused += 1
            assert str(exc) and "\n" not in str(exc) and len(str(exc)) < 400
    assert refused > 300  # nearly every change breaks the shape; a few keep it
