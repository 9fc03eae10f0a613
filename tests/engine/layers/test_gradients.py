"""Every registered layer passes a numerical gradient check in float64."""
import pytest

from engine.layers import layer_types

from ..gradcheck import check_layer
from .layer_cases import CASES

SEEDS = (0, 1, 2)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_layer_gradient(case, seed):
    type_name, config, shapes, extra = case
    check_layer(type_name, config, shapes, seed=seed, **extra)


def test_every_registered_layer_has_a_case():
    covered = {case[0] for case in CASES}
    missing = [cls.type_name for cls in layer_types()
               if cls.type_name not in covered and cls.type_name != "Input"]
    assert not missing, f"layers without a gradient check: {missing}"


def test_check_catches_a_wrong_gradient(monkeypatch):
    """The harness must be able to fail: break Dense's weight gradient and expect it."""
    from engine.layers.core import Dense

    original = Dense.backward

    def broken(self, grad, need_input_grad=True):
        out = original(self, grad, need_input_grad)
        self.grads["W"] *= 1.01
        return out

    monkeypatch.setattr(Dense, "backward", broken)
    with pytest.raises(AssertionError, match="gradient errors"):
        check_layer("Dense", {"units": 3, "activation": "linear"}, [(4,)])
