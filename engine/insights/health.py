"""Layer health from a probe snapshot: the badges the canvas shows on each node.

``assess(snapshot)`` checks every layer against the thresholds below and returns a
``Health`` per layer id: a level ("ok", "warn", "bad"), and for each finding a short
badge, a reason and a plain suggestion (``badges[i]``, ``reasons[i]`` and
``suggestions[i]`` belong together), with the figures they rest on.

Thresholds (rules of thumb; all on the probe batch, inference mode):

- non-finite: any NaN or infinity in outputs, gradients or weights: bad.
- dead ReLU: share of relu units never above zero: warn >= 40%, bad >= 60%
  (a trained CNN's dense layer often has 15-25% dead units and is fine).
- saturated sigmoid/tanh: share of units in their flat tails (|tanh| > 0.97,
  sigmoid outside [0.03, 0.97]) on >= 90% of values: warn >= 25%, bad >= 50%.
  The network's output layer is left out (a confident classifier saturates there).
- vanishing gradient: the layer's relative gradient ||dL/dθ|| / ||θ|| is below 1e-3
  (warn) or 1e-5 (bad) of the largest in the network; a layer with weights but an
  exactly zero gradient is bad. Across time steps of a recurrent layer: the
  gradient reaching the first step is below 1e-5 (warn) or 1e-8 (bad) of the
  largest step's (a GRU classifying 32-step waves starts near 5e-5 and learns).
- exploding gradient: relative gradient above 10 (warn) or 1000 (bad); or the
  gradient norm grew more than 100x since the previous snapshot (warn); or the first
  time step's gradient above 100x (warn) or 1e4x (bad) the last step's.
- update-to-weight ratio ||Δθ|| / ||θ|| per optimizer step (about 1e-3 is healthy):
  warn above 0.1, bad above 0.5; warn below 1e-5 when measured over exactly one step
  (over k steps the figure is a lower bound, so only "too big" is judged).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .snapshot import LayerView, ProbeSnapshot

LEVELS = ("ok", "warn", "bad")
DEAD = (0.4, 0.6)
SATURATED = (0.25, 0.5)
VANISHING = (1e-3, 1e-5)  # relative gradient as a share of the network's largest
STEP_VANISHING = (1e-5, 1e-8)  # first step's gradient as a share of the largest step's
EXPLODING = (10.0, 1000.0)  # relative gradient ||g|| / ||θ||
STEP_EXPLODING = (1e2, 1e4)  # first step's gradient over the last step's
GROWTH = 100.0  # gradient norm growth between snapshots
UPDATE_BIG = (0.1, 0.5)
UPDATE_SMALL = 1e-5


@dataclass(frozen=True)
class Finding:
    level: str
    badge: str
    reason: str
    suggestion: str


@dataclass(frozen=True)
class Health:
    level: str  # "ok", "warn" or "bad": the worst finding's
    badges: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    figures: dict = field(default_factory=dict)  # the measurements checked

    @property
    def tooltip(self) -> str:
        """Reasons and suggestions as lines for a hover text ('' when healthy)."""
        return "\n".join(f"{r}: {s}" for r, s in zip(self.reasons, self.suggestions))


def assess(snapshot: ProbeSnapshot, previous: ProbeSnapshot | None = None,
           lr: float | None = None) -> dict[str, Health]:
    """Health of every layer of a snapshot (see the module docstring). ``previous``
    (an earlier snapshot of the same run) lets gradient growth be judged; ``lr`` (the
    current learning rate) makes suggestions concrete."""
    rel = {i: _relative_grad(v) for i, v in snapshot.layers.items()}
    top = max((r for r in rel.values() if r is not None and np.isfinite(r)), default=None)
    out_id = next(reversed(snapshot.layers)) if snapshot.layers else None
    result = {}
    for layer_id, view in snapshot.layers.items():
        before = previous.layers.get(layer_id) if previous is not None else None
        findings = [f for f in _checks(view, rel[layer_id], top, before, lr,
                                       exact=snapshot.update_steps == 1,
                                       is_output=layer_id == out_id) if f is not None]
        result[layer_id] = _health(findings, _figures(view, rel[layer_id], top))
    return result


def worst(healths: dict[str, Health]) -> str:
    """The network's level: the worst of its layers'."""
    return max((h.level for h in healths.values()), key=LEVELS.index, default="ok")


def _checks(view: LayerView, rel, top, before, lr, exact: bool, is_output: bool):
    yield _nonfinite(view, lr)
    yield _dead(view, lr)
    if not is_output:
        yield _saturated(view)
    yield _vanishing(view, rel, top)
    yield _exploding(view, rel, before, lr)
    yield from _steps(view)
    yield _update(view, exact, lr)


def _health(findings: list[Finding], figures: dict) -> Health:
    level = max((f.level for f in findings), key=LEVELS.index, default="ok")
    return Health(level, tuple(f.badge for f in findings), tuple(f.reason for f in findings),
                  tuple(f.suggestion for f in findings), figures)


def _level(value: float, warn: float, bad: float, above: bool = True) -> str | None:
    if above:
        return "bad" if value >= bad else "warn" if value >= warn else None
    return "bad" if value <= bad else "warn" if value <= warn else None


def _lower_lr(lr) -> str:
    return "lower the learning rate" + (f" (now {lr:g}, try {lr / 10:g})" if lr else "")


def _relative_grad(view: LayerView) -> float | None:
    if view.grad_norm is None or view.weight_norm <= 0:
        return None
    return view.grad_norm / view.weight_norm


def _figures(view: LayerView, rel, top) -> dict:
    s = view.stats
    return {"dead": s.dead, "saturated": s.saturated, "grad_norm": view.grad_norm,
            "weight_norm": view.weight_norm, "relative_grad": rel,
            "relative_to_largest": None if rel is None or not top else rel / top,
            "update_ratio": view.update_ratio,
            "step_grad_ratio": _step_ratio(view.step_grad_norms)}


# ---- the checks --------------------------------------------------------------------------
def _nonfinite(view: LayerView, lr) -> Finding | None:
    hists = [view.activations, view.gradients] + [h for p in view.params.values()
                                                 for h in (p.values, p.grads)]
    if not any(h is not None and h.nonfinite for h in hists):
        return None
    return Finding("bad", "NaN", "Values became NaN or infinite: the weights have blown up",
                   _lower_lr(lr) + " or turn on gradient clipping")


def _dead(view: LayerView, lr) -> Finding | None:
    level = _level(view.stats.dead, *DEAD) if view.activation == "relu" else None
    if level is None:
        return None
    pct = round(100 * view.stats.dead)
    return Finding(level, f"dead {pct}%", f"{pct}% of units never activate",
                   _lower_lr(lr) + " or try leaky_relu")


def _saturated(view: LayerView) -> Finding | None:
    level = _level(view.stats.saturated, *SATURATED)
    if level is None:
        return None
    pct = round(100 * view.stats.saturated)
    return Finding(level, f"saturated {pct}%",
                   f"{pct}% of {view.activation} units are stuck at their limits, where "
                   f"they barely learn",
                   "standardise the inputs, start from smaller weights, add BatchNorm "
                   "before the activation, or use relu")


def _vanishing(view: LayerView, rel, top) -> Finding | None:
    if rel is None or not top:
        return None
    if view.grad_norm == 0:
        return Finding("bad", "no gradient", "This layer receives no gradient at all",
                       "check for dead units or a saturated layer after it")
    level = _level(rel / top, *VANISHING, above=False)
    if level is None:
        return None
    return Finding(level, "vanishing gradient",
                   f"Its gradient is {rel / top:.0e} of the strongest layer's: it hardly "
                   f"learns", "use relu instead of sigmoid/tanh, add BatchNorm, or make "
                   "the network shallower (or add residual connections)")


def _exploding(view: LayerView, rel, before: LayerView | None, lr) -> Finding | None:
    if rel is not None and np.isfinite(rel):
        level = _level(rel, *EXPLODING)
        if level is not None:
            return Finding(level, "exploding gradient",
                           f"Its gradient is {rel:.3g}x the size of its weights",
                           _lower_lr(lr) + " or turn on gradient clipping")
    old = before.grad_norm if before is not None else None
    if old and view.grad_norm is not None and view.grad_norm > GROWTH * old:
        return Finding("warn", "growing gradient",
                       f"Its gradient grew {view.grad_norm / old:.0f}x since the last look",
                       _lower_lr(lr) + " or turn on gradient clipping")
    return None


def _step_ratio(norms) -> float | None:
    """First step's gradient over the largest step's (None without per-step norms)."""
    if norms is None or len(norms) < 2 or not np.all(np.isfinite(norms)) or norms.max() <= 0:
        return None
    return float(norms[0] / norms.max())


def _steps(view: LayerView):
    norms = view.step_grad_norms
    ratio = _step_ratio(norms)
    if ratio is None:
        return
    level = _level(ratio, *STEP_VANISHING, above=False)
    if level is not None:
        yield Finding(level, "vanishing over time",
                      f"The gradient reaching the first step is {ratio:.0e} of the "
                      f"strongest step's: early steps are barely learned from",
                      "use an LSTM or GRU, shorter sequences, or relu in a SimpleRNN")
    if norms[-1] > 0:
        growth = float(norms[0] / norms[-1])
        level = _level(growth, *STEP_EXPLODING)
        if level is not None:
            yield Finding(level, "exploding over time",
                          f"The gradient grows {growth:.3g}x from the last step back to "
                          f"the first", "turn on gradient clipping or use tanh")


def _update(view: LayerView, exact: bool, lr) -> Finding | None:
    r = view.update_ratio
    if r is None:
        return None
    level = _level(r, *UPDATE_BIG)
    if level is not None:
        return Finding(level, "big updates",
                       f"Each step changes the weights by {100 * r:.3g}% (about 0.1% is "
                       f"healthy)", _lower_lr(lr))
    if exact and r < UPDATE_SMALL:
        return Finding("warn", "tiny updates",
                       f"Each step changes the weights by only {r:.1e} of their size "
                       f"(about 1e-3 is healthy)", "raise the learning rate" +
                       (f" (now {lr:g})" if lr else "") + " if the loss still falls "
                       "slowly (expected at the end of a schedule that decays to 0)")
    return None
