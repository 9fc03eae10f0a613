"""Autosave and recovery, as Qt Creator and KiCad do them: nothing is lost when the
window or the machine dies.

While the window lives, the open project (design, data, settings, results and the
latest checkpoint of a run) is written to a recovery file every minute when it has
unsaved changes, and after each run (or a run's crash). A normal save, or a close that
saved or discarded the changes, removes it. Each window's file is named by its process
and carries a note of the project's own file; at the next launch, a recovery file whose
process is gone (a crash, ``kill -9``, a power cut) is offered for restoring.

Files live under the platform's application-data folder (``recovery/``), or
``NEUROCANVAS_RECOVERY_DIR`` when set (the tests use it).
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, QTimer
from PySide6.QtWidgets import QMessageBox

from engine.atomic import write_atomic
from engine.errors import NeuroCanvasError
from engine.project import save_project

from .projects import ProjectController, project_from_document
from .rich_text import as_plain

AUTOSAVE_MS = 60_000
FOLDER_VARIABLE = "NEUROCANVAS_RECOVERY_DIR"


def recovery_folder() -> Path:
    configured = os.environ.get(FOLDER_VARIABLE)
    if configured:
        return Path(configured)
    base = QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)
    return Path(base or Path.home() / ".neurocanvas") / "recovery"


@dataclass(frozen=True)
class Recovery:
    """An autosaved project left by a window that did not close."""

    project: Path  # the autosaved .ncproj
    note: Path  # its JSON note: process, the project's own file, when
    original: Path | None  # the file the work belonged to (None: never saved)
    name: str
    saved_at: float

    def discard(self) -> None:
        for path in (self.project, self.note):
            try:
                path.unlink()
            except FileNotFoundError:
                pass


class Autosave(QObject):
    """Writes this window's recovery file while there is unsaved work."""

    def __init__(self, projects: ProjectController, training, parent=None,
                 folder: Path | None = None, interval_ms: int = AUTOSAVE_MS):
        super().__init__(parent)
        self.projects, self.editor, self.training = projects, projects.editor, training
        folder = folder or recovery_folder()
        self.project_path = folder / f"session-{os.getpid()}-{id(self):x}.ncproj"
        self.note_path = self.project_path.with_suffix(".json")
        self.error = ""  # the last write's problem, if any (shown by whoever asks)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.write_if_needed)
        self.timer.start(interval_ms)
        training.run_ended.connect(lambda _text: self.write())  # a run's results
        self.editor.stack.cleanChanged.connect(self._clean_changed)

    def write_if_needed(self) -> bool:
        if self.editor.stack.isClean() and self._running_results() is None:
            return False
        return self.write()

    def _running_results(self) -> dict | None:
        """While a run goes: its latest checkpoint as the project's results, so a window
        killed mid-run loses at most a minute of training."""
        if self.training.state == "idle":
            return None
        return self.training.checkpoint_results("Autosaved during a run")

    def write(self) -> bool:
        """Write the recovery file now; False (and ``error``) when it could not be."""
        try:
            self.project_path.parent.mkdir(parents=True, exist_ok=True)
            project = project_from_document(self.editor)
            running = self._running_results()
            if running is not None:
                project = replace(project, **running)
            save_project(project, self.project_path)
            path = self.projects.path
            note = {"pid": os.getpid(), "original": str(path) if path else None,
                    "name": self.editor.doc.project.name, "saved_at": time.time()}
            write_atomic(self.note_path, json.dumps(note).encode("utf-8"))
        except (NeuroCanvasError, OSError, ValueError) as exc:
            self.error = f"Autosave failed: {exc}"
            return False
        self.error = ""
        return True

    def discard(self) -> None:
        """The work is saved or given up: no recovery file any more."""
        Recovery(self.project_path, self.note_path, None, "", 0.0).discard()

    def _clean_changed(self, clean: bool) -> None:
        if clean:  # saved (or every change undone): nothing to recover
            self.discard()


def pending_recoveries(folder: Path | None = None) -> list[Recovery]:
    """Recovery files whose window's process is gone, newest first."""
    folder = folder or recovery_folder()
    found = []
    for note_path in sorted(folder.glob("session-*.json")) if folder.is_dir() else []:
        try:
            note = json.loads(note_path.read_text(encoding="utf-8"))
            pid, saved_at = int(note["pid"]), float(note["saved_at"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        project = note_path.with_suffix(".ncproj")
        if _alive(pid) or not project.is_file():
            continue
        original = note.get("original")
        found.append(Recovery(project, note_path, Path(original) if original else None,
                              str(note.get("name") or "Untitled"), saved_at))
    return sorted(found, key=lambda r: -r.saved_at)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process of that number: not ours, gone
        return False
    return True


def offer_recovery(window, folder: Path | None = None) -> bool:
    """At launch: offer the newest recovery file left by a window that died. Restore
    opens it (marked unsaved, saving to the project's own file); Discard deletes it.
    True when something was restored."""
    found = pending_recoveries(folder)
    if not found:
        return False
    newest = found[0]
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(newest.saved_at))
    where = f" ({newest.original.name})" if newest.original else ""
    answer = QMessageBox.question(
        window, "Recover unsaved work",
        as_plain(f"NeuroCanvas did not close properly last time. Work on {newest.name}{where} "
                 f"was saved automatically at {when}.\n\nRestore it?"),
        QMessageBox.Yes | QMessageBox.Discard, QMessageBox.Yes)
    if answer != QMessageBox.Yes:
        newest.discard()
        return False
    if not window.projects.restore(newest.project, newest.original):
        return False
    newest.discard()  # the work is in this window now, autosaved again from here
    return True
