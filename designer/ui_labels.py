"""The labels a person reads in the window (menus, actions, docks, tabs, buttons, field
labels): lessons name only these, and ``tests/designer/test_lessons.py`` checks that
every label a lesson names in bold is one of them."""
from __future__ import annotations

import re

from PySide6.QtWidgets import (QAbstractButton, QDockWidget, QGroupBox, QLabel, QMenu,
                               QTabBar, QTabWidget, QWidget)

from PySide6.QtGui import QAction


def clean(text: str) -> str:
    """'&Open\u2026' -> 'Open'; 'Layer:' -> 'Layer'; rich text and shortcuts dropped."""
    text = re.sub(r"<[^>]+>", "", text).replace("&&", "\0").replace("&", "").replace("\0", "&")
    return text.split("\t")[0].strip().rstrip("\u2026.:").strip()


def window_labels(window: QWidget) -> set[str]:
    labels: set[str] = set()
    for action in window.findChildren(QAction):
        labels.add(clean(action.text()))
    for menu in window.findChildren(QMenu):
        labels.add(clean(menu.title()))
    for dock in window.findChildren(QDockWidget):
        labels.add(clean(dock.windowTitle()))
    for tabs in window.findChildren(QTabWidget):
        labels.update(clean(tabs.tabText(i)) for i in range(tabs.count()))
    for bar in window.findChildren(QTabBar):
        labels.update(clean(bar.tabText(i)) for i in range(bar.count()))
    for button in window.findChildren(QAbstractButton):
        labels.add(clean(button.text()))
    for box in window.findChildren(QGroupBox):
        labels.add(clean(box.title()))
    for label in window.findChildren(QLabel):
        text = clean(label.text())
        if 0 < len(text) <= 40:  # a field's label, not a paragraph
            labels.add(text)
    labels.discard("")
    return labels
