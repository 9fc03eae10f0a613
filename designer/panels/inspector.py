"""The inspector: the selected layer's name and settings, as a form built from its schema.

Values go to the editor, which refuses bad ones with a reason (shown under the form;
the field goes back to the document's value). Settings that only work together, like an
Input's kind and shape, are held as *pending* until the matching change arrives, then
committed as one step, so the document is never left with a contradiction.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFormLayout, QFrame, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)

from engine.errors import ConfigError
from engine.layers import fmt_shape, layer_class

from .. import style
from ..editor import Editor
from ..freshness import Change, FreshView
from .fields import FieldEditor, make_field


class InspectorWidget(QScrollArea, FreshView):
    def __init__(self, editor: Editor, parent=None):
        super().__init__(parent)
        self.setObjectName("inspector")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.editor, self.doc = editor, editor.doc
        self.layer_id: str | None = None
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
                f"{style.format_count(info.params)} parameters")
        problems = [p.message for p in report.problems_for(self.layer_id)]
        if info.error and info.error.message not in problems:
            problems.insert(0, info.error.message)
        for message in problems:
            text += f"<br><span style='color:{style.ERROR.name()}'>{message}</span>"
        self.inference.setText(text)
