"""Built-in data sets: shapes, dtypes, classes, determinism, options, bundled files."""
import json
from pathlib import Path

import numpy as np
import pytest

from engine.data import BUILTINS, Dataset, get_builtin, load_builtin
from engine.data.sequences import sliding_windows
from engine.errors import ConfigError, DataError
from engine.resources import data_file, resources_dir

# name -> (x shape, y shape, number of classes or 0 for regression, input kind)
EXPECTED = {
    "xor": ((400, 2), (400,), 2, "features"),
    "circles": ((400, 2), (400,), 2, "features"),
    "moons": ((400, 2), (400,), 2, "features"),
    "spirals": ((600, 2), (600,), 2, "features"),
    "blobs": ((400, 2), (400,), 3, "features"),
    "sine_regression": ((200, 1), (200, 1), 0, "features"),
    "iris": ((150, 4), (150,), 3, "features"),
    "digits": ((1797, 64), (1797,), 10, "features"),
    "digits_images": ((1797, 1, 8, 8), (1797,), 10, "image"),
    "mnist": ((5000, 1, 28, 28), (5000,), 10, "image"),
    "sine_forecast": ((500, 20, 1), (500, 1), 0, "sequence"),
    "wave_frequency": ((600, 32, 1), (600,), 3, "sequence"),
    "remember_first": ((600, 40, 1), (600,), 2, "sequence"),
    "shakespeare": ((1495, 64), (1495, 64), None, "tokens"),
}
EXPECTED["waveforms"] = ((3000, 128, 1), (3000,), 6, "sequence")


def test_remember_first_keeps_the_class_in_step_one_only():
    data = load_builtin("remember_first", {"length": 30, "noise": 2.0}, seed=3)
    assert data.x.shape == (600, 30, 1) and sorted(set(data.y.tolist())) == [0, 1]
    np.testing.assert_array_equal(data.x[:, 0, 0], np.where(data.y == 1, 1.0, -1.0))
    rest = data.x[:, 1:, 0]  # noise that says nothing of the class
    assert abs(rest.std() - 2.0) < 0.05
    assert abs(rest[data.y == 1].mean() - rest[data.y == 0].mean()) < 0.1


def test_every_builtin_is_listed_and_expected():
    assert set(BUILTINS) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_builtin_shapes_dtypes_and_classes(name):
    x_shape, y_shape, n_classes, kind = EXPECTED[name]
    entry = BUILTINS[name]
    data = load_builtin(name)
    assert isinstance(data, Dataset)
    assert data.x.shape == x_shape and data.y.shape == y_shape
    assert data.input_kind == kind == entry.input_kind
    assert data.task == entry.task
    assert data.description and entry.summary and data.name
    if kind == "tokens":
        assert data.x.dtype == np.int64 and data.y.dtype == np.int64
        assert data.vocabulary and data.x.max() < len(data.vocabulary)
        return
    assert data.x.dtype == np.float32 and np.isfinite(data.x).all()
    if n_classes:
        assert data.y.dtype == np.int64
        assert data.n_classes == n_classes == len(data.class_names)
        assert set(np.unique(data.y)) == set(range(n_classes))
    else:
        assert data.task == "regression" and data.y.dtype == np.float32


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_builtin_is_deterministic_by_seed(name):
    a, b = load_builtin(name, seed=3), load_builtin(name, seed=3)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)


@pytest.mark.parametrize("name", ["xor", "circles", "moons", "spirals", "blobs",
                                  "sine_regression", "sine_forecast", "wave_frequency",
                                  "mnist"])
def test_generated_data_changes_with_the_seed(name):
    assert not np.array_equal(load_builtin(name, seed=0).x, load_builtin(name, seed=1).x)


def test_schemas_are_json_defaults_and_validate():
    for entry in BUILTINS.values():
        json.dumps(entry.defaults())
    with pytest.raises(ConfigError) as err:
        load_builtin("spirals", {"arms": 4})
    assert err.value.where == "arms"
    with pytest.raises(ConfigError) as err:
        load_builtin("moons", {"wobble": 1})
    assert "wobble" in str(err.value)
    with pytest.raises(ConfigError) as err:
        get_builtin("imagenet")
    assert err.value.where == "name" and "digits" in str(err.value)


def test_options_change_the_data():
    spirals = load_builtin("spirals", {"arms": 3, "n_samples": 300})
    assert spirals.x.shape == (300, 2) and spirals.n_classes == 3
    blobs = load_builtin("blobs", {"centers": 5})
    assert blobs.n_classes == 5
    assert load_builtin("mnist", {"n_samples": 100}).x.shape == (100, 1, 28, 28)
    text = load_builtin("shakespeare", {"seq_length": 16, "lowercase": True})
    assert text.x.shape[1] == 16 and all(c == c.lower() for c in text.vocabulary)


def test_xor_has_a_gap_around_the_axes_and_labels_follow_the_signs():
    data = load_builtin("xor", {"margin": 0.2})
    assert np.abs(data.x).min() >= 0.2 - 1e-6
    expected = (np.sign(data.x[:, 0]) != np.sign(data.x[:, 1])).astype(np.int64)
    np.testing.assert_array_equal(data.y, expected)


def test_mnist_is_scaled_shuffled_and_balanced():
    data = load_builtin("mnist", {"n_samples": 1000})
    assert 0.0 <= data.x.min() and data.x.max() <= 1.0 and data.x.max() > 0.99
    assert np.bincount(data.y).tolist() == [100] * 10
    assert len(set(data.y[:20].tolist())) > 3  # not sorted by class


def test_digits_features_and_images_hold_the_same_pixels():
    flat, images = load_builtin("digits"), load_builtin("digits_images")
    np.testing.assert_array_equal(flat.x, images.x.reshape(len(images), 64))
    np.testing.assert_array_equal(flat.y, images.y)
    assert flat.x.max() == 1.0 and flat.x.min() == 0.0
    assert flat.feature_names[9] == "pixel_1_1"


def test_iris_reads_text_species():
    data = load_builtin("iris")
    assert data.class_names == ("setosa", "versicolor", "virginica")
    assert np.bincount(data.y).tolist() == [50, 50, 50]
    np.testing.assert_allclose(data.x[0], [5.1, 3.5, 1.4, 0.2], rtol=1e-6)


def test_sine_forecast_target_is_the_next_value_of_the_series():
    data = load_builtin("sine_forecast", {"n_samples": 50, "window": 5})
    # consecutive windows overlap: window i+1 starts one step later
    np.testing.assert_array_equal(data.x[1, :-1, 0], data.x[0, 1:, 0])
    np.testing.assert_array_equal(data.y[:-1, 0], data.x[1:, -1, 0])


def test_sliding_windows_values():
    series = np.arange(10, dtype=np.float32).reshape(-1, 1)
    x, y = sliding_windows(series, series[:, 0] * 10, window=3, horizon=2)
    assert x.shape == (6, 3, 1) and y.shape == (6, 1)
    np.testing.assert_array_equal(x[0, :, 0], [0, 1, 2])
    assert y[0, 0] == 40  # two steps after the last value of the window (2)
    assert y[-1, 0] == 90


def test_text_targets_are_the_inputs_shifted_by_one():
    data = load_builtin("shakespeare", {"seq_length": 32})
    np.testing.assert_array_equal(data.x[:, 1:], data.y[:, :-1])
    decoded = "".join(data.vocabulary[i] for i in data.x[0])
    assert decoded.startswith("THE SONNETS")
    assert data.class_names == data.vocabulary


def test_wave_classes_are_balanced():
    data = load_builtin("wave_frequency", {"classes": 4, "n_samples": 400})
    assert np.bincount(data.y).tolist() == [100] * 4


def test_bundled_files_exist_and_are_small():
    folder = resources_dir() / "data"
    total = sum(p.stat().st_size for p in folder.iterdir())
    assert total < 3 * 1024 * 1024
    assert (folder / "SOURCES.md").is_file()
    for name in ("digits.csv.gz", "iris.csv", "mnist_5k.npz", "shakespeare_sonnets.txt",
                 "waveforms.npz"):
        assert data_file(name).is_file()
        assert name in (folder / "SOURCES.md").read_text()


def test_missing_bundled_file_is_a_data_error(monkeypatch, tmp_path):
    monkeypatch.setenv("NEUROCANVAS_RESOURCES", str(tmp_path))
    with pytest.raises(DataError) as err:
        load_builtin("iris")
    assert "iris.csv" in str(err.value)


def test_waveforms_are_six_balanced_shapes_and_the_file_is_what_its_generator_makes():
    import importlib.util

    data = load_builtin("waveforms")
    assert data.x.shape == (3000, 128, 1) and data.x.dtype == np.float32
    assert data.input_kind == "sequence" and "synthetic" in data.source
    assert data.class_names == ("sine", "square", "triangle", "sawtooth", "chirp", "burst")
    assert np.bincount(data.y).tolist() == [500] * 6
    script = Path(__file__).resolve().parents[3] / "resources" / "examples" / "make_waveforms.py"
    spec = importlib.util.spec_from_file_location("make_waveforms", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    x, y = module.make()
    np.testing.assert_array_equal(x.astype(np.float32), data.x)
    np.testing.assert_array_equal(y, data.y)
