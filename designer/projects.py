"""Project files in the window: new (from templates), open, save, save as, recent files,
examples, the "unsaved changes" prompt and the window title.

Opening validates the whole file (engine.project.load_project) before touching the
document, so a file that fails to load leaves the current design exactly as it was.
The document holds the engine's Project (data, settings, results, checkpoint) beside
the design it edits; ``NetworkDocument.snapshot`` joins them for saving.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from engine.errors import NeuroCanvasError
from engine.project import Project, load_project, save_project
from engine.resources import examples_dir

from .editor import Editor
from .model.templates import build_template
from .rich_text import as_plain

FILE_FILTER = "NeuroCanvas projects (*.ncproj);;All files (*)"
MAX_RECENT = 8
EXAMPLES_DIR = examples_dir()  # the checkout's, an installed wheel's or a bundle's


def example_paths() -> list[Path]:
    return sorted(EXAMPLES_DIR.glob("*.ncproj")) if EXAMPLES_DIR.is_dir() else []


ACRONYMS = {"mlp", "cnn", "lstm", "gru", "rnn", "xor"}


def example_title(path: Path) -> str:
    """``cnn_digits.ncproj`` -> "CNN digits"."""
    words = [w.upper() if w in ACRONYMS else w for w in Path(path).stem.split("_")]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


def default_example() -> Path | None:
    """The example the app opens with: digits MLP, else XOR, else the first there is."""
    paths = example_paths()
    for stem in ("digits_mlp", "xor"):
        for path in paths:
            if path.stem == stem:
                return path
    return paths[0] if paths else None


def project_from_document(editor: Editor) -> Project:
    """The document's project for a file: weights of layers since deleted are left out
    (they would make the file unreadable), and so is a checkpoint of such a design."""
    project = editor.doc.snapshot()
    ids = {layer.id for layer in project.spec.layers}
    weights, checkpoint = project.weights, project.checkpoint
    if weights is not None:
        weights = {k: v for k, v in weights.items() if k.split("/", 1)[0] in ids}
    if checkpoint is not None and any(k.split("/", 1)[0] not in ids for k in checkpoint.weights):
        checkpoint = None  # it could not go on anyway
    return replace(project, weights=weights, checkpoint=checkpoint)


class ProjectController(QObject):
    path_changed = Signal(object)   # Path | None
    title_changed = Signal(str)
    recent_changed = Signal(list)
    message = Signal(str)

    def __init__(self, editor: Editor, settings: QSettings, window: QWidget):
        super().__init__(window)
        self.editor, self.settings, self.window = editor, settings, window
        self.path: Path | None = None
        editor.stack.cleanChanged.connect(self._clean_changed)

    # ---- title and state -----------------------------------------------------------
    @property
    def modified(self) -> bool:
        return not self.editor.stack.isClean()

    def title(self) -> str:
        name = self.path.name if self.path else f"{self.editor.doc.project.name}"
        return f"{name}{' *' if self.modified else ''} \u2014 NeuroCanvas"

    def _clean_changed(self, _clean: bool) -> None:
        # The stack also emits while the window is being destroyed: stay quiet then.
        if shiboken6.isValid(self.editor.stack) and shiboken6.isValid(self):
            self._emit_title()

    def _emit_title(self) -> None:
        self.title_changed.emit(self.title())

    def _set_path(self, path: Path | None) -> None:
        self.path = path
        self.path_changed.emit(path)
        self._emit_title()

    # ---- new, open, save -----------------------------------------------------------
    def refused_while_running(self, what: str) -> bool:
        """True (and the status bar says why) while a run locks the editor: every way
        to replace the project asks here first, because the run would go on and its
        results land in the new project. Menus are disabled too; this holds for calls
        from anywhere (recent files, the start page, lessons' links, scripts)."""
        reason = self.editor.locked
        if reason:
            self.message.emit(f"Cannot {what} now. {reason}")
        return bool(reason)

    def new_from_template(self, key: str) -> bool:
        if self.refused_while_running("start a new project"):
            return False
        template = build_template(key)
        if not template.available or not self.maybe_save():
            return False
        self.editor.load(template.spec, template.layout,
                         Project(template.spec, template.layout, template.data or {},
                                 name=template.title))
        self._set_path(None)
        return True

    def open_dialog(self) -> bool:
        if self.refused_while_running("open another project") or not self.maybe_save():
            return False
        start = str(self.path.parent) if self.path else str(EXAMPLES_DIR)
        path, _ = QFileDialog.getOpenFileName(self.window, "Open project", start, FILE_FILTER)
        return self.open_path(path, ask=False) if path else False

    def open_path(self, path, ask: bool = True) -> bool:
        """Open a project; on failure say what is wrong and keep the current design."""
        if self.refused_while_running("open another project"):
            return False
        if ask and not self.maybe_save():
            return False
        path = Path(path)
        try:
            project = load_project(path)
        except (NeuroCanvasError, OSError, ValueError) as exc:
            QMessageBox.critical(self.window, "Cannot open project",
                                 as_plain(f"NeuroCanvas cannot open {path.name}:\n\n{exc}\n\n"
                                          f"Your current design is unchanged."))
            return False
        self.editor.load(project.spec, project.layout, project)
        if project.notes:  # weights that do not fit the design were set aside
            QMessageBox.warning(self.window, "Weights set aside",
                                as_plain(f"{path.name} opened without its trained weights.\n\n"
                                         + "\n\n".join(project.notes) +
                                         "\n\nThe file itself is unchanged."))
        self._set_path(path if not _is_example(path) else None)
        if not _is_example(path):
            self.add_recent(path)
        self.message.emit(f"Opened {path.name}")
        return True

    def open_project(self, project: Project, what: str) -> bool:
        """Open a project made in memory (a lesson's set-up) as untitled work, after
        the unsaved-changes question; ``what`` names it in the status bar."""
        if self.refused_while_running(f"open {what}") or not self.maybe_save():
            return False
        self.editor.load(project.spec, project.layout, project)
        self._set_path(None)
        self.message.emit(f"Opened {what}")
        return True

    def restore(self, recovered: Path, original: Path | None) -> bool:
        """Open an autosaved project as unsaved work on ``original`` (its own file, if
        it had one): Save writes there, the title shows the changes."""
        if self.refused_while_running("restore the autosaved work"):
            return False
        try:
            project = load_project(recovered)
        except (NeuroCanvasError, OSError, ValueError) as exc:
            QMessageBox.critical(self.window, "Cannot restore",
                                 as_plain(f"The autosaved work cannot be opened:\n\n{exc}"))
            return False
        self.editor.load(project.spec, project.layout, project)
        self._set_path(original if original is not None and not _is_example(original)
                       else None)
        self.editor.stack.resetClean()  # unsaved until saved
        self.message.emit("Restored the autosaved work")
        return True

    def save(self) -> bool:
        return self.save_to(self.path) if self.path else self.save_as()

    def save_as(self) -> bool:
        start = str(self.path) if self.path else str(Path.home() / f"{self._file_stem()}.ncproj")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save project as", start, FILE_FILTER)
        if not path:
            return False
        if not path.endswith(".ncproj"):
            path += ".ncproj"
        return self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        try:
            save_project(project_from_document(self.editor), path)
        except (NeuroCanvasError, OSError, ValueError) as exc:
            QMessageBox.critical(self.window, "Cannot save project",
                                 as_plain(f"NeuroCanvas could not save {path}:\n\n{exc}"))
            return False
        self.editor.stack.setClean()
        self._set_path(Path(path))
        self.add_recent(Path(path))
        self.message.emit(f"Saved {Path(path).name}")
        return True

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False means the user cancelled."""
        if not self.modified:
            return True
        answer = QMessageBox.question(
            self.window, "Unsaved changes",
            as_plain(f"Save the changes to {self.path.name if self.path else 'this design'}?"),
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if answer == QMessageBox.Save:
            return self.save()
        return answer == QMessageBox.Discard

    def _file_stem(self) -> str:
        return "".join(c if c.isalnum() or c in "-_" else "_"
                       for c in self.editor.doc.project.name) or "design"

    # ---- recent files --------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        # Files moved or deleted since are left out (the list is pruned when next written).
        return [p for p in (value or []) if isinstance(p, str) and Path(p).is_file()]

    def add_recent(self, path: Path) -> None:
        path_text = str(Path(path).resolve())
        files = [path_text] + [p for p in self.recent_files() if p != path_text]
        self.settings.setValue("recent_files", files[:MAX_RECENT])
        self.recent_changed.emit(files[:MAX_RECENT])

    def clear_recent(self) -> None:
        self.settings.setValue("recent_files", [])
        self.recent_changed.emit([])


def _is_example(path: Path) -> bool:
    """Examples open as untitled copies, so Save never overwrites the bundled file."""
    try:
        return Path(path).resolve().parent == EXAMPLES_DIR.resolve()
    except OSError:
        return False
