"""Gradient-check cases: one line covers a layer configuration.

Each case: (type name, config, input shapes without batch, extra keyword arguments for
``gradcheck.check_layer``). ``test_every_registered_layer_has_a_case`` fails when a
registered layer type has no line here.
"""
from engine.kernels.activations import ACTIVATIONS

CASES = [
    ("Dense", {"units": 5, "activation": "linear"}, [(4,)], {}),
    ("Dense", {"units": 3, "activation": "tanh", "use_bias": False}, [(6,)], {}),
    ("Dense", {"units": 4, "activation": "relu"}, [(5, 3)], {}),  # on (T, D): last axis
    *[("Activation", {"activation": a}, [(7,)], {}) for a in ACTIVATIONS],
    ("Activation", {"activation": "softmax"}, [(3, 5)], {}),
    ("Dropout", {"rate": 0.3}, [(10,)], {}),
    ("Dropout", {"rate": 0.5}, [(2, 4, 4)], {}),
    ("Flatten", {}, [(2, 3, 4)], {}),
    ("Reshape", {"target_shape": [3, 4]}, [(12,)], {}),
    ("Add", {}, [(5,), (5,), (5,)], {}),
    ("Concatenate", {}, [(3,), (4,)], {}),
    ("Concatenate", {"axis": 0}, [(2, 3, 3), (1, 3, 3)], {}),
    # Recurrent (engine/layers/recurrent.py, embedding.py): both output modes, T=1 edge case.
    ("SimpleRNN", {"units": 4}, [(5, 3)], {}),
    ("SimpleRNN", {"units": 3, "activation": "relu", "return_sequences": True}, [(4, 2)], {}),
    ("SimpleRNN", {"units": 2, "use_bias": False}, [(1, 3)], {}),
    ("LSTM", {"units": 3}, [(4, 2)], {}),
    ("LSTM", {"units": 2, "return_sequences": True}, [(5, 3)], {}),
    ("LSTM", {"units": 3, "use_bias": False, "return_sequences": True}, [(1, 2)], {}),
    ("GRU", {"units": 3}, [(4, 2)], {}),
    ("GRU", {"units": 2, "return_sequences": True}, [(5, 3)], {}),
    ("GRU", {"units": 3, "use_bias": False}, [(2, 1)], {}),
    # Both directions: each cell type, both output modes, T=1.
    ("SimpleRNN", {"units": 3, "bidirectional": True}, [(4, 2)], {}),
    ("SimpleRNN", {"units": 2, "bidirectional": True, "return_sequences": True,
                   "activation": "relu"}, [(5, 3)], {}),
    ("LSTM", {"units": 3, "bidirectional": True}, [(4, 2)], {}),
    ("LSTM", {"units": 2, "bidirectional": True, "return_sequences": True}, [(5, 3)], {}),
    ("LSTM", {"units": 2, "bidirectional": True, "use_bias": False}, [(1, 2)], {}),
    ("GRU", {"units": 3, "bidirectional": True}, [(4, 2)], {}),
    ("GRU", {"units": 2, "bidirectional": True, "return_sequences": True}, [(5, 3)], {}),
    ("GRU", {"units": 2, "bidirectional": True, "return_sequences": True, "use_bias": False},
     [(1, 3)], {}),
    ("Embedding", {"vocab_size": 7, "dim": 3}, [(5,)], {"int_high": 7}),
    ("Embedding", {"vocab_size": 300, "dim": 2}, [(4,)], {"int_high": 300}),  # np.add.at path
    # Convolution, pooling, normalisation (engine/layers/conv.py, pooling.py, normalization.py).
    ("Conv2D", {"filters": 3, "kernel_size": 3, "padding": "valid", "activation": "linear"},
     [(2, 5, 6)], {}),
    ("Conv2D", {"filters": 2, "stride": 2, "padding": "same", "activation": "tanh"},
     [(3, 7, 6)], {}),
    ("Conv2D", {"filters": 4, "kernel_size": [2, 3], "padding": 1}, [(2, 5, 5)], {}),
    ("Conv2D", {"filters": 2, "dilation": 2, "use_bias": False, "activation": "sigmoid"},
     [(2, 7, 7)], {}),
    ("Conv2D", {"filters": 3, "kernel_size": [3, 2], "stride": 2, "dilation": 2, "padding": 2,
                "activation": "linear"}, [(2, 8, 7)], {}),
    # An even kernel with 'same' padding: one more row and column after than before.
    ("Conv2D", {"filters": 2, "kernel_size": 2, "activation": "gelu"}, [(1, 4, 5)], {}),
    # Fewer taps (C*kh*kw) than filters: the kernel's compact layout, at stride 1.
    ("Conv2D", {"filters": 6, "kernel_size": 2, "padding": "same"}, [(1, 5, 4)], {}),
    ("Conv2D", {"filters": 3, "kernel_size": 1}, [(4, 3, 3)], {}),
    ("Conv2D", {"filters": 2, "kernel_size": 2, "stride": 3, "padding": "valid"}, [(1, 8, 8)], {}),
    ("MaxPool2D", {"pool_size": 2}, [(2, 4, 6)], {}),
    ("MaxPool2D", {"pool_size": 2}, [(1, 5, 5)], {}),  # a leftover row and column
    ("MaxPool2D", {"pool_size": 3, "stride": 2, "padding": 1}, [(2, 7, 7)], {}),
    ("MaxPool2D", {"pool_size": 2, "padding": "same"}, [(1, 5, 5)], {}),
    ("MaxPool2D", {"pool_size": 2, "stride": 1}, [(2, 4, 4)], {}),
    ("AvgPool2D", {"pool_size": 2}, [(2, 4, 6)], {}),
    ("AvgPool2D", {"pool_size": 3, "stride": 2, "padding": 1}, [(2, 7, 7)], {}),
    ("AvgPool2D", {"pool_size": 2, "padding": "same"}, [(1, 5, 5)], {}),
    ("AvgPool2D", {"pool_size": 3, "stride": 1, "padding": "same"}, [(2, 4, 5)], {}),
    ("GlobalAveragePool2D", {}, [(3, 4, 5)], {}),
    ("BatchNorm", {}, [(4,)], {}),
    ("BatchNorm", {"momentum": 0.5}, [(5, 3)], {}),
    ("BatchNorm", {}, [(3, 4, 4)], {}),
    ("BatchNorm", {}, [(3, 4, 4)], {"training": False}),
    # Attention (engine/layers/attention.py): causal and not, several head counts, T=1.
    ("MultiHeadAttention", {"heads": 2}, [(5, 4)], {}),
    ("MultiHeadAttention", {"heads": 1, "causal": True}, [(4, 3)], {}),
    ("MultiHeadAttention", {"heads": 3, "causal": True}, [(6, 6)], {}),
    ("MultiHeadAttention", {"heads": 4, "use_bias": False}, [(3, 8)], {}),
    ("MultiHeadAttention", {"heads": 2, "causal": True}, [(1, 4)], {}),
    ("MultiHeadAttention", {"heads": 2}, [(1, 2)], {}),
    ("PositionEmbedding", {"max_len": 7}, [(5, 3)], {}),
    ("PositionEmbedding", {"max_len": 4}, [(4, 2)], {}),
    ("PositionEmbedding", {"max_len": 3}, [(1, 2)], {}),
]
# Normalisation over the last axis, and layers that enlarge images (normalization.py,
# upsampling.py): strides, crops, output padding past the canvas, uneven kernels.
CASES += [
    ("LayerNorm", {}, [(5,)], {}),
    ("LayerNorm", {"epsilon": 1e-3}, [(4, 6)], {}),
    ("LayerNorm", {}, [(1, 3)], {}),  # one step
    ("UpSampling2D", {}, [(2, 3, 4)], {}),
    ("UpSampling2D", {"size": [3, 1]}, [(1, 2, 3)], {}),
    ("UpSampling2D", {"interpolation": "bilinear"}, [(2, 3, 4)], {}),
    ("UpSampling2D", {"size": [3, 2], "interpolation": "bilinear"}, [(1, 1, 3)], {}),
    ("Conv2DTranspose", {"filters": 3, "activation": "linear"}, [(2, 4, 3)], {}),
    ("Conv2DTranspose", {"filters": 2, "stride": 1, "padding": 0, "output_padding": 0,
                         "activation": "tanh"}, [(3, 4, 4)], {}),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": [2, 3], "stride": 3, "padding": 0,
                         "output_padding": 2, "use_bias": False}, [(2, 3, 2)], {}),
    ("Conv2DTranspose", {"filters": 4, "kernel_size": 4, "stride": 2, "padding": 2,
                         "output_padding": 1, "activation": "sigmoid"}, [(1, 3, 3)], {}),
    ("Conv2DTranspose", {"filters": 1, "kernel_size": 1, "stride": 2, "padding": 0,
                         "output_padding": 1, "activation": "linear"}, [(3, 2, 2)], {}),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 5, "stride": 2, "padding": 3,
                         "output_padding": 0, "activation": "linear"}, [(2, 3, 4)], {}),
]
# 1-D convolution and pooling on sequences (T, C) (engine/layers/conv1d.py, pooling1d.py),
# global max pools, Multiply.
CASES += [
    ("Conv1D", {"filters": 3, "kernel_size": 3, "padding": "valid", "activation": "linear"},
     [(7, 2)], {}),
    ("Conv1D", {"filters": 2, "kernel_size": 2, "activation": "tanh"}, [(5, 3)], {}),  # even 'same'
    ("Conv1D", {"filters": 4, "kernel_size": 3, "stride": 2, "padding": "same"}, [(8, 2)], {}),
    ("Conv1D", {"filters": 2, "kernel_size": 3, "dilation": 2, "padding": 2, "use_bias": False,
                "activation": "sigmoid"}, [(6, 3)], {}),
    ("Conv1D", {"filters": 3, "kernel_size": 2, "stride": 3, "dilation": 2, "padding": "valid",
                "activation": "gelu"}, [(9, 2)], {}),
    ("Conv1D", {"filters": 5, "kernel_size": 1, "activation": "relu"}, [(4, 3)], {}),
    ("Conv1D", {"filters": 2, "kernel_size": 4, "stride": 2, "padding": "same"}, [(7, 1)], {}),
    ("MaxPool1D", {"pool_size": 2}, [(8, 3)], {}),
    ("MaxPool1D", {"pool_size": 2}, [(7, 2)], {}),  # a leftover step
    ("MaxPool1D", {"pool_size": 3, "stride": 2, "padding": 1}, [(7, 2)], {}),
    ("MaxPool1D", {"pool_size": 2, "padding": "same"}, [(5, 2)], {}),
    ("MaxPool1D", {"pool_size": 3, "stride": 1}, [(6, 2)], {}),
    ("AvgPool1D", {"pool_size": 2}, [(8, 3)], {}),
    ("AvgPool1D", {"pool_size": 3, "stride": 2, "padding": 1}, [(7, 2)], {}),
    ("AvgPool1D", {"pool_size": 2, "padding": "same"}, [(5, 2)], {}),
    ("AvgPool1D", {"pool_size": 4, "stride": 1, "padding": "same"}, [(6, 2)], {}),
    ("GlobalAveragePool1D", {}, [(5, 3)], {}),
    ("GlobalAveragePool1D", {}, [(1, 4)], {}),
    ("GlobalMaxPool1D", {}, [(6, 3)], {}),
    ("GlobalMaxPool1D", {}, [(1, 2)], {}),
    ("GlobalMaxPool2D", {}, [(3, 4, 5)], {}),
    ("GlobalMaxPool2D", {}, [(2, 1, 1)], {}),
    ("Multiply", {}, [(5,), (5,)], {}),
    ("Multiply", {}, [(3, 4), (3, 4), (3, 4)], {}),
    ("Multiply", {}, [(2, 3, 3), (2, 3, 3)], {}),
]
