"""Splits, standardisation, batches and prepare() from a data description."""
import json
from dataclasses import replace

import numpy as np
import pytest

from engine.data import (Dataset, Splits, Standardizer, iterate_batches, load_builtin,
                         normalize_splits, normalizer_from_dict, prepare, read_data_config,
                         split)
from engine.errors import ConfigError, DataError


def labelled(n=200, classes=(0.5, 0.3, 0.2), seed=0):
    """Features equal to the sample index, so splits can be traced back."""
    counts = [int(n * c) for c in classes]
    y = np.repeat(np.arange(len(classes)), counts)
    x = np.arange(len(y), dtype=np.float32).reshape(-1, 1)
    return Dataset(x=x, y=y.astype(np.int64), task="classification", name="toy")


# -- split ------------------------------------------------------------------------------

def test_splits_are_disjoint_and_cover_everything():
    parts = split(labelled(), validation=0.2, test=0.1, seed=1)
    ids = [set(p.x[:, 0].astype(int).tolist()) for p in parts]
    assert not ids[0] & ids[1] and not ids[0] & ids[2] and not ids[1] & ids[2]
    assert set.union(*ids) == set(range(200))
    assert (len(parts.train), len(parts.val), len(parts.test)) == (140, 40, 20)


def test_splits_are_stratified():
    data = labelled(n=1000)
    parts = split(data, validation=0.2, test=0.2, seed=3)
    for part in parts:
        np.testing.assert_allclose(np.bincount(part.y) / len(part), [0.5, 0.3, 0.2], atol=0.01)


def test_unstratified_split_of_a_skewed_set_differs_from_stratified():
    data = labelled(n=100, classes=(0.9, 0.1))
    strat = [np.bincount(split(data, 0.2, 0.2, seed=s).val.y, minlength=2)[1]
             for s in range(10)]
    plain = [np.bincount(split(data, 0.2, 0.2, seed=s, stratify=False).val.y, minlength=2)[1]
             for s in range(10)]
    assert set(strat) == {2} and len(set(plain)) > 1


def test_split_is_deterministic_by_seed_and_shuffles():
    data = labelled()
    a, b, c = (split(data, seed=s).train.x[:, 0] for s in (4, 4, 5))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.all(np.diff(a) > 0)


def test_every_class_keeps_a_training_sample():
    data = Dataset(x=np.zeros((5, 1), np.float32), y=np.array([0, 0, 0, 0, 1]),
                   task="classification")
    parts = split(data, 0.3, 0.3)
    assert 1 in parts.train.y


def test_split_fraction_errors():
    with pytest.raises(ConfigError) as err:
        split(labelled(), validation=0.6, test=0.5)
    assert err.value.where == "test_split"
    with pytest.raises(ConfigError) as err:
        split(labelled(), validation=-0.1)
    assert err.value.where == "validation_split"
    tiny = Dataset(x=np.zeros((1, 1)), y=np.zeros((1, 1)), task="regression")
    with pytest.raises(DataError):
        split(tiny, 0.5, 0.4)


def test_zero_fractions_give_empty_splits():
    parts = split(labelled(), 0.0, 0.0)
    assert len(parts.train) == 200 and len(parts.val) == 0 and parts.val.x.shape == (0, 1)


# -- standardisation --------------------------------------------------------------------

def test_standardizer_uses_the_training_split_only():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (300, 3)).astype(np.float32)
    parts = split(Dataset(x=x, y=np.zeros((300, 1), np.float32), task="regression"), 0.2, 0.2)
    # Poison the held-out splits: had their statistics been used, the mean would move.
    poisoned = Splits(parts.train, replace(parts.val, x=parts.val.x + 1000),
                      replace(parts.test, x=parts.test.x * 1000))
    scaled, scaler = normalize_splits(poisoned, "standard")
    np.testing.assert_allclose(scaler.mean, parts.train.x.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(scaler.std, parts.train.x.std(axis=0), rtol=1e-5)
    np.testing.assert_allclose(scaled.train.x.mean(axis=0), 0, atol=1e-5)
    assert scaled.val.x.mean() > 500  # transformed with the training statistics
    np.testing.assert_allclose(scaled.val.x, scaler.transform(poisoned.val.x))


def test_prepare_fits_on_train_only():
    prepared = prepare({"source": "builtin", "name": "iris"}, seed=0)
    train = prepared.train.x
    np.testing.assert_allclose(train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(train.std(axis=0), 1, atol=1e-4)
    raw = load_builtin("iris")
    parts = split(raw, seed=0)
    np.testing.assert_allclose(prepared.normalizer.mean, parts.train.x.mean(axis=0), rtol=1e-5)
    assert not np.allclose(prepared.normalizer.mean, raw.x.mean(axis=0), rtol=1e-5)
    assert np.abs(prepared.val.x.mean(axis=0)).max() > 1e-3  # not re-fitted on validation


def test_constant_features_are_only_centred():
    x = np.stack([np.full(10, 7.0), np.arange(10.0)], axis=1)
    scaler = Standardizer.fit(x)
    out = scaler.transform(x)
    assert np.isfinite(out).all() and np.all(out[:, 0] == 0)
    assert scaler.std[0] == 1.0


def test_images_are_standardised_per_channel_and_sequences_per_feature():
    rng = np.random.default_rng(0)
    images = rng.normal([[[1.0]], [[5.0]], [[-3.0]]], 1.0, (50, 3, 4, 4))
    scaler = Standardizer.fit(images, "image")
    assert scaler.mean.shape == (3,) and scaler.axis == 1
    np.testing.assert_allclose(scaler.mean, [1, 5, -3], atol=0.1)
    out = scaler.transform(images)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    seq = rng.normal([2.0, -2.0], 3.0, (40, 7, 2))
    seq_scaler = Standardizer.fit(seq, "sequence")
    assert seq_scaler.axis == 2 and seq_scaler.mean.shape == (2,)
    with pytest.raises(DataError):
        Standardizer.fit(np.zeros((3, 4), np.int64), "tokens")
    with pytest.raises(DataError):
        scaler.transform(np.zeros((2, 4, 4, 4)))


def test_standardizer_round_trips_through_json():
    scaler = Standardizer.fit(np.random.default_rng(1).normal(3, 2, (20, 4)))
    restored = normalizer_from_dict(json.loads(json.dumps(scaler.to_dict())))
    x = np.ones((2, 4))
    np.testing.assert_allclose(restored.transform(x), scaler.transform(x))
    np.testing.assert_allclose(restored.inverse_transform(scaler.transform(x)), x, rtol=1e-5)
    assert normalizer_from_dict(None) is None
    with pytest.raises(DataError):
        Standardizer.from_dict({"mean": [1.0], "axis": 1})


# -- batches ----------------------------------------------------------------------------

def test_iterate_batches_covers_all_indices():
    batches = list(iterate_batches(10, 4, np.random.default_rng(0), shuffle=True))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    assert np.concatenate(batches).tolist() != list(range(10))
    plain = list(iterate_batches(5, 2, shuffle=False))
    assert [b.tolist() for b in plain] == [[0, 1], [2, 3], [4]]
    assert [len(b) for b in iterate_batches(10, 4, 1, drop_last=True)] == [4, 4]
    a = np.concatenate(list(iterate_batches(10, 3, 7)))
    b = np.concatenate(list(iterate_batches(10, 3, np.random.default_rng(7))))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ConfigError):
        list(iterate_batches(10, 0, None))


# -- prepare ----------------------------------------------------------------------------

def test_prepare_builtin_info_is_json():
    prepared = prepare({"source": "builtin", "name": "digits", "validation_split": 0.1,
                        "test_split": 0.2}, seed=1)
    info = json.loads(json.dumps(prepared.dataset_info))
    assert info["sizes"] == {"train": len(prepared.train), "validation": len(prepared.val),
                             "test": len(prepared.test)}
    assert sum(info["sizes"].values()) == 1797
    assert info["n_classes"] == 10 and info["sample_shape"] == [64]
    assert info["normalize"] == "standard" and len(info["normalizer"]["mean"]) == 64


def test_prepare_is_deterministic_by_seed():
    cfg = {"source": "builtin", "name": "moons", "options": {"n_samples": 100}}
    a, b = prepare(cfg, seed=3), prepare(cfg, seed=3)
    np.testing.assert_array_equal(a.val.x, b.val.x)


def test_prepare_never_normalises_tokens_and_can_skip_normalising():
    text = prepare({"source": "builtin", "name": "shakespeare", "normalize": "standard",
                    "options": {"max_chars": 5000}})
    assert text.normalizer is None and text.train.x.dtype == np.int64
    assert text.dataset_info["normalize"] == "none"
    raw = prepare({"source": "builtin", "name": "mnist", "normalize": "none",
                   "options": {"n_samples": 100}})
    assert raw.normalizer is None and raw.train.x.max() <= 1.0
    images = prepare({"source": "builtin", "name": "mnist", "options": {"n_samples": 100}})
    assert images.normalizer.mean.shape == (1,)


def test_prepare_files_with_relative_paths(tmp_path):
    (tmp_path / "t.csv").write_text("a,b,label\n" + "".join(
        f"{i},{i % 5},{'yes' if i % 2 else 'no'}\n" for i in range(40)))
    prepared = prepare({"source": "csv", "path": "t.csv", "target": "label"}, base_dir=tmp_path)
    assert prepared.dataset_info["class_names"] == ["no", "yes"]
    series = prepare({"source": "timeseries", "path": str(tmp_path / "t.csv"),
                      "target": "a", "window": 4})
    assert series.train.x.shape[1:] == (4, 2)
    assert series.dataset_info["sizes"] == {"train": 26, "validation": 5, "test": 5}
    np.savez(tmp_path / "d.npz", x=np.random.default_rng(0).normal(size=(30, 3)),
             y=np.arange(30) % 3)
    npz = prepare({"source": "npz", "path": "d.npz"}, base_dir=tmp_path)
    assert npz.train.task == "classification"


@pytest.mark.parametrize("config, field", [
    ({"name": "digits"}, "source"),
    ({"source": "web", "name": "digits"}, "source"),
    ({"source": "builtin"}, "name"),
    ({"source": "builtin", "name": "nope"}, "name"),
    ({"source": "builtin", "name": "digits", "colour": 1}, "colour"),
    ({"source": "builtin", "name": "digits", "normalize": "minmax"}, "normalize"),
    ({"source": "builtin", "name": "digits", "validation_split": 2}, "validation_split"),
    ({"source": "builtin", "name": "digits", "validation_split": 0.6, "test_split": 0.5},
     "test_split"),
    ({"source": "builtin", "name": "digits", "options": [1]}, "options"),
    ({"source": "builtin", "name": "spirals", "options": {"arms": 7}}, "arms"),
    ({"source": "csv", "path": "x.csv"}, "target"),
    ({"source": "csv", "path": "x.csv", "target": "y", "features": "a,b,"}, None),
    ({"source": "csv", "path": "x.csv", "target": 3}, "target"),
    ({"source": "csv", "target": "y"}, "path"),
    ({"source": "images", "path": "p", "size": [1, 2, 3]}, "size"),
    ({"source": "images", "path": "p", "color": "cmyk"}, "color"),
    ({"source": "timeseries", "path": "p", "target": "y", "window": 0}, "window"),
])
def test_bad_configs_name_the_field(config, field, tmp_path):
    if field is None:  # a well-formed config whose file is missing: a DataError
        with pytest.raises(DataError):
            prepare(config, base_dir=tmp_path)
        return
    with pytest.raises(ConfigError) as err:
        prepare(config, base_dir=tmp_path)
    assert err.value.where == field


def test_read_data_config_fills_defaults():
    source, values = read_data_config({"source": "images", "path": "p", "size": 16})
    assert source == "images"
    assert values["size"] == (16,) and values["color"] == "grayscale"
    assert values["validation_split"] == 0.15 and values["normalize"] == "standard"
    with pytest.raises(ConfigError):
        read_data_config("digits")
