"""Recurrent layers: SimpleRNN (Elman), LSTM and GRU over sequences ``(N, T, D)``.

Weight layout (all three; G gates, H units, D input features) is PyTorch's transposed,
so export is a transpose and a bias split, never a reshuffle of trained numbers:

- ``W`` (D, G*H): input kernel, ``x_t W``. PyTorch ``weight_ih_l0 = W.T``.
- ``U`` (H, G*H): recurrent kernel, ``h_{t-1} U``, initialised orthogonal.
  PyTorch ``weight_hh_l0 = U.T``.
- ``b`` (G*H,): one bias per gate (PyTorch's ``bias_ih + bias_hh``): export it as
  ``bias_ih_l0 = b`` and ``bias_hh_l0 = 0`` (GRU: see ``b_hn``).

Gate blocks along the G*H axis are in PyTorch's order: LSTM i, f, g, o; GRU r, z, n.
ONNX orders them differently (LSTM i, o, f, c; GRU z, r, h), so an ONNX exporter
permutes the blocks. The state starts at zero for every batch.

The time loops live in ``engine.kernels.recurrent`` (time-major, feature-major buffers: a step
is a (G*H, N) block); this module does what is done once per batch: the weights put in
internal gate order, the input projection of all steps (bias included) as one batched
GEMM before the loop (the Elman and LSTM loops fold it into each step's GEMM instead),
and every weight gradient from one pass of GEMMs over all steps after it.
"""
from __future__ import annotations

import numpy as np

from ..initializers import WEIGHT_INITIALIZERS
from ..params import Param, Schema
from ..kernels import recurrent as steps
from .base import Layer, ParamSpec, fmt_shape
from .bidirectional import BothWays
from ..wording import noun
from .registry import register

_COMMON = (
    Param("units", "int", 64, "Size of the hidden state (H).", low=1, high=100_000),
    Param("return_sequences", "bool", False,
          "Output the state at every step (T, H) instead of only the last one (H,).",
          label="All steps"),
    Param("use_bias", "bool", True, "Add a learned bias to each gate.", label="Bias"),
    Param("initializer", "choice", "glorot_uniform",
          "How the input kernel W starts (the recurrent kernel U starts orthogonal).",
          choices=WEIGHT_INITIALIZERS),
    Param("bidirectional", "bool", False,
          "Also read the sequence backwards with a second set of weights and join both "
          "outputs (2 x units features): each step then knows what comes after it too. "
          "Not for predicting the next step (it would see the answer).",
          label="Both directions", added_later=True),
)


def _step_gemm_blocks(gates: int, units: int, batch: int) -> tuple[int, int]:
    """Into how many row blocks to split the two per-step GEMMs, (forward, backward).

    OpenBLAS packs both operands on every GEMM call, and how it blocks a product depends
    on its shape. Measured with ``benchmarks/bench_rnn.py`` (OpenBLAS 0.3.31, one
    AVX-512 core): at 128 units and batch 32 an LSTM step's GEMMs take 38 -> 30 us
    forward as one block per gate and 42 -> 32 us backward in blocks of 32 rows (the
    whole training step 10.8 -> 9.6 ms; GRU 9.0 -> 7.7 ms). At 192 units or batch 16 the
    split gains 5%; at 256 units or batch 64 it loses about as much, so it is off there."""
    if not (128 <= units <= 192 and batch <= 32):
        return 1, 1
    return gates, (units // 32 if units % 32 == 0 else 1)


# Bytes of a time chunk of the weight-gradient GEMM's transposed operand (in L2 cache).
_CHUNK_BYTES = 1 << 19


class _Recurrent(Layer):
    """Shared machinery. Subclasses set the gate count, which leading internal gate
    blocks are sigmoids, the internal block order, and implement ``_run`` /
    ``_run_backward`` on the (T, G*H, N) buffers of ``engine.kernels.recurrent``."""

    bias_init = "zeros"  # an initializer name for ``b``

    category = "Recurrent"
    schema = Schema(_COMMON)
    gates = 1
    sigmoid_blocks = 0  # leading internal blocks computed as sigmoids
    block_order: tuple[int, ...] | None = None  # stored block of each internal block
    gate_names: tuple[str, ...] = ()  # the activated internal gate blocks, in internal order

    def __init__(self, config=None, name=""):
        super().__init__(config, name)
        self._ws = steps.Workspace()
        self._cols_cache: dict = {}

    # ---- description and shapes -----------------------------------------------------
    def describe(self):
        steps_ = "all steps" if self.config["return_sequences"] else "last step"
        units = self.config["units"]
        return f"{units} {noun(units, 'unit')}, {steps_}"

    def output_shape(self, input_shapes):
        shape = self.single_input(input_shapes)
        if len(shape) != 2:
            hint = ("set the Input kind to sequence, or put an Embedding or a Reshape to "
                    "(T, D) before it" if len(shape) < 2 else "add a Reshape to (T, D)")
            raise self.shape_error(f"needs a sequence (T, D) but receives "
                                   f"{fmt_shape(shape)}: {hint}")
        units = self.config["units"]
        return (shape[0], units) if self.config["return_sequences"] else (units,)

    def param_specs(self, input_shapes):
        d, h = input_shapes[0][-1], self.config["units"]
        gh = self.gates * h
        specs = [ParamSpec("W", (d, gh), self.config["initializer"], d, gh),
                 ParamSpec("U", (h, gh), "orthogonal", h, gh)]
        if self.config["use_bias"]:
            specs.append(ParamSpec("b", (gh,), self.bias_init, d, gh, decay=False))
        return specs + self._extra_specs()

    def _extra_specs(self) -> list[ParamSpec]:
        """Weights a cell type has beyond W, U and b (GRU: b_hn)."""
        return []

    # ---- weights in internal order -----------------------------------------------------
    def _layout(self, dtype):
        """(internal -> stored column index or None, inverse, forward column scale or None)."""
        key = np.dtype(dtype)
        if key not in self._cols_cache:
            h, g = self.config["units"], self.gates
            cols = inv = scale = None
            if self.block_order is not None:
                cols = np.concatenate([np.arange(b * h, (b + 1) * h) for b in self.block_order])
                inv = np.argsort(cols)
            if self.sigmoid_blocks:
                scale = np.ones(g * h, key)
                scale[:self.sigmoid_blocks * h] = 0.5  # sigmoid(a) = (tanh(a/2) + 1) / 2
            self._cols_cache[key] = (cols, inv, scale)
        return self._cols_cache[key]

    def _kernels(self, n: int) -> dict:
        """The weights as the loops use them, in internal gate order, for a batch of
        ``n``: ``WT`` (G*H, D+1), the input kernel transposed with the bias as its last
        column, and ``UT`` (G*H, H) as row blocks, both with sigmoid rows halved
        (forward); ``W`` (D, G*H) as trained and ``U`` (H, G*H) as row blocks
        (backward). Rebuilt per batch: cheap next to the time loop, and always in step
        with the optimizer's updates."""
        cols, _, scale = self._layout(self.params["W"].dtype)
        w, u, b = self.params["W"], self.params["U"], self.params.get("b")
        if cols is not None:
            w, b = w[:, cols], None if b is None else b[cols]
        d, gh = w.shape
        h = u.shape[0]
        wt = self._ws.get("WT", (gh, d + (b is not None)), w.dtype)
        np.copyto(wt[:, :d], w.T)
        if b is not None:
            wt[:, d] = b  # x gets a row of ones: the bias rides in the projection GEMM
        if scale is not None:
            wt *= scale[:, None]
        if self.block_order is not None:  # whole gate blocks move: G runs, not G*H columns
            u = np.take(u.reshape(h, self.gates, -1), list(self.block_order), axis=1,
                        out=self._ws.get("Uf", (h, self.gates, gh // self.gates), w.dtype))
            u = u.reshape(h, gh)
        fwd, bwd = _step_gemm_blocks(self.gates, h, n)
        # The forward kernel is a stack of row blocks, each in Fortran order (a plain
        # copy of U's columns, no transpose): OpenBLAS runs these small GEMMs fastest
        # that way (see ``_step_gemm_blocks``). Backward's row blocks of U are views: in
        # C order they ran as fast as in Fortran order, and a transposed copy cost 77 us
        # per batch (LSTM, 128 units).
        ut = self._ws.get("UT", (fwd, h, gh // fwd), w.dtype)
        np.copyto(ut, u.reshape(h, fwd, gh // fwd).transpose(1, 0, 2))
        if scale is not None:
            ut *= scale.reshape(fwd, 1, gh // fwd)
        return {"WT": wt, "UT": ut.transpose(0, 2, 1), "W": w, "U": u.reshape(bwd, h // bwd, gh)}

    # ---- forward -----------------------------------------------------------------------
    def forward(self, inputs, training=False):
        x = inputs[0]
        if x.ndim != 3:
            raise self.shape_error(f"needs a batch of sequences (N, T, D) but receives an "
                                   f"array of shape {fmt_shape(x.shape)}")
        n, t, d = x.shape
        k = self._kernels(n)
        dt, h = k["W"].dtype, self.config["units"]
        # Step t's GEMM operand [h_t | x_{t+1} | 1] (time-major, features by batch), and
        # the same rows are what the weight-gradient GEMM needs afterwards.
        e = d + (self.params.get("b") is not None)  # x gets a row of ones for the bias
        z = self._ws.get("z", (t + 1, h + e, n), dt)
        hs, xa = z[:, :h], z[:t, h:]
        np.copyto(xa[:, :d], x.transpose(1, 2, 0))
        xa[:, d:] = 1
        hs[0] = 0
        self._run(z, k)
        self._cache = (k, z, hs, d)
        if self.config["return_sequences"]:
            return np.ascontiguousarray(hs[1:].transpose(2, 0, 1))
        return np.ascontiguousarray(hs[t].T)  # a fresh array: the workspace is reused

    def _run(self, z, k) -> None:
        """Fill ``z[1:, :H]`` with the states (and keep what backward needs)."""
        raise NotImplementedError

    def _projection(self, z, k) -> np.ndarray:
        """Every step's input projection, bias included, as one batched GEMM (T, G*H, N)."""
        t, h = z.shape[0] - 1, self.config["units"]
        proj = self._ws.get("proj", (t, self.gates * h, z.shape[2]), z.dtype)
        np.matmul(k["WT"], z[:t, h:], out=proj)
        return proj

    # ---- backward ----------------------------------------------------------------------
    def backward(self, grad, need_input_grad=True):
        k, z, hs, d = self._cache
        if self.config["return_sequences"]:
            d_y, d_last = np.ascontiguousarray(grad.transpose(1, 2, 0), hs.dtype), None
        else:
            d_y, d_last = None, np.ascontiguousarray(grad.T, hs.dtype)
        d_rec = self._run_backward(d_y, d_last, k, hs)
        rows = self._ws.get("rows", (z.shape[0] - 1, z.shape[2], z.shape[1]), z.dtype)
        self._store_grads(self._grad_gemm(d_rec, rows, z), rows, d)
        if not need_input_grad:
            return [None]
        dx = self._input_grad(k["W"], d_rec)  # (T, D, N)
        return [np.ascontiguousarray(dx.transpose(2, 0, 1))]

    def _run_backward(self, d_y, d_last, k, hs) -> np.ndarray:
        """The gradient of the recurrent projections ``U^T h_{t-1}`` (T, G*H, N)."""
        raise NotImplementedError

    def _weight_gemm(self, name, a, rows):
        """``a`` (T, R, N) against ``rows`` (T, N, E), summed over steps and batch: (R, E).

        A GEMM over all T*N columns wants ``a`` as (R, T*N), a transposed copy. Done a
        few steps at a time, each copy stays in cache and the GEMM reads it there:
        measured 2.7 instead of 3.4 ms for an LSTM's (512, 1600) @ (1600, 137) at 50
        steps, 128 units, batch 32 (steps of 64 KB each, 8 per chunk)."""
        t, r, n = a.shape
        step = max(1, _CHUNK_BYTES // max(r * n * a.itemsize, 1))
        buf = self._ws.get(name, (r, min(step, t), n), a.dtype)
        out = np.empty((r, rows.shape[2]), a.dtype)
        part = self._ws.get(name + "part", out.shape, a.dtype) if t > step else None
        for t0 in range(0, t, step):
            k = min(step, t - t0)
            chunk = buf[:, :k]
            np.copyto(chunk, a[t0:t0 + k].transpose(1, 0, 2))
            target = out if t0 == 0 else part
            np.matmul(chunk.reshape(r, k * n), rows[t0:t0 + k].reshape(k * n, -1), out=target)
            if t0:
                out += part
        return out

    def _grad_gemm(self, d_rec, rows, z):
        """Every weight gradient from one pass over all T*N columns: ``d_rec`` against
        the rows ``[h_{t-1} | x_t | 1]`` gives (G*H, H + D + 1) = [dU^T | dW^T | db]."""
        np.copyto(rows, z[:-1].transpose(0, 2, 1))
        return self._weight_gemm("dRT", d_rec, rows)

    def _store_grads(self, g, rows, d) -> None:
        """Write [dU^T | dW^T | db] (internal row order) into the stored layouts."""
        h = self.config["units"]
        steps.put_blocks(self.grads["U"], g[:, :h], self._stored_blocks)
        steps.put_blocks(self.grads["W"], g[:, h:h + d], self._stored_blocks)
        if "b" in self.grads:
            steps.put_blocks(self.grads["b"][None], g[:, h + d:h + d + 1], self._stored_blocks)

    @property
    def _stored_blocks(self) -> list[int] | None:
        """For each stored gate block, its internal block (None: the same order)."""
        if self.block_order is None:
            return None
        return [self.block_order.index(b) for b in range(self.gates)]

    def _input_grad(self, w, d_rec) -> np.ndarray:
        return np.matmul(w, d_rec)  # (D, G*H) @ (T, G*H, N): one GEMM per step, batched

    # ---- inspection: read lazily from the workspace, never on the training path -------
    def internals(self, sample: int | None = None) -> dict[str, np.ndarray]:
        """Copies of what the last forward pass computed inside the layer, for people to
        look at: ``hidden`` (the state h_t after every step) and each activated gate
        (``gate_names``; LSTM also ``cell``, the memory c_t). Batch-first ``(N, T, H)``,
        or ``(T, H)`` for one ``sample``. Empty before the first forward pass.

        Reads the workspace the time loop filled, so training pays nothing for it; the
        next forward pass overwrites that workspace, hence the copies."""
        if getattr(self, "_cache", None) is None:
            return {}
        if sample is None:
            return {name: np.array(a.transpose(2, 0, 1)) for name, a in self._blocks().items()}
        return {name: np.array(a[:, :, sample]) for name, a in self._blocks().items()}

    def _blocks(self) -> dict[str, np.ndarray]:
        """Time-major (T, H, N) views of the hidden states and the activated gates."""
        hs, h = self._cache[2], self.config["units"]
        blocks = {"hidden": hs[1:]}
        if self.gate_names:
            gates = self._ws["gates"]
            for i, name in enumerate(self.gate_names):
                blocks[name] = gates[:, i * h:(i + 1) * h]
        return blocks

    def step_grad_norms(self) -> np.ndarray | None:
        """``(T,)``: for each step, the L2 norm of the loss gradient reaching that step's
        pre-activations (the gradient the step contributes to W), averaged over the
        batch, from the last backward pass. Falling towards early steps is the
        signature of vanishing gradients; rising, of exploding ones. None before any
        backward pass."""
        parts = self._step_grads()
        if parts is None:
            return None
        sq = sum(np.einsum("tgn,tgn->tn", p, p, dtype=np.float64) for p in parts)
        return np.sqrt(sq).mean(axis=1)

    def _step_grads(self) -> list[np.ndarray] | None:
        """The (T, rows, N) pre-activation gradients of the last backward pass, or None
        when there has been none since the last forward pass's shapes."""
        if getattr(self, "_cache", None) is None:
            return None
        try:
            d_a = self._ws["dA"]
        except KeyError:
            return None
        hs = self._cache[2]
        return [d_a] if d_a.shape[0] == hs.shape[0] - 1 and d_a.shape[2] == hs.shape[2] else None


@register
class SimpleRNN(BothWays, _Recurrent):
    """Elman RNN: ``h_t = φ(x_t W + h_{t-1} U + b)``, φ tanh or relu, ``h_0 = 0``.

    Shape: input ``(T, D)`` -> ``(units,)`` (the last state) or ``(T, units)`` with
    ``return_sequences``; arrays are batch-first ``(N, T, D)``.
    Weights: ``W`` (D, H), ``U`` (H, H), ``b`` (H,). PyTorch ``nn.RNN(D, H,
    nonlinearity=φ, batch_first=True)``: ``weight_ih_l0 = W.T``, ``weight_hh_l0 = U.T``,
    ``bias_ih_l0 = b``, ``bias_hh_l0 = 0``. ONNX ``RNN``: ``W = [W.T]``, ``R = [U.T]``,
    ``B = [b, 0]``.
    """

    type_name = "SimpleRNN"
    help = "A plain recurrent layer: each step mixes the input with the previous state."
    schema = Schema(_COMMON[:1] + (
        Param("activation", "choice", "tanh", "Applied to the new state (relu can explode: "
              "clip gradients).", choices=("tanh", "relu")),) + _COMMON[1:])

    def describe(self):
        return super().describe() + ("" if self.config["activation"] == "tanh" else ", relu")

    def _run(self, z, k):
        """One GEMM per step with the input projection folded in, ``[U^T | W^T]`` against
        ``[h | x | 1]``: at this size the projection's own GEMMs and the addition cost
        more than the 7% longer product (forward 0.66 -> 0.57 ms at 128 units)."""
        h, e = self.config["units"], k["WT"].shape[1]
        kernel = self._ws.get("UWT", (h + e, h), z.dtype)  # F-order (H, H+E) as .T
        np.copyto(kernel[:h], k["UT"][0].T)
        np.copyto(kernel[h:], k["WT"].T)
        steps.rnn_forward(kernel.T, z, self.config["activation"] == "relu")

    def _run_backward(self, d_y, d_last, k, hs):
        t, h, n = hs.shape[0] - 1, hs.shape[1], hs.shape[2]
        d_a = self._ws.get("dA", (t, h, n), hs.dtype)
        steps.rnn_backward(d_y, d_last, k["U"], hs, self.config["activation"] == "relu",
                           d_a, self._ws)
        return d_a


@register
class LSTM(BothWays, _Recurrent):
    """Long short-term memory (PyTorch's equations), zero initial state and cell:
    ``i, f, o = σ(·)``, ``g = tanh(x_t W_g + h_{t-1} U_g + b_g)``,
    ``c_t = f c_{t-1} + i g``, ``h_t = o tanh(c_t)``.

    Shape: input ``(T, D)`` -> ``(units,)`` or ``(T, units)`` with ``return_sequences``.
    Weights: ``W`` (D, 4H), ``U`` (H, 4H), ``b`` (4H,), gate blocks i, f, g, o as
    PyTorch: ``weight_ih_l0 = W.T``, ``weight_hh_l0 = U.T``, ``bias_ih_l0 = b``,
    ``bias_hh_l0 = 0``. ONNX ``LSTM`` wants blocks i, o, f, c: permute them.
    The forget-gate bias starts at 1, the other biases at 0. Internally the gates run in the order
    o, f, i, g so the three sigmoids are one slice; weights and gradients are permuted
    once per batch.
    """

    type_name = "LSTM"
    help = "A recurrent layer with a gated memory cell: learns long-range dependencies."
    gates = 4
    bias_init = "lstm_bias"
    sigmoid_blocks = 3
    block_order = (3, 1, 0, 2)  # internal o, f, i, g from stored i, f, g, o
    gate_names = ("output", "forget", "input", "candidate")

    def _blocks(self):
        return {**super()._blocks(), "cell": self._ws["c"][1:]}

    def _kernels(self, n: int) -> dict:
        """``UZ``: ``[U^T | W^T]`` with the bias last, in internal gate order with the
        sigmoid rows halved, as the forward row blocks (B, 4H/B, H+E), each block in
        Fortran order (as ``UT``): against ``z[t] = [h; x; 1]``. ``W`` (D, 4H) and ``U``
        as row blocks (B', H/B', 4H) in internal order for backward. Each gate block is
        copied straight from the stored weights into place: 92 -> 50 us per batch at 128
        units, measured alone (the shared path gathers, then copies the whole kernel
        transposed, scaled and folded)."""
        w, u, b = self.params["W"], self.params["U"], self.params.get("b")
        (d, gh), h = w.shape, u.shape[0]
        fwd, bwd = _step_gemm_blocks(self.gates, h, n)
        ws = self._ws
        kernel = ws.get("UWT", (fwd, h + d + (b is not None), gh // fwd), w.dtype)
        columns = kernel.transpose(1, 0, 2)  # (H+E, B, 4H/B): an internal column each
        u_int, w_int = ws.get("Uf", (h, gh), w.dtype), ws.get("Wf", (d, gh), w.dtype)
        for k, stored in enumerate(self.block_order or ()):
            src, dst = slice(stored * h, (stored + 1) * h), slice(k * h, (k + 1) * h)
            np.copyto(u_int[:, dst], u[:, src])
            np.copyto(w_int[:, dst], w[:, src])
            col = columns[:, k] if fwd == self.gates else columns[:, 0, dst]
            scale = 0.5 if k < self.sigmoid_blocks else 1.0  # σ(a) = (tanh(a/2) + 1) / 2
            np.multiply(u[:, src], scale, out=col[:h])
            np.multiply(w[:, src], scale, out=col[h:h + d])
            if b is not None:
                np.multiply(b[src], scale, out=col[h + d])
        return {"UZ": kernel.transpose(0, 2, 1), "W": w_int,
                "U": u_int.reshape(bwd, h // bwd, gh)}

    def _run(self, z, k):
        """One GEMM per step with the input projection folded in (``lstm_forward_folded``)."""
        hs = z[:, :self.config["units"]]
        t, h, n = hs.shape[0] - 1, hs.shape[1], hs.shape[2]
        ws = self._ws
        g = ws.get("gates", (t, 4 * h, n), hs.dtype)
        c = ws.get("c", (t + 1, h, n), hs.dtype)
        c[0] = 0
        tc = ws.get("tanh_c", (t, h, n), hs.dtype)
        steps.lstm_forward_folded(k["UZ"], z, g, c, tc, ws.get("tmp", (h, n), hs.dtype))

    def _run_backward(self, d_y, d_last, k, hs):
        t, h, n = hs.shape[0] - 1, hs.shape[1], hs.shape[2]
        ws = self._ws
        d_a = ws.get("dA", (t, 4 * h, n), hs.dtype)
        steps.lstm_backward(d_y, d_last, k["U"], ws["gates"], ws["c"], ws["tanh_c"], hs, d_a,
                            ws)
        return d_a


@register
class GRU(BothWays, _Recurrent):
    """Gated recurrent unit in PyTorch's formulation (ONNX ``linear_before_reset=1``):
    ``r = σ(x W_r + h U_r + b_r)``, ``z = σ(x W_z + h U_z + b_z)``,
    ``n = tanh(x W_n + b_n + r (h U_n + b_hn))``, ``h_t = (1 - z) n + z h_{t-1}``.

    Shape: input ``(T, D)`` -> ``(units,)`` or ``(T, units)`` with ``return_sequences``.
    Weights: ``W`` (D, 3H), ``U`` (H, 3H), ``b`` (3H,), gate blocks r, z, n as PyTorch,
    and ``b_hn`` (H,): the recurrent bias of the n gate, which sits inside the reset
    product and so cannot be merged into ``b``. PyTorch: ``weight_ih_l0 = W.T``,
    ``weight_hh_l0 = U.T``, ``bias_ih_l0 = b``, ``bias_hh_l0 = [0, 0, b_hn]``. ONNX
    ``GRU`` wants blocks z, r, h: permute them.
    """

    type_name = "GRU"
    help = "A gated recurrent layer: lighter than an LSTM, often as good."
    gates = 3
    sigmoid_blocks = 2
    gate_names = ("reset", "update", "new")

    def _extra_specs(self):
        if not self.config["use_bias"]:
            return []
        h = self.config["units"]
        return [ParamSpec("b_hn", (h,), "zeros", h, h, decay=False)]

    def _run(self, z, k):
        proj, hs = self._projection(z, k), z[:, :self.config["units"]]
        t, h, n = hs.shape[0] - 1, hs.shape[1], hs.shape[2]
        ws = self._ws
        g = ws.get("gates", (t, 3 * h, n), hs.dtype)
        hu = ws.get("hu", (t, 3 * h, n), hs.dtype)
        steps.gru_forward(proj, k["UT"], self.params.get("b_hn"), g, hu, hs)

    def _run_backward(self, d_y, d_last, k, hs):
        t, h, n = hs.shape[0] - 1, hs.shape[1], hs.shape[2]
        ws = self._ws
        d_r = ws.get("dA", (t, 3 * h, n), hs.dtype)
        d_xn = ws.get("dXn", (t, h, n), hs.dtype)
        steps.gru_backward(d_y, d_last, k["U"], ws["gates"], ws["hu"], hs, d_r, d_xn, ws)
        return d_r

    def _store_grads(self, g, rows, d):
        """The n rows of the input projection have their own gradient (the reset gate
        stands between them and the recurrent ones); ``b_hn`` is the recurrent bias
        column of the n rows."""
        h = self.config["units"]
        if "b_hn" in self.grads:
            np.copyto(self.grads["b_hn"], g[2 * h:, -1])
        g[2 * h:, h:] = self._weight_gemm("dXnT", self._ws["dXn"], rows[:, :, h:])
        super()._store_grads(g, rows, d)

    def _step_grads(self):
        """The r, z rows of ``dA`` are the input projection's; its n rows are ``dXn``."""
        parts = super()._step_grads()
        if parts is None:
            return None
        h = self.config["units"]
        return [parts[0][:, :2 * h], self._ws["dXn"]]

    def _input_grad(self, w, d_rec):
        h = self.config["units"]
        dx = np.matmul(w[:, :2 * h], d_rec[:, :2 * h])
        dx += np.matmul(w[:, 2 * h:], self._ws["dXn"])
        return dx
