"""The PyTorch backend's module, built from the export's translation, against the engine
in float64 on one batch: outputs and every weight's gradient, for designs that between
them use every registered layer type, and for every bundled example."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.data import prepare
from engine.losses import get_loss
from engine.network import Network
from engine.project import load_project
from engine.run.loop import prepare_targets
from engine.settings import choose_loss, training_settings
from tests.engine.io.export_cases import REGISTERED, SYNTHETIC, _data, synthetic_spec, \
    synthetic_types

pytestmark = pytest.mark.torch  # compared with PyTorch where it is installed

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "resources" / "examples")
                  .glob("*.ncproj"))


def test_the_synthetic_designs_cover_every_registered_layer():
    used = set().union(*(synthetic_types(name) for name in SYNTHETIC))
    assert REGISTERED <= used


def synthetic_batch(name: str):
    shape, kind, _, _, target, classes = SYNTHETIC[name]
    x, y = _data(shape, kind, target, classes, n=12)
    task = "regression" if target == "regression" else "classification"
    return synthetic_spec(name), x, y, task


def example_batch(path: Path):
    project = load_project(path)
    data = prepare(project.data, 0, base_dir=path.parent)
    return project.spec, data.train.x[:12], data.train.y[:12], data.train.task


def one_step(spec, x, y, task, seed=3):
    """(engine output, engine gradients, torch output, torch gradients in the engine's
    layout) for one training-mode batch in float64."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    from engine.backends.torch_module import TorchNetwork
    from engine.backends.torch_optim import torch_loss

    engine = Network(spec, dtype=np.float64, seed=seed)
    loss = choose_loss(training_settings({}), task, engine.report.output_shape[-1])
    xe, ye = engine.prepare_input(x), prepare_targets(loss, engine, y)
    other = Network(spec, dtype=np.float64, seed=seed)
    tnet = TorchNetwork(other, loss.name, task, torch.device("cpu"), torch.float64)
    engine.rng.bit_generator.state = other.rng.bit_generator.state  # same dropout masks
    out = engine.forward(xe, training=True, strip=loss.fuses)
    _, grad = get_loss(loss.name).value_and_grad(out, ye)
    engine.backward(grad)
    tout = tnet(torch.from_numpy(xe))
    torch_loss(loss.name, tout, torch.from_numpy(ye)).backward()
    grads = np.zeros(engine.flat.size)
    for name, param in tnet.module.named_parameters():
        src = tnet.sources[name]
        mask = src > 0
        grads[src[mask] - 1] = param.grad.numpy()[mask]
    return out, engine.grad_flat, tout.detach().numpy(), grads


def assert_close(a, b, rtol=1e-9, atol=1e-12):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", [n for n in SYNTHETIC if synthetic_types(n) <= REGISTERED])
def test_one_batch_forward_and_backward_match_the_engine_in_float64(name):
    out, grads, tout, tgrads = one_step(*synthetic_batch(name))
    assert_close(tout, out)
    assert_close(tgrads, grads)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_matches_on_one_batch_in_float64(path):
    out, grads, tout, tgrads = one_step(*example_batch(path))
    assert_close(tout, out)
    assert_close(tgrads, grads)


def test_weights_go_to_pytorch_and_come_back_unchanged():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    from engine.backends.torch_module import TorchNetwork

    for name in ("recurrent", "cnn", "tokens"):
        network = Network(synthetic_spec(name), seed=5)
        before = network.weights()
        tnet = TorchNetwork(network, "mse", "regression", torch.device("cpu"), torch.float32)
        network.flat[:] = 0  # anything: to_engine must write every element back
        after = tnet.weights()
        assert before.keys() == after.keys()
        for key in before:
            assert np.array_equal(before[key], after[key]), key


def test_the_recurrent_bias_the_engine_lacks_stays_zero():
    """An LSTM's bias_hh and a GRU's r and z parts of it are not the engine's: constant."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    from engine.backends.torch_module import TorchNetwork
    from engine.backends.torch_optim import torch_loss

    spec, x, y, task = synthetic_batch("recurrent")
    tnet = TorchNetwork(Network(spec, dtype=np.float64), "mse", task, torch.device("cpu"),
                        torch.float64)
    torch_loss("mse", tnet(torch.from_numpy(x.astype(np.float64))),
               torch.from_numpy(y.astype(np.float64))).backward()
    grad = dict(tnet.module.named_parameters())["lstm.bias_hh_l0"].grad
    assert grad is not None and not grad.any()
    gru = dict(tnet.module.named_parameters())["gru.bias_hh_l0"].grad
    h = 4
    assert not gru[:2 * h].any() and gru[2 * h:].abs().sum() > 0  # b_hn learns
