"""The data panel and the training settings form: schema-driven forms, one-step data
changes that fit the Input layer, import errors at their field, undoable settings.
Data loads on a worker thread: tests wait on the panel's ``loaded`` signal."""
from pathlib import Path

from engine.data import BUILTINS, SOURCES

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def choose(panel, source):
    combo = panel.source_combo
    combo.setCurrentIndex(combo.findData(source))
    combo.activated.emit(combo.currentIndex())


def type_text(field_widget, text):
    field_widget.setText(text)
    field_widget.editingFinished.emit()


def load(qtbot, panel) -> bool:
    """Press Load and use and wait for the worker's result: whether it was used."""
    with qtbot.waitSignal(panel.loaded, timeout=20000) as blocker:  # armed before the call
        assert panel.load_and_use()
    return blocker.args[0]


def load_csv(qtbot, panel, path, target: str) -> bool:
    """Choose a CSV file and its target column, press Load and use: whether it was used."""
    choose(panel, "csv")
    type_text(panel.path_edit, str(path))
    type_text(panel.fields["target"].widget, target)
    return load(qtbot, panel)


def test_forms_come_from_the_engine_schemas(window):
    panel = window.data_panel
    choose(panel, "builtin")
    combo = panel.form_widget.findChild(type(panel.source_combo), "data_builtin")
    combo.setCurrentIndex(combo.findData("spirals"))
    combo.activated.emit(combo.currentIndex())
    assert set(BUILTINS["spirals"].schema.names()) <= set(panel.fields)
    choose(panel, "timeseries")
    assert {p.name for p in SOURCES["timeseries"]} - {"path"} <= set(panel.fields)
    assert "path" in panel.errors


def test_using_data_fits_the_input_layer_in_one_undo_step(qtbot, window):
    editor, panel = window.editor, window.data_panel
    assert window.projects.open_path(EXAMPLES / "xor.ncproj")
    depth = editor.stack.count()
    choose(panel, "builtin")
    combo = panel.form_widget.findChild(type(panel.source_combo), "data_builtin")
    combo.setCurrentIndex(combo.findData("digits_images"))
    combo.activated.emit(combo.currentIndex())
    assert load(qtbot, panel)
    assert editor.doc.layer("input").config == {"shape": [1, 8, 8], "kind": "image"}
    assert editor.doc.project.data == {"source": "builtin", "name": "digits_images"}
    assert editor.stack.count() == depth + 1
    assert editor.stack.undoText() == "Use data: digits_images"
    assert panel.preview.samples.objectName() == "data_image_grid"  # an image grid
    assert "10 classes" in panel.preview.summary.text()
    editor.undo()
    assert editor.doc.layer("input").config == {"shape": [2], "kind": "features"}
    assert editor.doc.project.data == {"source": "builtin", "name": "xor"}


def test_a_bad_csv_shows_the_error_at_its_field_and_changes_nothing(qtbot, window, tmp_path):
    editor, panel = window.editor, window.data_panel
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2,x\n3,oops,y\n5,6,x\n")
    before, depth = dict(editor.doc.project.data), editor.stack.count()
    spec = editor.doc.spec().to_dict()
    assert not load_csv(qtbot, panel, bad, "label")
    error = panel.errors["path"]
    assert error.isVisibleTo(panel) and "line 3" in error.text() and "'b'" in error.text()
    assert editor.doc.project.data == before and editor.stack.count() == depth
    assert editor.doc.spec().to_dict() == spec
    type_text(panel.fields["target"].widget, "price")  # a missing column: at the target
    assert not load(qtbot, panel)
    assert "no column 'price'" in panel.errors["target"].text()
    assert editor.stack.count() == depth


def test_a_good_csv_previews_as_a_table(qtbot, window, tmp_path):
    panel = window.data_panel
    good = tmp_path / "houses.csv"
    good.write_text("rooms,area,price\n" + "".join(f"{i % 5 + 1},{40 + 7 * i},{100 + 3 * i}\n"
                                                   for i in range(60)))
    assert load_csv(qtbot, panel, good, "price")
    assert window.editor.doc.layer_ids() and panel.preview.samples.objectName() == "data_rows"
    assert panel.preview.ranges.rowCount() == 2
    assert window.editor.doc.project.data["target"] == "price"


def test_a_raw_zero_previews_as_zero_not_a_rounding_error(qtbot, window, tmp_path):
    """The preview undoes the standardisation in float32: a column's 0 read -1.681e-07."""
    panel = window.data_panel
    good = tmp_path / "levels.csv"
    good.write_text("level,label\n" + "".join(f"{(i % 7) * 123.457},{i % 2}\n"
                                              for i in range(60)))
    assert load_csv(qtbot, panel, good, "label")
    shown_min = panel.preview.ranges.item(0, 1).text()
    assert shown_min == "0", shown_min


def test_training_settings_are_undoable_and_irrelevant_fields_disabled(window):
    editor, panel = window.editor, window.training_panel
    lr = panel.fields["learning_rate"]
    lr.widget.lineEdit().setText("1e-5")
    lr.widget.interpretText()
    assert editor.doc.project.training["learning_rate"] == 1e-5
    assert lr.widget.text() == "1e-05"
    assert not panel.fields["momentum"].widget.isEnabled()  # adam by default
    assert panel.fields["beta1"].widget.isEnabled()
    optimizer = panel.fields["optimizer"].widget
    optimizer.setCurrentText("sgd")
    optimizer.activated.emit(optimizer.currentIndex())
    assert panel.fields["momentum"].widget.isEnabled()
    assert not panel.fields["beta1"].widget.isEnabled()
    assert not panel.fields["min_lr"].widget.isEnabled()
    assert not panel.fields["patience"].widget.isEnabled()
    editor.undo()
    assert editor.doc.project.training.get("optimizer", "adam") == "adam"
    assert not panel.fields["momentum"].widget.isEnabled()
    editor.undo()
    assert "learning_rate" not in editor.doc.project.training
    panel.commit("epochs", 0)
    assert "at least 1" in panel.message.text()


def test_reconstruct_the_input_is_a_tick_box_that_makes_an_autoencoders_data(qtbot, window):
    editor, panel = window.editor, window.data_panel
    assert window.projects.open_path(EXAMPLES / "xor.ncproj")
    choose(panel, "builtin")
    combo = panel.form_widget.findChild(type(panel.source_combo), "data_builtin")
    combo.setCurrentIndex(combo.findData("digits_images"))
    combo.activated.emit(combo.currentIndex())
    box = panel.fields["reconstruct"].widget
    box.setChecked(True)  # a click commits the value
    assert load(qtbot, panel)
    assert editor.doc.project.data == {"source": "builtin", "name": "digits_images",
                                       "reconstruct": True}
    assert ("regression: reconstruct the input (each sample is its own target)"
            in panel.preview.summary.text())
    assert panel.preview.samples.objectName() == "data_image_grid"
    editor.undo()
    assert "reconstruct" not in editor.doc.project.data


def test_a_file_that_is_not_an_npz_says_so_without_advice_to_unpickle(qtbot, window, tmp_path):
    """A text file chosen as .npz showed NumPy's advice to load it "unsafely" with
    allow_pickle."""
    panel = window.data_panel
    fake = tmp_path / "fake.npz"
    fake.write_text("hello\n")
    choose(panel, "npz")
    type_text(panel.path_edit, str(fake))
    assert not load(qtbot, panel)
    text = panel.errors["path"].text()
    assert "fake.npz is not a readable .npz file" in text and "np.savez" in text
    assert "pickle" not in text


def test_train_on_data_of_one_class_says_so_without_a_one_unit_fix(qtbot, window, tmp_path):
    """A CSV whose labels are all alike: Train said the data has "1 classes" and to set
    the output's units to 1."""
    panel, training = window.data_panel, window.training
    assert window.projects.open_path(EXAMPLES / "xor.ncproj")
    one = tmp_path / "one.csv"
    one.write_text("a,b,label\n" + "".join(f"{k},{k + 1},0\n" for k in range(20)))
    assert load_csv(qtbot, panel, one, "label")
    assert not training.start()
    text = training.error_box.text()
    assert "one class" in text and "at least two classes" in text and "units" not in text


def test_a_ragged_csv_is_reported_at_its_path_not_at_a_column(qtbot, window, tmp_path):
    """A row short of its target's value said so under Target, far from the file."""
    panel = window.data_panel
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b,label\n1,2,x\n3,4\n5,6,x\n")
    assert not load_csv(qtbot, panel, ragged, "label")
    error = panel.errors["path"]
    assert error.isVisibleTo(panel) and "line 3" in error.text()
    assert not panel.errors["target"].isVisibleTo(panel)
