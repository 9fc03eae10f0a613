"""The training panel: Train / Pause / Resume / Step / Stop, a progress bar with epoch,
batch, samples per second and time remaining, what the project's weights are (trained,
stale, none), and the settings form generated from ``TRAINING_SCHEMA``.

Fields that do not apply to the current choices are disabled, as each setting's
``Param.applies`` says (momentum only for SGD, betas for Adam and AdamW, ...). Edits go to the editor as undoable commands stored in
the document's training settings, so they are saved with the project.
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QFormLayout, QFrame, QHBoxLayout, QLabel, QProgressBar,
                               QScrollArea, QToolButton, QVBoxLayout, QWidget)

from engine.backends import torch_available
from engine.events import Finished
from engine.settings import TRAINING_SCHEMA

from .. import style
from ..editor import Editor
from ..freshness import Change, FreshView
from ..rich_text import escape
from ..training_controller import TrainingController
from .fields import FieldEditor, make_field

BACKEND_NOTE = ("numpy: the built-in engine, and the only one the Inside views can follow "
                "live. torch: PyTorch on the CPU, or a CUDA GPU when there is one (Device): "
                "the same results, worth it for big designs, a GPU or many cores.")
NO_TORCH_NOTE = ("The built-in NumPy engine. To train big designs on PyTorch (a GPU, many "
                 "cores), install it: pip install 'neurocanvas[torch]'.")
SECTIONS = {"epochs": "Run", "loss": "Optimisation", "schedule": "Learning-rate schedule",
            "seed": "Reproducibility", "early_stopping": "Early stopping",
            "backend": "Where it trains"}
SUBTLE = style.NODE_SUBTLE_TEXT.name()


def format_seconds(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


# A project's weights from a checkpoint of a run that never ended (the training process
# or the window died; an autosave taken mid-run) say "running": no run is going now.
ENDED_WORDS = {"running": "interrupted"}


class TrainingPanel(QScrollArea, FreshView):
    def __init__(self, editor: Editor, controller: TrainingController, parent=None):
        super().__init__(parent)
        self.setObjectName("training_panel")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.editor, self.doc, self.controller = editor, editor.doc, controller
        self.fields: dict[str, FieldEditor] = {}
        self.total_steps = 1
        self._build()
        controller.run_started.connect(self._run_started)
        controller.progress.connect(self.show_progress)
        controller.state_changed.connect(self._state_changed)
        controller.run_finished.connect(self._run_finished)
        controller.run_ended.connect(self._run_ended)
        self._finished = False
        self.run_weights = None  # the weights of the run the progress line is about
        # A crash keeps the last checkpoint's weights: the failure's words stay.
        controller.run_failed.connect(
            lambda *_: setattr(self, "run_weights", self.doc.project.weights))
        self.doc.project_changed.connect(self._project_changed)
        self.doc.design_changed.connect(self._show_weights_state)
        editor.lock_changed.connect(self._lock_changed)
        self._sync()

    # ---- building ------------------------------------------------------------------
    def _build(self) -> None:
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(10, 10, 10, 10)
        column.setSpacing(6)
        column.addLayout(self._buttons())
        self.progress = QProgressBar()
        self.progress.setObjectName("training_progress")
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setFormat("Ready")
        self.progress.setTextVisible(True)
        column.addWidget(self.progress)
        self.rate = self._label("training_rate", f"color: {SUBTLE};")
        column.addWidget(self.rate)
        self.result = self._label("training_result")
        column.addWidget(self.result)
        self.lock_note = self._label("training_lock_note",
                                     # its own text colour: a dark palette's is light
                                     "background: #fff8e1; color: #3e2723; "
                                     "border: 1px solid #ffe082; "
                                     "border-radius: 3px; padding: 4px;")
        self.lock_note.hide()
        column.addWidget(self.lock_note)
        # Above the form, not under its thirty fields: a refused value is said in view.
        self.message = self._label("training_message", f"color: {style.ERROR.name()};")
        column.addWidget(self.message)
        self.form_widget = QWidget()
        self.form = QFormLayout(self.form_widget)
        self.form.setContentsMargins(0, 4, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
        for param in TRAINING_SCHEMA:
            self._add_field(param)
        column.addWidget(self.form_widget)
        column.addStretch(1)
        self.setWidget(body)

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(4)
        self.buttons = {}
        for action in self.controller.actions:
            button = QToolButton()
            button.setObjectName(action.objectName().replace("action_", "button_"))
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonTextOnly)
            button.setMinimumWidth(56)
            # A tool button does not follow its action's visibility by itself: Pause
            # and Resume share a place, one shown at a time.
            button.setVisible(action.isVisible())
            action.changed.connect(lambda b=button, a=action: b.setVisible(a.isVisible()))
            row.addWidget(button)
            self.buttons[action.objectName()] = button
        self.buttons["action_train"].setStyleSheet(
            "QToolButton:enabled { background: #1e88e5; color: white; font-weight: 600; "
            "border-radius: 3px; padding: 3px 10px; }")
        row.addStretch(1)
        return row

    def _label(self, name: str, sheet: str = "") -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.RichText)
        label.setStyleSheet(sheet)
        return label

    def _add_field(self, param) -> None:
        if param.name in SECTIONS:
            heading = QLabel(f"<b>{SECTIONS[param.name]}</b>")
            heading.setStyleSheet("padding-top: 6px;")
            self.form.addRow(heading)
        if param.name == "backend":
            param = self._backend_param(param)
        field = make_field(param)
        field.value_committed.connect(lambda v, key=param.name: self.commit(key, v))
        field.parse_failed.connect(self._show_message)
        label = QLabel(param.title)
        label.setToolTip(param.help)
        self.form.addRow(label, field.widget)
        self.fields[param.name] = field
        if param.name == "backend":
            self.backend_note = self._label("training_backend_note", f"color: {SUBTLE};")
            self.backend_note.setText(BACKEND_NOTE if torch_available() else NO_TORCH_NOTE)
            self.form.addRow(self.backend_note)

    @staticmethod
    def _backend_param(param):
        """PyTorch is offered only where it can be imported."""
        return param if torch_available() else replace(param, choices=("numpy",))

    # ---- settings ------------------------------------------------------------------
    def values(self) -> dict:
        return {**TRAINING_SCHEMA.defaults(), **self.doc.project.training}

    def commit(self, key: str, value) -> None:
        problem = self.editor.set_training_setting(key, value)
        self._show_message(problem or "")
        if problem:
            self._sync()

    def _project_changed(self, name: str) -> None:
        self._sync()
        if name == "results":  # after a run's own end has said how it ended
            QTimer.singleShot(0, self, self._results_changed)

    def _results_changed(self) -> None:
        """A run undone (or redone): its progress and words go with it, instead of
        "Stopped after 144 epochs" above the 119 epochs the project has again."""
        if self.doc.project.weights is not self.run_weights:
            self._forget_run()

    def _sync(self) -> None:
        values = self.values()
        for key, field in self.fields.items():
            field.set_value(values.get(key, field.param.default))
            field.set_error(False)
        self._update_relevance(values)
        self._show_weights_state()

    def _update_relevance(self, values: dict) -> None:
        for key, field in self.fields.items():  # the schema says when each one applies
            if field.param.applies is None:
                continue
            on = field.param.applies_to(values)
            field.widget.setEnabled(on)
            label = self.form.labelForField(field.widget)
            if label is not None:
                label.setEnabled(on)

    def _show_message(self, text: str) -> None:
        self.message.setText(escape(text))
        self.message.setVisible(bool(text))

    # ---- state ---------------------------------------------------------------------
    def _lock_changed(self, reason: str) -> None:
        self.form_widget.setDisabled(bool(reason))
        self.lock_note.setText(escape(reason))
        self.lock_note.setVisible(bool(reason))

    def _state_changed(self, state: str) -> None:
        if state == "paused":
            self.progress.setFormat(self.progress.format().split(" (")[0] + " (paused)")

    def _show_weights_state(self) -> None:
        extras = self.doc.project
        if extras.weights is None:
            text = f"<span style='color:{SUBTLE}'>Not trained yet.</span>"
        elif self.doc.weights_stale:
            text = ("<span style='color:#b26a00'><b>Weights are stale</b>: the design changed "
                    "since training. Train again (or undo the change); they are saved marked as "
                    "stale, and export waits for a fresh run.</span>")
        else:
            info = extras.preprocessing or {}
            test = info.get("test") or {}
            metric = (f"test accuracy <b>{test['accuracy']:.1%}</b>" if "accuracy" in test
                      else ", ".join(f"test {k} <b>{v:.4g}</b>" for k, v in test.items()))
            epochs = len(extras.history)
            ended = ENDED_WORDS.get(info.get("ended"), info.get("ended"))
            text = (f"<b>Trained</b> ({epochs} {style.noun(epochs, 'epoch')}"
                    f"{', ' + ended if ended not in (None, 'finished') else ''})"
                    f"{': ' + metric if metric else ''}")
        self.result.setText(text)

    def _run_started(self, payload) -> None:
        event, _data = payload
        self.total_steps = max(1, event.epochs * event.batches_per_epoch)
        self.progress.setValue(0)
        self.progress.setFormat(f"Epoch 1/{event.epochs} \u00b7 batch 0/{event.batches_per_epoch}")
        self.rate.setText(f"Training on {event.n_train:,} {style.noun(event.n_train, 'sample')}, "
                          f"validating on "
                          f"{event.n_val:,}; loss {event.loss}")
        self.result.setText("")

    def show_progress(self, progress) -> None:
        latest = progress.latest
        if latest is None:
            return
        self.progress.setValue(int(1000 * latest.step / self.total_steps))
        paused = " (paused)" if self.controller.state == "paused" else ""
        epochs = -(-self.total_steps // latest.batches)
        self.progress.setFormat(f"Epoch {latest.epoch}/{epochs} \u00b7 batch "
                                f"{latest.batch}/{latest.batches}{paused}")
        rate = latest.samples / latest.elapsed if latest.elapsed > 0 else 0.0
        left = latest.elapsed * (self.total_steps - latest.step) / max(latest.step, 1)
        self.rate.setText(f"{rate:,.0f} samples/s \u00b7 {format_seconds(left)} left "
                          f"\u00b7 loss {latest.loss:.4f}")

    def _run_finished(self, result) -> None:
        """How the run ended, from its typed result (never from the text shown)."""
        self._finished = isinstance(result.ended, Finished)
        self.run_weights = result.weights

    def _run_ended(self, text: str) -> None:
        self.rate.setText(text)
        if self._finished:
            self.progress.setValue(1000)
        self.progress.setFormat(self.progress.format().split(" (")[0] +
                                (" (done)" if self._finished else " (ended)"))
        self._finished = False
        self._show_weights_state()

    def fresh(self, change: Change) -> None:
        if change is Change.PROJECT:
            self._sync()
            self._forget_run()  # another project: not its run

    def _forget_run(self) -> None:
        """A project opened (or a new one): the last run's progress and words go."""
        if self.controller.state != "idle":
            return
        self.progress.setValue(0)
        self.progress.setFormat("Ready")
        self.rate.setText("")
