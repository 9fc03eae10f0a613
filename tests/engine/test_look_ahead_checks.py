"""Next-character data: attention that is not causal, or a recurrent layer reading both
ways, would see each step's answer; the check names it with a one-click fix (a warning:
the run would be right, only useless)."""
import pytest

from engine.checks import fit_problems
from engine.data import prepare
from engine.graph import infer_shapes

from .io.export_cases import graph

TEXT = {"source": "builtin", "name": "shakespeare", "options": {"seq_length": 16,
                                                                  "max_chars": 2000}}


@pytest.fixture(scope="module")
def text():
    return prepare(TEXT)


def _spec(middle, vocab):
    return graph((16,), "tokens", [("emb", "Embedding", {"vocab_size": vocab, "dim": 8}),
                                   middle,
                                   ("out", "Dense", {"units": vocab,
                                                     "activation": "softmax"})])


def _problems(spec, data):
    return fit_problems(spec, infer_shapes(spec), data.dataset_info)


def test_attention_that_sees_ahead_is_named_with_its_fix(text):
    vocab = len(text.dataset_info["vocabulary"])
    [problem] = _problems(_spec(("attend", "MultiHeadAttention", {"heads": 2}), vocab), text)
    assert problem.layer_id == "attend" and not problem.blocks_training
    assert "is not causal" in problem.message and "next token" in problem.message
    assert (problem.fix.key, problem.fix.value) == ("causal", True)
    causal = _spec(("attend", "MultiHeadAttention", {"heads": 2, "causal": True}), vocab)
    assert _problems(causal, text) == []


def test_a_recurrent_layer_reading_backwards_is_named_with_its_fix(text):
    vocab = len(text.dataset_info["vocabulary"])
    both = ("lstm", "LSTM", {"units": 8, "return_sequences": True, "bidirectional": True})
    [problem] = _problems(_spec(both, vocab), text)
    assert problem.layer_id == "lstm" and "both directions" in problem.message
    assert (problem.fix.key, problem.fix.value) == ("bidirectional", False)
    forwards = ("lstm", "LSTM", {"units": 8, "return_sequences": True})
    assert _problems(_spec(forwards, vocab), text) == []


def test_other_data_is_not_judged():
    """Per-sample labels (a sequence classifier) may read both ways and attend to all."""
    data = prepare({"source": "builtin", "name": "wave_frequency"})
    spec = graph(tuple(data.dataset_info["sample_shape"]), "sequence", [
        ("attend", "MultiHeadAttention", {"heads": 1}),
        ("gru", "GRU", {"units": 4, "bidirectional": True}),
        ("out", "Dense", {"units": 3, "activation": "softmax"})])
    assert _problems(spec, data) == []
