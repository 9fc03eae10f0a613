"""Seeing inside a network while it learns: the engine side (NumPy only, no Qt).

- ``probe``: ``Probe`` snapshots of a training network on a fixed probe batch
  (histograms, norms, unit statistics, feature maps, filters, recurrent states and
  gates, per-step gradient norms, update ratios), never disturbing the run.
- ``health``: ``assess(snapshot)`` turns a snapshot into per-layer badges with
  reasons and suggestions.
- ``boundary``: decision maps of two-feature networks over a fixed grid.
- ``evaluation``: confusion matrix with the samples of each cell, per-class
  precision/recall/F1, predicted-versus-true and R² for regression.
- ``sample``: one sample's prediction, class probabilities and every layer's output.
- ``preview``: every layer's output for one sample with fresh weights, at edit time,
  for valid and invalid designs alike.
- ``calibration``: time per epoch and memory per batch on this machine, measured.
- ``views``: helpers for drawing (``image_grid``), thresholds of unit statistics.

See docs/insights.md for the API, units and costs.
"""
from .boundary import BoundaryGrid, DecisionMap, decision_grid
from .calibration import Estimate, available_memory, estimate
from .common import clone_network, sync_weights
from .evaluation import (ClassificationReport, RegressionReport, classification_report,
                         evaluate_network, regression_report)
from .health import Health, assess, worst
from .preview import LayerPreview, Preview, preview_design
from .probe import Probe, probe_batch
from .sample import SampleResult, sample_from, try_sample
from .snapshot import ActivationStats, LayerView, ParamView, ProbeSnapshot
from .stats import Histogram, histogram
from .views import image_grid

__all__ = [
    "Probe", "probe_batch", "ProbeSnapshot", "LayerView", "ParamView", "ActivationStats",
    "Histogram", "histogram", "image_grid",
    "Health", "assess", "worst",
    "BoundaryGrid", "DecisionMap", "decision_grid",
    "ClassificationReport", "RegressionReport", "classification_report",
    "regression_report", "evaluate_network",
    "SampleResult", "try_sample", "sample_from",
    "Preview", "LayerPreview", "preview_design",
    "Estimate", "estimate", "available_memory",
    "clone_network", "sync_weights",
]
