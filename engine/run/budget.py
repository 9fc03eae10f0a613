"""Will a run fit in memory? Checked by ``make_job`` before anything is allocated, so a
design too big for the machine is refused with its figures instead of dying in the
middle of training with a MemoryError.

The budget itself is ``engine/memory.py``'s, shared with the data loaders. The estimate is arithmetic on the shape report, not a measurement (the Estimate view
measures): the weights with their gradients, the optimizer's state and its scratch
buffers, and each layer's output for a batch about four times over (the output, what
backward keeps of it, the gradient flowing back, scratch), plus what a layer keeps
besides (``Layer.working_numbers``: attention's weights over T x T). The budget is the memory
free now, or ``NEUROCANVAS_MEMORY_LIMIT_MB`` when set.
"""
from __future__ import annotations

import math

from ..errors import TrainingError
from ..graph import ShapeReport
from ..memory import LIMIT_VARIABLE, available_memory, fmt_bytes, memory_budget

__all__ = ["training_bytes", "check_fits", "memory_budget", "available_memory", "fmt_bytes",
           "LIMIT_VARIABLE"]

BYTES = 4  # float32
# Copies of the parameter buffer a step keeps: weights, gradients and the optimizer's
# scratch, plus its state (Adam: two moments and a second scratch buffer).
PARAMETER_COPIES = {"adam": 6, "adamw": 6, "rmsprop": 5, "sgd": 4}
ACTIVATION_COPIES = 4


def training_bytes(report: ShapeReport, settings: dict) -> int:
    """About how many bytes one training step of this design needs."""
    params = report.total_params * BYTES * PARAMETER_COPIES.get(settings["optimizer"], 6)
    outputs = sum(math.prod(info.output_shape) for info in report.layers.values()
                  if info.output_shape is not None)
    working = sum(info.layer.working_numbers(info.input_shapes)
                  for info in report.layers.values()
                  if info.layer is not None and info.output_shape is not None)
    return int(params + (outputs * ACTIVATION_COPIES + working) * settings["batch_size"]
               * BYTES)


def check_fits(report: ShapeReport, settings: dict, budget: int | None = None) -> None:
    """Raise TrainingError with the figures when a step will not fit the budget."""
    budget = memory_budget() if budget is None else budget
    need = training_bytes(report, settings)
    if budget is not None and need > budget:
        raise TrainingError(
            f"This design needs about {fmt_bytes(need)} to train ({report.total_params:,} "
            f"parameters, batch size {settings['batch_size']}), more than the "
            f"{fmt_bytes(budget)} free: make the largest layers smaller or the batch "
            f"size smaller ({LIMIT_VARIABLE} sets another limit).")
