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
