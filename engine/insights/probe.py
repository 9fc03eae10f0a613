"""Looking inside a network while it trains, without disturbing the run.

A ``Probe`` holds a fixed probe batch (say 64 training samples) and a private copy of
the network. A snapshot copies the current weights into that copy (one ``copyto`` of
the flat buffer and the running statistics), runs it in inference mode on the probe
batch with a backward pass, and summarises every layer into a ``ProbeSnapshot``:
histograms of outputs, output gradients, weights and weight gradients; norms; unit
statistics; feature maps and filters of image layers; states, gates and per-step
gradient norms of recurrent layers.

The network being trained is only *read* (its flat buffer and state), so training
is bit-identical with or without probing: not its gradients, caches, workspaces,
optimizer, running statistics nor dropout generator are touched.

Cost is bounded by the cadence. ``poll(step)`` is meant to be called after every
batch: it returns None (one clock read) until a snapshot is due (every ``every_ms``
milliseconds and/or ``every_steps`` steps), then arms itself (copies the weights
once) and delivers the snapshot on the next step, so update-to-weight ratios are
exactly one optimizer step's. The time cadence also keeps snapshots under
``max_share`` of the wall time: after a snapshot that cost c seconds, the next is due
no sooner than c / max_share later (a slow network is probed less often rather than
trained more slowly).

"Try one sample" during a run: any thread may call ``request_sample(x)``; the next
``poll`` arms, and the snapshot after it carries the sample's prediction and
activations (``tried``), computed on the probe's copy with the weights of that step.
"""
from __future__ import annotations

import queue
import time

import numpy as np

from ..data.dataset import Dataset
from ..errors import DataError
from ..kernels.activations import activation_forward
from ..losses import Loss
from ..network import Network
from ..run import prepare_targets
from . import views
from .projection import pca_2d
from .common import clone_network, forward_backward, layer_activation, resolve_loss, sync_weights
from .sample import try_sample
from .snapshot import LayerView, ParamView, ProbeSnapshot
from .stats import DEFAULT_BINS, freeze, histogram, norm

PROBE_SAMPLES = 64
MAX_CHANNELS = 32
MAX_UNITS = 128
MAX_SHARE = 0.05  # snapshots take at most this share of the wall time (time cadence)


def probe_batch(data: Dataset, size: int = PROBE_SAMPLES, seed: int = 0):
    """A fixed random subset of ``size`` samples (all when fewer), in data order:
    ``(x, y, indices)``. The same seed gives the same batch every run."""
    n = len(data)
    idx = np.arange(n) if n <= size else np.sort(
        np.random.default_rng(seed).choice(n, size, replace=False))
    return data.x[idx], data.y[idx], idx


class Probe:
    """Snapshots of ``network`` on a fixed probe batch; see the module docstring.

    ``loss``: a Loss, a loss name or None (then the one training picks for ``task``;
    with neither, or without ``y``, snapshots have no gradients). ``boundary``: a
    ``boundary.BoundaryGrid`` to draw the decision map on every snapshot (2-D inputs).
    """

    def __init__(self, network: Network, x: np.ndarray, y: np.ndarray | None = None,
                 loss: Loss | str | None = None, task: str | None = None, *,
                 bins: int = DEFAULT_BINS, sample: int = 0, max_channels: int = MAX_CHANNELS,
                 max_units: int = MAX_UNITS, every_ms: float = 200.0, every_steps: int = 0,
                 max_share: float = MAX_SHARE, boundary=None, sync=None):
        self.network = network
        # () -> None: bring ``network`` up to date first (a run on the PyTorch backend
        # trains a module; its weights come into the engine's Network only when asked).
        self.sync = sync
        self.shadow = clone_network(network)
        self.loss = resolve_loss(loss, network, task)
        self.task = task or (self.loss.task if self.loss is not None else "regression")
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        self.x = network.prepare_input(x)
        self.y = None if y is None or self.loss is None else prepare_targets(
            self.loss, network, np.asarray(y))
        if not 0 <= sample < len(self.x):
            raise ValueError(f"sample {sample} is outside the probe batch of {len(self.x)}")
        self.bins, self.sample = bins, sample
        self.max_channels, self.max_units = max_channels, max_units
        self.every_ms, self.every_steps, self.max_share = every_ms, every_steps, max_share
        self._last_cost = 0.0
        self.boundary = boundary
        self.labels = class_labels(y, len(self.x), self.task)
        self._projections: dict[str, np.ndarray] = {}  # the last frame's, to keep axes' signs
        self._reference = network.flat.copy()
        self._reference_step: int | None = None
        self._armed = False
        self._last_time = -np.inf
        self._last_step = -10**12

    # ---- cadence ------------------------------------------------------------------------
    def due(self, step: int, now: float | None = None) -> bool:
        """Whether ``poll`` arms at ``step`` for a snapshot at the next step: when
        ``every_ms`` have passed since the last snapshot (stretched to keep snapshots
        under ``max_share`` of the time), or when the next step is ``every_steps``
        after the last snapshot's. Both 0: never."""
        now = time.monotonic() if now is None else now
        wait = self.every_ms / 1000
        if self.max_share > 0:
            wait = max(wait, self._last_cost / self.max_share)
        by_time = self.every_ms > 0 and now - self._last_time >= wait
        by_steps = self.every_steps > 0 and step + 1 - self._last_step >= self.every_steps
        return by_time or by_steps

    def poll(self, step: int) -> ProbeSnapshot | None:
        """Call after every optimizer step; returns a snapshot when one is due, else
        None. Costs one clock read when nothing is due, one weight copy the step
        before a snapshot, and a snapshot otherwise."""
        snap = self.snapshot(step) if self._armed else None
        if self.due(step) or not self._requests.empty():
            self.arm(step)
        return snap

    def _synced(self) -> None:
        if self.sync is not None:
            self.sync()

    def request_sample(self, x: np.ndarray, target=None, class_names=()) -> None:
        """Ask, from any thread, for one sample's prediction, class probabilities and
        layer outputs with the weights of the coming snapshot (its ``tried``). Checked
        here (DataError): a bad one must be refused, not break the run it rides on."""
        x = np.asarray(x)
        want = tuple(self.network.report.layers[self.network.input_id].output_shape or ())
        if x.shape != want or x.dtype.kind not in "biuf" or \
                (x.dtype.kind == "f" and not np.isfinite(x).all()):
            raise DataError(f"A sample to try must be finite numbers of shape {want}, not "
                            f"{x.dtype} of shape {x.shape}")
        self._requests.put((x, target, tuple(str(n) for n in class_names)))

    def arm(self, step: int) -> None:
        """Remember the current weights: the next snapshot measures updates from here."""
        self._synced()
        np.copyto(self._reference, self.network.flat)
        self._reference_step = step
        self._armed = True

    # ---- the snapshot -------------------------------------------------------------------
    def snapshot(self, step: int = 0) -> ProbeSnapshot:
        """Summarise the network as it is now (see ``ProbeSnapshot``)."""
        start = time.perf_counter()
        self._synced()
        sync_weights(self.network, self.shadow)
        loss, outputs, grads = forward_backward(self.shadow, self.x, self.y, self.loss)
        updates, k = self._updates(step)
        layers = {node.id: self._layer_view(node, outputs, grads, updates)
                  for node in self.shadow.nodes}
        boundary = self.boundary.evaluate(self.shadow, self.loss) if self.boundary else None
        tried = self._tried()
        self._finish(step)
        self._last_cost = time.perf_counter() - start
        return ProbeSnapshot(step, loss, layers, k, len(self.x), self.sample,
                             self._last_cost, boundary, tried, self.labels)

    def _tried(self):
        """The latest pending sample request, answered (None when there is none)."""
        request = None
        while not self._requests.empty():
            request = self._requests.get_nowait()
        if request is None:
            return None
        x, target, names = request
        return try_sample(self.shadow, x, self.task, self.loss.name if self.loss else None,
                          names, target)

    def _updates(self, step: int):
        """(per-weight-key squared update norms per step, steps measured over)."""
        ref = self._reference_step
        if ref is None or step <= ref:
            return None, 0
        k, now = step - ref, self.network.flat
        out = {}
        for key, (offset, size, _) in self.network.param_index.items():
            d = now[offset:offset + size] - self._reference[offset:offset + size]
            out[key] = float(np.dot(d, d)) / (k * k)  # one weight's temporary at a time
        return out, k

    def _finish(self, step: int) -> None:
        np.copyto(self._reference, self.network.flat)
        self._reference_step = step
        self._armed = False
        self._last_time = time.monotonic()
        self._last_step = step

    def _layer_view(self, node, outputs, grads, updates) -> LayerView:
        layer = node.layer
        act = layer_activation(layer)
        out = self._displayed_output(node, outputs[node.id])
        g = grads.get(node.id)
        params, g_sq, w_sq, u_sq = self._param_views(node, updates, g is not None)
        hidden, gates, step_norms = views.recurrent_views(layer, self.sample, self.max_units)
        shape = tuple(self.shadow.report.layers[node.id].output_shape)
        for a in gates.values():
            a.flags.writeable = False
        projection = pca_2d(out, self._projections.get(node.id))
        if projection is not None:
            self._projections[node.id] = projection
        return freeze(LayerView(
            node.id, layer.name, layer.type_name, shape, act,
            histogram(out, self.bins), views.activation_stats(out, act),
            None if g is None else histogram(g, self.bins), None if g is None else norm(g),
            params, None if g is None or not params else float(np.sqrt(g_sq)),
            float(np.sqrt(w_sq)), _ratio(u_sq, w_sq),
            views.feature_maps(out, self.sample, self.max_channels, layer.type_name),
            views.conv_filters(layer, self.max_channels), hidden, gates,
            step_norms if g is not None else None, projection,
            views.attention_map(layer, self.sample)))

    def _displayed_output(self, node, out: np.ndarray) -> np.ndarray:
        """The output as inference gives it: the final activation put back when the
        loss fused it (the probe's forward pass left it out to get the gradients)."""
        if (node.id == self.shadow.output_id and self.loss is not None
                and self.loss.fuses and self.shadow.output_activation == self.loss.fuses):
            return activation_forward(self.loss.fuses, out)[0]
        return out

    def _param_views(self, node, updates, with_grads: bool):
        """ParamViews of a layer and its summed squares: (views, |g|², |θ|², |Δθ|²)."""
        params, g_sq, w_sq, u_sq = {}, 0.0, 0.0, None if updates is None else 0.0
        for name, value in node.layer.params.items():
            key = f"{node.id}/{name}"
            grad = node.layer.grads[name] if with_grads else None
            w_norm = norm(value)
            g_norm = None if grad is None else norm(grad)
            upd = None if updates is None else updates[key]
            params[name] = ParamView(
                name, tuple(value.shape), histogram(value, self.bins),
                None if grad is None else histogram(grad, self.bins), w_norm, g_norm,
                None if upd is None else _ratio(upd, w_norm * w_norm))
            w_sq += w_norm * w_norm
            g_sq += 0.0 if g_norm is None else g_norm * g_norm
            u_sq = None if upd is None else u_sq + upd
        return params, g_sq, w_sq, u_sq


def class_labels(y, n: int, task: str) -> np.ndarray | None:
    """One class index per probe sample, to colour projections by (None unless the
    task is classification with one label per sample)."""
    if y is None or task != "classification":
        return None
    y = np.asarray(y)
    if y.size != n:
        return None  # a label per time step: no single colour for a sample
    labels = y.reshape(n)
    if np.issubdtype(labels.dtype, np.floating) and not np.all(np.mod(labels, 1) == 0):
        return None
    out = labels.astype(np.int64)
    out.flags.writeable = False
    return out


def _ratio(update_sq: float | None, weight_sq: float) -> float | None:
    """||Δθ|| / ||θ|| from squares; None when unmeasured or the weights are all zero."""
    if update_sq is None or weight_sq <= 0:
        return None
    return float(np.sqrt(update_sq / weight_sq))
