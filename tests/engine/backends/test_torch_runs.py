"""Whole runs on the PyTorch backend: per-batch losses against the engine in float64 (one
epoch of every bundled example, every optimizer and schedule), resuming, and the errors
when PyTorch or a device is missing."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from engine.backends import BackendError
from engine.data import prepare
from engine.events import BatchEnd, Checkpointed, EpochEnd, RunResult
from engine.network import Network
from engine.project import load_project
from engine.run import CheckpointPolicy, make_job, run_job
from engine.run.loop import train
from engine.settings import choose_loss, training_settings

pytestmark = pytest.mark.torch  # compared with PyTorch where it is installed

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "resources" / "examples")
                  .glob("*.ncproj"))
RTOL = 1e-6


def losses(events) -> np.ndarray:
    return np.array([e.loss for e in events if isinstance(e, BatchEnd)])


def float64_runs(spec, data, settings):
    """(engine events, torch events, engine network, torch trainer), float64, same seed."""
    pytest.importorskip("torch", reason="PyTorch is not installed")
    from engine.backends.torch_run import TorchTrainer

    settings = training_settings(settings)
    out_units = Network(spec).report.output_shape[-1]
    loss = choose_loss(settings, data.train.task, out_units).name
    engine = Network(spec, dtype=np.float64, seed=settings["seed"])
    theirs = list(train(engine, data.train, data.val, settings, loss=loss))
    trainer = TorchTrainer(Network(spec, dtype=np.float64, seed=settings["seed"]), settings,
                           loss, data.train.task, device="cpu")
    ours = list(trainer.train(data.train, data.val))
    return theirs, ours, engine, trainer


def relative(a, b) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-300)))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_one_epoch_of_every_example_gives_the_engines_losses_in_float64(path):
    project = load_project(path)
    data = prepare(project.data, 0, base_dir=path.parent)
    theirs, ours, engine, trainer = float64_runs(project.spec, data,
                                                 {**project.training, "epochs": 1})
    a, b = losses(theirs), losses(ours)
    assert len(a) == len(b) > 0
    assert relative(a, b) < RTOL
    ea, eb = [e.record for e in theirs if isinstance(e, EpochEnd)], \
        [e.record for e in ours if isinstance(e, EpochEnd)]
    for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        if key in ea[0]:
            assert eb[0][key] == pytest.approx(ea[0][key], rel=RTOL)
    trained = trainer.net.weights()
    for key, value in engine.weights().items():
        np.testing.assert_allclose(trained[key], value, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("settings", [
    {"optimizer": "sgd", "momentum": 0.9, "nesterov": True, "weight_decay": 0.01,
     "schedule": "step", "step_size": 1, "gamma": 0.5, "learning_rate": 0.05},
    {"optimizer": "sgd", "momentum": 0.0, "clip_norm": 0.5, "learning_rate": 0.1},
    {"optimizer": "rmsprop", "weight_decay": 0.001, "schedule": "exponential"},
    {"optimizer": "adamw", "weight_decay": 0.1, "schedule": "cosine", "min_lr": 1e-4,
     "clip_norm": 1.0, "beta1": 0.8},
    {"optimizer": "adam", "early_stopping": True, "patience": 1, "epochs": 4},
], ids=["sgd-nesterov-decay-step", "sgd-clip", "rmsprop-exp", "adamw-cosine-clip", "early"])
def test_every_optimizer_and_schedule_means_the_same_on_pytorch(settings):
    """A design with batch norm, dropout and a GRU (the bias the engine lacks) on
    synthetic data, three epochs, in float64."""
    from tests.engine.io.export_cases import SYNTHETIC, _data, synthetic_spec
    from engine.data.dataset import Dataset
    from engine.data import PreparedData

    shape, kind, _, _, target, classes = SYNTHETIC["recurrent"]
    x, y = _data(shape, kind, target, classes, n=80)
    train_set = Dataset(x[:60], y[:60], "regression")
    val_set = Dataset(x[60:], y[60:], "regression")
    data = PreparedData(train_set, val_set, val_set.subset(np.arange(0)), None, {})
    full = {"epochs": 3, "batch_size": 16, "seed": 4, **settings}
    theirs, ours, *_ = float64_runs(synthetic_spec("recurrent"), data, full)
    assert relative(losses(theirs), losses(ours)) < RTOL
    assert type(theirs[-1]) is type(ours[-1])
    assert theirs[-1].message == ours[-1].message


# ---- resuming ---------------------------------------------------------------------------
def small_job(name="digits_mlp", n=200, **settings):
    project = load_project(next(p for p in EXAMPLES if p.stem == name))
    data = prepare(project.data, 0)
    data = replace(data, train=data.train.subset(np.arange(n)))
    training = {**project.training, "epochs": 2, "batch_size": 32, "backend": "torch",
                "device": "cpu", **settings}
    return make_job(project.spec, data, training, data_config=project.data)


@pytest.mark.parametrize("name", ["digits_mlp", "cnn_digits", "gru_classifier"])
def test_a_resumed_torch_run_reproduces_the_uninterrupted_one(name):
    pytest.importorskip("torch", reason="PyTorch is not installed")
    job = small_job(name)
    events = list(run_job(job, policy=CheckpointPolicy(every=0.0, min_gap=0.0)))
    straight = events[-1]
    assert isinstance(straight, RunResult)
    checkpoints = [e.checkpoint for e in events if isinstance(e, Checkpointed)]
    mid = [c for c in checkpoints if c.batch][len(checkpoints) // 3]
    resumed = list(run_job(replace(job, resume=mid)))
    assert np.array_equal(losses(resumed), losses(events)[mid.step:])
    for key, value in straight.weights.items():
        assert np.array_equal(resumed[-1].weights[key], value), key
    assert resumed[-1].test == straight.test


def test_a_checkpoint_is_the_engines_so_either_backend_continues_it():
    """A NumPy run's checkpoint continued on PyTorch: the same batches (float32, so the
    losses agree to float32's precision, not bit for bit)."""
    pytest.importorskip("torch", reason="PyTorch is not installed")
    job = small_job(backend="numpy")
    events = list(run_job(job, policy=CheckpointPolicy(every=0.0, min_gap=0.0)))
    mid = [e.checkpoint for e in events if isinstance(e, Checkpointed) and e.checkpoint.batch][3]
    on_torch = list(run_job(replace(job, settings={**job.settings, "backend": "torch"},
                                    resume=mid)))
    np.testing.assert_allclose(losses(on_torch), losses(events)[mid.step:], rtol=1e-4)


# ---- what is missing --------------------------------------------------------------------
def test_make_job_says_how_to_get_pytorch_when_it_is_missing(monkeypatch):
    import engine.backends as backends

    monkeypatch.setattr(backends.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(BackendError, match="pip install"):
        small_job(backend="torch")
    small_job(backend="numpy")  # the built-in engine needs nothing


def test_a_device_that_is_not_there_is_a_clear_error():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    from engine.backends import torch_device

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")  # not "torch": the module is marked
    with pytest.raises(BackendError, match="no CUDA GPU"):
        torch_device("cuda")
    assert torch_device("auto").type in ("cpu", "mps")


def test_a_decoder_with_the_enlarging_layers_and_layer_norm_trains_alike_on_pytorch():
    """Conv2DTranspose, UpSampling2D (both modes) and LayerNorm through the generated
    module: the same per-batch losses and trained weights as the engine, in float64."""
    from types import SimpleNamespace

    from engine.data.dataset import Dataset

    from ..helpers import chain_spec

    spec = chain_spec((1, 6, 6), [
        ("Conv2D", {"filters": 3, "stride": 2}),
        ("Conv2DTranspose", {"filters": 2, "activation": "tanh"}),
        ("UpSampling2D", {"interpolation": "bilinear"}),
        ("Conv2DTranspose", {"filters": 2, "kernel_size": 2, "stride": 3, "padding": 1,
                             "output_padding": 2, "use_bias": False}),
        ("UpSampling2D", {"size": [1, 2]}), ("Flatten", {}), ("LayerNorm", {}),
        ("Dense", {"units": 2, "activation": "linear"})], "image")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 1, 6, 6))
    y = np.stack([x.mean(axis=(1, 2, 3)), x[:, 0, 0, :].mean(1)], 1)
    full = Dataset(x, y, "regression", input_kind="image")
    data = SimpleNamespace(train=full.subset(np.arange(32)), val=full.subset(np.arange(32, 40)))
    theirs, ours, engine, trainer = float64_runs(
        spec, data, {"epochs": 3, "batch_size": 8, "learning_rate": 0.003})
    a, b = losses(theirs), losses(ours)
    assert len(a) == len(b) == 12
    assert relative(a, b) < RTOL
    assert a[-4:].mean() < a[:4].mean()  # it learns
    trained = trainer.net.weights()
    for key, value in engine.weights().items():
        np.testing.assert_allclose(trained[key], value, rtol=1e-6, atol=1e-9)
