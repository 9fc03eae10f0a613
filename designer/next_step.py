"""The next step: a strip under the toolbar that says what to do next on the path from
a blank project to a trained network (design -> data -> train) and has a button that
does it or takes the user where it is done. It hides once the network is trained, while
a run goes, and when dismissed (until another project is opened).
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolBar,
                               QToolButton, QWidget)

from .freshness import Change, FreshView
from .rich_text import as_plain

STEPS = ("Design", "Data", "Train")
DONE = "\u2713"  # a tick: the step is done


@dataclass(frozen=True)
class Step:
    index: int      # into STEPS
    text: str       # what to do, for people
    button: str     # the button's text
    verb: str       # what the button does: "add_dense", "design", "data" or "train"


def next_step(doc, training_state: str) -> Step | None:
    """What the user should do next with this document, or None when nothing is due."""
    if training_state != "idle":
        return None
    if len(doc.layers) < 2:
        return Step(0, "Add layers after the Input: drag them from Layers onto the canvas, "
                       "or double-click one to append it.", "Add a Dense layer", "add_dense")
    if doc.report.problems:
        return Step(0, f"Fix the design first: {doc.report.problems[0].message}",
                    "Show the design", "design")
    if not doc.project.data:
        return Step(1, "Choose the data it learns from: a built-in set, a CSV table, "
                       "images or text, then press Load and use.", "Choose data", "data")
    if doc.project.weights is None or doc.weights_stale:
        return Step(2, "Press Train: the plots show it learn, the Evaluate workspace "
                       "shows how well it does.", "Train", "train")
    return None


class NextStepBar(QToolBar, FreshView):
    def __init__(self, window):
        super().__init__("Next step", window)
        self.setObjectName("next_step_bar")
        self.setMovable(False)
        self.toggleViewAction().setVisible(False)  # it shows itself when a step is due
        self.window_ = window
        self.dismissed = False
        self.step: Step | None = None
        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(8, 2, 8, 2)
        self.path = QLabel()
        self.path.setObjectName("next_step_path")
        self.text = QLabel()
        self.text.setObjectName("next_step_text")
        self.text.setTextFormat(Qt.PlainText)  # "Fix the design first: ..." names layers
        # One line that gives way to the window's width (the whole text is its tooltip).
        self.text.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.button = QPushButton()
        self.button.setObjectName("next_step_button")
        self.button.clicked.connect(self._do)
        close = QToolButton()
        close.setObjectName("next_step_close")
        close.setText("\u2715")
        close.setAutoRaise(True)
        close.setToolTip("Hide these hints for this project")
        close.clicked.connect(self.dismiss)
        row.addWidget(self.path)
        row.addWidget(self.text, 1)
        row.addWidget(self.button)
        row.addWidget(close)
        self.addWidget(body)
        doc, training = window.editor.doc, window.training
        for signal in (doc.report_changed, doc.project_changed, training.state_changed,
                       window.workspaces.changed):
            signal.connect(self.refresh)
        self.refresh()

    def fresh(self, change: Change) -> None:
        if change is Change.PROJECT:  # dismissed for one project, not for all
            self.dismissed = False
            self.refresh()

    def dismiss(self) -> None:
        self.dismissed = True
        self.refresh()

    def refresh(self, *_) -> None:
        win = self.window_
        self.step = None if self.dismissed else next_step(win.editor.doc, win.training.state)
        self.setVisible(self.step is not None)
        if self.step is None:
            return
        marks = [f"<b>{i + 1} {name}</b>" if i == self.step.index else
                 f"{DONE if i < self.step.index else i + 1} {name}"
                 for i, name in enumerate(STEPS)]
        self.path.setText("  \u2192  ".join(marks) + "  \u00b7 ")
        self.path.setTextFormat(Qt.RichText)
        self.text.setText(self.step.text)
        self.text.setToolTip(as_plain(self.step.text))
        self.path.setToolTip("The path to a trained network: design, data, train")
        self.button.setText(self.step.button)
        self.button.setToolTip(f"Next step: {self.step.button}")

    def _do(self) -> None:
        win, verb = self.window_, self.step.verb if self.step else ""
        if verb == "add_dense":
            win.workspaces.switch("design")
            if not win.editor.selection:  # connected after the last layer, not left alone
                win.editor.set_selection(win.editor.doc.layer_ids()[-1:])
            win.add_after_selection("Dense")
        elif verb in ("design", "data"):
            win.workspaces.switch(verb)
        elif verb == "train":
            win.training.action_train.trigger()
