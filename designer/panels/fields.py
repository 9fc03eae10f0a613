"""One editor widget per parameter kind, chosen from the schema (no per-layer forms).

A field commits only whole values: text fields on Enter or leaving the field, spin
boxes on a step or Enter (keyboard tracking off), so a half-typed number never reaches
the document. Text that cannot be read is reported with ``parse_failed``.
"""
from __future__ import annotations

import math
import re

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox,
                               QWidget)

from engine.params import Param

INT_LIMIT = 2_000_000_000
# "1, 28, 28", "(1, 28, 28)", "28x28", "64": numbers joined by commas, spaces or x
_SHAPE_TEXT = re.compile(r"\(?\s*\d+(\s*[,x\u00d7 ]\s*\d+)*\s*,?\s*\)?")
ERROR_STYLE = "border: 1px solid #d32f2f; background: #fdecea;"


class FieldEditor(QObject):
    value_committed = Signal(object)
    parse_failed = Signal(str)

    def __init__(self, param: Param, widget: QWidget):
        super().__init__(widget)
        self.param, self.widget = param, widget
        widget.setObjectName(f"field_{param.name}")
        widget.setToolTip(param.help)

    def set_value(self, value) -> None:
        self.widget.blockSignals(True)
        try:
            self._show(value)
        finally:
            self.widget.blockSignals(False)

    def set_error(self, on: bool) -> None:
        self.widget.setStyleSheet(ERROR_STYLE if on else "")

    def _show(self, value) -> None:
        raise NotImplementedError


class _IntField(FieldEditor):
    def __init__(self, param: Param):
        box = QSpinBox()
        box.setRange(int(param.low) if param.low is not None else -INT_LIMIT,
                     int(param.high) if param.high is not None else INT_LIMIT)
        box.setKeyboardTracking(False)
        box.setAccelerated(True)
        super().__init__(param, box)
        box.valueChanged.connect(self.value_committed.emit)

    def _show(self, value):
        self.widget.setValue(int(value))


class GeneralSpinBox(QDoubleSpinBox):
    """A float spin box that shows and reads general notation (0.25, 1e-05, 3.5e+04)
    instead of a fixed number of decimals, so a learning rate of 1e-5 is not "0.0000".
    With ``log_steps`` the arrows walk 1, 2, 5, 10, 20 ... (for rates spanning decades)."""

    def __init__(self, log_steps: bool = False):
        super().__init__()
        self.setDecimals(15)
        self.log_steps = log_steps

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            ok = re.fullmatch(r"[-+]?(\d*\.?\d*([eE][-+]?\d*)?)?", stripped) is not None
            return (QValidator.Intermediate if ok else QValidator.Invalid), text, pos
        inside = self.minimum() <= value <= self.maximum()
        return (QValidator.Acceptable if inside else QValidator.Intermediate), text, pos

    def fixup(self, text: str) -> str:
        return self.textFromValue(self.value())

    def stepBy(self, steps: int) -> None:
        if not self.log_steps:
            super().stepBy(steps)
            return
        value = self.value()
        for _ in range(abs(steps)):
            value = _next_125(value, up=steps > 0, floor=self.minimum())
        self.setValue(value)


def _next_125(value: float, up: bool, floor: float) -> float:
    """The next value of the 1-2-5 series above or below ``value``."""
    if value <= 0:
        return max(floor, 1e-6) if up else value
    exponent = math.floor(math.log10(value) + 1e-9)
    series = [m * 10.0 ** e for e in (exponent - 1, exponent, exponent + 1) for m in (1, 2, 5)]
    if up:
        return next(v for v in series if v > value * (1 + 1e-9))
    below = [v for v in series if v < value * (1 - 1e-9)]
    return below[-1] if below else value


class _FloatField(FieldEditor):
    def __init__(self, param: Param):
        box = GeneralSpinBox(log_steps=param.low is not None and 0 < param.low < 1e-3)
        box.setRange(param.low if param.low is not None else -1e12,
                     param.high if param.high is not None else 1e12)
        span = (param.high - param.low) if None not in (param.low, param.high) else 10.0
        box.setSingleStep(0.05 if span <= 1.0 else 0.1)
        box.setKeyboardTracking(False)
        super().__init__(param, box)
        box.valueChanged.connect(self.value_committed.emit)

    def _show(self, value):
        self.widget.setValue(float(value))


class _BoolField(FieldEditor):
    def __init__(self, param: Param):
        super().__init__(param, QCheckBox())
        self.widget.toggled.connect(self.value_committed.emit)

    def _show(self, value):
        self.widget.setChecked(bool(value))


class _ChoiceField(FieldEditor):
    def __init__(self, param: Param):
        combo = QComboBox()
        combo.addItems([str(c) for c in param.choices])
        super().__init__(param, combo)
        combo.activated.connect(lambda i: self.value_committed.emit(self.param.choices[i]))

    def _show(self, value):
        self.widget.setCurrentIndex(max(0, list(self.param.choices).index(value)
                                        if value in self.param.choices else 0))


class _TextField(FieldEditor):
    """str, shape, int-or-choice and optional values: typed text, read on commit."""

    def __init__(self, param: Param):
        edit = QLineEdit()
        if param.optional:
            edit.setPlaceholderText("none")
        super().__init__(param, edit)
        edit.editingFinished.connect(self._commit)
        self._shown = None

    def _show(self, value):
        self._shown = value
        self.widget.setText(format_value(value))

    def _commit(self) -> None:
        text = self.widget.text()
        if text == format_value(self._shown):
            return
        try:
            value = parse_value(self.param, text)
        except ValueError as exc:
            self.parse_failed.emit(f"{self.param.title}: {exc}")
            return
        self.value_committed.emit(value)


def format_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def parse_value(param: Param, text: str):
    """Text as the parameter's kind; ValueError with a reason for people."""
    text = text.strip()
    if not text and param.optional:
        return None
    if param.kind == "shape":
        if not _SHAPE_TEXT.fullmatch(text):
            raise ValueError("write whole numbers separated by commas, e.g. 1, 28, 28")
        return [int(p) for p in re.findall(r"\d+", text)]
    if param.kind == "str" or (param.int_or_choice and text in map(str, param.choices)):
        return text
    if param.kind in ("int", "choice") and param.int_or_choice or param.kind == "int":
        try:
            return int(text)
        except ValueError:
            choices = ", ".join(map(str, param.choices))
            raise ValueError(f"write a whole number{' or one of ' + choices if choices else ''}") from None
    if param.kind == "float":
        try:
            return float(text)
        except ValueError:
            raise ValueError("write a number, e.g. 0.5") from None
    if param.kind == "bool":
        return text.lower() in ("1", "true", "yes", "on")
    return text


def make_field(param: Param) -> FieldEditor:
    if param.optional or param.int_or_choice or param.kind in ("str", "shape"):
        return _TextField(param)
    return {"int": _IntField, "float": _FloatField, "bool": _BoolField,
            "choice": _ChoiceField}.get(param.kind, _TextField)(param)
