"""Before training: how long an epoch will take on this machine and how much memory a
batch needs, measured by training a few real batches on a fresh copy of the design.

Time: the real trainer runs ``batches`` + 1 batches (the first warms caches and
workspaces up and is not counted); the median batch time times the batches per epoch,
plus a timed validation forward pass scaled to the validation split, is the epoch.
Memory: one more batch under ``tracemalloc`` (NumPy reports its buffers to it) gives
the peak of everything training holds beyond the data: weights, gradients, optimizer
state, activations, caches and workspaces. Measure where training will run: the
designer trains on one BLAS thread, so call this under the same limit.
"""
from __future__ import annotations

import statistics
import time
import tracemalloc
from dataclasses import dataclass, field

import numpy as np

from ..backends import gpu_present, torch_available
from ..data.dataset import Dataset
from ..data.prepare import PreparedData
from ..events import BatchEnd
from ..network import Network
from ..settings import make_optimizer, training_settings
from ..spec import NetworkSpec
from ..run import train
from ..memory import available_memory, fmt_bytes

EPOCH_SECONDS_LIMIT = 60.0  # warn when an epoch takes longer
TORCH_SUGGEST_SECONDS = 600.0  # suggest the PyTorch backend (with a GPU) beyond this
MEMORY_SHARE = 0.8  # warn when a batch needs more than this share of the free memory


@dataclass(frozen=True)
class Estimate:
    """Seconds and bytes for this machine. ``bytes_per_batch`` is the peak memory
    training needs at this batch size; ``breakdown`` splits it into ``weights``,
    ``gradients``, ``optimizer`` (its state) and ``activations`` (the rest: layer
    outputs, caches, workspaces, the trainer's safety copy of the weights).
    ``available_bytes`` is the free memory (None when unknown; ``fits`` is then True).
    ``warning`` says, for people, what will not fit or take too long, and what to do."""

    seconds_per_batch: float
    seconds_per_epoch: float  # training batches plus the validation pass
    seconds_total: float  # all epochs
    batches_per_epoch: int
    bytes_per_batch: int
    available_bytes: int | None
    fits: bool
    warning: str | None
    measured_batches: int
    breakdown: dict = field(default_factory=dict)
    suggestion: str | None = None  # a faster way to train, when there is one here


def estimate(spec: NetworkSpec, data: PreparedData | Dataset, settings: dict | None = None,
             batches: int = 5, *, available_bytes: int | None = None,
             epoch_seconds_limit: float = EPOCH_SECONDS_LIMIT,
             initial_weights: dict | None = None, gpu: bool | None = None) -> Estimate:
    """Measure (see the module docstring). Raises the design's or data's typed error
    when training could not start at all. ``available_bytes`` overrides the free
    memory read from the system (for tests and for planning another machine)."""
    s = training_settings(settings)
    train_data = data.train if isinstance(data, PreparedData) else data
    val = data.val if isinstance(data, PreparedData) else None
    bs = s["batch_size"]
    per_epoch = -(-len(train_data) // bs)
    calib = _calibration_data(train_data, bs, batches + 1)
    run = {**s, "early_stopping": False, "epochs": -(-(batches + 1) * bs // len(calib))}
    peak, breakdown = _memory(spec, calib, run, initial_weights)
    times = _batch_times(spec, calib, run, batches + 1, initial_weights)
    per_batch = statistics.median(times[1:]) if len(times) > 1 else times[0]
    per_epoch_s = per_batch * per_epoch + _validation_seconds(spec, val, s)
    total = per_epoch_s * s["epochs"]
    free = available_bytes if available_bytes is not None else available_memory()
    fits = free is None or peak <= MEMORY_SHARE * free
    warning = _warning(peak, free, fits, per_epoch_s, total, s, epoch_seconds_limit)
    gpu = gpu_present() if gpu is None else gpu
    return Estimate(per_batch, per_epoch_s, total, per_epoch, peak, free, fits, warning,
                    max(len(times) - 1, 1), breakdown, _suggestion(per_epoch_s, s, gpu))


def _suggestion(epoch_s: float, s: dict, gpu: bool) -> str | None:
    """Point at the PyTorch backend when an epoch is long and a GPU is here to take it."""
    if s["backend"] != "numpy" or epoch_s <= TORCH_SUGGEST_SECONDS or not gpu:
        return None
    long = f"An epoch takes about {fmt_seconds(epoch_s)} on the built-in NumPy engine"
    if torch_available():
        return (f"{long}, and this machine has a GPU: Training \u203a Backend: torch "
                f"(device auto) trains the same design there, usually many times faster.")
    return (f"{long}, and this machine has a GPU: install PyTorch (pip install "
            f"'neurocanvas[torch]') and pick Training \u203a Backend: torch to use it.")


def _calibration_data(data: Dataset, batch_size: int, batches: int) -> Dataset:
    """The first ``batches`` full batches' worth of samples (all when there are fewer)."""
    n = min(len(data), batch_size * batches)
    return data.subset(np.arange(n))


def _network(spec, settings, initial_weights) -> Network:
    net = Network(spec, seed=settings["seed"])
    if initial_weights:
        net.set_weights(initial_weights)
    return net


def _batch_times(spec, data, settings, count, initial_weights) -> list[float]:
    """Seconds of each of the first ``count`` training batches (optimizer step included)."""
    net = _network(spec, settings, initial_weights)
    times, last = [], None
    for event in train(net, data, None, settings):
        if isinstance(event, BatchEnd):
            times.append(event.elapsed - (last or 0.0))
            last = event.elapsed
            if len(times) >= count:
                break
    return times


def _memory(spec, data, settings, initial_weights) -> tuple[int, dict]:
    """Peak bytes allocated from building the network through two training batches."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        net = _network(spec, settings, initial_weights)
        seen = 0
        for event in train(net, data, None, settings):
            if isinstance(event, BatchEnd):
                seen += 1
                if seen >= 2:
                    break
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        if not was_tracing:
            tracemalloc.stop()
    weights = net.flat.nbytes + sum(a.nbytes for n in net.nodes for a in n.layer.state.values())
    opt = _optimizer_bytes(settings, net)
    parts = {"weights": weights, "gradients": net.grad_flat.nbytes, "optimizer": opt}
    peak = max(peak, sum(parts.values()))
    return int(peak), {**parts, "activations": int(peak - sum(parts.values()))}


def _optimizer_bytes(settings, net: Network) -> int:
    """Bytes of the optimizer's state for this network (bound to untouched buffers:
    ``np.empty``/``zeros`` pages cost no memory until written)."""
    opt = make_optimizer(settings).bind(np.empty_like(net.flat), np.empty_like(net.flat),
                                        net.decay_size)
    return int(sum(b.nbytes for b in opt._state()) + opt.tmp.nbytes)


def _validation_seconds(spec, val: Dataset | None, settings) -> float:
    """One timed inference pass over up to 512 validation samples, scaled to all."""
    if val is None or not len(val):
        return 0.0
    net = Network(spec, seed=settings["seed"])
    x = net.prepare_input(val.x[:512])
    net.forward(x[:8])  # warm-up
    start = time.perf_counter()
    net.forward(x)
    return (time.perf_counter() - start) * len(val) / len(x)


def fmt_seconds(s: float) -> str:
    if s < 60:
        return f"{s:.1f} s"
    if s < 3600:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


def _warning(peak, free, fits, epoch_s, total_s, s, limit) -> str | None:
    parts = []
    if not fits:
        parts.append(f"Training needs about {fmt_bytes(peak)} per batch but only "
                     f"{fmt_bytes(free)} of memory is free: lower the batch size (now "
                     f"{s['batch_size']}) or make the layers smaller.")
    if epoch_s > limit:
        parts.append(f"An epoch will take about {fmt_seconds(epoch_s)} on this machine "
                     f"({s['epochs']} epochs: about {fmt_seconds(total_s)}): use fewer "
                     f"samples, fewer epochs or a smaller network.")
    return " ".join(parts) or None
