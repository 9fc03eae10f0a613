"""What a probe hands the GUI: frozen values of small, read-only arrays.

A ``ProbeSnapshot`` is made in the training process between batches and drawn in the
window's GUI thread (it crosses as an ``engine.wire`` frame); it holds copies only (histograms, norms, one sample's feature maps or hidden states), so
it stays valid and unchanged however training goes on. Sizes are bounded by the
probe's settings (bins, channels, units), not by the network or the data.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .stats import Histogram


@dataclass(frozen=True)
class ActivationStats:
    """How a layer's units behave on the probe batch (inference mode).

    ``units`` is the number of units judged: features of a vector output, channels of
    an image output (a filter is one unit), the last axis of a sequence output.
    ``dead`` is the share of units that are never above zero for any probe sample
    and position (meaningful after relu: such a unit passes no gradient).
    ``saturated`` is the share of units whose outputs lie in the flat tails of their
    activation for at least ``SATURATED_SAMPLES`` of the values (tanh: |a| > 0.97;
    sigmoid: a < 0.03 or a > 0.97), where the slope is under about 0.06.
    ``saturated_values`` is the share of all values in those tails."""

    units: int
    mean: float
    std: float
    dead: float = 0.0
    saturated: float = 0.0
    saturated_values: float = 0.0
    nonfinite: int = 0


@dataclass(frozen=True)
class ParamView:
    """One weight array of a layer (``W``, ``b``, ``U``, ``gamma`` ...)."""

    name: str
    shape: tuple[int, ...]
    values: Histogram
    grads: Histogram | None  # of dL/dθ on the probe batch; None without targets
    norm: float  # ||θ||, L2
    grad_norm: float | None  # ||dL/dθ|| on the probe batch
    update_ratio: float | None  # ||Δθ|| / ||θ|| per optimizer step (see ProbeSnapshot)


@dataclass(frozen=True)
class LayerView:
    """Everything the probe saw of one layer. Optional views are None when they do not
    apply: ``feature_maps`` for image outputs ``(C, H, W)`` and 1-D convolutions and
    pools ``(C, 1, T)``; ``filters`` for Conv2D, Conv2DTranspose and Conv1D (``(F, C, 1,
    k)``); ``hidden``, ``gates`` and ``step_grad_norms`` for SimpleRNN, LSTM and GRU;
    ``attention`` for MultiHeadAttention."""

    id: str
    name: str
    type: str
    output_shape: tuple[int, ...]  # of one sample
    activation: str  # the nonlinearity the output went through ('' for none)
    activations: Histogram  # of the layer's outputs over the probe batch
    stats: ActivationStats
    gradients: Histogram | None  # of dL/d(output) over the probe batch
    output_grad_norm: float | None  # ||dL/d(output)||, whole probe batch
    params: dict[str, ParamView] = field(default_factory=dict)
    grad_norm: float | None = None  # ||dL/dθ|| over all the layer's weights
    weight_norm: float = 0.0  # ||θ|| over all the layer's weights
    update_ratio: float | None = None  # ||Δθ|| / ||θ|| per step, all the layer's weights
    feature_maps: np.ndarray | None = None  # (C', H, W) of the chosen sample, C' <= cap
    filters: np.ndarray | None = None  # (F', C', kh, kw), capped like the maps
    hidden: np.ndarray | None = None  # (T, H') states of the chosen sample
    gates: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (T, H')
    step_grad_norms: np.ndarray | None = None  # (T,) mean over the probe batch
    projection: np.ndarray | None = None  # (N, 2) PCA of the outputs (insights.projection)
    # (heads', T', T') attention weights of the chosen sample (MultiHeadAttention): row =
    # query step, column = key step, rows sum to 1; capped (views.attention_map).
    attention: np.ndarray | None = None

    @property
    def has_params(self) -> bool:
        return bool(self.params)


@dataclass(frozen=True)
class ProbeSnapshot:
    """The state of the network at one training step, seen through the probe batch.

    ``update_steps`` is how many optimizer steps separate the weights from the
    reference the update ratios were measured against: 1 when the probe armed itself
    the step before (``Probe.poll`` does), so the ratios are exactly one step's
    update; k > 1 when they are ||θ_now − θ_k_steps_ago|| / ||θ|| / k, the mean
    displacement per step (a lower bound for noisy updates); 0 when there is no
    reference yet (ratios None)."""

    step: int
    loss: float | None  # on the probe batch, inference mode; None without targets
    layers: dict[str, LayerView]  # in the network's topological order (Input left out)
    update_steps: int
    n_samples: int  # probe batch size
    sample: int  # which probe sample the maps and states show
    seconds: float  # what making this snapshot cost
    boundary: object | None = None  # a boundary.DecisionMap when the probe draws one
    tried: object | None = None  # a sample.SampleResult answering Probe.request_sample
    labels: np.ndarray | None = None  # (N,) class of each probe sample (classification)
