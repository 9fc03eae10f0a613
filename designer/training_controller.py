"""Training from the window: asks the engine for a job (``engine.run.make_job``) on an
immutable snapshot of the design, runs it in the training process (TrainingRunner),
locks the editor meanwhile, and stores what comes back (weights, history,
preprocessing, the last checkpoint) in the document through a command.

States: idle -> (loading ->) running <-> paused -> idle; "loading" only when the
project's data is not prepared yet (a project just opened): it loads on a worker, and
the run starts when it is ready (Stop cancels). Errors before the start (no data, a broken
design, bad settings) and in the training process become a message box with the
details; the app stays usable. The run's checkpoints arrive as it goes, so when the
training process dies the weights and state of the last one are kept, and Continue
goes on from any checkpoint the project holds (after Stop, a reopened project, a crash).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from engine.errors import NeuroCanvasError
from engine.events import Diverged, Finished, RunResult, Stopped
from engine.run import ResumeError, TrainingJob, make_job, preprocessing

from .background import BackgroundCall
from .datasets import DataCache, data_seed, error_text, prepare_or_error, source_name
from .editor import Editor
from .runner import TrainingRunner
from .style import noun

LOCK_REASON = ("Training is running: the design is locked until it stops. "
               "Press Stop to edit again.")


class TrainingController(QObject):
    state_changed = Signal(str)  # "idle", "running" or "paused"
    message = Signal(str)  # for the status bar
    run_started = Signal(object)  # (engine Started event, PreparedData)
    progress = Signal(object)  # engine Progress: batches, epochs, probe snapshots
    run_finished = Signal(object)  # engine RunResult (after the document has it)
    run_failed = Signal(str, str)  # message, details
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
        self.runner.progress.connect(self.progress)
        self.runner.refused.connect(self.message)  # the status bar says it; the run goes on
        self.runner.checkpointed.connect(self._checkpointed)
        self.latest_checkpoint = None  # of the run going on, as the process sent it
        self.loader = BackgroundCall(self)  # prepares data not loaded yet, then starts
        self.loader.finished.connect(self._data_loaded)
        self._pending = None  # (step_only, resume) of a start waiting for its data
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)
        self.runner.running_changed.connect(self._running_changed)
        self.doc.project_changed.connect(lambda _name: self._set_state(self.state))
        self.doc.document_reset.connect(lambda: self._set_state(self.state))
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
        self.action_continue = self._action(
            "action_continue", "&Continue training", self.continue_run,
            "Go on from the last checkpoint (after Stop, a reopened project or a crash) "
            "up to the Epochs setting", "Ctrl+F5")
        self.action_continue.setIconText("Continue")  # buttons and toolbars: short
        self.action_pause = self._action("action_pause", "&Pause", self.pause,
                                         "Pause after the current batch", "F6")
        self.action_resume = self._action("action_resume", "&Resume", self.resume,
                                          "Go on training", "F6")
        self.action_step = self._action("action_step", "S&tep", self.step,
                                        "Train one batch, then pause", "F7")
        self.action_stop = self._action("action_stop", "St&op", self.stop,
                                        "Stop after the current batch and keep the weights",
                                        "Shift+F5")
        self.actions = [self.action_train, self.action_continue, self.action_pause,
                        self.action_resume, self.action_step, self.action_stop]
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
        self.action_train.setEnabled(idle)  # (not while loading: the run is on its way)
        self.action_continue.setEnabled(idle and self.doc.project.checkpoint is not None)
        self.action_pause.setEnabled(state == "running")
        self.action_pause.setVisible(state != "paused")
        self.action_resume.setEnabled(state == "paused")
        self.action_resume.setVisible(state == "paused")
        self.action_step.setEnabled(state in ("idle", "paused"))
        self.action_stop.setEnabled(not idle)
        self.state_changed.emit(state)

    # ---- verbs ---------------------------------------------------------------------
    def _check_ready(self) -> None:
        """Raise NeuroCanvasError when there is no data or the design has problems."""
        if not self.doc.project.data:
            raise NeuroCanvasError("This project has no data yet: choose some in the Data "
                                   "panel and press Load and use.")
        problems = self.doc.report.problems
        if problems:
            raise NeuroCanvasError("The design has problems to fix first:\n" +
                                   "\n".join(f"\u2022 {p.message}" for p in problems[:6]))

    def _data_args(self) -> tuple:
        project = self.doc.project
        return project.data, data_seed(project.training), self.base_dir()

    def make_job(self, resume=None, data=None) -> TrainingJob:
        """The engine's job for the design, data and settings as they are now (checked
        there, once); raises NeuroCanvasError (ResumeError: what changed since ``resume``).
        Without ``data`` the data is prepared here, in the calling thread."""
        self._check_ready()
        project = self.doc.project
        data = data if data is not None else self.cache.prepare(*self._data_args())
        return make_job(self.doc.spec(), data, project.training, data_config=project.data,
                        resume=resume, probe=self.action_probe.isChecked())

    def start(self, step_only: bool = False, resume=None) -> bool:
        """Start a run (``resume``: go on from that checkpoint). When the data is not
        prepared yet it loads on a worker first; True when a run or that load began."""
        if self.state != "idle":
            return False
        try:
            self._check_ready()
        except NeuroCanvasError as exc:
            self.show_error("Cannot start training", error_text(exc), "")
            return False
        data = self.cache.get(*self._data_args())
        if data is None:
            return self._load_then_start(step_only, resume)
        try:
            job = self.make_job(resume, data)
        except ResumeError as exc:
            return self._offer_fresh_start(exc, step_only)
        except (NeuroCanvasError, OSError, ValueError) as exc:
            self.show_error("Cannot start training", error_text(exc), "")
            return False
        self.job, self.latest_checkpoint = job, None
        self.editor.set_locked(LOCK_REASON)
        self.runner.start(job)
        if step_only:
            self.runner.step()
        self._set_state("paused" if step_only else "running")
        where = f" from {resume.describe()}" if resume is not None else ""
        self.message.emit(f"Training one batch{where}" if step_only else
                          f"Training {'continued' if resume is not None else 'started'}{where}")
        return True

    def _load_then_start(self, step_only: bool, resume) -> bool:
        args = self._data_args()
        if not self.loader.start(partial(prepare_or_error, self.cache, *args)):
            return False  # shut down: the window is closing
        self._pending = (step_only, resume)
        self._set_state("loading")
        self.message.emit(f"Loading {source_name(args[0])} before training\u2026")
        return True

    def _data_loaded(self, result, error) -> None:
        pending, self._pending = self._pending, None
        if pending is None:  # Stop pressed meanwhile (the state is idle already)
            self.message.emit("Training cancelled")
            return
        data, exc = result if error is None else (None, None)
        if data is None:
            self._set_state("idle")
            self.show_error("Cannot start training",
                            error_text(exc) if exc is not None else error or "", "")
            return
        # Straight on to running (no idle in between: whoever waits for the run's end
        # watches for idle); start() finds the data prepared now, or loads other data
        # if the project's changed meanwhile.
        self.state = "idle"
        if not self.start(*pending):
            self._set_state("idle")

    def continue_run(self) -> bool:
        """Go on from the project's checkpoint, up to the Epochs setting."""
        checkpoint = self.doc.project.checkpoint
        if self.state != "idle" or checkpoint is None:
            return False
        epochs = int(self.doc.project.training.get("epochs", 20))
        if checkpoint.batch == 0 and checkpoint.epoch > epochs:
            self.show_error("Nothing left to train",
                            f"The run has done its {checkpoint.epoch - 1} epochs. Raise "
                            f"Epochs in the Training panel (it counts the whole run) and "
                            f"press Continue again.", "")
            return False
        return self.start(resume=checkpoint)

    def _offer_fresh_start(self, exc: ResumeError, step_only: bool) -> bool:
        box = QMessageBox(QMessageBox.Question, "Cannot continue this run",
                          "The project changed since its checkpoint:\n\n" +
                          "\n".join(f"\u2022 {c}" for c in exc.changes) +
                          "\n\nStart a fresh run instead?",
                          QMessageBox.Yes | QMessageBox.Cancel, self.window)
        box.setObjectName("resume_changed")
        box.setTextFormat(Qt.PlainText)  # the changes name layers
        box.button(QMessageBox.Yes).setText("Start afresh")
        self.error_box = box
        box.buttonClicked.connect(lambda button: box.standardButton(button) == QMessageBox.Yes
                                  and self.start(step_only))
        box.open()
        return False

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
        if self.state == "loading":
            self._pending = None  # the load ends on its own; nothing starts after it
            self._set_state("idle")
        elif self.state != "idle":
            self.runner.stop()
            self.message.emit("Stopping\u2026")

    def shutdown(self) -> bool:
        self._pending = None
        return self.loader.shutdown() and self.runner.shutdown()

    @property
    def running(self) -> bool:
        return self.runner.running

    def request_sample(self, x, target=None, class_names=()) -> bool:
        """Push one sample through the network being trained (the answer comes in a
        later ``progress`` as ``snapshot.tried``); False when no run can answer."""
        return self.runner.request_sample(x, target, class_names)

    # ---- runner signals ------------------------------------------------------------
    def _started(self, event) -> None:
        if self.job is not None:
            self.run_started.emit((event, self.job.data))

    def _checkpointed(self, checkpoint) -> None:
        self.latest_checkpoint = checkpoint

    def _finished(self, result: RunResult) -> None:
        self.last_result = result
        self.editor.set_locked("")
        if not result.weights or self.job is None:
            return
        ended = result.ended
        epochs = len(ended.history)
        self.editor.set_results(results_of(result), f"Train ({epochs} {noun(epochs, 'epoch')})")
        self.run_finished.emit(result)
        text = describe_end(ended, result.test)
        self.run_ended.emit(text)
        self.message.emit(text)

    def _failed(self, message: str, details: str) -> None:
        self.editor.set_locked("")
        kept = self._keep_last_checkpoint()
        self.run_failed.emit(message, details)
        self.show_error("Training failed", message + kept, details)
        self.run_ended.emit(f"Training failed: {message}{kept}")

    def checkpoint_results(self, why: str) -> dict | None:
        """The project's result fields from the running job's latest checkpoint (for
        a crash, or an autosave while a run goes); None when there is none."""
        checkpoint, job = self.latest_checkpoint, self.job
        if checkpoint is None or job is None:
            return None
        info = preprocessing(job, None, {}, checkpoint.design)
        info["message"] = f"{why} at {checkpoint.describe()}"
        return {"weights": checkpoint.weights, "history": list(checkpoint.history),
                "preprocessing": info, "checkpoint": checkpoint}

    def _keep_last_checkpoint(self) -> str:
        """After a crash: the weights and state of the run's last checkpoint go into
        the project, so nothing learned before it is lost and Continue goes on."""
        results = self.checkpoint_results("Training process ended")
        self.latest_checkpoint = None
        if results is None:
            return ""
        where = results["checkpoint"].describe()
        self.editor.set_results(results, f"Keep checkpoint ({where})")
        return (f"\n\nThe last checkpoint ({where}) is kept: "
                f"Training \u203a Continue training goes on from it.")

    def _running_changed(self, running: bool) -> None:
        if not running:
            self.editor.set_locked("")
            self._set_state("idle")

    def show_error(self, title: str, text: str, details: str) -> None:
        """A non-blocking message box (details under "Show Details...")."""
        box = QMessageBox(QMessageBox.Critical, title, text, QMessageBox.Ok, self.window)
        box.setObjectName("training_error")
        box.setTextFormat(Qt.PlainText)  # errors name layers, columns and files
        if details:
            box.setDetailedText(details)
        self.error_box = box
        box.open()
        self.message.emit(f"{title}: {text.splitlines()[0] if text else ''}")


def results_of(result: RunResult) -> dict:
    """The document's result fields for a finished run."""
    return {"weights": result.weights, "history": list(result.ended.history),
            "preprocessing": result.preprocessing,
            "checkpoint": result.checkpoint}


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
        return (f"Stopped after {epochs} {noun(epochs, 'epoch')}; the weights so far are "
                f"kept{metrics}")
    if isinstance(ended, Finished) and ended.early_stopped:
        return f"Stopped early at epoch {epochs} (best epoch {ended.best_epoch}){metrics}"
    return f"Finished {epochs} {noun(epochs, 'epoch')}{metrics}"
