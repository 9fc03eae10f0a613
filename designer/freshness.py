"""One notification for everything that makes a view's picture out of date.

Four things do: another project opened (File › Open, New, an example, a recovery), the
project's data changed, a run started, the design changed. ``Freshness`` turns the
document's and the training controller's signals into one call, ``view.fresh(change)``,
on every view, in the order they were adopted; each view clears what no longer holds or
recomputes it. Views used to listen to whichever signals their author thought of, and
after opening another project the decision boundary, the sample tried, the layer list
and the estimate still showed the last one.

A view takes part by being a ``FreshView``: ``Freshness.adopt(window, ...)`` registers
every FreshView widget in the window (and the non-widget ones it is given), and
``tests/designer/inside/test_fresh_state.py`` fails for any widget of the designer's own that
shows project state without being one, so no view can be forgotten. ``generation``
counts the changes that make background results stale (project, data, run): a view
that starts work on a worker keeps the generation it started in and drops a result that
comes back in another.
"""
from __future__ import annotations

import enum

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget


class Change(enum.Enum):
    PROJECT = "another project opened"
    DATA = "the data changed"
    RUN = "a run started"
    DESIGN = "the design changed"


# The changes after which a result computed before is about another project, other data
# or an earlier run.
STALE = (Change.PROJECT, Change.DATA, Change.RUN)


class FreshView:
    """A view of project state: ``fresh(change)`` clears or recomputes what ``change``
    made out of date (it must be cheap for DESIGN, which comes with every edit)."""

    def fresh(self, change: Change) -> None:
        raise NotImplementedError


class Freshness(QObject):
    def __init__(self, editor, training, parent: QObject | None = None):
        super().__init__(parent)
        self.views: list[FreshView] = []
        self.generation = 0
        doc = editor.doc
        doc.document_reset.connect(lambda: self.announce(Change.PROJECT))
        doc.project_changed.connect(lambda name: name == "data" and self.announce(Change.DATA))
        doc.design_changed.connect(lambda: self.announce(Change.DESIGN))
        training.run_started.connect(lambda _payload: self.announce(Change.RUN))

    @classmethod
    def adopt(cls, window: QWidget, editor, training, others=()) -> Freshness:
        """A Freshness for ``window``: every FreshView widget in it, then ``others``
        (views that are not widgets, or that must hear after the widgets)."""
        freshness = cls(editor, training, window)
        for widget in window.findChildren(QWidget):
            if isinstance(widget, FreshView):
                freshness.register(widget)
        for view in others:
            freshness.register(view)
        return freshness

    def register(self, view: FreshView) -> None:
        if not isinstance(view, FreshView):
            raise TypeError(f"{type(view).__name__} is not a FreshView")
        if view not in self.views:
            self.views.append(view)
            if hasattr(view, "freshness"):
                view.freshness = self

    def announce(self, change: Change) -> None:
        if change in STALE:
            self.generation += 1
        for view in list(self.views):
            view.fresh(change)
