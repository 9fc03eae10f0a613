"""Attributions: the feature the target depends on ranks first, the saliency is the
slope finite differences measure, occlusion finds the pixels that matter, and the
result travels to the window from the training process."""
import io

import numpy as np

from engine import wire
from engine.insights import try_sample
from engine.insights.attribution import attribute, occlusion_map, score_gradient
from engine.insights.gradcheck import numeric_grad, relative_error
from engine.losses import get_loss
from engine.network import Network

from ..helpers import chain_spec


def _fit(net: Network, x, y, loss, steps=400, lr=0.1):
    """Full-batch gradient descent: enough for a toy, and no optimizer in the way."""
    for _ in range(steps):
        out = net.forward(x, training=True, strip=loss.fuses)
        _, grad = loss.value_and_grad(out, y)
        net.backward(grad)
        net.flat -= lr * net.grad_flat


def test_only_feature_2_matters_and_it_ranks_first():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 5))
    y = np.tanh(1.5 * x[:, 2:3])  # features 0, 1, 3, 4 are noise
    net = Network(chain_spec((5,), [("Dense", {"units": 16, "activation": "tanh"}),
                                    ("Dense", {"units": 1, "activation": "linear"})]),
                  dtype=np.float64, seed=1)
    _fit(net, x, y, get_loss("mse"))
    for sample in x[np.abs(x[:, 2]) > 0.5][:10]:
        why = attribute(net, sample, classify=False)
        assert why.kind == "features"
        assert int(np.argmax(np.abs(why.values))) == 2, why.values


def test_the_same_for_a_classifier():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(256, 4))
    y = (x[:, 2] > 0).astype(np.int64)
    net = Network(chain_spec((4,), [("Dense", {"units": 8, "activation": "relu"}),
                                    ("Dense", {"units": 2, "activation": "softmax"})]),
                  dtype=np.float64, seed=2)
    _fit(net, x, y, get_loss("cross_entropy"))
    result = try_sample(net, x[3], "classification", class_names=("no", "yes"))
    why = result.attribution
    assert int(np.argmax(np.abs(why.values))) == 2
    assert f"'{result.top[0][1]}'" in why.score  # the predicted class's logit


def test_saliency_is_the_slope_finite_differences_measure():
    spec = chain_spec((1, 6, 6), [("Conv2D", {"filters": 3, "kernel_size": 3,
                                              "activation": "tanh"}),
                                  ("Flatten", {}),
                                  ("Dense", {"units": 4, "activation": "softmax"})], "image")
    net = Network(spec, dtype=np.float64, seed=3)
    x = np.random.default_rng(4).normal(size=(1, 6, 6))
    _, grad, where = score_gradient(net, x, classify=True)

    def score():
        out = net.forward(x[None], strip="softmax")
        return float(out[where])

    idx, numeric = numeric_grad(score, x, np.random.default_rng(5))
    assert relative_error(grad.reshape(-1)[idx], numeric) < 1e-7
    why = attribute(net, x, classify=True)
    np.testing.assert_allclose(why.saliency, np.abs(grad)[0])
    assert why.occlusion.shape == (6, 6)


def test_occlusion_finds_the_pixels_the_score_reads():
    spec = chain_spec((1, 8, 8), [("Flatten", {}),
                                  ("Dense", {"units": 1, "activation": "linear"})], "image")
    net = Network(spec, dtype=np.float64)
    w = np.zeros((1, 8, 8))
    w[0, 5:7, 1:3] = 1.0  # the score sums four pixels, bottom left
    net.nodes[-1].layer.params["W"][...] = w.reshape(-1, 1)
    x = np.full((1, 8, 8), 0.2)
    x[0, 5:7, 1:3] = 3.0
    occl = occlusion_map(net, x, (0, 0), patch=2, stride=1)
    assert np.unravel_index(np.argmax(occl), occl.shape) in {(5, 1), (5, 2), (6, 1), (6, 2)}
    assert occl[0:3, 4:8].max() == 0.0  # far away: hiding it changes nothing


def test_sequences_and_tokens_get_a_bar_per_step():
    seq = Network(chain_spec((7, 2), [("LSTM", {"units": 4}),
                                      ("Dense", {"units": 1, "activation": "linear"})],
                             "sequence"), dtype=np.float64)
    assert attribute(seq, np.ones((7, 2)), classify=False).values.shape == (7,)
    tokens = Network(chain_spec((9,), [("Embedding", {"vocab_size": 5, "dim": 3}),
                                       ("GRU", {"units": 4}),
                                       ("Dense", {"units": 5, "activation": "softmax"})],
                                "tokens"), dtype=np.float64)
    why = attribute(tokens, np.arange(9) % 5, classify=True)
    assert why.kind == "sequence" and why.values.shape == (9,)


def test_the_attribution_travels_over_the_wire():
    net = Network(chain_spec((3,), [("Dense", {"units": 2, "activation": "softmax"})]))
    result = try_sample(net, np.ones(3, np.float32), "classification")
    stream = io.BytesIO()
    wire.write_frame(stream, result)
    stream.seek(0)
    back = wire.read_frame(stream)
    np.testing.assert_array_equal(back.attribution.values, result.attribution.values)
