"""One editor widget per parameter kind, chosen from the schema (no per-layer forms).

A field commits only whole values: text fields on Enter or leaving the field, spin
boxes on a step or Enter (keyboard tracking off), so a half-typed number never reaches
the document. Text that cannot be read is reported with ``parse_failed``.
"""
from __future__ import annotations

import math
import re

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox,
                               QWidget)

from engine.params import Param

INT_LIMIT = 2_000_000_000
# "1, 28, 28", "(1, 28, 28)", "28x28", "64": numbers joined by commas, spaces or x
_SHAPE_TEXT = re.compile(r"\(?\s*\d+(\s*[,x\u00d7 ]\s*\d+)*\s*,?\s*\)?")
ERROR_STYLE = "border: 1px solid #d32f2f; background: #fdecea; color: #5f1212;"


class FieldEditor(QObject):
    value_committed = Signal(object)
    parse_failed = Signal(str)

    def __init__(self, param: Param, widget: QWidget):
        super().__init__(widget)
        self.param, self.widget = param, widget
        widget.setObjectName(f"field_{param.name}")
        bounds = _range_text(param) if param.kind in ("int", "float") else ""
        widget.setToolTip(param.help + (f" ({bounds[0].upper()}{bounds[1:]}.)" if bounds
                                        else ""))

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


class _Refusing:
    """For spin boxes: typing is never altered (``validate`` never says Invalid, so no
    key is dropped: "1e9" stayed "19", "-5" became "5"), and text that is not an
    acceptable value when Enter is pressed or the field is left is reported through
    ``refused`` before the spin box puts its value back."""

    def _check_text(self) -> None:
        text = self.lineEdit().text()
        if self.validate(text, 0)[0] != QValidator.Acceptable:
            self.refused.emit(text.strip())

    def focusOutEvent(self, event) -> None:
        self._check_text()
        super().focusOutEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter):
            self._check_text()
        super().keyPressEvent(event)


def whole_number(text: str) -> int | None:
    """A whole number from text: 42, -3, or 1e3 (scientific notation of a whole number)."""
    text = text.strip().replace("_", "")
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if math.isfinite(value) and value == int(value) else None


class WholeSpinBox(_Refusing, QSpinBox):
    refused = Signal(str)

    def validate(self, text: str, pos: int):
        value = whole_number(text)
        inside = value is not None and self.minimum() <= value <= self.maximum()
        return (QValidator.Acceptable if inside else QValidator.Intermediate), text, pos

    def valueFromText(self, text: str) -> int:
        value = whole_number(text)
        return self.value() if value is None else value

    def fixup(self, text: str) -> str:
        # Qt's own fixup drops the locale's group separators, so "2,5" (a decimal
        # comma) became 25 after the field had said it "stays" as it was.
        return self.textFromValue(self.value())


class _IntField(FieldEditor):
    def __init__(self, param: Param):
        box = WholeSpinBox()
        box.setRange(int(param.low) if param.low is not None else -INT_LIMIT,
                     int(param.high) if param.high is not None else INT_LIMIT)
        box.setKeyboardTracking(False)
        box.setAccelerated(True)
        super().__init__(param, box)
        box.valueChanged.connect(self.value_committed.emit)
        box.refused.connect(lambda text: self.parse_failed.emit(
            refusal(param, text, "a whole number", box.value())))

    def _show(self, value):
        self.widget.setValue(int(value))


def refusal(param: Param, text: str, what: str, kept) -> str:
    """The inline message for text a field will not take."""
    bounds = _range_text(param)
    return (f"{param.title}: {text!r} is not {what}{' ' + bounds if bounds else ''}; "
            f"it stays {kept:g}.")


def _range_text(param: Param) -> str:
    fmt = (lambda v: f"{v:,}") if param.kind == "int" else (lambda v: f"{v:g}")
    if param.low is not None and param.high is not None:
        return f"from {fmt(param.low)} to {fmt(param.high)}"
    if param.low is not None:
        return f"of at least {fmt(param.low)}"
    return f"of at most {fmt(param.high)}" if param.high is not None else ""


class GeneralSpinBox(_Refusing, QDoubleSpinBox):
    """A float spin box that shows and reads general notation (0.25, 1e-05, 3.5e+04)
    instead of a fixed number of decimals, so a learning rate of 1e-5 is not "0.0000".
    With ``log_steps`` the arrows walk 1, 2, 5, 10, 20 ... (for rates spanning decades)."""

    refused = Signal(str)

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
        try:
            value = float(text.strip())
        except ValueError:
            return QValidator.Intermediate, text, pos  # kept as typed; refused on commit
        inside = math.isfinite(value) and self.minimum() <= value <= self.maximum()
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
        box.refused.connect(lambda text: self.parse_failed.emit(
            refusal(param, text, "a number", box.value())))

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
