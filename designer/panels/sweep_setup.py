"""The set-up of a sweep: up to three settings with their values (the ``NAME=VALUES``
syntax of ``neurocanvas sweep``), random or grid, how many trials, how many at once,
epochs per trial and the seed.

The setting lists are built from the schemas (``TRAINING_SCHEMA`` and each layer's), so
a new setting or layer is offered without a table here. Picking a setting fills in
values to start from (around its current value) which the user edits.
"""
from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGridLayout, QLabel, QLineEdit,
                               QSpinBox, QVBoxLayout, QWidget)

from engine.layers import layer_class
from engine.params import Param
from engine.settings import TRAINING_SCHEMA
from engine.spec import NetworkSpec
from engine.sweep import METHODS
from engine.sweep.space import MAX_DIMENSIONS, NOT_SWEPT, format_value

NONE = "(none)"
SWEEPABLE = ("int", "float", "choice", "bool")
VALUES_HINT = "1e-4..1e-1:log  or  16,32,64"


def training_choices() -> list[str]:
    return [p.name for p in TRAINING_SCHEMA if p.kind in SWEEPABLE and p.name not in NOT_SWEPT]


def layer_choices(spec: NetworkSpec) -> list[str]:
    names = []
    for layer in spec.layers:
        if layer.type == "Input":
            continue
        try:
            schema = layer_class(layer.type).schema
        except Exception:  # noqa: BLE001 - an unknown type: nothing to offer
            continue
        names += [f"{layer.id}.{p.name}" for p in schema if p.kind in SWEEPABLE]
    return names


def param_of(name: str, spec: NetworkSpec,
             training: dict | None = None) -> tuple[Param, object] | None:
    """The schema entry of a setting name and its current value (None: not found)."""
    layer_id, _, key = name.rpartition(".")
    if not layer_id:
        return TRAINING_SCHEMA.get(key), (training or {}).get(key)
    for layer in spec.layers:
        if layer.id == layer_id:
            schema = layer_class(layer.type).schema
            return schema.get(key), layer.config.get(key)
    return None


def suggested_values(param: Param, current) -> str:
    """Values worth trying around ``current`` (a starting point the user edits)."""
    if param.kind == "bool":
        return "true,false"
    if param.kind == "choice":
        return ",".join(format_value(c) for c in param.choices)
    value = param.default if current is None else current
    low = param.low if param.low is not None else 0
    high = param.high if param.high is not None else value * 10 or 1
    if param.name == "batch_size":
        return "16,32,64,128"
    if param.kind == "int":
        start, end = max(int(low), int(value) // 4, 1), min(int(high), max(int(value) * 2, 4))
        return f"{start}..{end}:int" if start < end else f"{low:g}..{high:g}:int"
    if value and value > 0 and high > value:
        start, end = max(low, value / 10), min(high, value * 10)
        if high <= 1 and low >= 0 and param.name != "learning_rate":
            return f"{format_value(max(low, value / 2))}..{format_value(min(high, value * 1.5))}"
        return f"{format_value(start)}..{format_value(end)}:log"
    return f"{format_value(low)}..{format_value(min(high, 0.1 if high <= 1 else 1.0))}"


class SweepSetup(QWidget):
    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.spec, self.training = NetworkSpec(), {}
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(4)
        grid.addWidget(QLabel("<b>Settings to try</b>"), 0, 0, 1, 2)
        self.names: list[QComboBox] = []
        self.values: list[QLineEdit] = []
        for row in range(MAX_DIMENSIONS):
            name, values = QComboBox(), QLineEdit()
            name.setObjectName(f"sweep_param_{row}")
            name.setMinimumContentsLength(12)
            name.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            name.setToolTip("A training setting, or a layer's (LAYER.SETTING)")
            values.setObjectName(f"sweep_values_{row}")
            values.setPlaceholderText(VALUES_HINT)
            values.setToolTip("Values a,b,c or a range LOW..HIGH; :log spaces a range in "
                              "log steps, :int takes whole numbers")
            name.currentTextChanged.connect(lambda text, r=row: self._picked(r, text))
            values.textChanged.connect(self.changed)
            grid.addWidget(name, row + 1, 0)
            grid.addWidget(values, row + 1, 1)
            self.names.append(name)
            self.values.append(values)
        grid.setColumnStretch(1, 1)
        column.addLayout(grid)
        column.addLayout(self._options())

    def _options(self) -> QFormLayout:
        form = QFormLayout()
        form.setContentsMargins(0, 6, 0, 0)
        self.method = QComboBox()
        self.method.setObjectName("sweep_method")
        self.method.addItems(list(METHODS))
        self.method.setToolTip("random: draws of the settings; grid: every combination "
                               "(a range at as many points as the trials allow)")
        self.trials = self._spin("sweep_trials", 1, 1000, 8, "How many trials (random), or "
                                 "the budget a grid's ranges are spaced within")
        cores = os.cpu_count() or 1
        self.parallel = self._spin("sweep_parallel", 1, max(cores, 1) * 4, cores,
                                   f"Trials trained at once, each in its own process on one "
                                   f"core (this machine has {cores})")
        self.epochs = self._spin("sweep_epochs", 0, 100_000, 0, "Epochs per trial (0: as "
                                 "the training settings say)")
        self.epochs.setSpecialValueText("as set")
        self.seed = self._spin("sweep_seed", 0, 2**31 - 1, 0, "Seed of the random draws")
        form.addRow("Method", self.method)
        form.addRow("Trials", self.trials)
        form.addRow("At once", self.parallel)
        form.addRow("Epochs", self.epochs)
        form.addRow("Seed", self.seed)
        return form

    def _spin(self, name: str, low: int, high: int, value: int, tip: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setToolTip(tip)
        return spin

    # ---- following the design ---------------------------------------------------------
    def set_design(self, spec: NetworkSpec, training: dict) -> None:
        """Offer the settings of this design's layers (keeping the choices still there)."""
        self.spec, self.training = spec, training
        names = [NONE] + training_choices() + layer_choices(spec)
        for combo in self.names:
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            combo.setCurrentText(current if current in names else NONE)
            combo.blockSignals(False)

    def set_row(self, row: int, name: str, values: str | None = None) -> None:
        self.names[row].setCurrentText(name)
        if values is not None:
            self.values[row].setText(values)

    def _picked(self, row: int, name: str) -> None:
        found = param_of(name, self.spec, self.training) if name and name != NONE else None
        self.values[row].setText(suggested_values(*found) if found else "")
        self.values[row].setEnabled(found is not None)
        self.changed.emit()

    # ---- what to run -----------------------------------------------------------------
    def texts(self) -> list[str]:
        """The ``NAME=VALUES`` of each row in use."""
        return [f"{combo.currentText()}={edit.text().strip()}"
                for combo, edit in zip(self.names, self.values)
                if combo.currentText() not in ("", NONE)]
