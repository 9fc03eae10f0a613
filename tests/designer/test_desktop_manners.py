"""Desktop manners: every action of the window is in a menu, and every control a user
can see says what it does (a tooltip, an accessible name or a label that names it), in
every workspace, with a layer selected so the inspector's form shows too."""
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QAbstractButton, QAbstractSpinBox, QComboBox, QLabel, QLineEdit,
                               QMenu)

from designer.workspaces import KEYS

CONTROLS = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox)


def menu_actions(menu: QMenu) -> set:
    found = set()
    for action in menu.actions():
        found.add(action)
        if action.menu() is not None:
            found |= menu_actions(action.menu())
    return found


def unexplained_controls(window) -> list[str]:
    buddies = {id(label.buddy()) for label in window.findChildren(QLabel)
               if label.buddy() is not None}
    missing = []
    for kind in CONTROLS:
        for widget in window.findChildren(kind):
            if not widget.isVisible() or widget.objectName().startswith("qt_"):
                continue  # hidden, or Qt's own parts (a table's corner button)
            if isinstance(widget.parent(), (QAbstractSpinBox, QComboBox)):
                continue  # the editor inside a spin box or combo box: its owner speaks
            if widget.toolTip() or widget.accessibleName() or id(widget) in buddies:
                continue
            text = widget.text() if hasattr(widget, "text") else ""
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} {text!r}")
    return missing


def test_every_named_action_is_reachable_from_a_menu(window):
    in_menus = set()
    for top in window.menuBar().actions():
        in_menus |= menu_actions(top.menu())
    named = [a for a in window.findChildren(QAction) if a.objectName().startswith("action_")]
    assert len(named) > 30
    missing = sorted(a.objectName() for a in named if a not in in_menus)
    assert missing == []


def test_every_visible_control_has_a_tooltip_or_a_label(qtbot, window):
    window.resize(1360, 860)
    window.editor.set_selection(window.editor.doc.layer_ids()[:1])  # the inspector's form
    for key in KEYS:
        window.workspaces.switch(key)
        qtbot.wait(50)
        assert unexplained_controls(window) == [], key


def tab_stops(root) -> list:
    """The widgets inside ``root`` that Tab visits, in the order it visits them, each as
    (name, x, y) in ``root``'s coordinates; one lap of the window's focus chain."""
    from PySide6.QtCore import QPoint, Qt

    stops, seen, widget = [], set(), root.nextInFocusChain()
    while widget is not None and widget is not root and id(widget) not in seen:
        seen.add(id(widget))
        if (root.isAncestorOf(widget) and widget.isVisible() and widget.isEnabled()
                and widget.focusPolicy() & Qt.TabFocus
                and not isinstance(widget.parent(), (QAbstractSpinBox, QComboBox))):
            at = widget.mapTo(root, QPoint(0, 0))
            stops.append((widget.objectName() or type(widget).__name__, at.x(), at.y()))
        widget = widget.nextInFocusChain()
    return stops


def test_tab_goes_down_each_dock_in_reading_order(qtbot, window):
    """Within every dock of every workspace, Tab never jumps back up to a control above
    the one it leaves, except into a column to its right (the data form, rebuilt after the preview beneath it, used to be
    visited after it). One lap may wrap once, from the last control to the first."""
    from PySide6.QtWidgets import QDockWidget

    window.resize(1366, 768)
    window.editor.set_selection(window.editor.doc.layer_ids()[:1])  # the inspector's form
    for key in KEYS:
        window.workspaces.switch(key)
        qtbot.wait(50)
        for dock in window.findChildren(QDockWidget):
            if not dock.isVisible():
                continue
            stops = tab_stops(dock.widget())
            # Up and not into a column to the right is backwards.
            ups = [(a[0], b[0]) for a, b in zip(stops, stops[1:])
                   if b[2] < a[2] - 8 and b[1] <= a[1]]
            assert len(ups) <= 1 and (not ups or ups[0][1] == stops[0][0]), \
                (key, dock.objectName(), ups, [s[0] for s in stops])
