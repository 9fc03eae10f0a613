"""The Pareto front of a sweep: the trials no other trial beats on both counts, fewer
parameters and a better metric. The rest are dominated: another trial is at least as
small and at least as good, and strictly better on one."""
from __future__ import annotations

import math


def pareto_front(points: list[tuple[float, float]], maximize: bool = True) -> list[int]:
    """Indices of the non-dominated ``(parameters, metric)`` points, by parameters
    ascending. Points with a missing or non-finite value are never on the front."""
    sign = 1.0 if maximize else -1.0
    usable = [(p, sign * m, i) for i, (p, m) in enumerate(points)
              if p is not None and m is not None and math.isfinite(p) and math.isfinite(m)]
    usable.sort(key=lambda t: (t[0], -t[1]))  # smallest first; at equal size, best first
    front, best = [], -math.inf
    for params, score, index in usable:
        if score > best:
            front.append(index)
            best = score
    return front
