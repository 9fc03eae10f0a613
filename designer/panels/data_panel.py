"""The data panel: choose a built-in data set or import a file, with the loader's options
as forms generated from the engine's schemas, then "Load and use".

Loading prepares the data first and applies it only on success, as one undo step that
also fits the Input layer to the data ("Use data: digits"). An import error is shown
under the field that caused it (with its row and column); nothing changes then.

Preparing runs on a worker thread (a 38 MB CSV takes seconds): the window stays usable,
the button reads "Loading..." and the state line names what is loading. A result is
applied only if nothing newer was asked for meanwhile (see ``_is_current``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QFrame, QHBoxLayout,
                               QLabel, QLineEdit, QProgressBar, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from engine.data import BUILTINS, SOURCES
from engine.data.config import COMMON
from engine.params import Param

from .. import style, tab_order
from ..background import BackgroundCall
from ..datasets import (DataCache, data_key, data_seed, error_field, error_text,
                        prepare_or_error, source_name)
from ..editor import Editor
from ..freshness import Change, FreshView
from .data_preview import DataPreview
from .fields import make_field

SOURCE_TITLES = {"builtin": "Built-in data set", "csv": "CSV table", "npz": "NumPy .npz",
                 "images": "Image folder", "timeseries": "CSV time series",
                 "text": "Plain text (characters)"}
FOLDER_SOURCES = ("images",)
# Settings that hold lists: typed as comma-separated text
_TARGET = Param("target", "str", "", "The column to predict (for several: a, b).")
_FEATURES = Param("features", "str", "", "Input columns, comma-separated; empty: all others.")
LIST_PARAMS = {"csv": (_TARGET, _FEATURES), "timeseries": (_FEATURES,)}


@dataclass(frozen=True, eq=False)
class LoadRequest:
    """One load: the form's data to use, or the document's data to preview."""
    use: bool
    config: dict
    seed: int
    base_dir: Path | None
    generation: int  # the document's data generation when asked

    @property
    def key(self) -> str:
        return data_key(self.config, self.seed, self.base_dir)


class DataPanel(QScrollArea, FreshView):
    loaded = Signal(bool)  # once per load started: True when its data was used or previewed
    load_progressed = Signal(str, float)  # from the worker: stage, fraction done

    def __init__(self, editor: Editor, cache: DataCache,
                 base_dir: Callable[[], Path | None] = lambda: None, parent=None):
        super().__init__(parent)
        self.setObjectName("data_panel")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.editor, self.doc, self.cache, self.base_dir = editor, editor.doc, cache, base_dir
        self.source, self.values, self.options = "builtin", {}, {}
        self.fields, self.errors = {}, {}
        self.prepared = None
        self.loader = BackgroundCall(self)
        self.loader.finished.connect(self._loaded)
        self.load_progressed.connect(self._show_progress)
        self._running: LoadRequest | None = None
        self._queued_use: LoadRequest | None = None
        self._preview_asked = False
        self._generation = 0  # of the document's data: a load asked before it is stale
        self._shown_key: str | None = None  # the data the preview shows
        self._build()
        editor.lock_changed.connect(self._update_button)
        self._from_document()

    # ---- building ------------------------------------------------------------------
    def _build(self) -> None:
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(10, 10, 10, 10)
        column.setSpacing(8)
        top = QFormLayout()
        self.source_combo = QComboBox()
        self.source_combo.setObjectName("data_source")
        for key, title in SOURCE_TITLES.items():
            self.source_combo.addItem(title, key)
        self.source_combo.activated.connect(
            lambda i: self._choose_source(self.source_combo.itemData(i)))
        top.addRow("Source", self.source_combo)
        column.addLayout(top)
        self.form_host = QVBoxLayout()
        column.addLayout(self.form_host)
        self.form_widget: QWidget | None = None
        row = QHBoxLayout()
        self.load_button = QPushButton("Load and use")
        self.load_button.setObjectName("data_load")
        self.load_button.setToolTip("Load the data, fit the Input layer to it and use it "
                                    "for training")
        self.load_button.setDefault(True)
        self.load_button.clicked.connect(self.load_and_use)
        self.state = QLabel()
        self.state.setObjectName("data_state")
        self.state.setWordWrap(True)
        self.state.setTextFormat(Qt.PlainText)  # names the file
        row.addWidget(self.load_button)
        row.addWidget(self.state, 1)
        column.addLayout(row)
        self.busy_bar = QProgressBar()
        self.busy_bar.setObjectName("data_busy")
        self.busy_bar.setRange(0, 0)  # moving; the loaders' progress makes it a percentage
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumHeight(6)
        self.busy_bar.hide()
        column.addWidget(self.busy_bar)
        self.message = _error_label("data_message")
        column.addWidget(self.message)
        line = QFrame()
        line.setFrameShape(QFrame.HLine)
        line.setStyleSheet("color: #d0d4da;")
        column.addWidget(line)
        self.preview = DataPreview()
        column.addWidget(self.preview)
        column.addStretch(1)
        self.setWidget(body)

    def _params(self) -> list[Param]:
        if self.source == "builtin":
            return []
        return [p for p in SOURCES[self.source] if p.name != "path"] + \
            list(LIST_PARAMS.get(self.source, ()))

    def _rebuild_form(self) -> None:
        """The fields of the current source (and built-in data set), from the schemas."""
        if self.form_widget is not None:  # hidden now: deleteLater waits for the loop
            self.form_host.removeWidget(self.form_widget)
            self.form_widget.hide()
            self.form_widget.deleteLater()
        self.fields, self.errors = {}, {}
        self.form_widget = QWidget()
        form = QFormLayout(self.form_widget)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        if self.source == "builtin":
            self._add_builtin_chooser(form)
            for param in BUILTINS[self.values["name"]].schema:
                self._add_field(form, param, self.options, param.name)
        else:
            self._add_path_row(form)
            for param in self._params():
                self._add_field(form, param, self.values, param.name)
        for param in COMMON:
            self._add_field(form, param, self.values, param.name)
        self.form_host.addWidget(self.form_widget)
        self.form_widget.show()  # not left hidden when built while the dock is a back tab
        # Built after the Load button and the preview: put it back where it is read.
        tab_order.chain(self.source_combo, tab_order.focusable_fields(self.form_widget),
                        self.load_button)

    def _add_builtin_chooser(self, form: QFormLayout) -> None:
        combo = QComboBox()
        combo.setObjectName("data_builtin")
        for name, entry in BUILTINS.items():
            combo.addItem(name, name)
            combo.setItemData(combo.count() - 1, entry.summary, Qt.ToolTipRole)
        combo.setCurrentIndex(max(0, combo.findData(self.values.get("name"))))
        combo.activated.connect(lambda i: self._choose_builtin(combo.itemData(i)))
        summary = QLabel(BUILTINS[self.values["name"]].summary)
        summary.setWordWrap(True)
        summary.setStyleSheet(f"color: {style.NODE_SUBTLE_TEXT.name()};")
        form.addRow("Data set", combo)
        form.addRow("", summary)
        self.errors["name"] = _error_label("data_error_name")
        form.addRow("", self.errors["name"])

    def _add_path_row(self, form: QFormLayout) -> None:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.path_edit = QLineEdit(self.values.get("path", ""))
        self.path_edit.setObjectName("field_path")
        self.path_edit.setPlaceholderText("a folder" if self.source in FOLDER_SOURCES
                                          else "a file")
        self.path_edit.editingFinished.connect(
            lambda: self._set_value(self.values, "path", self.path_edit.text().strip()))
        browse = QPushButton("Browse\u2026")
        browse.setObjectName("data_browse")
        browse.clicked.connect(self._browse)
        layout.addWidget(self.path_edit, 1)
        layout.addWidget(browse)
        form.addRow("Path", row)
        self.errors["path"] = _error_label("data_error_path")
        form.addRow("", self.errors["path"])

    def _add_field(self, form: QFormLayout, param: Param, store: dict, key: str) -> None:
        field = make_field(param)
        value = store.get(key, param.default)
        if isinstance(value, list) and param.kind == "str":
            value = ", ".join(value)
        field.set_value("" if value is None and param.kind == "str" else value)
        field.value_committed.connect(lambda v, s=store, k=key: self._set_value(s, k, v))
        field.parse_failed.connect(lambda text, k=key: self._show_error(k, text))
        label = QLabel(param.title)
        label.setToolTip(param.help)
        form.addRow(label, field.widget)
        self.fields[key] = field
        self.errors[key] = _error_label(f"data_error_{key}")
        form.addRow("", self.errors[key])

    # ---- draft values --------------------------------------------------------------
    def _set_value(self, store: dict, key: str, value) -> None:
        store[key] = value
        self._show_error(key, "")
        self._mark_draft()

    def _choose_source(self, source: str) -> None:
        if source != self.source:
            self.source = source
            self.values = {"name": "digits"} if source == "builtin" else {}
            self.options = {}
            self._rebuild_form()
            self._mark_draft()

    def _choose_builtin(self, name: str) -> None:
        if name != self.values.get("name"):
            self.values["name"], self.options = name, {}
            self._rebuild_form()
            self._mark_draft()

    def _browse(self) -> None:
        start = self.values.get("path") or str(self.base_dir() or Path.home())
        if self.source in FOLDER_SOURCES:
            path = QFileDialog.getExistingDirectory(self, "Choose an image folder", start)
        else:
            path, _ = QFileDialog.getOpenFileName(self, "Choose a data file", start)
        if path:
            self.path_edit.setText(path)
            self._set_value(self.values, "path", path)

    def config(self) -> dict:
        """The data description the form describes (defaults left out)."""
        config = {"source": self.source}
        params = {p.name: p for p in list(COMMON) + self._params()}
        for key, value in self.values.items():
            param = params.get(key)
            if key in ("name", "path"):
                config[key] = value
            elif key in ("target", "features"):
                names = [v.strip() for v in str(value or "").split(",") if v.strip()]
                if names:
                    config[key] = names[0] if len(names) == 1 and key == "target" else names
            elif param is not None and value != param.default:
                config[key] = list(value) if isinstance(value, tuple) else value
        if self.source == "builtin":
            schema = BUILTINS[self.values["name"]].schema
            options = {k: v for k, v in self.options.items() if v != schema.get(k).default}
            if options:
                config["options"] = options
        return config

    def _mark_draft(self) -> None:
        if self._running is not None:
            return  # the state line names what is loading; marked again when it ends
        applied = self.config() == self.doc.project.data
        self.state.setText("" if applied else "Not applied yet: press Load and use.")

    # ---- following the document ----------------------------------------------------
    def fresh(self, change: Change) -> None:
        if change in (Change.PROJECT, Change.DATA):
            self._from_document()

    def _from_document(self) -> None:
        self._generation += 1
        data = dict(self.doc.project.data or {"source": "builtin", "name": "digits"})
        source = data.pop("source", "builtin")
        self.source = source if source in SOURCES else "builtin"
        self.options = dict(data.pop("options", None) or {})
        self.values = data
        if self.source == "builtin" and self.values.get("name") not in BUILTINS:
            self.values["name"] = "digits"
        self.source_combo.setCurrentIndex(self.source_combo.findData(self.source))
        self._rebuild_form()
        self._mark_draft()
        self.message.hide()
        if self.doc.project.data:
            QTimer.singleShot(0, self.show_preview)
        else:
            self._clear_preview("This project has no data yet: choose some and press "
                                "<b>Load and use</b>.")

    def use_config(self, config: dict) -> bool:
        """Fill the form with this data description and press Load and use."""
        values = dict(config)
        source = values.pop("source", "builtin")
        self.source = source if source in SOURCES else "builtin"
        self.options = dict(values.pop("options", None) or {})
        self.values = values
        self.source_combo.setCurrentIndex(self.source_combo.findData(self.source))
        self._rebuild_form()
        return self.load_and_use()

    # ---- loading (on the worker) ------------------------------------------------------
    def show_preview(self) -> bool:
        """Preview the document's data; ``loaded`` tells how it went (errors shown at
        their fields). False when there is nothing to load: no data, or the preview
        shows this data already (as after Load and use)."""
        if not self.doc.project.data:
            return False
        request = self._request(False, dict(self.doc.project.data))
        if request.key == self._shown_key:
            return False
        self._clear_preview(f"Loading {source_name(request.config)}\u2026")  # not stale data
        return self._ask(request)

    def load_and_use(self) -> bool:
        """Prepare the form's data; ``loaded`` tells how it went. On success the data is
        applied (one undo step) and previewed; an error shows at its field and changes
        nothing. False when no load could start (the window is closing)."""
        for key in self.errors:
            self._show_error(key, "")
        self.message.hide()
        return self._ask(self._request(True, self.config()))

    def _request(self, use: bool, config: dict) -> LoadRequest:
        return LoadRequest(use, config, data_seed(self.doc.project.training), self.base_dir(),
                           self._generation)

    def _ask(self, request: LoadRequest) -> bool:
        # One load (one thread) at a time. Asked for meanwhile: a Load and use waits in
        # one slot, the newest replacing an older one (only the latest form counts; the
        # button is disabled while loading anyway); a preview (asked when the document
        # changes: a project opened, an undo) is a flag, as it previews whatever the
        # document holds when the running load ends.
        if self._running is not None:
            if request.use:
                self._queued_use = request
            else:
                self._preview_asked = True
            return True
        # Anything but a loader's error (a bug) arrives as BackgroundCall's message; the
        # progress signal is queued from the worker to the GUI thread.
        if not self.loader.start(partial(prepare_or_error, self.cache, request.config,
                                         request.seed, request.base_dir,
                                         self.load_progressed.emit)):
            return False  # shut down: the window is closing
        self._running = request
        self.state.setText(f"Loading {source_name(request.config)}\u2026")
        self.busy_bar.setRange(0, 0)  # moving until a loader says how far it is
        self.busy_bar.show()
        self._update_button()
        return True

    def _show_progress(self, stage: str, fraction: float) -> None:
        """A loader's progress (only while its load is the one running)."""
        if self._running is None:
            return
        self.busy_bar.setRange(0, 100)
        self.busy_bar.setValue(int(100 * fraction))
        what = "Reading" if stage == "reading" else "Converting the columns of"
        self.state.setText(f"{what} {source_name(self._running.config)}\u2026 "
                           f"{100 * fraction:.0f}%")

    def _update_button(self, *_) -> None:
        loading = self._running is not None
        self.load_button.setDisabled(loading or bool(self.editor.locked))
        self.load_button.setText("Loading\u2026" if loading else "Load and use")

    def _loaded(self, result, error) -> None:
        request, self._running = self._running, None
        if request is None:  # shut down meanwhile: the window is closing
            return
        queued, self._queued_use = self._queued_use, None
        self.busy_bar.hide()
        self._update_button()
        self._mark_draft()
        ok = self._is_current(request) and self._apply(request, result, error)
        if queued is not None and self._is_current(queued):
            self._ask(queued)
        if self._preview_asked and self._running is None:
            self._preview_asked = False
            self.show_preview()
        self.loaded.emit(ok)

    def _is_current(self, request: LoadRequest) -> bool:
        """Whether nothing newer was asked for since: the document's data is the same,
        and for Load and use the form too. A late result never overwrites newer state."""
        return request.generation == self._generation and (
            not request.use or request.config == self.config())

    def _apply(self, request: LoadRequest, result, error: str | None) -> bool:
        data, exc = result if error is None else (None, None)
        if data is None:
            self._report_failure(request, exc, error)
            return False
        if request.use:
            config = request.config
            title = data.dataset_info.get("name") or config.get("name") or "data"
            problem = self.editor.use_data(config, data.train.sample_shape,
                                           data.train.input_kind, title)
            if problem:
                self._show_message(problem)
                return False
        self.prepared, self._shown_key = data, request.key
        self.preview.show_data(data)
        self._mark_draft()
        return True

    def _report_failure(self, request: LoadRequest, exc, error: str | None) -> None:
        if exc is None:  # not the loader's own error (a bug): no field to show it at
            self._show_message(error or "The data could not be loaded.")
        elif request.config == self.config():
            self._report(exc, request.config)
        else:  # the form shows other data now: its fields are not this data's
            self._show_message(error_text(exc))
        if not request.use:
            self._clear_preview("The project's data could not be loaded.")

    def _clear_preview(self, text: str) -> None:
        self._shown_key = None
        self.preview.clear(text)

    def shutdown(self) -> bool:
        """Wait for a running load and start no more (the window is closing); its
        result is dropped."""
        self._running = self._queued_use = None
        self._preview_asked = False
        return self.loader.shutdown()

    def _report(self, exc: Exception, config: dict) -> None:
        key = error_field(exc, config, self.errors)
        text = error_text(exc)
        if key is None:
            self._show_message(text)
        else:
            self._show_error(key, text)

    def _show_error(self, key: str, text: str) -> None:
        label = self.errors.get(key)
        if label is not None:
            label.setText(text)
            label.setVisible(bool(text))
        field = self.fields.get(key)
        if field is not None:
            field.set_error(bool(text))
        if key == "path" and hasattr(self, "path_edit") and self.source != "builtin":
            self.path_edit.setStyleSheet("" if not text else
                                         "border: 1px solid #d32f2f; background: #fdecea; color: #5f1212;")

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.PlainText)  # errors name files and columns: never markup
    label.setStyleSheet(f"color: {style.ERROR.name()};")
    label.hide()
    return label
