"""Convergence of the convolutional example on real data (held-out splits)."""
import numpy as np
import pytest

from engine.run import evaluate

from .test_convergence import train_example

pytestmark = pytest.mark.slow


def test_cnn_reaches_98_percent_on_held_out_digits():
    """Mean over three splits: seed 0's test split holds ~6 hard digits (97.8% for every
    model tried), the others reach 99.6-100%."""
    accs = []
    for seed in (0, 1, 2):
        net, data, _, loss = train_example("cnn_digits", seed)
        accs.append(evaluate(net, data.test, loss)["accuracy"])
    assert np.mean(accs) >= 0.98, accs
    assert min(accs) >= 0.97, accs
