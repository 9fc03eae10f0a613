"""The Inside views' controller: every inside view in tabs (``make_inside_panel``), wired
to the window's training controller, editor and canvas. The main window docks the panel
and creates this controller; it owns no training, it only listens:

- the controller's ``progress`` snapshots -> layer views, canvas health badges,
  decision map, answers to "try one sample" asked during the run;
- its ``run_finished`` -> a network from the result's weights, evaluated on the test
  split on a worker thread -> confusion matrix / predicted-versus-true, a final map;
- editor selection -> the layer shown; design edits -> the debounced preview.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTabWidget

from engine.insights import BoundaryGrid, evaluate_network, try_sample
from engine.insights.explain import next_step_lr
from engine.network import Network
from engine.settings import training_settings
from engine.spec import design_fingerprint

from ..datasets import data_seed
from ..freshness import Change, FreshView
from .attention_view import AttentionView
from .boundary_view import BoundaryView
from .common import BackgroundCall
from .estimate_view import EstimateView
from .explain_view import KINDS as EXPLAINABLE
from .explain_view import ExplainSource, ExplainView
from .gradcheck_view import GradientCheckView
from .health_badges import HealthBadges
from .layer_view import LayerInsideView
from .preview import PreviewView
from .projection_view import ProjectionView
from .results import EMPTY_RESULTS, ResultsView
from .sample_view import SampleView
from .stepthrough_view import StepThroughView




class InsidePanel(QTabWidget):
    def __init__(self, job_factory, spec_provider, sample_provider, seed_provider,
                 weights_provider=lambda: None, parent=None):
        super().__init__(parent)
        self.setObjectName("inside_panel")
        self.layers = LayerInsideView()
        self.results = ResultsView()
        self.boundary = BoundaryView()
        self.sample = SampleView()
        self.preview = PreviewView(spec_provider, sample_provider, seed_provider)
        self.estimate = EstimateView(job_factory)
        self.steps = StepThroughView(job_factory)
        self.projection = ProjectionView()
        self.gradcheck = GradientCheckView(job_factory, weights_provider)
        self.explain = ExplainView()
        self.attention = AttentionView()
        for widget, title in ((self.layers, "Layers"), (self.projection, "What it sees"),
                              (self.attention, "Attention"),
                              (self.explain, "Explain"), (self.preview, "Preview"),
                              (self.estimate, "Estimate"), (self.steps, "Step through"),
                              (self.gradcheck, "Gradients")):
            self.addTab(widget, title)
        # The trained network's views are the Evaluate workspace's, docked on their own
        # (designer/workspaces.py), so Train keeps its live views beside the plots.
        self.evaluation = QTabWidget()
        self.evaluation.setObjectName("evaluation_panel")
        for widget, title in ((self.results, "Results"), (self.boundary, "Boundary"),
                              (self.sample, "Try a sample")):
            self.evaluation.addTab(widget, title)

    def show_view(self, widget) -> None:
        """Bring one view forward in whichever tabs hold it."""
        tabs = self.evaluation if self.evaluation.indexOf(widget) >= 0 else self
        tabs.setCurrentWidget(widget)


def raw_features(data) -> np.ndarray:
    """The training inputs in the data's own units (undoing standardisation): the
    decision map is drawn over these, so its axes read as the file's columns."""
    x = data.train.x
    return x if data.normalizer is None else data.normalizer.inverse_transform(x)


def _evaluate(spec, settings, weights, data, loss):
    """On a worker: the trained network, its report on the test split (validation when
    there is no test split) and a final decision map for two-feature data."""
    network = Network(spec, seed=settings["seed"])
    network.set_weights(weights)
    split, name = (data.test, "test") if len(data.test) else (data.val, "validation")
    report = evaluate_network(network, split, loss) if len(split) else None
    x = data.train.x
    dmap = None
    if x.ndim == 2 and x.shape[1] == 2:
        norm = data.normalizer
        grid = BoundaryGrid(raw_features(data), 100,
                            transform=None if norm is None else norm.transform)
        dmap = grid.evaluate(network, loss, data.train.task)
    return network, report, split, name, dmap


class InsideController(QObject, FreshView):
    def __init__(self, panel: InsidePanel, training, editor, scene, window, data_source=None):
        super().__init__(panel)
        self.panel, self.training, self.editor = panel, training, editor
        self.data_source = data_source  # () -> the project's PreparedData, or raises
        self.badges = HealthBadges(scene)
        self.data = self.network = self.loss = None
        self.names: dict[str, str] = {}
        self.asked = ""
        self.freshness = None  # set when the window's Freshness adopts this controller
        self.evaluated_in = -1  # the freshness generation an evaluation was asked in
        self.shown_weights = None  # the weights the results shown (or asked) are of
        self.evaluation = BackgroundCall(self)
        self.evaluation.finished.connect(self._evaluated)
        training.run_started.connect(self._run_started)
        training.progress.connect(self._progress)
        training.run_finished.connect(self._finished)
        editor.selection_changed.connect(self._selected)
        panel.sample.sample_requested.connect(self._sample_requested)
        panel.results.sample_chosen.connect(self._try_listed)
        panel.layers.layer_chosen.connect(lambda i: editor.set_selection([i]))
        editor.doc.project_changed.connect(
            lambda name: name == "training" and panel.steps.settings_changed())
        # After the run's own results arrive (its evaluation is asked for at once):
        editor.doc.project_changed.connect(
            lambda name: name == "results" and QTimer.singleShot(0, self, self._results_changed))
        panel.steps.highlighted.connect(
            lambda ids, colour: scene.highlight_layers(ids, QColor(colour) if colour else None))
        panel.explain.source_provider = self.explain_source
        panel.layers.unit_picked.connect(self.explain_unit)
        panel.preview.outputs.unit_picked.connect(self.explain_unit)
        window.installEventFilter(self)  # stop worker threads before the window goes

    # ---- training ------------------------------------------------------------------
    def _run_started(self, payload) -> None:
        _event, data = payload
        job = self.training.job
        self._use_data(job.spec if job else None, data)
        self.panel.results.show_message("Training\u2026 the results on the test split "
                                        "appear when the run ends.")

    def _use_data(self, spec, data) -> None:
        """The data of a run (or of a reopened trained project) for the views."""
        self.data, self.network = data, None
        self.names = {l.id: l.name for l in spec.layers} if spec is not None else {}
        train = data.train
        if train.x.ndim == 2 and train.x.shape[1] == 2:
            self.panel.boundary.set_data(raw_features(data), train.y, train.class_names,
                                         train.feature_names)
        split = data.test if len(data.test) else data.val
        self.panel.sample.set_data(split, data.normalizer)
        self.panel.projection.class_names = tuple(train.class_names or ())

    def _progress(self, progress) -> None:
        snap = progress.snapshot
        if snap is None:
            return
        self.panel.layers.show_snapshot(snap, progress.health)
        self.panel.projection.show_snapshot(snap)
        self.panel.attention.show_snapshot(snap)
        if progress.health:
            self.badges.show_health(progress.health, self.names)
        if snap.boundary is not None:
            self.panel.boundary.show_map(snap.boundary, snap.step)
        if snap.tried is not None:
            self.panel.sample.show_result(snap.tried, self.asked, self.names)

    def _finished(self, result) -> None:
        job = self.training.job
        if job is None or not result.weights:
            return
        settings = training_settings(job.settings)
        spec, data, loss = job.spec, job.data, result.loss
        self.loss, self.shown_weights = loss, result.weights
        self.panel.results.show_message("Evaluating the trained network\u2026")
        self._evaluate(lambda: _evaluate(spec, settings, result.weights, data, loss))

    def _evaluate(self, work) -> bool:
        self.evaluated_in = self._generation()
        return self.evaluation.start(work)

    def _generation(self) -> int:
        return self.freshness.generation if self.freshness is not None else 0

    def _evaluated(self, value, error) -> None:
        if self.evaluated_in != self._generation():
            return  # another project, other data or a new run since: not theirs
        if error:
            self.panel.results.show_message(f"Could not evaluate the network: {error}")
            return
        self.network, report, split, name, dmap = value
        if report is not None:
            self.panel.results.show_report(report, split, name)
        if dmap is not None:
            self.panel.boundary.show_map(dmap)

    # ---- try one sample --------------------------------------------------------------
    def _sample_requested(self, x, target, what: str) -> None:
        data, sample = self.data, self.panel.sample
        names = data.train.class_names if data is not None else ()
        self.asked = what
        if self.training.request_sample(x, target, names):
            sample.answer.setText(f"Asked the network in training about {what}\u2026")
        elif self.network is not None and not self.evaluation.busy:
            result = try_sample(self.network, x, data.train.task, self.loss, names, target)
            sample.show_result(result, what, self.names)
        else:
            sample.answer.setText("Train the network first (or wait for the evaluation).")

    def _try_listed(self, index: int) -> None:
        self.panel.show_view(self.panel.sample)
        self.panel.sample.request_index(index)

    # ---- editing -----------------------------------------------------------------------
    def _selected(self, ids: list) -> None:
        if not ids:
            return
        self.panel.layers.select_layer(ids[-1])
        self.panel.attention.select_layer(ids[-1])
        self.panel.preview.select_layer(ids[-1])
        self._explain_layer(ids[-1])
        if self.panel.layers.snapshot is not None and \
                self.panel.currentWidget() not in (self.panel.preview, self.panel.explain,
                                                  self.panel.attention):
            self.panel.setCurrentWidget(self.panel.layers)

    def explain_unit(self, layer_id: str, pos: tuple) -> None:
        """A unit clicked in an inside view: select its layer and explain that unit
        (a layer Explain has no units for is left as it was)."""
        info = self.editor.doc.report.layers.get(layer_id)
        if info is None or info.layer is None or info.layer.type_name not in EXPLAINABLE:
            return
        self.editor.set_selection([layer_id])  # Explain follows (its ranges, then this)
        self.panel.setCurrentWidget(self.panel.explain)
        self.panel.explain.pick(pos)

    def _explain_layer(self, layer_id: str) -> None:
        info = self.editor.doc.report.layers.get(layer_id)
        if info is None or info.layer is None or info.output_shape is None:
            return
        in_shape = info.input_shapes[0] if info.input_shapes else ()
        self.panel.explain.select_layer(layer_id, info.layer.type_name, info.output_shape,
                                        tuple(in_shape or ()))

    def explain_source(self) -> ExplainSource | str:
        """What Explain works on: the saved (trained) weights when they fit the design,
        with the last run's optimizer state; else the weights the next run starts from."""
        doc, extras = self.editor.doc, self.editor.doc.project
        if not doc.report.ok:
            return "The design has errors: fix them (the canvas marks them) to explain a unit."
        try:
            data = self.data if self.data is not None else (
                self.data_source() if self.data_source is not None else None)
            settings = training_settings(extras.training)
        except Exception as error:  # noqa: BLE001 - the Data and Training panels say more
            return f"No samples to explain with: {error}"
        if data is None or not len(data.train):
            return "Choose data (the Data workspace): Explain runs one of its samples."
        trained = extras.weights is not None and not doc.weights_stale
        checkpoint = extras.checkpoint if trained else None
        state = checkpoint.optimizer if checkpoint is not None else None
        loss = self.loss or (extras.preprocessing or {}).get("loss") or settings["loss"]
        # The step a Continue would take next (the first step for fresh weights).
        lr = next_step_lr(settings, checkpoint, len(data.train))
        where = checkpoint.describe() if checkpoint is not None else "the first step"
        return ExplainSource(doc.spec(), settings["seed"], extras.weights if trained else None,
                             data.train, loss, settings, state, lr, where)

    def fresh(self, change: Change) -> None:
        """After the views have cleared themselves: a project's saved weights (or the
        same weights on its other data) are evaluated again, as after a run."""
        if change in (Change.PROJECT, Change.DATA):
            self.data = self.network = self.shown_weights = None
            self.show_saved_results()

    def _results_changed(self) -> None:
        """Undo or Redo of a run: the results shown follow the project's weights (a
        run undone to none leaves no confusion matrix or network behind)."""
        weights = self.editor.doc.project.weights
        if weights is self.shown_weights:
            return
        if weights is None:
            self.network = self.shown_weights = None
            self.evaluated_in = -1  # an evaluation still going is of the weights undone
            self.panel.results.show_message(EMPTY_RESULTS)
            self.badges.clear()
        else:
            self.show_saved_results()

    def show_saved_results(self) -> bool:
        """A reopened project with trained weights for its design: evaluate them on
        the test split (on the worker), as after a run."""
        doc, extras = self.editor.doc, self.editor.doc.project
        if extras.weights is None or doc.weights_stale or self.data_source is None \
                or self.evaluation.busy or self.training.running:
            return False
        try:
            data = self.data_source()
            settings = training_settings(extras.training)
        except Exception:  # noqa: BLE001 - missing data or bad settings: their panels say why
            return False
        if data is None:
            return False
        spec = doc.spec()
        weights, loss = extras.weights, (extras.preprocessing or {}).get("loss")
        self._use_data(spec, data)
        self.loss, self.shown_weights = loss, weights
        self.panel.results.show_message("Evaluating the saved weights\u2026")
        return self._evaluate(lambda: _evaluate(spec, settings, weights, data, loss))

    def shutdown(self) -> None:
        for call in (self.evaluation, self.panel.preview.call, self.panel.estimate.call,
                     self.panel.steps.call, self.panel.gradcheck.call,
                     self.panel.explain.call):
            call.shutdown()

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Close:
            self.shutdown()
        return False


def run_seed(doc) -> int:
    """The seed the next run will use (0 while the training settings are invalid)."""
    try:
        return training_settings(doc.project.training)["seed"]
    except Exception:  # noqa: BLE001 - the Training panel reports bad settings
        return 0


def project_data(doc, cache, base_dir):
    """The project's prepared data, as a run would split and normalise it (the data
    cache keeps it, so edits do not load it again); None without data."""
    if not doc.project.data:
        return None
    return cache.prepare(doc.project.data, data_seed(doc.project.training), base_dir())


def make_inside_panel(training, doc, data_source) -> InsidePanel:
    """The Inside views for the window to dock: the preview starts from the first
    training sample, with the weights the next run starts from (its seed)."""
    def first_sample():
        data = data_source()
        return None if data is None else np.array(data.train.x[0])

    return InsidePanel(training.make_job, doc.spec, first_sample, lambda: run_seed(doc),
                       lambda: trained_weights(doc))


def trained_weights(doc) -> dict | None:
    """The project's trained weights when they were trained on the design as it is
    now (the gradient check then checks them); None otherwise."""
    project = doc.project
    if project.weights is None:
        return None
    trained_on = project.trained_design
    if trained_on is not None and trained_on != design_fingerprint(doc.spec()):
        return None
    return project.weights
