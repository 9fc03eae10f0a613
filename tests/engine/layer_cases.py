"""Gradient-check cases: one line covers a layer configuration.

Each case: (type name, config, input shapes without batch, extra keyword arguments for
``gradcheck.check_layer``). ``test_every_registered_layer_has_a_case`` fails when a
registered layer type has no line here.
"""
from engine.functional import ACTIVATIONS

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
    ("Embedding", {"vocab_size": 7, "dim": 3}, [(5,)], {"int_high": 7}),
    ("Embedding", {"vocab_size": 300, "dim": 2}, [(4,)], {"int_high": 300}),  # np.add.at path
]
