"""The design against its data: each mismatch named, with the fix when it is plain, and
the ones that would make training wrong refused by make_job."""
import pytest

from engine.checks import fit_problems
from engine.data import prepare
from engine.errors import DataError
from engine.graph import infer_shapes
from engine.run import make_job

from .io.export_cases import graph

IRIS = {"source": "builtin", "name": "iris"}


def dense(units, activation="relu"):
    return {"units": units, "activation": activation}


def problems(spec, data, loss="auto"):
    return fit_problems(spec, infer_shapes(spec), data.dataset_info, loss)


@pytest.fixture(scope="module")
def iris():
    return prepare(IRIS)


def test_ten_softmax_units_for_three_classes_is_named_fixed_and_refused(iris):
    spec = graph((4,), "features", [("hidden", "Dense", dense(8)),
                                    ("out", "Dense", dense(10, "softmax"))])
    [problem] = problems(spec, iris)
    assert problem.layer_id == "out" and problem.blocks_training
    assert "gives 10 values per sample but the data has 3 classes" in problem.message
    assert (problem.fix.key, problem.fix.value, problem.fix.label) == ("units", 3,
                                                                      "Set units to 3")
    with pytest.raises(DataError, match=r"3 classes.*\(set units to 3\)"):
        make_job(spec, iris, {"epochs": 1})
    fixed = graph((4,), "features", [("hidden", "Dense", dense(8)),
                                     ("out", "Dense", dense(3, "softmax"))])
    assert problems(fixed, iris) == []
    make_job(fixed, iris, {"epochs": 1})


def test_binary_classes_take_one_sigmoid_unit_and_a_sigmoid_is_not_a_softmax():
    xor = prepare({"source": "builtin", "name": "xor"})
    one = graph((2,), "features", [("out", "Dense", dense(1, "sigmoid"))])
    assert problems(one, xor) == []
    softmax_one = graph((2,), "features", [("out", "Dense", dense(1, "softmax"))])
    [problem] = problems(softmax_one, xor)
    assert problem.fix.value == "sigmoid" and not problem.blocks_training
    relu_two = graph((2,), "features", [("out", "Dense", dense(2, "relu"))])
    [problem] = problems(relu_two, xor)
    assert problem.fix.label == "Set activation to softmax"


def test_a_regression_cannot_end_in_a_squashing_activation():
    sine = prepare({"source": "builtin", "name": "sine_regression"})
    spec = graph((1,), "features", [("out", "Dense", dense(1, "sigmoid"))])
    [problem] = problems(spec, sine)
    assert "must be able to reach the targets" in problem.message
    assert problem.fix.value == "linear" and not problem.blocks_training
    make_job(spec, sine, {"epochs": 1})  # unusual, not wrong: the run may go
    wide = graph((1,), "features", [("out", "Dense", dense(3, "linear"))])
    [problem] = problems(wide, sine)
    assert "1 target value per sample" in problem.message and problem.fix.value == 1


def test_the_input_and_an_embedding_are_held_against_the_data():
    text = prepare({"source": "builtin", "name": "shakespeare",
                    "options": {"seq_length": 16}})
    vocabulary = len(text.dataset_info["vocabulary"])
    spec = graph((12,), "tokens", [("embed", "Embedding", {"vocab_size": 10, "dim": 8}),
                                   ("out", "Dense", dense(vocabulary, "softmax"))])
    found = {p.fix.key: p for p in problems(spec, text)}
    assert found["shape"].fix.value == [16] and found["shape"].layer_id == "input"
    assert found["vocab_size"].fix.value == vocabulary
    assert "ids from 10 on would have no vector" in found["vocab_size"].message


def test_no_data_at_all_is_said():
    spec = graph((4,), "features", [("out", "Dense", dense(3, "softmax"))])
    [problem] = fit_problems(spec, infer_shapes(spec), None, has_data=False)
    assert problem.kind == "no_data" and "Data tab" in problem.message
    assert fit_problems(spec, infer_shapes(spec), None) == []  # not loaded yet: unknown


def test_data_of_one_class_is_named_as_such_not_fixed_with_one_unit(tmp_path):
    """Labels all alike gave "the data has 1 classes ... (set units to 1)"."""
    import numpy as np

    path = tmp_path / "one.npz"
    np.savez(path, x=np.random.default_rng(0).normal(size=(20, 2)), y=np.zeros(20, int))
    data = prepare({"source": "npz", "path": str(path)})
    spec = graph((2,), "features", [("out", "Dense", dense(2, "softmax"))])
    [problem] = problems(spec, data)
    assert "one class" in problem.message and "at least two classes" in problem.message
    assert problem.fix is None and problem.blocks_training
    with pytest.raises(DataError, match="one class") as err:
        make_job(spec, data, {"epochs": 1})
    assert "units" not in str(err.value)
