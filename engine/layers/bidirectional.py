"""Both directions for the recurrent layers (the ``bidirectional`` setting).

A second cell of the same type, with weights of its own (``W_reverse``, ``U_reverse``,
``b_reverse``, GRU ``b_hn_reverse``: PyTorch's ``*_l0_reverse``), reads the sequence
from its last step to its first. The two outputs are joined on the last axis, forward
first, as PyTorch's ``bidirectional=True`` output: with All steps, step t holds the
forward state after x_0..x_t and the backward state after x_(T-1)..x_t; with the last
step only, the forward state after the last step and the backward state after step 0
(PyTorch's ``output[:, -1, :H]`` and ``output[:, 0, H:]``).

The backward cell is an ordinary one-direction layer whose weights and gradients are
views into this layer's ``*_reverse`` arrays, so the time loops are the same code.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from .base import Layer

REVERSE = "_reverse"


class BothWays(Layer):
    """Mixin before ``_Recurrent`` in a recurrent layer's bases: with ``bidirectional``
    off every method hands over to the one-direction layer unchanged."""

    @property
    def bidirectional(self) -> bool:
        return bool(self.config.get("bidirectional"))

    def describe(self):
        return super().describe() + (", both directions" if self.bidirectional else "")

    def output_shape(self, input_shapes):
        shape = super().output_shape(input_shapes)
        return shape[:-1] + (2 * shape[-1],) if self.bidirectional else shape

    def param_specs(self, input_shapes):
        specs = super().param_specs(input_shapes)
        if not self.bidirectional:
            return specs
        return specs + [replace(spec, name=spec.name + REVERSE) for spec in specs]

    # ---- the backward cell ----------------------------------------------------------------
    def reverse_cell(self) -> Layer:
        """The one-direction layer that runs the reversed sequence, on this layer's
        ``*_reverse`` weights and gradients (refreshed: the network may reallocate)."""
        cell = getattr(self, "_reverse_cell", None)
        if cell is None:
            cell = type(self)({**self.config, "bidirectional": False}, f"{self.name} reverse")
            self._reverse_cell = cell
        cell.input_shapes = self.input_shapes
        n = len(REVERSE)
        cell.params = {k[:-n]: v for k, v in self.params.items() if k.endswith(REVERSE)}
        cell.grads = {k[:-n]: v for k, v in self.grads.items() if k.endswith(REVERSE)}
        return cell

    def forward(self, inputs, training=False):
        if not self.bidirectional:
            return super().forward(inputs, training)
        x = inputs[0]
        if x.ndim != 3:
            return super().forward(inputs, training)  # its message
        back = self.reverse_cell().forward([x[:, ::-1]], training)
        if self.config["return_sequences"]:
            back = back[:, ::-1]  # back in the input's time order
        return np.concatenate([super().forward(inputs, training), back], axis=-1)

    def backward(self, grad, need_input_grad=True):
        if not self.bidirectional:
            return super().backward(grad, need_input_grad)
        h = self.config["units"]
        g_back = grad[..., h:]
        if self.config["return_sequences"]:
            g_back = g_back[:, ::-1]
        (dx_back,) = self.reverse_cell().backward(np.ascontiguousarray(g_back),
                                                  need_input_grad)
        (dx,) = super().backward(np.ascontiguousarray(grad[..., :h]), need_input_grad)
        if dx is not None:
            dx += dx_back[:, ::-1]
        return [dx]

    # ---- inspection ---------------------------------------------------------------------
    def internals(self, sample: int | None = None) -> dict[str, np.ndarray]:
        """With both directions: ``hidden`` is the output at every step (forward units,
        then backward ones, in input time order); each gate of the backward cell is
        listed as ``"<gate> (reverse)"``, also in input time order."""
        one_way: Any = super()  # _Recurrent, after this mixin in the bases
        inner = one_way.internals(sample)
        if not self.bidirectional or not inner:
            return inner
        cell: Any = self.reverse_cell()
        back = {k: np.array(v[::-1] if sample is not None else v[:, ::-1])
                for k, v in cell.internals(sample).items()}
        out = {"hidden": np.concatenate([inner.pop("hidden"), back.pop("hidden")], axis=-1)}
        out.update(inner)
        out.update({f"{k} (reverse)": v for k, v in back.items()})
        return out

    def one_way_internals(self, sample: int | None = None) -> dict[str, np.ndarray]:
        """This cell's own internals (the forward direction's, in its own step order),
        whatever ``bidirectional`` says."""
        one_way: Any = super()
        return one_way.internals(sample)

    def step_grad_norms(self) -> np.ndarray | None:
        """With both directions: per step *of processing* (forward step k with backward
        step k, which reads input step T-1-k), the two directions' norms combined as
        sqrt(f² + b²); so the first entries show how much reaches each direction's first
        steps, which is what vanishing or exploding is about."""
        one_way: Any = super()
        norms = one_way.step_grad_norms()
        if norms is None or not self.bidirectional:
            return norms
        cell: Any = self.reverse_cell()
        back = cell.step_grad_norms()
        return None if back is None else np.sqrt(norms * norms + back * back)
