"""Grid and random trials, and the Pareto front on hand-made points."""
import math

import pytest

from engine.sweep import SweepError, parse_space, pareto_front, trials_for


def test_grid_takes_every_combination():
    dims = parse_space(["batch_size=16,32", "optimizer=sgd,adam,rmsprop"])
    trials = trials_for(dims, "grid", 1)
    assert len(trials) == 6
    assert {(t["batch_size"], t["optimizer"]) for t in trials} == {
        (b, o) for b in (16, 32) for o in ("sgd", "adam", "rmsprop")}


def test_grid_spaces_a_log_range_evenly_within_the_budget():
    trials = trials_for(parse_space(["lr=1e-4..1e-1:log"]), "grid", 4)
    values = [t["learning_rate"] for t in trials]
    assert values == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1])
    two = trials_for(parse_space(["lr=1e-4..1e-1:log", "optimizer=sgd,adam"]), "grid", 9)
    assert len(two) == 8  # 4 points x 2 optimizers fit 9; 5 would not


def test_grid_int_range_gives_distinct_whole_numbers():
    trials = trials_for(parse_space(["units=1..3:int"]), "grid", 10)
    assert [t["units"] for t in trials] == [1, 2, 3]


def test_random_is_reproducible_and_within_range():
    dims = parse_space(["lr=1e-4..1e-1:log", "units=16..128:int", "optimizer=sgd,adam"])
    a, b = trials_for(dims, "random", 50, seed=3), trials_for(dims, "random", 50, seed=3)
    assert a == b and a != trials_for(dims, "random", 50, seed=4)
    assert all(1e-4 <= t["learning_rate"] <= 0.1 for t in a)
    assert all(isinstance(t["units"], int) and 16 <= t["units"] <= 128 for t in a)
    assert {t["optimizer"] for t in a} == {"sgd", "adam"}
    logs = [math.log10(t["learning_rate"]) for t in a]
    assert sum(x < -2.5 for x in logs) > 15  # log-uniform: half below the middle decade


def test_random_over_lists_never_repeats_a_trial():
    dims = parse_space(["batch_size=16,32", "optimizer=sgd,adam"])
    trials = trials_for(dims, "random", 8, seed=1)
    assert len(trials) == 4 and len({tuple(t.values()) for t in trials}) == 4
    assert len(trials_for(dims, "random", 3)) == 3


def test_bad_method_and_counts():
    dims = parse_space(["lr=1,2"])
    with pytest.raises(SweepError, match="unknown sweep method"):
        trials_for(dims, "bayes", 3)
    with pytest.raises(SweepError, match="1 to"):
        trials_for(dims, "random", 0)


def test_pareto_front_hand_made():
    # (parameters, accuracy): 1 beats 0 on both; 3 is dominated by 2; 4 is biggest but best
    points = [(100, 0.80), (100, 0.85), (200, 0.90), (300, 0.88), (400, 0.95), (50, None)]
    assert pareto_front(points) == [1, 2, 4]
    # lower is better (a loss): the front flips
    assert pareto_front([(10, 0.5), (20, 0.4), (30, 0.6)], maximize=False) == [0, 1]
    assert pareto_front([]) == [] and pareto_front([(5, math.nan)]) == []
