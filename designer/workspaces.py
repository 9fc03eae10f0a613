"""Workspaces: the stages of the work, each a layout of docks of its own.

Design, Data, Train and Evaluate, as the best peers separate them (Neural Network
Console: Edit / Training / Evaluation; MATLAB's Deep Network Designer: Designer / Data /
Training), and Experiments for sweeps (as Weights & Biases and Neural Network Console's
"Trial" do). Every dock stays a child of the window in every workspace; a workspace says
which are shown, where, and how big (``LAYOUTS``), and whether the canvas (the central
widget) shows: in Design and Train, where its badges matter.

A user's changes to a workspace are remembered in QSettings (``workspaces/<key>``, one
``QMainWindow.saveState`` each) when they leave it or close the window, but never from a
window smaller than ``MIN_SAVED_SIZE``: its docks are squashed, and that is not the
layout anyone wants back at the next start. View > Reset layout forgets them all.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar

LEFT, RIGHT, BOTTOM = (Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea,
                       Qt.BottomDockWidgetArea)
H, V = Qt.Horizontal, Qt.Vertical
MIN_SAVED_SIZE = QSize(720, 480)
SETTINGS_GROUP = "workspaces"


@dataclass(frozen=True)
class Workspace:
    key: str
    title: str
    shortcut: str
    tip: str
    canvas: bool  # the design canvas is in view


WORKSPACES = (
    Workspace("design", "Design", "Ctrl+1",
              "Build the network: layers, canvas, inspector and summary", True),
    Workspace("data", "Data", "Ctrl+2",
              "Choose, load and preview the data the network learns from", False),
    Workspace("train", "Train", "Ctrl+3",
              "Train: settings, progress, live plots and the layers inside", True),
    Workspace("evaluate", "Evaluate", "Ctrl+4",
              "How the trained network does: test results, decision boundary, "
              "samples to try", False),
    Workspace("experiments", "Experiments", "Ctrl+5",
              "Sweeps: try settings side by side and compare the trials", False),
)
KEYS = tuple(w.key for w in WORKSPACES)


@dataclass(frozen=True)
class Layout:
    """A default arrangement: docks placed in areas, then split beside one another;
    sizes as fractions of the window's width (H) or height (V)."""
    place: tuple[tuple[str, Qt.DockWidgetArea], ...]
    split: tuple[tuple[str, str, Qt.Orientation], ...] = ()
    sizes: tuple[tuple[tuple[str, ...], tuple[float, ...], Qt.Orientation], ...] = ()
    tabs: tuple[tuple[str, str], ...] = ()  # a tabbed dock's view to bring forward
    behind: tuple[tuple[str, str], ...] = ()  # (shown dock, dock in a tab behind it)


LAYOUTS = {
    "design": Layout(
        place=(("palette", LEFT), ("inspector", RIGHT), ("summary", BOTTOM)),
        split=(("inspector", "history", V), ("summary", "inside", H)),
        sizes=((("palette", "inspector"), (0.16, 0.25), H),
               (("inspector", "history"), (0.6, 0.25), V),
               (("summary",), (0.34,), V), (("summary", "inside"), (0.5, 0.5), H)),
        tabs=(("inside", "preview"),)),
    "data": Layout(
        place=(("data", LEFT), ("summary", RIGHT)),
        sizes=((("data", "summary"), (0.66, 0.34), H),)),
    "train": Layout(
        place=(("training", RIGHT), ("plots", BOTTOM)),
        split=(("plots", "inside", H),),
        sizes=((("training",), (0.27,), H), (("plots",), (0.45,), V),
               (("plots", "inside"), (0.45, 0.55), H)),
        tabs=(("inside", "layers"),),
        # One click away while a run goes: the live boundary and "try a sample".
        behind=(("inside", "evaluation"),)),
    "evaluate": Layout(
        place=(("evaluation", LEFT), ("plots", RIGHT)),
        split=(("plots", "summary", V),),
        sizes=((("evaluation", "plots"), (0.62, 0.38), H),
               (("plots", "summary"), (0.55, 0.45), V)),
        tabs=(("evaluation", "results"),)),
    "experiments": Layout(place=(("experiments", LEFT),)),
}


class WorkspaceManager(QObject):
    """Switches the window's docks between workspaces and remembers each one's layout."""
    changed = Signal(str)  # the key of the workspace now shown (or laid out afresh)

    def __init__(self, window: QMainWindow, docks: dict[str, QDockWidget], settings,
                 version: int, views: dict | None = None):
        super().__init__(window)
        self.window, self.docks, self.settings = window, docks, settings
        self.version = version
        self.views = views or {}  # (dock, view) -> (tabs, widget), for Layout.tabs
        self.current = ""
        self.restored = False  # the shown workspace came from its saved layout
        self._sizes_pending = ""
        self._make_actions()
        self._make_switcher()

    # ---- actions and the switcher ---------------------------------------------------
    def _make_actions(self) -> None:
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.actions: dict[str, QAction] = {}
        for ws in WORKSPACES:
            action = QAction(f"&{ws.title}", self.window)
            action.setObjectName(f"action_workspace_{ws.key}")
            action.setCheckable(True)
            action.setShortcut(QKeySequence(ws.shortcut))
            action.setToolTip(f"{ws.tip} ({ws.shortcut})")
            action.setStatusTip(ws.tip)
            action.triggered.connect(lambda _=False, key=ws.key: self.switch(key))
            self.group.addAction(action)
            self.actions[ws.key] = action
        self.action_reset = QAction("&Reset Layout", self.window)
        self.action_reset.setObjectName("action_reset_layout")
        self.action_reset.setToolTip("Put every workspace's docks back where they started")
        self.action_reset.setStatusTip(self.action_reset.toolTip())
        self.action_reset.triggered.connect(self.reset)
        self.window.addActions(list(self.actions.values()))  # keys work in any dock

    def _make_switcher(self) -> None:
        """Tabs in the toolbar, one per workspace: always in view, one click away."""
        bar = self.switcher = QTabBar()
        bar.setObjectName("workspace_switcher")
        bar.setDocumentMode(True)
        bar.setDrawBase(False)
        bar.setExpanding(False)
        bar.setFocusPolicy(Qt.TabFocus)
        for i, ws in enumerate(WORKSPACES):
            bar.addTab(ws.title)
            bar.setTabToolTip(i, f"{ws.tip} ({ws.shortcut})")
        bar.setAccessibleName("Workspaces")
        bar.setToolTip("Workspaces: Design, Data, Train, Evaluate, Experiments "
                       "(Ctrl+1\u20265)")
        bar.currentChanged.connect(lambda i: self.switch(KEYS[i]) if i >= 0 else None)

    # ---- switching ------------------------------------------------------------------
    def switch(self, key: str) -> None:
        if key == self.current:
            return
        self.remember()
        self.current = key
        self._apply(key)
        self.actions[key].setChecked(True)
        self.switcher.blockSignals(True)  # the bar already shows it, or is told below
        self.switcher.setCurrentIndex(KEYS.index(key))
        self.switcher.blockSignals(False)
        self.settings.setValue(f"{SETTINGS_GROUP}/current", key)
        self.changed.emit(key)

    def start(self) -> None:
        """The workspace the window last showed (Design the first time)."""
        key = self.settings.value(f"{SETTINGS_GROUP}/current", "design")
        self.switch(key if key in KEYS else "design")

    def _sane_size(self) -> bool:
        size = self.window.size()
        return (size.width() >= MIN_SAVED_SIZE.width()
                and size.height() >= MIN_SAVED_SIZE.height())

    def remember(self) -> None:
        """Keep the shown workspace's layout, unless the window squashes it."""
        if self.current and self._sane_size():
            self.settings.setValue(f"{SETTINGS_GROUP}/{self.current}",
                                   self.window.saveState(self.version))

    def _apply(self, key: str) -> None:
        canvas = next(w for w in WORKSPACES if w.key == key).canvas
        self.window.centralWidget().setVisible(canvas)
        state = self.settings.value(f"{SETTINGS_GROUP}/{key}")
        self.restored = state is not None and self.window.restoreState(state, self.version)
        if not self.restored:
            self.arrange_default(key)
        self._bring_views_forward(key)

    def reset(self) -> None:
        """View > Reset Layout: every workspace's defaults, the shown one at once."""
        for key in KEYS:
            self.settings.remove(f"{SETTINGS_GROUP}/{key}")
        self.restored = False
        self.arrange_default(self.current or "design")
        if self.current:
            self.changed.emit(self.current)  # laid out afresh: docks of others follow

    # ---- default arrangements --------------------------------------------------------
    def arrange_default(self, key: str) -> None:
        layout, win = LAYOUTS[key], self.window
        shown = ({name for name, _ in layout.place} | {b for _, b, _ in layout.split}
                 | {b for _, b in layout.behind})
        for name, dock in self.docks.items():
            dock.setFloating(False)
            if name not in shown:
                dock.hide()
        for name, area in layout.place:
            win.addDockWidget(area, self.docks[name])
            self.docks[name].show()
        for first, second, orientation in layout.split:
            win.splitDockWidget(self.docks[first], self.docks[second], orientation)
            self.docks[second].show()
        for front, back in layout.behind:
            win.tabifyDockWidget(self.docks[front], self.docks[back])
            self.docks[back].show()
            self.docks[front].raise_()
        self._sizes_pending = key
        if win.isVisible():
            QTimer.singleShot(0, self.apply_sizes)  # once the layout has its new docks

    def apply_sizes(self) -> None:
        """The default sizes, as fractions of the window: a big screen gives the
        canvas and plots the room, a small one keeps every dock usable."""
        key, self._sizes_pending = self._sizes_pending, ""
        if not key or key != self.current:
            return
        width, height = self.window.width(), self.window.height()
        for names, fractions, orientation in LAYOUTS[key].sizes:
            total = width if orientation == H else height
            self.window.resizeDocks([self.docks[n] for n in names],
                                    [int(f * total) for f in fractions], orientation)

    def keep_proportions(self) -> None:
        """The shown workspace's docks side by side back in their default proportions
        to one another, within the width they have now: a column added beside them
        (the Lesson) takes its width from its neighbour alone."""
        if not self.current:
            return
        for names, fractions, orientation in LAYOUTS[self.current].sizes:
            docks = [self.docks[n] for n in names]
            if len(docks) < 2 or orientation != H or not all(
                    d.isVisible() and not d.isFloating() for d in docks):
                continue
            total, whole = sum(d.width() for d in docks), sum(fractions)
            self.window.resizeDocks(docks, [int(total * f / whole) for f in fractions], H)

    def window_shown(self) -> None:
        if self._sizes_pending:
            QTimer.singleShot(0, self.apply_sizes)

    def _bring_views_forward(self, key: str) -> None:
        for dock, view in LAYOUTS[key].tabs:
            found = self.views.get((dock, view))
            if found is not None:
                tabs, widget = found
                tabs.setCurrentWidget(widget)


def follow_the_work(manager: WorkspaceManager, training) -> None:
    """The right workspace comes forward by itself: Train (or Step) pressed -> Train; a
    run that finished -> Evaluate, where its results appear. Loading data, stopping a
    run or a failed run leave the user where they are."""
    from engine.events import Finished

    last = {"state": training.state}

    def state_changed(state: str) -> None:
        if last["state"] == "idle" and state != "idle":
            manager.switch("train")
        last["state"] = state

    def finished(result) -> None:
        if isinstance(result.ended, Finished):
            manager.switch("evaluate")

    training.state_changed.connect(state_changed)
    training.run_finished.connect(finished)
