"""The inspector: the selected layer's name and settings, as a form built from its schema.

Values go to the editor, which refuses bad ones with a reason (shown under the form;
the field goes back to the document's value). Settings that only work together, like an
Input's kind and shape, are held as *pending* until the matching change arrives, then
committed as one step, so the document is never left with a contradiction.
"""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFormLayout, QFrame, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)

from engine.errors import ConfigError
from engine.insights.calibration import fmt_seconds
from engine.layers import fmt_shape, layer_class
from engine.memory import fmt_bytes, memory_budget
from engine.run.budget import training_bytes
from engine.settings import training_settings

from .. import style
from ..editor import Editor
from ..freshness import Change, FreshView
from ..rich_text import escape
from .fields import FieldEditor, make_field


# A layer this big gets a warning with the memory training needs and a measured time per
# epoch: a 999,999-unit layer (65 M parameters) used to be accepted without a word.
LARGE_LAYER_PARAMS = 2_000_000


class InspectorWidget(QScrollArea, FreshView):
    estimate_wanted = Signal()  # a layer became very large: measure time and memory

    def __init__(self, editor: Editor, parent=None):
        super().__init__(parent)
        self.setObjectName("inspector")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.editor, self.doc = editor, editor.doc
        self.layer_id: str | None = None
        self.large: str | None = None  # the very large layer warned about
        self.estimate_text = ""  # what the last measurement says about it
        self.read_only = ""  # why the settings can be read but not changed (a run)
        self.fields: dict[str, FieldEditor] = {}
        self.pending: dict = {}
        self._body: QWidget | None = None
        editor.selection_changed.connect(self._selection_changed)
        self.doc.config_changed.connect(self._config_changed)
        self.doc.node_removed.connect(lambda i: self._selection_changed(editor.selection))
        self.doc.report_changed.connect(self._show_inference)
        self._show_placeholder("Select a layer to see its settings.")

    # ---- building ------------------------------------------------------------------
    def _selection_changed(self, ids: list[str]) -> None:
        if len(ids) == 1:
            self.show_layer(ids[0])
        elif ids:
            self._show_placeholder(f"{len(ids)} layers selected.")
        else:
            self._show_placeholder("Select a layer to see its settings.")

    def _show_placeholder(self, text: str) -> None:
        self.layer_id, self.fields, self.pending = None, {}, {}
        label = QLabel(text)
        label.setObjectName("inspector_placeholder")
        label.setAlignment(Qt.AlignCenter)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {style.NODE_SUBTLE_TEXT.name()}; padding: 24px;")
        self._set_body(label)

    def _set_body(self, widget: QWidget) -> None:
        old = self.takeWidget()
        if old is not None:
            old.deleteLater()
        self._body = widget
        self.setWidget(widget)

    def show_layer(self, layer_id: str) -> None:
        layer = self.doc.layer(layer_id)
        try:
            cls = layer_class(layer.type)
        except ConfigError as exc:
            self._show_placeholder(exc.message)
            return
        self.layer_id, self.fields, self.pending = layer_id, {}, {}
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(10, 10, 10, 10)
        column.setSpacing(8)
        column.addWidget(self._heading(cls))
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(10)
        self.name_edit = QLineEdit(layer.name)
        self.name_edit.setObjectName("field_name")
        self.name_edit.editingFinished.connect(self._rename)
        form.addRow("Name", self.name_edit)
        for param in cls.schema:
            field = make_field(param)
            field.set_value(layer.config.get(param.name, param.default))
            field.value_committed.connect(lambda v, key=param.name: self.commit(key, v))
            field.parse_failed.connect(self._show_message)
            self.fields[param.name] = field
            label = QLabel(param.title)
            label.setToolTip(param.help)
            form.addRow(label, field.widget)
        column.addLayout(form)
        column.addWidget(self._message_row())
        self.inference = QLabel()
        self.inference.setObjectName("inspector_inference")
        self.inference.setWordWrap(True)
        self.inference.setTextFormat(Qt.RichText)
        column.addWidget(self.inference)
        column.addStretch(1)
        self._set_body(body)
        self._show_inference()
        self._apply_read_only()

    def set_read_only(self, reason: str) -> None:
        """While a run uses the design: the settings stay readable (they were greyed
        out and could not even be selected), but none can change."""
        self.read_only = reason
        self._apply_read_only()

    def _apply_read_only(self) -> None:
        if self.layer_id is None or not shiboken6.isValid(self.name_edit):
            return
        on = bool(self.read_only)
        for widget in [self.name_edit] + [field.widget for field in self.fields.values()]:
            if hasattr(widget, "setReadOnly"):
                widget.setReadOnly(on)
            else:  # combo and check boxes have no read-only mode
                widget.setEnabled(not on)
        self._show_message(f"Read-only: {self.read_only}" if on else "")

    def _heading(self, cls) -> QWidget:
        heading = QLabel(f"<span style='font-size:12pt; font-weight:600'>{cls.type_name}</span>"
                         f"<br><span style='color:{style.NODE_SUBTLE_TEXT.name()}'>"
                         f"{cls.help}</span>")
        heading.setWordWrap(True)
        heading.setTextFormat(Qt.RichText)
        return heading

    def _message_row(self) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.message = QLabel()
        self.message.setObjectName("inspector_message")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.PlainText)  # refusals name layers
        self.message.setStyleSheet(f"color: {style.ERROR.name()};")
        self.revert_button = QPushButton("Revert")
        self.revert_button.setObjectName("inspector_revert")
        self.revert_button.clicked.connect(self.revert_pending)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.revert_button, 0, Qt.AlignTop)
        self.message.hide()
        self.revert_button.hide()
        return row

    # ---- committing ----------------------------------------------------------------
    def commit(self, key: str, value) -> None:
        """Send a value (with any pending ones it may complete) to the editor."""
        if self.layer_id is None:
            return
        changes = {**self.pending, key: value}
        problem = self.editor.set_settings(self.layer_id, changes)
        if problem is None:
            self.pending = {}
            self._show_message("")
            self._sync_fields()
            return
        if self.editor.settings_problem(self.layer_id, {key: value}) and \
                self._schema_accepts(key, value):
            self.pending[key] = value  # fine alone, clashes with another setting: hold it
            self._show_message(f"{problem}. Change the matching setting, or Revert.")
            self.fields[key].set_error(True)
            self.revert_button.show()
        else:
            self._show_message(problem)
            self._sync_fields()

    def _schema_accepts(self, key: str, value) -> bool:
        try:
            layer_class(self.doc.layer(self.layer_id).type).schema.get(key).validate(value)
        except (ConfigError, KeyError):
            return False
        return True

    def revert_pending(self) -> None:
        self.pending = {}
        self._show_message("")
        self._sync_fields()

    def _rename(self) -> None:
        if self.layer_id is None:
            return
        problem = self.editor.rename(self.layer_id, self.name_edit.text())
        self._show_message(problem or "")
        if problem:
            self.name_edit.setText(self.doc.layer(self.layer_id).name)

    def _show_message(self, text: str) -> None:
        if not hasattr(self, "message") or self.layer_id is None:
            return
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.revert_button.setVisible(bool(self.pending))

    # ---- following the document ----------------------------------------------------
    def _config_changed(self, layer_id: str) -> None:
        if layer_id == self.large:
            self.large = None  # its size changed: measure again if still very large
        if layer_id == self.layer_id:
            self._sync_fields()

    def fresh(self, change: Change) -> None:
        """It follows the selection, which a new project empties; the fields follow
        the document's settings."""
        if change is Change.PROJECT:
            self._sync_fields()

    def _sync_fields(self) -> None:
        """Show the document's values (after an edit, a refusal, undo or redo)."""
        if self.layer_id is None or not self.doc.has_layer(self.layer_id):
            return
        layer = self.doc.layer(self.layer_id)
        for key, field in self.fields.items():
            if key not in self.pending:
                field.set_value(layer.config.get(key, field.param.default))
                field.set_error(False)
        if not self.name_edit.hasFocus():
            self.name_edit.setText(layer.name)

    def _show_inference(self) -> None:
        if self.layer_id is None or not self.doc.has_layer(self.layer_id):
            return
        report = self.doc.report
        info = report.layers.get(self.layer_id)
        if info is None:
            return
        text = (f"Output <b>{fmt_shape(info.output_shape)}</b> &nbsp;·&nbsp; "
                f"{style.format_count(info.params)} {style.noun(info.params, 'parameter')}")
        problems = [p.message for p in report.problems_for(self.layer_id)]
        if info.error and info.error.message not in problems:
            problems.insert(0, info.error.message)
        for message in problems:
            text += f"<br><span style='color:{style.ERROR.name()}'>{escape(message)}</span>"
        if info.params >= LARGE_LAYER_PARAMS:
            text += "<br>" + self._large_warning(report, info.params)
        self.inference.setText(text)

    def _large_warning(self, report, params: int) -> str:
        """Memory from the run's own arithmetic (make_job refuses what will not fit);
        the time per epoch from a measurement, asked for once per layer."""
        try:
            need = training_bytes(report, training_settings(self.doc.project.training))
        except Exception:  # noqa: BLE001 - bad settings: the Training panel says which
            need = None
        free = memory_budget()
        memory = (f"training needs about <b>{fmt_bytes(need)}</b>"
                  + (f" of the {fmt_bytes(free)} free" if free else "")) if need else ""
        if self.large != self.layer_id:
            self.large, self.estimate_text = self.layer_id, "measuring the time per epoch\u2026"
            self.estimate_wanted.emit()
        colour = style.ERROR if need and free and need > free else style.WARNING
        return (f"<span style='color:{colour.name()}'>A very large layer "
                f"({style.format_count(params)} parameters): {memory}; "
                f"{self.estimate_text}</span>")

    def show_estimate(self, estimate, error=None) -> None:
        """The measurement asked for a very large layer (Inside > Estimate has it all)."""
        if self.large is None:
            return
        self.estimate_text = (f"could not measure: {error}" if error or estimate is None else
                              f"about <b>{fmt_seconds(estimate.seconds_per_epoch)}</b> per "
                              f"epoch on this machine (measured)")
        self._show_inference()
