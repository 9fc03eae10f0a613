"""File > Export...: the trained model as NumPy .npz, safetensors, ONNX or a PyTorch
folder, with an optional parity check. The export runs on a worker thread (the dialog
shows export_model's progress and stays responsive); the result says what was written
and the parity figure, or what failed."""
from __future__ import annotations

import traceback
from pathlib import Path

from PySide6.QtCore import QThread, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar,
                               QPushButton, QVBoxLayout, QWidget)

from engine.errors import NeuroCanvasError
from engine.io.export import FORMATS, SUFFIXES, export_model, missing_packages

from .. import style
from ..rich_text import as_plain, escape

UNTRAINED = "Train the network first"


class ExportWorker(QThread):
    progressed = Signal(float, str)
    done = Signal(object)  # ExportResult
    failed = Signal(str, str)

    def __init__(self, project, fmt: str, path: str, parity: bool):
        super().__init__()
        self.project, self.fmt, self.path, self.parity = project, fmt, path, parity

    def run(self) -> None:
        try:
            result = export_model(self.project, self.fmt, self.path, self.parity,
                                  progress=self.progressed.emit)
        except NeuroCanvasError as exc:
            self.failed.emit(str(exc), traceback.format_exc())
        except OSError as exc:  # a read-only folder, a full disk: said as the CLI says it
            where = f"{exc.filename}: " if exc.filename else ""
            self.failed.emit(f"{where}{exc.strerror or exc}", traceback.format_exc())
        except Exception as exc:  # noqa: BLE001 - shown to the person, never a crash
            self.failed.emit(f"{type(exc).__name__}: {exc}", traceback.format_exc())
        else:
            self.done.emit(result)


class ExportDialog(QDialog):
    def __init__(self, project, trained_reason: str, default_dir: Path, name: str,
                 parent: QWidget | None = None):
        """``project``: an engine Project snapshot; ``trained_reason``: "" when the
        project can be exported, else why not (shown, and Export stays disabled)."""
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export trained model")
        self.project, self.reason = project, trained_reason
        self.default_dir, self.name = Path(default_dir), name
        self.worker: ExportWorker | None = None
        self.export_result = None
        self._build()
        self._format_changed()

    def _build(self) -> None:
        column = QVBoxLayout(self)
        form = QFormLayout()
        self.format_combo = QComboBox()
        self.format_combo.setObjectName("export_format")
        for key, title in FORMATS.items():
            self.format_combo.addItem(title + (" folder" if key == "pytorch" else ""), key)
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        form.addRow("Format", self.format_combo)
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("export_path")
        self.path_edit.setMinimumWidth(360)
        browse = QPushButton("Browse\u2026")
        browse.setObjectName("export_browse")
        browse.clicked.connect(self._browse)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form.addRow("Save to", row)
        self.parity_box = QCheckBox("Include parity check (run the export and compare "
                                    "with NeuroCanvas)")
        self.parity_box.setObjectName("export_parity")
        self.parity_box.setChecked(True)
        form.addRow("", self.parity_box)
        column.addLayout(form)
        self.note = QLabel()
        self.note.setObjectName("export_note")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(f"color: {style.NODE_SUBTLE_TEXT.name()};")
        column.addWidget(self.note)
        self.progress = QProgressBar()
        self.progress.setObjectName("export_progress")
        self.progress.setRange(0, 100)
        self.progress.setFormat("%p%  ")
        self.progress.hide()
        column.addWidget(self.progress)
        self.outcome = QLabel()
        self.outcome.setObjectName("export_result")
        self.outcome.setWordWrap(True)
        self.outcome.setTextFormat(Qt.RichText)  # what it says of files and layers: escaped
        self.outcome.setMinimumWidth(460)
        column.addWidget(self.outcome)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.AcceptRole)
        self.export_button.setObjectName("export_run")
        self.buttons.accepted.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)
        if self.reason:
            self.outcome.setText(f"<b>{UNTRAINED}.</b> {escape(self.reason)}")
            self.outcome.setStyleSheet(f"color: {style.ERROR.name()};")
            self.export_button.setEnabled(False)
            self.export_button.setToolTip(UNTRAINED)

    @property
    def fmt(self) -> str:
        return self.format_combo.currentData()

    def _format_changed(self) -> None:
        fmt = self.fmt
        stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.name) or "model"
        current = Path(self.path_edit.text()) if self.path_edit.text() else \
            self.default_dir / stem
        base = current.with_suffix("") if current.suffix in SUFFIXES.values() else current
        if fmt == "pytorch":
            base = base.with_name(base.name + "_pytorch") if not base.name.endswith(
                "_pytorch") else base
        else:
            base = base.with_name(base.name.removesuffix("_pytorch"))
        self.path_edit.setText(str(base) + SUFFIXES[fmt])
        missing, check_missing = missing_packages(fmt)
        notes = {"pytorch": "A folder with model.py, weights.safetensors and a README.",
                 "onnx": "One .onnx file (opset 17) with input standardisation inside.",
                 "npz": "Weights by layer name with the design, readable with NumPy alone.",
                 "safetensors": "Weights by layer name, for tools that read safetensors."}
        note = notes[fmt]
        if missing:
            note += f" Needs {', '.join(missing)}, which is not installed."
        if check_missing:
            note += (f" The parity check needs {', '.join(check_missing)} (not installed): "
                     f"a check script is written to run elsewhere.")
        self.note.setText(note)
        if not self.reason:
            self.export_button.setEnabled(not missing)

    def _browse(self) -> None:
        if self.fmt == "pytorch":
            path = QFileDialog.getExistingDirectory(self, "Export folder", self.path_edit.text())
        else:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export to", self.path_edit.text(),
                f"{FORMATS[self.fmt]} (*{SUFFIXES[self.fmt]})")
        if path:
            self.path_edit.setText(path)

    def target_path(self) -> Path:
        """The typed path as a shell would read it: '~' is the home folder (no shell
        expands it here: '~/m.npz' went into a folder named '~' wherever the app was
        started), and a relative path is taken from the project's folder."""
        path = Path(self.path_edit.text().strip()).expanduser()
        return path if path.is_absolute() else self.default_dir / path

    def start_export(self) -> None:
        if self.reason or self.worker is not None or not self.path_edit.text().strip():
            return
        self.export_button.setEnabled(False)
        self.progress.show()
        self.progress.setValue(0)
        self.outcome.setStyleSheet("")
        self.outcome.setText("Exporting\u2026")
        worker = ExportWorker(self.project, self.fmt, str(self.target_path()),
                              self.parity_box.isChecked())
        worker.progressed.connect(self._progressed)
        worker.done.connect(self._done)
        worker.failed.connect(self._failed)
        worker.finished.connect(self._worker_finished)
        self.worker = worker
        worker.start()

    def _progressed(self, fraction: float, text: str) -> None:
        self.progress.setValue(int(100 * fraction))
        self.progress.setFormat(f"%p%  {text}")

    def _done(self, result) -> None:
        self.export_result = result
        colour = {True: style.VALID.name(), False: style.ERROR.name()}.get(
            result.passed, style.NODE_TEXT.name())
        files = "<br>".join(escape(p) for p in result.paths[:4])
        figure = (f"<br><b>Parity</b>: max abs diff {result.max_abs_diff:.3g} "
                  f"(tolerance {result.tolerance:g}) \u2014 "
                  f"{'passed' if result.passed else 'FAILED'}"
                  if result.max_abs_diff is not None else "")
        self.outcome.setText(f"<span style='color:{colour}'>{escape(result.message)}</span>{figure}"
                             f"<br><span style='color:{style.NODE_SUBTLE_TEXT.name()}'>"
                             f"{files}</span>")

    def _failed(self, message: str, details: str) -> None:
        self.outcome.setStyleSheet(f"color: {style.ERROR.name()};")
        self.outcome.setText(f"Export failed: {escape(message)}")
        self.outcome.setToolTip(as_plain(details))

    def _worker_finished(self) -> None:
        if self.worker is not None:
            self.worker.wait()
        self.worker = None
        self.progress.setValue(100)
        self.export_button.setEnabled(True)

    def done(self, code: int) -> None:  # close/reject: never leave the thread running
        if self.worker is not None:
            self.worker.wait()
            self.worker = None
        super().done(code)


def export_problem(doc) -> str:
    """"" when the document holds weights for its design, else why it cannot export."""
    if doc.project.weights is None:
        return "This design has no trained weights yet: press Train, then export."
    if doc.weights_stale:
        return "The design changed since training, so its weights no longer fit: train again."
    return ""


def open_export_dialog(window, editor, projects) -> ExportDialog:
    """File > Export...: a modeless dialog over the window (kept on ``window``)."""
    from ..projects import project_from_document

    doc = editor.doc
    folder = projects.path.parent if projects.path else Path.home()
    dialog = ExportDialog(project_from_document(editor), export_problem(doc), folder,
                          doc.project.name, window)
    window.export_dialog = dialog
    dialog.open()
    return dialog
