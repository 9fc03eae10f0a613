"""Fields never change what is typed: text that is not a value in range is refused with
an inline message naming the range, and the field keeps its value; scientific notation
is read (1e3 epochs, a learning rate of 2e-4). Real key events on the real widgets."""
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def type_into(field, text: str) -> None:
    edit = field.widget.lineEdit()
    edit.selectAll()
    QTest.keyClicks(edit, text)
    assert edit.text() == text  # nothing dropped or rewritten while typing
    QTest.keyClick(field.widget, Qt.Key_Return)


def test_typed_numbers_are_read_or_refused_never_rewritten(window):
    panel, doc = window.training_panel, window.editor.doc
    epochs, rate = panel.fields["epochs"], panel.fields["learning_rate"]
    before = epochs.widget.value()
    for text in ("1e9", "3.7", "-5", "abc"):
        type_into(epochs, text)
        assert epochs.widget.value() == before
        assert panel.message.isVisibleTo(panel)
        assert f"Epochs: {text!r} is not a whole number from 1 to 100,000" in \
            panel.message.text()
    type_into(epochs, "1e3")
    assert epochs.widget.value() == 1000 and doc.project.training["epochs"] == 1000
    type_into(rate, "-5")
    assert "Learning rate: '-5' is not a number from 1e-08 to 10" in panel.message.text()
    type_into(rate, "2e-4")
    assert doc.project.training["learning_rate"] == 2e-4
    assert "1 to 100,000" in epochs.widget.toolTip()


def test_a_comma_in_a_whole_number_is_refused_not_read_as_a_thousands_separator(window):
    """'2,5' (a decimal comma) used to become 25 just after the message said the
    field stays as it was: the message and the value now agree."""
    panel, doc = window.training_panel, window.editor.doc
    epochs = panel.fields["epochs"]
    before = epochs.widget.value()
    for text in ("2,5", "1,000"):
        type_into(epochs, text)
        assert f"Epochs: {text!r} is not a whole number" in panel.message.text()
        assert f"it stays {before}" in panel.message.text()
        assert epochs.widget.value() == before
        assert doc.project.training.get("epochs", before) == before
