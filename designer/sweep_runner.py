"""Runs a sweep for the window: the engine's scheduler (``engine.sweep.scheduler``) on a
thread of its own, its typed events relayed as Qt signals in the GUI thread.

The trials train in processes of their own (as a single run does), on a copy of the
project written to a private folder when the sweep starts, so editing the design while
a sweep runs changes nothing in it. ``stop`` cancels every trial; ``shutdown`` (the
window closing) cancels and waits until every trial process has gone.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from engine.project import Project, save_project
from engine.sweep.scheduler import (SweepEnded, SweepScheduler, TrialEnded, TrialEpoch,
                                    TrialStarted)


class _SweepThread(QThread):
    event = Signal(object)
    failed = Signal(str)

    def __init__(self, scheduler: SweepScheduler):
        super().__init__()
        self.scheduler = scheduler

    def run(self) -> None:
        try:
            for event in self.scheduler.run():
                self.event.emit(event)
        except Exception as exc:  # noqa: BLE001 - a message in the view, not a dead thread
            self.failed.emit(f"The sweep broke: {type(exc).__name__}: {exc}")


class SweepRunner(QObject):
    trial_started = Signal(object)  # TrialStarted
    trial_epoch = Signal(object)  # TrialEpoch
    trial_ended = Signal(object)  # TrialEnded
    finished = Signal(object)  # the sweep's record (a dict; Signal(dict) would sort its keys)
    failed = Signal(str)
    running_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._worker: _SweepThread | None = None
        self._folder: str | None = None
        self.discard = False  # the result is not wanted (another project was opened)

    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(self, project: Project, project_dir: Path | None, trials: list[dict],
              setup: dict, parallel: int, epochs: int | None) -> None:
        """Start the trials of a sweep of ``project`` (the document's snapshot)."""
        if self.running:
            return
        self._folder = tempfile.mkdtemp(prefix="neurocanvas-sweep-")
        path = Path(self._folder) / "sweep.ncproj"
        bare = replace(project, weights=None, checkpoint=None, history=[],
                       preprocessing=None, sweeps=[], notes=[])
        save_project(bare, path)
        scheduler = SweepScheduler(path, trials, parallel=parallel, epochs=epochs,
                                   base_dir=project_dir or Path.cwd(), setup=setup)
        worker = self._worker = _SweepThread(scheduler)
        worker.event.connect(self._relay)
        worker.failed.connect(self._failed)
        worker.finished.connect(self._thread_done)
        self.discard = False
        worker.start()
        self.running_changed.emit(True)

    def stop(self, discard: bool = False) -> None:
        if self._worker is not None:
            self.discard = self.discard or discard
            self._worker.scheduler.cancel()

    def pids(self) -> list[int]:
        return self._worker.scheduler.pids() if self._worker is not None else []

    def shutdown(self, timeout_ms: int = 15000) -> bool:
        """Cancel and wait for the thread (which waits for every trial process)."""
        worker = self._worker
        if worker is None:
            return True
        self.stop(discard=True)
        return worker.wait(timeout_ms)

    def _relay(self, event) -> None:
        if isinstance(event, TrialStarted):
            self.trial_started.emit(event)
        elif isinstance(event, TrialEpoch):
            self.trial_epoch.emit(event)
        elif isinstance(event, TrialEnded):
            self.trial_ended.emit(event)
        elif isinstance(event, SweepEnded) and not self.discard:
            self.finished.emit(event.sweep)

    def _failed(self, message: str) -> None:
        if not self.discard:
            self.failed.emit(message)

    def _thread_done(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.wait()
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        self.running_changed.emit(False)
