"""Text generation from a trained character-level model.

The model reads a window of up to T tokens (its Input length) and predicts the next
token at every step; generation keeps the last T tokens as context, takes the
distribution at the last step, sharpens or flattens it with a temperature, draws, and
appends. The recurrent layers accept shorter windows than T, so a short prime works.
"""
from __future__ import annotations

import numpy as np

from .errors import ConfigError, DataError
from .kernels.activations import softmax
from .inference import TrainedModel


def check_character_model(model: TrainedModel) -> list[str]:
    """The vocabulary of a model that can generate text, or a ConfigError saying why not."""
    vocab = list(model.dataset.get("vocabulary") or [])
    if model.network.input_kind != "tokens" or not vocab:
        raise ConfigError("Sampling needs a trained character model: a tokens Input and a "
                          "text data set with a vocabulary (see the char_lstm example)")
    if model.network.report.output_shape[-1] != len(vocab):
        raise ConfigError(f"The output has {model.network.report.output_shape[-1]} units but "
                          f"the vocabulary has {len(vocab)} characters")
    return vocab


def encode(text: str, vocab: list[str]) -> np.ndarray:
    index = {ch: i for i, ch in enumerate(vocab)}
    unknown = sorted({ch for ch in text if ch not in index})
    if unknown:
        raise DataError(f"The prime has characters the model never saw: {''.join(unknown)!r}")
    return np.array([index[ch] for ch in text], dtype=np.int64)


def next_distribution(model: TrainedModel, context: np.ndarray, temperature: float) -> np.ndarray:
    out = model.network.forward(context[None, :])[0, -1]
    if model.network.output_activation == "softmax":
        logits = np.log(np.maximum(out.astype(np.float64), 1e-30))
    else:
        logits = out.astype(np.float64)
    return softmax(logits / temperature)


def sample_text(model: TrainedModel, length: int, temperature: float = 1.0,
                prime: str = "\n", seed: int = 0) -> str:
    """``length`` new characters after ``prime`` (which is not repeated in the result)."""
    if length < 1:
        raise ConfigError(f"length must be at least 1, not {length}")
    if not 0.01 <= temperature <= 10:
        raise ConfigError(f"temperature must be between 0.01 and 10, not {temperature:g}")
    vocab = check_character_model(model)
    if not prime:
        raise ConfigError("the prime must hold at least one character")
    window = model.network.report.layers[model.network.input_id].output_shape[0]
    tokens = list(encode(prime, vocab))
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(length):
        p = next_distribution(model, np.array(tokens[-window:], dtype=np.int64), temperature)
        token = int(rng.choice(len(p), p=p))
        tokens.append(token)
        out.append(vocab[token])
    return "".join(out)
