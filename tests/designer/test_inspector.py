"""The inspector: a form from the schema; bad values refused; contradictions held back."""
from engine.layers import layer_types

from .conftest import flush


def test_every_registered_type_gets_a_form_from_its_schema(window):
    editor = window.editor
    for cls in layer_types():
        layer_id = editor.add_layer(cls.type_name, (0.0, 400.0))
        editor.set_selection([layer_id])
        assert set(window.inspector.fields) == set(cls.schema.names()), cls.type_name


def test_refused_values_show_a_message_and_leave_the_document_alone(window):
    editor = window.editor
    dense = editor.add_layer("Dense", (300.0, 0.0), after=editor.doc.layer_ids()[0])
    editor.set_selection([dense])
    inspector = window.inspector
    inspector.commit("units", 0)
    assert "at least 1" in inspector.message.text() and inspector.message.isVisible()
    assert editor.doc.layer(dense).config["units"] == 64
    assert inspector.fields["units"].widget.value() == 64
    name = inspector.name_edit
    name.setText("   ")
    name.editingFinished.emit()
    assert editor.doc.layer(dense).name == dense and "needs a name" in inspector.message.text()
    name.setText("hidden")
    name.editingFinished.emit()
    assert editor.doc.layer(dense).name == "hidden"


def test_half_typed_shape_text_never_reaches_the_document(window):
    editor = window.editor
    reshape = editor.add_layer("Reshape", (300.0, 0.0))
    editor.set_selection([reshape])
    field = window.inspector.fields["target_shape"].widget
    field.setText("2, x")
    field.editingFinished.emit()
    assert editor.doc.layer(reshape).config["target_shape"] == [1]
    assert "whole numbers" in window.inspector.message.text()


def test_settings_that_only_work_together_are_committed_as_one_step(window):
    editor = window.editor
    input_id = editor.doc.layer_ids()[0]
    dense = editor.add_layer("Dense", (300.0, 0.0), after=input_id)
    editor.set_selection([input_id])
    inspector = window.inspector
    depth = editor.stack.count()
    shape = inspector.fields["shape"].widget
    shape.setText("1, 8, 8")
    shape.editingFinished.emit()  # a features input cannot have 3 axes: held back
    assert editor.doc.layer(input_id).config["shape"] == [2]
    assert "shape" in inspector.pending and inspector.revert_button.isVisibleTo(inspector)
    kind = inspector.fields["kind"].widget
    kind.setCurrentText("image")
    kind.activated.emit(kind.currentIndex())
    assert editor.doc.layer(input_id).config == {"shape": [1, 8, 8], "kind": "image"}
    assert editor.stack.count() == depth + 1 and not inspector.pending
    flush(editor.doc)
    assert "Flatten" in window.canvas.canvas_scene.node(dense).error
    editor.stack.undo()
    assert editor.doc.layer(input_id).config == {"shape": [2], "kind": "features"}
    assert shape.text() == "2"


def test_undo_updates_the_open_form(window):
    editor = window.editor
    dense = editor.add_layer("Dense", (300.0, 0.0))
    editor.set_selection([dense])
    window.inspector.fields["activation"].widget.setCurrentText("tanh")
    window.inspector.fields["activation"].widget.activated.emit(
        window.inspector.fields["activation"].widget.currentIndex())
    assert editor.doc.layer(dense).config["activation"] == "tanh"
    editor.stack.undo()
    assert window.inspector.fields["activation"].widget.currentText() == "relu"


def test_conv1d_settings_edited_in_the_inspector_reshape_the_canvas(window):
    """The 1-D CNN example: a Conv1D edited in the form shows its new output on its node
    and downstream; a window longer than the sequence is an error on the node."""
    from designer.projects import EXAMPLES_DIR

    window.projects.open_path(EXAMPLES_DIR / "cnn1d_waveforms.ncproj")
    editor, scene = window.editor, window.canvas.canvas_scene
    editor.set_selection(["conv1"])
    assert window.inspector.fields["kernel_size"].widget.value() == 9
    window.inspector.commit("padding", "valid")
    window.inspector.commit("stride", 2)
    flush(editor.doc)
    assert editor.doc.layer("conv1").config["stride"] == 2
    assert scene.node("conv1").shape_text == "(60, 32)"  # (128 - 9) // 2 + 1
    assert scene.node("pool1").shape_text == "(30, 32)"
    assert "k9x32, stride 2, relu" in scene.node("conv1").summary
    window.inspector.commit("kernel_size", 200)
    flush(editor.doc)
    assert "kernel 200 is longer than its 128-step input" in scene.node("conv1").error
