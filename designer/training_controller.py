"""Training from the window: builds a TrainingJob from an immutable snapshot of the
design, runs it on the TrainingRunner's worker thread, locks the editor meanwhile, and
stores the results (weights, history, preprocessing) in the document through a command.

States: idle -> running <-> paused -> idle. Errors before the start (no data, a broken
design, bad settings) and in the worker become a message box with the details; the
thread never dies silently and the app stays usable.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from engine.data import dataset_info
from engine.errors import NeuroCanvasError
from engine.events import Diverged, Finished, Stopped
from engine.network import Network
from engine.settings import choose_loss, training_settings

from .datasets import DataCache, data_seed, error_text
from .editor import Editor
from .model.document import design_fingerprint
from .runner import RunResult, TrainingJob, TrainingRunner

LOCK_REASON = ("Training is running: the design is locked until it stops. "
               "Press Stop to edit again.")


class TrainingController(QObject):
    state_changed = Signal(str)  # "idle", "running" or "paused"
    message = Signal(str)  # for the status bar
    run_started = Signal(object)  # (engine Started event, PreparedData)
    run_ended = Signal(str)  # what happened, for people

    def __init__(self, editor: Editor, cache: DataCache,
                 base_dir: Callable[[], Path | None], window: QWidget):
        super().__init__(window)
        self.editor, self.doc, self.cache, self.base_dir = editor, editor.doc, cache, base_dir
        self.window = window
        self.runner = TrainingRunner(self)
        self.state = "idle"
        self.job: TrainingJob | None = None
        self.error_box: QMessageBox | None = None
        self.last_result: RunResult | None = None
        self._make_actions()
        self.runner.started.connect(self._started)
        self.runner.paused.connect(lambda: self._set_state("paused"))
        self.runner.resumed.connect(lambda: self._set_state("running"))
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)
        self.runner.running_changed.connect(self._running_changed)
        self._set_state("idle")

    # ---- actions -------------------------------------------------------------------
    def _action(self, name: str, text: str, slot, tip: str, shortcut: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if shortcut:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        return action

    def _make_actions(self) -> None:
        self.action_train = self._action("action_train", "&Train", self.start,
                                         "Train the network on the project's data", "F5")
        self.action_pause = self._action("action_pause", "&Pause", self.pause,
                                         "Pause after the current batch", "F6")
        self.action_resume = self._action("action_resume", "&Resume", self.resume,
                                          "Go on training", "F6")
        self.action_step = self._action("action_step", "S&tep", self.step,
                                        "Train one batch, then pause", "F7")
        self.action_stop = self._action("action_stop", "St&op", self.stop,
                                        "Stop after the current batch and keep the weights",
                                        "Shift+F5")
        self.actions = [self.action_train, self.action_pause, self.action_resume,
                        self.action_step, self.action_stop]
        # Looking inside costs up to 2% of a run; a person after every last sample per
        # second can turn it off (health badges and live inside views then rest).
        self.action_probe = self._action("action_probe", "&Look inside while training",
                                         lambda: None, "Probe the network during runs: "
                                         "health badges and live inside views")
        self.action_probe.setCheckable(True)
        self.action_probe.setChecked(True)

    def _set_state(self, state: str) -> None:
        self.state = state
        idle = state == "idle"
        self.action_train.setEnabled(idle)
        self.action_pause.setEnabled(state == "running")
        self.action_pause.setVisible(state != "paused")
        self.action_resume.setEnabled(state == "paused")
        self.action_resume.setVisible(state == "paused")
        self.action_step.setEnabled(state != "running")
        self.action_stop.setEnabled(not idle)
        self.state_changed.emit(state)

    # ---- verbs ---------------------------------------------------------------------
    def make_job(self) -> TrainingJob:
        """A snapshot of the design, data and settings; raises NeuroCanvasError."""
        extras = self.doc.extras
        if not extras.data:
            raise NeuroCanvasError("This project has no data yet: choose some in the Data "
                                   "panel and press Load and use.")
        spec = self.doc.spec()
        problems = self.doc.report.problems
        if problems:
            raise NeuroCanvasError("The design has problems to fix first:\n" +
                                   "\n".join(f"• {p.message}" for p in problems[:6]))
        settings = training_settings(extras.training)
        data = self.cache.prepare(extras.data, data_seed(extras.training), self.base_dir())
        network = Network(spec, seed=settings["seed"])  # shapes against the data, now
        if tuple(spec.input_shape or ()) != tuple(data.train.sample_shape):
            raise NeuroCanvasError(
                f"The Input layer takes {tuple(spec.input_shape or ())} but the data's "
                f"samples are {data.train.sample_shape}: press Load and use in the Data panel "
                f"to fit the Input layer to the data.")
        choose_loss(settings, data.train.task, network.report.output_shape[-1])
        return TrainingJob(spec, data, settings, probe=self.action_probe.isChecked())

    def start(self, step_only: bool = False) -> bool:
        if self.state != "idle":
            return False
        try:
            job = self.make_job()
        except (NeuroCanvasError, OSError, ValueError) as exc:
            self.show_error("Cannot start training", error_text(exc), "")
            return False
        self.job = job
        self.editor.set_locked(LOCK_REASON)
        self.runner.start(job)
        if step_only:
            self.runner.step()
        self._set_state("paused" if step_only else "running")
        self.message.emit("Training started" if not step_only else "Training one batch")
        return True

    def pause(self) -> None:
        if self.state == "running":
            self.runner.pause()
            self.message.emit("Pausing after this batch\u2026")

    def resume(self) -> None:
        if self.state == "paused":
            self.runner.resume()
            self._set_state("running")
            self.message.emit("Training resumed")

    def step(self) -> None:
        if self.state == "idle":
            self.start(step_only=True)
        elif self.state == "paused":
            self.runner.step()
            self.message.emit("One batch")

    def stop(self) -> None:
        if self.state != "idle":
            self.runner.stop()
            self.message.emit("Stopping\u2026")

    def shutdown(self) -> bool:
        return self.runner.shutdown()

    # ---- runner signals ------------------------------------------------------------
    def _started(self, event) -> None:
        if self.job is not None:
            self.run_started.emit((event, self.job.data))

    def _finished(self, result: RunResult) -> None:
        self.last_result = result
        self.editor.set_locked("")
        job = self.job
        ended = result.ended
        if not result.weights or job is None:
            return
        info = {"loss": result.loss,
                "normalizer": job.data.normalizer.to_dict() if job.data.normalizer else None,
                "dataset": dataset_info(job.data.train) | {"name": job.data.dataset_info.get("name")},
                "test": result.test, "ended": type(ended).__name__.lower(),
                "message": ended.message, "design": design_fingerprint(job.spec)}
        results = {"weights": result.weights, "history": list(ended.history),
                   "preprocessing": info, "trained_design": design_fingerprint(job.spec)}
        self.editor.set_results(results, f"Train ({len(ended.history)} epochs)")
        text = describe_end(ended, result.test)
        self.run_ended.emit(text)
        self.message.emit(text)

    def _failed(self, message: str, details: str) -> None:
        self.editor.set_locked("")
        self.show_error("Training failed", message, details)
        self.run_ended.emit(f"Training failed: {message}")

    def _running_changed(self, running: bool) -> None:
        if not running:
            self.editor.set_locked("")
            self._set_state("idle")

    def show_error(self, title: str, text: str, details: str) -> None:
        """A non-blocking message box (details under "Show Details...")."""
        box = QMessageBox(QMessageBox.Critical, title, text, QMessageBox.Ok, self.window)
        box.setObjectName("training_error")
        if details:
            box.setDetailedText(details)
        self.error_box = box
        box.open()
        self.message.emit(f"{title}: {text.splitlines()[0] if text else ''}")


def describe_end(ended, test: dict) -> str:
    """One line for the status bar and the panel."""
    metrics = ""
    if test:
        if "accuracy" in test:
            metrics = f"; test accuracy {test['accuracy']:.1%}"
        else:
            key = next((k for k in test if k != "loss"), "loss")
            metrics = f"; test {key} {test[key]:.4g}"
    epochs = len(ended.history)
    if isinstance(ended, Diverged):
        return (f"Diverged ({ended.message}); the last good weights are kept{metrics}")
    if isinstance(ended, Stopped):
        return f"Stopped after {epochs} epochs; the weights so far are kept{metrics}"
    if isinstance(ended, Finished) and ended.early_stopped:
        return f"Stopped early at epoch {epochs} (best epoch {ended.best_epoch}){metrics}"
    return f"Finished {epochs} epochs{metrics}"
