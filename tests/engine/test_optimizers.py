"""Optimizers follow PyTorch's update rules step for step (when torch is installed),
and the bookkeeping (clipping, decay, schedules, denormal flush) does what it says."""
import numpy as np
import pytest

from engine.optimizers import SGD, Adam, AdamW, RMSprop
from engine.schedules import learning_rate

pytestmark = pytest.mark.torch  # compared with PyTorch where it is installed

CONFIGS = [
    ("sgd", SGD, dict(lr=0.1)),
    ("sgd-momentum", SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    ("sgd-nesterov", SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("adam", Adam, dict(lr=0.01, weight_decay=0.01)),
    ("adamw", AdamW, dict(lr=0.01, weight_decay=0.1)),
    ("rmsprop", RMSprop, dict(lr=0.01)),
    ("rmsprop-momentum", RMSprop, dict(lr=0.01, momentum=0.5)),
]


def _torch_optimizer(torch, name, param, kw):
    kw = dict(kw)
    if name.startswith("sgd"):
        return torch.optim.SGD([param], **kw)
    if name == "adam":
        return torch.optim.Adam([param], lr=kw["lr"], weight_decay=kw["weight_decay"])
    if name == "adamw":
        return torch.optim.AdamW([param], lr=kw["lr"], weight_decay=kw["weight_decay"])
    return torch.optim.RMSprop([param], lr=kw["lr"], momentum=kw.get("momentum", 0.0),
                               alpha=0.99, eps=1e-8)


@pytest.mark.parametrize("name,cls,kw", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_matches_pytorch(name, cls, kw):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    p = rng.normal(size=20)
    grads = [rng.normal(size=20) for _ in range(6)]
    opt = cls(**kw).bind(p, np.zeros(20))
    tp = torch.tensor(p.copy(), requires_grad=True)
    topt = _torch_optimizer(torch, name, tp, kw)
    for g in grads:
        opt.grads[...] = g
        opt.step()
        tp.grad = torch.tensor(g.copy())
        topt.step()
    np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_plain_sgd_step_by_hand():
    p, g = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    SGD(lr=0.1).bind(p, g).step()
    np.testing.assert_allclose(p, [0.95, -2.05])


def test_clip_norm_scales_global_norm_down():
    p, g = np.zeros(4), np.array([3.0, 4.0, 0.0, 0.0])
    opt = SGD(lr=1.0, clip_norm=1.0).bind(p, g)
    opt.step()
    assert opt.last_grad_norm == pytest.approx(5.0)
    np.testing.assert_allclose(p, [-0.6, -0.8, 0, 0])


def test_weight_decay_spares_parameters_past_decay_size():
    p, g = np.ones(4), np.zeros(4)
    SGD(lr=0.5, weight_decay=0.1).bind(p, g, decay_size=2).step()
    np.testing.assert_allclose(p, [0.95, 0.95, 1.0, 1.0])


def test_state_decaying_to_denormals_is_flushed():
    p, g = np.zeros(3, np.float32), np.zeros(3, np.float32)
    opt = Adam(lr=1e-3).bind(p, g)
    opt.m[...] = 1e-35
    for _ in range(200):
        opt.step()
    assert np.all(opt.m == 0)


@pytest.mark.parametrize("kind,progress,expected", [
    ("constant", 7.5, 0.1), ("step", 9.9, 0.1), ("step", 10.0, 0.05), ("step", 25, 0.025),
    ("exponential", 2.0, 0.025), ("cosine", 0.0, 0.1), ("cosine", 10.0, 0.0),
    ("cosine", 5.0, 0.05)])
def test_schedules(kind, progress, expected):
    lr = learning_rate(kind, 0.1, progress, total_epochs=10, step_size=10, gamma=0.5)
    assert lr == pytest.approx(expected)
