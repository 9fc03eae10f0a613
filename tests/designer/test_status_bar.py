"""A long status-bar message ends in "…" before the zoom label, the whole text in the
tooltip (at 1366 px one ran into it: "... the layer before it 100%")."""
from PySide6.QtWidgets import QApplication

LONG = ("Not connected: the layer 'hidden' outputs (16,) per sample but 'output' expects an "
        "input of (2,): these shapes cannot be joined here. Add a Reshape or Flatten between "
        "them, or change the units of the layer before it so that they agree with each other.")


def message_end(bar) -> int:
    """The x where the message's text ends (Qt draws it from x = 6)."""
    return 6 + bar.fontMetrics().horizontalAdvance(bar.currentMessage())


def test_a_long_message_stops_before_the_zoom_label(qtbot, window):
    window.resize(1366, 768)
    QApplication.processEvents()
    bar, zoom = window.statusBar(), window.zoom_label
    bar.showMessage(LONG, 8000)
    assert bar.currentMessage().endswith("\u2026")
    assert message_end(bar) < zoom.x() - 6
    assert LONG in bar.toolTip()
    window.resize(3000, 768)  # room for all of it now
    QApplication.processEvents()
    assert bar.currentMessage() == LONG and bar.toolTip() == ""
    bar.showMessage("Saved x.ncproj", 4000)  # a short one as it is
    assert bar.currentMessage() == "Saved x.ncproj"
    bar.clearMessage()
    assert bar.toolTip() == "" and bar.full_message == ""


def test_the_lock_badge_also_keeps_its_room(qtbot, window):
    window.resize(1366, 768)
    QApplication.processEvents()
    window.editor.set_locked("Training is running: the design is locked until it stops. "
                             "Press Stop to edit again. " * 3)
    bar, badge = window.statusBar(), window.edit_lock.badge
    assert badge.isVisible() and bar.currentMessage().endswith("\u2026")
    assert message_end(bar) < badge.x() - 6
    window.editor.set_locked("")
