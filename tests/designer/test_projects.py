"""Projects through the window: save and reopen, bad files, unsaved changes, launching."""
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings

from designer.app import create_main_window, is_subcommand
from designer.projects import example_paths
from engine.project import Project, load_project, save_project
from engine.spec import EdgeSpec, LayerSpec, NetworkSpec, design_fingerprint

ROOT = Path(__file__).resolve().parents[2]


def trained_project() -> Project:
    spec = NetworkSpec((LayerSpec("in", "Input", "in", {"shape": [3], "kind": "features"}),
                        LayerSpec("fc", "Dense", "fc", {"units": 2, "activation": "softmax"})),
                       (EdgeSpec("in", "fc"),))
    return Project(spec, {"in": (0.0, 0.0), "fc": (300.0, 10.0)},
                   data={"source": "builtin", "name": "iris"},
                   training={"epochs": 7, "optimizer": {"name": "adam"}},
                   weights={"fc/W": np.arange(6.0).reshape(3, 2), "fc/b": np.zeros(2)},
                   history=[{"epoch": 1, "loss": 0.5}], preprocessing={"scale": "standard"},
                   name="Iris")


def test_save_and_reopen_gives_the_identical_design_and_keeps_other_fields(window, tmp_path):
    source = tmp_path / "iris.ncproj"
    save_project(trained_project(), source)
    assert window.projects.open_path(source)
    editor = window.editor
    editor.add_layer("Activation", (600.0, 0.0), after="fc")
    editor.move({"in": ((0.0, 0.0), (-20.0, 40.0))})
    assert window.windowTitle().startswith("iris.ncproj *")
    target = tmp_path / "copy.ncproj"
    assert window.projects.save_to(target)
    assert "*" not in window.windowTitle()
    reopened = load_project(target)
    assert reopened.spec.to_dict() == editor.doc.spec().to_dict()
    assert reopened.layout == editor.doc.positions()
    original = trained_project()
    for key in ("data", "training", "history", "name"):
        assert getattr(reopened, key) == getattr(original, key)
    # A file from before the trained design was recorded: its weights are taken as the
    # opened design's, and that is written down, so the edit above leaves them stale.
    assert reopened.preprocessing == {**original.preprocessing,
                                      "design": design_fingerprint(load_project(source).spec)}
    assert reopened.stale
    assert set(reopened.weights) == {"fc/W", "fc/b"}
    np.testing.assert_array_equal(reopened.weights["fc/W"], original.weights["fc/W"])
    before = editor.doc.spec().to_dict()
    assert window.projects.open_path(target)
    assert editor.doc.spec().to_dict() == before
    assert not editor.stack.canUndo()


def test_a_corrupt_file_says_what_is_wrong_and_changes_nothing(window, dialogs, tmp_path):
    editor = window.editor
    editor.add_layer("Dense", (300.0, 0.0), after=editor.doc.layer_ids()[0])
    before, depth = editor.doc.spec().to_dict(), editor.stack.count()
    junk = tmp_path / "junk.ncproj"
    junk.write_bytes(b"this is not a zip")
    bad_design = tmp_path / "bad.ncproj"
    with zipfile.ZipFile(bad_design, "w") as zf:
        zf.writestr("project.json", json.dumps({
            "format": "neurocanvas-project", "version": 1,
            "design": {"version": 1, "layers": [{"id": "a", "type": "Dense",
                                                 "config": {"units": -3}}], "edges": []}}))
    for path, expected in ((junk, "not a zip"), (bad_design, "at least 1"),
                           (tmp_path / "missing.ncproj", "no such file")):
        dialogs.shown.clear()
        assert not window.projects.open_path(path, ask=False)
        kind, title, text = dialogs.shown[-1]
        assert kind == "critical" and expected in text and "unchanged" in text
        assert editor.doc.spec().to_dict() == before
        assert editor.stack.count() == depth


def test_unsaved_changes_prompt_on_open_and_close(window, dialogs, tmp_path):
    path = tmp_path / "p.ncproj"
    save_project(trained_project(), path)
    window.editor.add_layer("Dense", (300.0, 0.0))
    from PySide6.QtWidgets import QMessageBox
    dialogs.answer = QMessageBox.Cancel
    assert not window.projects.open_path(path)
    assert dialogs.shown[-1][0] == "question"
    assert len(window.editor.doc.layers) == 2
    assert not window.close()
    dialogs.answer = QMessageBox.Discard
    assert window.projects.open_path(path)
    assert window.editor.doc.layer_ids() == ["in", "fc"]


def test_templates_menu_offers_only_buildable_templates(window):
    for action in window.new_menu.actions():
        assert action.toolTip()
    blank = next(a for a in window.new_menu.actions() if a.objectName() == "action_new_blank")
    mlp = next(a for a in window.new_menu.actions() if a.objectName() == "action_new_mlp")
    assert blank.isEnabled() and mlp.isEnabled()
    mlp.trigger()
    assert [l.type for l in window.editor.doc.layers][0] == "Input"
    assert window.editor.doc.report.ok


def test_every_example_opens_and_is_listed(window):
    listed = {a.objectName() for a in window.examples_menu.actions()}
    for path in example_paths():
        assert f"action_example_{path.stem}" in listed
        assert window.projects.open_path(path, ask=False), path
        assert window.editor.doc.layers


def test_window_layout_and_recent_files_are_remembered(qtbot, dialogs, tmp_path):
    settings_path = str(tmp_path / "s.ini")
    first = create_main_window(settings=QSettings(settings_path, QSettings.IniFormat))
    qtbot.addWidget(first)
    first.resize(760, 540)  # within the offscreen screen (800x600)
    first.summary_dock.hide()
    project = tmp_path / "r.ncproj"
    save_project(trained_project(), project)
    first.projects.open_path(project)
    first.close()
    second = create_main_window(settings=QSettings(settings_path, QSettings.IniFormat))
    qtbot.addWidget(second)
    assert second.size().toTuple() == (760, 540)
    assert second.summary_dock.isHidden()
    assert second.projects.recent_files()[0] == str(project.resolve())


def test_stable_object_names(window):
    for name in ("palette", "canvas", "inspector", "summary", "history", "palette_dock",
                 "inspector_dock", "summary_dock", "action_undo", "action_redo",
                 "action_save", "action_open", "action_delete", "action_fit"):
        assert window.findChild(object, name) is not None, name


def test_subcommands_go_to_the_cli_without_importing_qt(tmp_path):
    assert is_subcommand(["train", "x.ncproj"]) and not is_subcommand(["x.ncproj"])
    assert not is_subcommand(["data.csv"]) and not is_subcommand(["photos"])
    assert is_subcommand(["train"]) and is_subcommand(["a.csv", "b.csv"])
    assert not is_subcommand([]) and is_subcommand(["--help"]) and is_subcommand(["--version"])

    fake = tmp_path / "fakecli"
    (fake / "engine").mkdir(parents=True)
    script = (
        "import sys, types, engine\n"
        "cli = types.ModuleType('engine.cli')\n"
        "cli.main = lambda argv: print('cli', argv) or 3\n"
        "sys.modules['engine.cli'] = cli; engine.cli = cli\n"
        "from designer.app import main\n"
        "code = main(['info', 'x.ncproj'])\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt was imported'\n"
        "sys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 3, done.stderr
    assert "cli ['info', 'x.ncproj']" in done.stdout


def test_no_display_is_a_clear_message_not_a_qt_abort(capsys):
    from designer.app import display_problem, main

    assert "DISPLAY is not set" in display_problem({})
    assert display_problem({"DISPLAY": ":0"}) is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    import os
    saved = {k: os.environ.pop(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
             if k in os.environ}
    try:
        assert main([]) == 1
    finally:
        os.environ.update(saved)
    assert capsys.readouterr().err.startswith("error: no display")


def test_weights_that_do_not_fit_open_the_design_untrained_and_say_which(window, dialogs,
                                                                        tmp_path):
    project = trained_project()
    project.weights = {"fc/W": np.zeros((5, 2)), "fc/b": np.zeros(2)}  # W should be (3, 2)
    path = tmp_path / "misfit.ncproj"
    save_project(project, path)
    before = path.read_bytes()
    assert window.projects.open_path(path)
    kind, title, text = dialogs.shown[-1]
    assert (kind, title) == ("warning", "Weights set aside")
    assert "fc/W is (5, 2), expected (3, 2)" in text and "unchanged" in text
    doc = window.editor.doc
    assert doc.layer_ids() == ["in", "fc"] and doc.project.weights is None
    assert not doc.trained and path.read_bytes() == before


def test_a_data_file_at_launch_opens_a_new_project_with_it_loaded(qtbot, dialogs, tmp_path):
    table = tmp_path / "houses.csv"
    table.write_text("rooms,area,price\n" + "".join(f"{i % 5 + 1},{40 + 7 * i},{100 + i}\n"
                                                     for i in range(40)))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    window = create_main_window(table, settings)
    qtbot.addWidget(window, before_close_func=lambda w: (w.training.shutdown(),
                                                         w.inside.shutdown(),
                                                         w.data_panel.shutdown()))
    qtbot.waitUntil(lambda: window.editor.doc.project.data.get("path") == str(table),
                    timeout=20000)
    doc = window.editor.doc
    assert doc.project.data["target"] == "price"  # the last column, as the CLI takes it
    assert next(l for l in doc.layers if l.type == "Input").config["shape"] == [2]
    assert window.projects.path is None  # a new project, not the data file

    other = tmp_path / "notes.docx"
    other.write_text("not data")
    second = create_main_window(other, QSettings(str(tmp_path / "t.ini"), QSettings.IniFormat))
    qtbot.addWidget(second, before_close_func=lambda w: (w.training.shutdown(),
                                                         w.inside.shutdown(),
                                                         w.data_panel.shutdown()))
    kind, title, text = dialogs.shown[-1]
    assert (kind, title) == ("warning", "Cannot open") and "notes.docx is none of these" in text
    for win in (window, second):
        win.editor.stack.setClean()


def test_the_autoencoder_template_comes_with_data_whose_targets_are_its_inputs(window):
    from engine.checks import fit_problems
    from engine.data import prepare

    action = next(a for a in window.new_menu.actions()
                  if a.objectName() == "action_new_autoencoder")
    assert action.isEnabled() and "input itself" in action.toolTip()
    action.trigger()
    doc = window.editor.doc
    assert doc.report.ok and doc.report.output_shape == (1, 28, 28)
    assert {l.type for l in doc.layers} >= {"Conv2DTranspose", "UpSampling2D"}
    assert doc.project.data == {"source": "builtin", "name": "mnist", "reconstruct": True}
    data = prepare({**doc.project.data, "options": {"n_samples": 50}})
    assert fit_problems(doc.snapshot().spec, doc.report, data.dataset_info) == []


def test_a_recent_file_deleted_since_leaves_the_menu_when_it_opens(window, tmp_path):
    project = tmp_path / "gone.ncproj"
    save_project(trained_project(), project)
    assert window.projects.open_path(project, ask=False)
    names = lambda: [a.text() for a in window.recent_menu.actions()]  # noqa: E731
    assert "&1  gone.ncproj" in names()
    project.unlink()
    window.recent_menu.aboutToShow.emit()
    assert "&1  gone.ncproj" not in names() and names()[-1] == "Clear list"
