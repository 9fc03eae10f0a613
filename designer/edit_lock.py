"""What the window does while the editor is locked (a training run uses the design):
the palette and history are disabled, the inspector and the canvas turn read-only (a
layer can still be selected and its settings and views looked at), editing actions and
undo and redo are off, and a status-bar badge says why. Undo/redo are the editor's own actions so the lock can hold
them off (QUndoStack's ready-made actions re-enable themselves)."""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from .editor import Editor
from .rich_text import as_plain


def unique_keys(keys: list[QKeySequence]) -> list[QKeySequence]:
    """The sequences in order, each once (Qt does not merge repeats of one action)."""
    seen, out = set(), []
    for key in keys:
        text = key.toString(QKeySequence.PortableText)
        if text and text not in seen:
            seen.add(text)
            out.append(key)
    return out


def make_undo_actions(editor: Editor, parent: QObject) -> tuple[QAction, QAction]:
    stack = editor.stack
    undo, redo = QAction("&Undo", parent), QAction("&Redo", parent)
    undo.setObjectName("action_undo")
    redo.setObjectName("action_redo")
    undo.setShortcuts(QKeySequence.Undo)
    # The platform's Redo keys, and Ctrl+Shift+Z and Ctrl+Y everywhere, each bound once:
    # on X11 the platform's list already holds Ctrl+Shift+Z, and binding it twice made
    # Qt log "Ambiguous shortcut overload" and do nothing.
    redo.setShortcuts(unique_keys(QKeySequence.keyBindings(QKeySequence.Redo)
                                  + [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")]))
    undo.triggered.connect(editor.undo)
    redo.triggered.connect(editor.redo)

    def refresh(*_):
        # The stack also signals while the window is being destroyed: stay quiet then.
        if not all(shiboken6.isValid(o) for o in (stack, undo, redo, editor)):
            return
        locked = bool(editor.locked)
        undo.setEnabled(stack.canUndo() and not locked)
        redo.setEnabled(stack.canRedo() and not locked)
        # A menu reads "&" as a shortcut mark: a layer named "a & b" keeps its "&".
        undo.setText(f"&Undo {stack.undoText().replace('&', '&&')}".strip())
        redo.setText(f"&Redo {stack.redoText().replace('&', '&&')}".strip())
        tip = editor.locked or ""
        # The step's text names layers: shown as written, never as markup.
        undo.setToolTip(as_plain(tip or f"Undo {stack.undoText()}".strip()))
        redo.setToolTip(as_plain(tip or f"Redo {stack.redoText()}".strip()))

    for signal in (stack.canUndoChanged, stack.canRedoChanged, stack.undoTextChanged,
                   stack.redoTextChanged, editor.lock_changed):
        signal.connect(refresh)
    refresh()
    return undo, redo


class EditLock(QObject):
    """Follows ``editor.lock_changed``: disables the editing widgets and actions."""

    def __init__(self, editor: Editor, widgets: list[QWidget], actions: list[QAction],
                 canvas, status_bar: QStatusBar):
        super().__init__(canvas)
        self.widgets, self.actions, self.canvas = widgets, actions, canvas
        self.badge = QLabel("Design locked while training")
        self.badge.setObjectName("lock_badge")
        self.badge.setStyleSheet("background: #fff3cd; color: #7a5b00; padding: 1px 6px; "
                                 "border: 1px solid #ffe08a; border-radius: 3px;")
        self.badge.hide()
        status_bar.addPermanentWidget(self.badge)
        self.status_bar = status_bar
        editor.lock_changed.connect(self.apply)

    def apply(self, reason: str) -> None:
        locked = bool(reason)
        for widget in self.widgets:
            if hasattr(widget, "set_read_only"):
                widget.set_read_only(reason)
            else:
                widget.setDisabled(locked)
                widget.setToolTip(reason)
        for action in self.actions:
            action.setDisabled(locked)
        self.canvas.canvas_scene.set_read_only(locked)
        self.canvas.setToolTip(reason)
        self.badge.setToolTip(reason)
        self.badge.setVisible(locked)
        if locked:
            self.status_bar.showMessage(reason, 10000)
