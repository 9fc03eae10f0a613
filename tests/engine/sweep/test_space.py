"""Sweep spaces: the NAME=VALUES syntax, good and bad, and binding to a project."""
from pathlib import Path

import pytest

from engine.project import load_project
from engine.sweep import SweepError, apply_settings, bind, parse_dimension, parse_space

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"


@pytest.fixture(scope="module")
def digits():
    return load_project(EXAMPLES / "digits_mlp.ncproj")


def test_log_range_with_alias():
    dim = parse_dimension("lr=1e-4..1e-1:log")
    assert (dim.name, dim.low, dim.high, dim.log, dim.integer) == (
        "learning_rate", 1e-4, 0.1, True, False)
    assert dim.text() == "learning_rate=0.0001..0.1:log"
    assert parse_dimension(dim.text()) == dim


def test_lists_of_numbers_and_words():
    assert parse_dimension("batch_size=16,32,64").values == (16, 32, 64)
    assert parse_dimension("optimizer=sgd, adam").values == ("sgd", "adam")
    assert parse_dimension("nesterov=true,false").values == (True, False)
    assert parse_dimension("dropout1.rate=0.1,0.25").values == (0.1, 0.25)


def test_layer_int_range():
    dim = parse_dimension("dense_1.units=16..128:int")
    assert (dim.layer, dim.key, dim.low, dim.high, dim.integer) == ("dense_1", "units", 16, 128,
                                                                     True)


@pytest.mark.parametrize("text, words", [
    ("lr", "NAME=VALUES"),
    ("lr=", "no values"),
    ("lr=1e-4..", "two numbers"),
    ("lr=a..b", "two numbers"),
    ("lr=1..2..3", "two numbers"),
    ("lr=0.1..0.01", "must be below"),
    ("lr=0..1:log", "above 0"),
    ("lr=1..2:cubic", "unknown range option ':cubic'"),
    ("units=1.5..4:int", "whole-number"),
    ("lr=1,,2", "empty value"),
    ("lr=1,1", "listed twice"),
    ("lr=nan..1", "finite"),
    ("9lives=1,2", "not a setting name"),
    ("a.b.c=1,2", "not a setting name"),
])
def test_bad_syntax_says_what_is_wrong(text, words):
    with pytest.raises(SweepError, match=words.replace("(", r"\(").replace(".", r"\.")):
        parse_dimension(text)


@pytest.mark.parametrize("text", ["lr=1e400", "lr=0.1,nan", "lr=1e-3..1e400", "lr=inf..1"])
def test_a_number_that_is_not_finite_is_named_with_its_parameter(text):
    """'lr=1e400' said only "'1e400' is not a finite number", unlike the others."""
    with pytest.raises(SweepError) as caught:
        parse_dimension(text)
    assert str(caught.value).startswith("parameter learning_rate: ")  # lr is its alias
    assert "finite" in str(caught.value)


def test_space_limits():
    with pytest.raises(SweepError, match="say what to vary"):
        parse_space([])
    with pytest.raises(SweepError, match="at most 3"):
        parse_space(["lr=1,2", "epochs=1,2", "seed=1,2", "batch_size=1,2"])
    with pytest.raises(SweepError, match="given twice"):
        parse_space(["lr=1e-3,1e-2", "learning_rate=0.1,0.2"])


def test_bind_resolves_layer_names_and_makes_int_settings_whole(digits):
    dims = bind(parse_space(["batch_size=8..64", "hidden1.units=16,32"]), digits.spec)
    assert dims[0].integer and dims[1].name == "hidden1.units"


@pytest.mark.parametrize("text, words", [
    ("backend=numpy,torch", "not a training setting"),
    ("colour=red,blue", "not a training setting"),
    ("nope.units=1,2", "no layer 'nope'"),
    ("hidden1.colour=1,2", "has no setting 'colour'"),
    ("hidden1.units=0..8", "at least 1"),
    ("optimizer=sgd,lion", "lion"),
    ("optimizer=0..1", "list them with commas"),
    ("lr=1e-9..1:log", "at least"),
    ("hidden1.activation=relu,wobbly", "wobbly"),
])
def test_bind_refuses_what_the_project_cannot_take(digits, text, words):
    with pytest.raises(SweepError, match=words):
        bind(parse_space([text]), digits.spec)


def test_apply_settings_changes_copies_only(digits):
    spec, training = apply_settings(digits.spec, digits.training,
                                    {"learning_rate": 0.01, "hidden1.units": 32})
    assert training["learning_rate"] == 0.01 and spec.layer("hidden1").config["units"] == 32
    assert digits.training["learning_rate"] == 0.001
    assert digits.spec.layer("hidden1").config["units"] == 256
    with pytest.raises(SweepError, match="no layer"):
        apply_settings(digits.spec, {}, {"gone.units": 3})
