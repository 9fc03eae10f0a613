"""Losses: values against direct formulas, gradients against centred differences."""
import numpy as np
import pytest

from engine.errors import ConfigError, DataError
from engine.losses import LOSSES, get_loss

from .gradcheck import numeric_grad, relative_error


def _targets(name, rng, shape):
    if name == "cross_entropy":
        return rng.integers(0, shape[-1], size=shape[:-1])
    if name == "binary_cross_entropy":
        return rng.integers(0, 2, size=shape).astype(np.float64)
    return rng.normal(size=shape)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shape", [(5, 3), (4, 6, 3), (7, 1)])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_gradient(name, shape, seed):
    rng = np.random.default_rng(seed)
    pred = rng.normal(size=shape) * 2
    target = _targets(name, rng, shape)
    loss = get_loss(name)
    _, grad = loss.value_and_grad(pred.copy(), target)
    idx, numeric = numeric_grad(lambda: loss.value(pred.copy(), target), pred, rng)
    assert relative_error(grad.reshape(-1)[idx], numeric) < 1e-6


def test_cross_entropy_matches_formula_and_is_stable():
    z = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    t = np.array([0, 2])
    loss, grad = get_loss("cross_entropy").value_and_grad(z, t)
    p = np.exp(z[1] - z[1].max()) / np.exp(z[1] - z[1].max()).sum()
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    assert loss == pytest.approx((0.0 - np.log(p[2])) / 2)


def test_binary_cross_entropy_is_stable_for_huge_logits():
    z = np.array([[800.0], [-800.0]])
    loss, grad = get_loss("binary_cross_entropy").value_and_grad(z, np.array([1.0, 0.0]))
    assert loss == pytest.approx(0.0, abs=1e-12) and np.all(np.isfinite(grad))


def test_mse_and_mae_values():
    p, t = np.array([[1.0, 2.0]]), np.array([[3.0, 2.0]])
    assert get_loss("mse").value(p.copy(), t) == pytest.approx(2.0)
    assert get_loss("mae").value(p.copy(), t) == pytest.approx(1.0)


def test_unknown_loss_and_bad_targets_are_typed_errors():
    with pytest.raises(ConfigError, match="unknown loss"):
        get_loss("hinge")
    with pytest.raises(DataError, match="set the last layer to 5 units"):
        get_loss("cross_entropy").check_target((3, 2), np.array([0, 4, 1]))
    with pytest.raises(DataError, match="class indices"):
        get_loss("cross_entropy").check_target((3, 2), np.array([0.5, 1.0, 0.0]))
