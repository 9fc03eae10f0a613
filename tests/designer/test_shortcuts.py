"""Every shortcut is bound once: no two enabled actions of the window share a key
sequence, idle, while training and while the editor is locked (Qt ignores an ambiguous
shortcut and logs "Ambiguous shortcut overload"). Redo answers Ctrl+Shift+Z and Ctrl+Y."""
from collections import defaultdict

from PySide6.QtGui import QAction, QKeySequence


def clashes(window) -> dict:
    owners = defaultdict(list)
    for action in window.findChildren(QAction):
        if not action.isEnabled():
            continue
        for key in action.shortcuts():
            owners[key.toString(QKeySequence.PortableText)].append(action.objectName()
                                                                    or action.text())
    return {key: names for key, names in owners.items() if key and len(names) > 1}


def test_no_two_enabled_actions_share_a_shortcut_in_any_state(qtbot, window):
    window.editor.add_layer("Dense", (300.0, 0.0), after=window.editor.doc.layer_ids()[0])
    window.editor.undo()  # redo enabled too
    assert clashes(window) == {}
    redo_keys = {k.toString(QKeySequence.PortableText) for k in window.action_redo.shortcuts()}
    assert {"Ctrl+Shift+Z", "Ctrl+Y"} <= redo_keys and len(redo_keys) == len(
        window.action_redo.shortcuts())
    window.editor.set_locked("a test holds the design")
    assert clashes(window) == {}
    window.editor.set_locked("")
    training = window.training
    training._set_state("running")
    assert clashes(window) == {}
    training._set_state("paused")
    assert clashes(window) == {}
    training._set_state("idle")
