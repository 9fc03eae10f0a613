"""A run that will not fit in memory is refused before anything is allocated, with its
figures, instead of dying mid-run with a MemoryError."""
import pytest

from engine.data import prepare
from engine.errors import TrainingError
from engine.graph import infer_shapes
from engine.run import make_job
from engine.run.budget import LIMIT_VARIABLE, check_fits, training_bytes
from engine.settings import training_settings

from ..helpers import chain_spec


def test_the_estimate_counts_parameters_optimizer_state_and_activations():
    spec = chain_spec((100,), [("Dense", {"units": 10})])
    report, settings = infer_shapes(spec), training_settings({"batch_size": 8})
    params = 100 * 10 + 10
    outputs = 100 + 10  # the input's and the Dense's outputs per sample
    assert training_bytes(report, settings) == params * 4 * 6 + outputs * 8 * 4 * 4
    sgd = training_settings({"batch_size": 8, "optimizer": "sgd"})
    assert training_bytes(report, sgd) < training_bytes(report, settings)


def test_a_design_too_big_for_the_budget_is_refused_with_its_figures(monkeypatch):
    data = prepare({"source": "builtin", "name": "xor"}, 0)
    huge = chain_spec((2,), [("Dense", {"units": 60_000}), ("Dense", {"units": 60_000}),
                             ("Dense", {"units": 2, "activation": "softmax"})])
    monkeypatch.setenv(LIMIT_VARIABLE, "1024")
    with pytest.raises(TrainingError, match=r"needs about 80\.\d GB to train "
                                            r"\(3,600,360,002 parameters, batch size 32\).*1\.0 GB free"):
        make_job(huge, data, {})
    small = chain_spec((2,), [("Dense", {"units": 8}), ("Dense", {"units": 2})])
    assert make_job(small, data, {}).loss == "cross_entropy"
    monkeypatch.setenv(LIMIT_VARIABLE, "lots")
    with pytest.raises(TrainingError, match="must be a number of megabytes"):
        make_job(small, data, {})


def test_a_design_within_the_budget_passes_and_one_byte_less_does_not():
    report, settings = infer_shapes(chain_spec((2,), [("Dense", {"units": 2})])), \
        training_settings({})
    need = training_bytes(report, settings)
    check_fits(report, settings, budget=need)
    with pytest.raises(TrainingError):
        check_fits(report, settings, budget=need - 1)
