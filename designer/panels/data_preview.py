"""What the chosen data looks like: a summary, the first rows or a grid of images with
their labels, the class balance and the feature ranges, the split and normalisation.

Shown values are the raw ones (the training normaliser is undone for display)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QGridLayout, QHeaderView, QLabel,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from engine.data import PreparedData

from .. import style
from ..rich_text import escape, as_plain

GRID_COLUMNS, GRID_ROWS, THUMB = 7, 4, 38
TABLE_ROWS, MAX_COLUMNS, MAX_RANGES = 12, 24, 64


def raw_inputs(data: PreparedData, n: int) -> np.ndarray:
    """The first ``n`` training inputs as the file had them (standardisation undone)."""
    x = data.train.x[:n]
    norm = data.normalizer
    if norm is None:
        return x
    raw = norm.inverse_transform(x)
    # Undone in float32, a value comes back within a few eps of |mean| + std of where it
    # was: a raw 0 read -1.681e-07. Within that of zero, it is zero.
    # (A value that small is not told apart from zero by the standardised data anyway.)
    mean = norm.inverse_transform(np.zeros_like(x[:1]))
    std = norm.inverse_transform(np.ones_like(x[:1])) - mean
    tol = 4 * np.finfo(np.float32).eps * (np.abs(mean) + np.abs(std))
    raw[np.abs(raw) <= tol] = 0
    return raw


def label_text(data: PreparedData, y) -> str:
    if data.dataset_info.get("reconstruct"):
        return "(itself)"  # an autoencoder's target is the sample
    if data.train.task == "classification":
        names = data.train.class_names
        y = np.asarray(y)
        if y.ndim == 0:
            return names[int(y)] if int(y) < len(names) else str(int(y))
        return " ".join(str(v) for v in y.ravel()[:4]) + (" …" if y.size > 4 else "")
    return ", ".join(f"{v:.4g}" for v in np.ravel(y)[:3])


def image_pixmap(img: np.ndarray, size: int) -> QPixmap:
    """(C, H, W) scaled to 0-255 per image, grey or RGB, enlarged without smoothing."""
    img = np.asarray(img, dtype=np.float64)
    low, high = float(img.min()), float(img.max())
    scaled = ((img - low) / (high - low or 1.0) * 255).astype(np.uint8)
    if scaled.shape[0] == 3:
        rgb = np.ascontiguousarray(scaled.transpose(1, 2, 0))
        qimg = QImage(rgb.data, rgb.shape[1], rgb.shape[0], rgb.strides[0],
                      QImage.Format_RGB888).copy()
    else:
        grey = np.ascontiguousarray(scaled[0])
        qimg = QImage(grey.data, grey.shape[1], grey.shape[0], grey.strides[0],
                      QImage.Format_Grayscale8).copy()
    return QPixmap.fromImage(qimg).scaled(size, size, Qt.KeepAspectRatio,
                                          Qt.FastTransformation)


class DataPreview(QWidget):
    """Filled by ``show_data``; ``clear`` empties it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("data_preview")
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(6)
        self.summary = QLabel()
        self.summary.setObjectName("data_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.RichText)
        self.column.addWidget(self.summary)
        self.samples: QWidget | None = None
        self.balance = self._label("data_balance")
        self.ranges = self._table("data_ranges")
        self.column.addWidget(self.balance)
        self.column.addWidget(self.ranges)
        self.clear()

    def _label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.RichText)
        return label

    def _table(self, name: str) -> QTableWidget:
        table = QTableWidget()
        table.setObjectName(name)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.verticalHeader().setDefaultSectionSize(20)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        table.setAlternatingRowColors(True)
        return table

    def clear(self, text: str = "Choose data and press <b>Load and use</b>.") -> None:
        self.summary.setText(f"<span style='color:{style.NODE_SUBTLE_TEXT.name()}'>{text}</span>")
        self._set_samples(None)
        self.balance.hide()
        self.ranges.hide()

    def _set_samples(self, widget: QWidget | None) -> None:
        if self.samples is not None:
            self.column.removeWidget(self.samples)
            self.samples.hide()
            self.samples.deleteLater()
        self.samples = widget
        if widget is not None:
            self.column.insertWidget(1, widget)
            widget.show()
            QWidget.setTabOrder(widget, self.ranges)  # made after the tables below it

    def show_data(self, data: PreparedData) -> None:
        self.summary.setText(summary_html(data))
        kind = data.train.input_kind
        self._set_samples(self._image_grid(data) if kind == "image" else self._rows(data))
        self._show_balance(data)
        self._show_ranges(data)

    # ---- parts ---------------------------------------------------------------------
    def _image_grid(self, data: PreparedData) -> QWidget:
        grid_widget = QWidget()
        grid_widget.setObjectName("data_image_grid")
        grid = QGridLayout(grid_widget)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(3)
        n = min(len(data.train), GRID_COLUMNS * GRID_ROWS)
        images = raw_inputs(data, n)
        for i in range(n):
            cell = QLabel()
            cell.setPixmap(image_pixmap(images[i], THUMB))
            cell.setToolTip(as_plain(label_text(data, data.train.y[i])))
            caption = QLabel(label_text(data, data.train.y[i]))
            caption.setTextFormat(Qt.PlainText)  # a class name, never markup
            caption.setAlignment(Qt.AlignCenter)
            caption.setStyleSheet("font-size: 8pt;")
            grid.addWidget(cell, 2 * (i // GRID_COLUMNS), i % GRID_COLUMNS, Qt.AlignCenter)
            grid.addWidget(caption, 2 * (i // GRID_COLUMNS) + 1, i % GRID_COLUMNS)
        return grid_widget

    def _rows(self, data: PreparedData) -> QTableWidget:
        table = self._table("data_rows")
        n = min(len(data.train), TABLE_ROWS)
        x = raw_inputs(data, n).reshape(n, -1)[:, :MAX_COLUMNS]
        names = list(data.train.feature_names)[:x.shape[1]] if data.train.input_kind == \
            "features" else []
        names += [f"x{j}" for j in range(len(names), x.shape[1])]
        table.setColumnCount(x.shape[1] + 1)
        table.setRowCount(n)
        table.setHorizontalHeaderLabels(["target"] + names)
        vocab = data.train.vocabulary
        for i in range(n):
            table.setItem(i, 0, QTableWidgetItem(label_text(data, data.train.y[i])))
            for j, value in enumerate(x[i]):
                text = (vocab[int(value)] if vocab and int(value) < len(vocab)
                        else f"{value:.4g}")
                table.setItem(i, j + 1, QTableWidgetItem(text.replace("\n", "⏎")))
        table.setMinimumHeight(min(n, 8) * 20 + 28)
        return table

    def _show_balance(self, data: PreparedData) -> None:
        if data.train.task != "classification":
            y = np.asarray(data.train.y, dtype=np.float64)
            self.balance.setText(f"<b>Target</b>: min {y.min():.4g}, mean {y.mean():.4g}, "
                                 f"max {y.max():.4g}")
            self.balance.show()
            return
        counts = np.bincount(np.asarray(data.train.y).ravel(),
                             minlength=data.train.n_classes)
        names = list(data.train.class_names) or [str(i) for i in range(len(counts))]
        top = counts.max() or 1
        rows = "".join(
            f"<tr><td>{escape(names[i] if i < len(names) else i)}</td><td>"
            f"<span style='background:{style.NODE_SELECTED.name()}; color:transparent'>"
            f"{'&nbsp;' * max(1, int(24 * c / top))}</span> {c}</td></tr>"
            for i, c in enumerate(counts[:20]))
        rest = len(counts) - 20
        more = f"<br>… {rest} more {style.noun(rest, 'class', 'classes')}" if rest > 0 else ""
        self.balance.setText(f"<b>Class balance</b> (training split)<table>{rows}</table>{more}")
        self.balance.show()

    def _show_ranges(self, data: PreparedData) -> None:
        if data.train.input_kind not in ("features", "sequence"):
            self.ranges.hide()
            return
        x = raw_inputs(data, len(data.train))
        x = x.reshape(-1, x.shape[-1])[:, :MAX_RANGES]
        names = list(data.train.feature_names) or [f"x{j}" for j in range(x.shape[1])]
        self.ranges.setColumnCount(4)
        self.ranges.setRowCount(x.shape[1])
        self.ranges.setHorizontalHeaderLabels(["feature", "min", "mean", "max"])
        for j in range(x.shape[1]):
            values = (names[j] if j < len(names) else f"x{j}", x[:, j].min(), x[:, j].mean(),
                      x[:, j].max())
            for k, value in enumerate(values):
                self.ranges.setItem(j, k, QTableWidgetItem(
                    value if isinstance(value, str) else f"{value:.4g}"))
        self.ranges.setMinimumHeight(min(x.shape[1], 6) * 20 + 28)
        self.ranges.show()


def summary_html(data: PreparedData) -> str:
    info, train = data.dataset_info, data.train
    n = info.get("n_samples", 0)
    sizes = info.get("sizes", {})
    classes = (f", {train.n_classes} {style.noun(train.n_classes, 'class', 'classes')}"
               if train.task == "classification" else "")
    if info.get("reconstruct"):
        classes = ": reconstruct the input (each sample is its own target)"
    shape = "×".join(str(d) for d in train.sample_shape)
    norm = ("standardised with the training split's mean and std"
            if data.normalizer is not None else "not normalised")
    description = info.get("description") or ""
    return (f"<b>{escape(info.get('name', 'data'))}</b> — {train.task}{classes}<br>"
            f"{n:,} {style.noun(n, 'sample')} of {train.input_kind} {shape}<br>"
            f"Split: {sizes.get('train', 0):,} train · {sizes.get('validation', 0):,} "
            f"validation · {sizes.get('test', 0):,} test<br>Inputs {norm}"
            + (f"<br><span style='color:{style.NODE_SUBTLE_TEXT.name()}'>{description}</span>"
               if description else ""))
