"""One line per weight saying how its numbers are laid out, written into every weight
file (and into docs/export.md), so a file can be used without reading NeuroCanvas."""
from __future__ import annotations

LAYOUTS: dict[tuple[str, str], str] = {
    ("Dense", "W"): "(in_features, units): y = x @ W + b (on the last axis). PyTorch "
                    "nn.Linear.weight = W.T.",
    ("Dense", "b"): "(units,): added to x @ W.",
    ("Conv2D", "W"): "(filters, in_channels, kh, kw): cross-correlation, as PyTorch "
                     "nn.Conv2d.weight and ONNX Conv W.",
    ("Conv2D", "b"): "(filters,): one bias per output channel.",
    ("Conv1D", "W"): "(filters, in_channels, k): cross-correlation along time, as PyTorch "
                     "nn.Conv1d.weight and ONNX Conv W; NeuroCanvas's sequences are "
                     "(N, T, C), PyTorch's and ONNX's (N, C, T).",
    ("Conv1D", "b"): "(filters,): one bias per output channel.",
    ("BatchNorm", "gamma"): "(features,): scale; y = gamma * (x - running_mean) / "
                            "sqrt(running_var + epsilon) + beta. PyTorch .weight.",
    ("BatchNorm", "beta"): "(features,): shift. PyTorch .bias.",
    ("BatchNorm", "running_mean"): "(features,): mean used at inference (not trained).",
    ("BatchNorm", "running_var"): "(features,): variance used at inference (not trained).",
    ("Embedding", "W"): "(vocab_size, dim): row i is the vector of token i. PyTorch "
                        "nn.Embedding.weight = W; ONNX Gather(W, ids).",
    ("SimpleRNN", "W"): "(D, H): input kernel. h_t = act(x_t @ W + h_(t-1) @ U + b). "
                        "PyTorch nn.RNN weight_ih_l0 = W.T.",
    ("SimpleRNN", "U"): "(H, H): recurrent kernel. PyTorch weight_hh_l0 = U.T.",
    ("SimpleRNN", "b"): "(H,): PyTorch bias_ih_l0 = b, bias_hh_l0 = 0.",
    ("LSTM", "W"): "(D, 4H): input kernel, gate blocks i, f, g, o (PyTorch's order). "
                   "PyTorch nn.LSTM weight_ih_l0 = W.T.",
    ("LSTM", "U"): "(H, 4H): recurrent kernel, gate blocks i, f, g, o. PyTorch "
                   "weight_hh_l0 = U.T.",
    ("LSTM", "b"): "(4H,): gate blocks i, f, g, o. PyTorch bias_ih_l0 = b, bias_hh_l0 = 0.",
    ("GRU", "W"): "(D, 3H): input kernel, gate blocks r, z, n (PyTorch's order). PyTorch "
                  "nn.GRU weight_ih_l0 = W.T.",
    ("GRU", "U"): "(H, 3H): recurrent kernel, gate blocks r, z, n. PyTorch "
                  "weight_hh_l0 = U.T.",
    ("GRU", "b"): "(3H,): input-side biases r, z, n. PyTorch bias_ih_l0 = b.",
    ("GRU", "b_hn"): "(H,): recurrent bias of the n gate, inside r * (h @ U_n + b_hn). "
                     "PyTorch bias_hh_l0 = [0, 0, b_hn].",
    ("MultiHeadAttention", "W_in"): "(3D, D): query, key and value projections stacked; "
                                    "q, k, v = split(x @ W_in.T + b_in). PyTorch "
                                    "nn.MultiheadAttention.in_proj_weight = W_in.",
    ("MultiHeadAttention", "b_in"): "(3D,): query, key and value biases. PyTorch "
                                    "in_proj_bias = b_in.",
    ("MultiHeadAttention", "W_out"): "(D, D): y = heads_joined @ W_out.T + b_out. PyTorch "
                                     "out_proj.weight = W_out.",
    ("MultiHeadAttention", "b_out"): "(D,): PyTorch out_proj.bias = b_out.",
    ("PositionEmbedding", "P"): "(max_len, D): y = x + P[:T], row t for position t.",
}
REVERSE = "_reverse"

LAYOUTS[("Conv2DTranspose", "W")] = ("(in_channels, filters, kh, kw): as PyTorch "
                                      "nn.ConvTranspose2d.weight and ONNX ConvTranspose W.")
LAYOUTS[("Conv2DTranspose", "b")] = "(filters,): one bias per output channel."
LAYOUTS[("LayerNorm", "gamma")] = ("(features,): scale over the last axis; y = gamma * "
                                   "(x - mean) / sqrt(var + epsilon) + beta, mean and var "
                                   "of each sample's last axis. PyTorch nn.LayerNorm.weight.")
LAYOUTS[("LayerNorm", "beta")] = "(features,): shift. PyTorch nn.LayerNorm.bias."


def layout_of(layer_type: str, param: str, shape: tuple[int, ...]) -> str:
    """The layout line for one weight; a plain shape for weights not listed above."""
    if param.endswith(REVERSE) and (layer_type, param[:-len(REVERSE)]) in LAYOUTS:
        return (LAYOUTS[(layer_type, param[:-len(REVERSE)])] + " Backward direction (reads "
                "the sequence last step first): PyTorch's *_l0_reverse.")
    known = LAYOUTS.get((layer_type, param))
    return known if known else f"{tuple(shape)}"
