"""Autoencoder targets (the data setting ``reconstruct``): each sample's target is its
own input before standardising; the splits are those of the labelled data; the checks
hold the whole output shape against the targets."""
import numpy as np
import pytest

from engine.checks import fit_problems
from engine.data import prepare
from engine.errors import ConfigError
from engine.graph import infer_shapes
from engine.project import Project, load_project, save_project
from engine.run import make_job

from ..io.export_cases import graph

DIGITS = {"source": "builtin", "name": "digits_images"}
AUTOENCODER = [("down", "Conv2D", {"filters": 4, "stride": 2}),
               ("up", "Conv2DTranspose", {"filters": 1, "activation": "sigmoid"})]


@pytest.fixture(scope="module")
def both():
    return prepare(DIGITS, 3), prepare({**DIGITS, "reconstruct": True}, 3)


def test_targets_are_the_raw_inputs_and_the_splits_are_the_labelled_ones(both):
    labelled, data = both
    for plain, part in zip((labelled.train, labelled.val, labelled.test),
                           (data.train, data.val, data.test)):
        np.testing.assert_array_equal(part.x, plain.x)  # same samples, same standardising
        raw = data.normalizer.inverse_transform(part.x)
        np.testing.assert_allclose(part.y, raw, atol=1e-6)  # the pixels, not standardised
        assert part.task == "regression" and part.class_names == ()
    assert data.train.y.min() == 0.0 and data.train.y.max() == 1.0
    assert abs(float(data.train.x.mean())) < 1e-3  # the inputs are standardised


def test_the_description_says_it(both):
    _, data = both
    info = data.dataset_info
    assert info["reconstruct"] is True and info["task"] == "regression"
    assert info["target_shape"] == info["sample_shape"] == [1, 8, 8]
    assert info["target_range"] == [0.0, 1.0] and info["n_classes"] == 0
    assert info["n_samples"] == 1797 and "input itself" in info["description"]


def test_features_and_sequences_reconstruct_tokens_are_refused():
    data = prepare({"source": "builtin", "name": "iris", "reconstruct": True,
                    "normalize": "none"})
    np.testing.assert_array_equal(data.train.y, data.train.x)
    seq = prepare({"source": "builtin", "name": "sine_forecast", "reconstruct": True})
    assert seq.train.y.shape == seq.train.x.shape
    with pytest.raises(ConfigError, match="reconstruct needs features, images or sequences"
                       ) as err:
        prepare({"source": "builtin", "name": "shakespeare", "reconstruct": True})
    assert err.value.where == "reconstruct"
    with pytest.raises(ConfigError, match="Reconstruct the input"):
        prepare({**DIGITS, "reconstruct": "yes"})


def test_the_setting_is_kept_in_the_project_file(tmp_path):
    spec = graph((1, 8, 8), "image", AUTOENCODER)
    save_project(Project(spec, data={**DIGITS, "reconstruct": True}), tmp_path / "ae.ncproj")
    assert load_project(tmp_path / "ae.ncproj").data["reconstruct"] is True


def test_the_output_must_have_the_targets_shape(both):
    _, data = both
    info = data.dataset_info
    good = graph((1, 8, 8), "image", AUTOENCODER)
    assert fit_problems(good, infer_shapes(good), info) == []  # a sigmoid reaches [0, 1]
    make_job(good, data, {"epochs": 1})
    bad = graph((1, 8, 8), "image", [AUTOENCODER[0], ("up", "Conv2DTranspose", {
        "filters": 1, "output_padding": 0, "activation": "sigmoid"})])
    found = fit_problems(bad, infer_shapes(bad), info)
    assert [p.message for p in found] == [
        "The output layer 'up' gives (1, 7, 7) per sample but the data's targets are "
        "(1, 8, 8): the network must end in that shape."]
    assert found[0].blocks_training
    with pytest.raises(Exception, match=r"gives \(1, 7, 7\) per sample"):
        make_job(bad, data, {"epochs": 1})


def test_a_sigmoid_is_only_fine_for_targets_inside_zero_and_one(both):
    _, data = both
    spec = graph((1, 8, 8), "image", AUTOENCODER)
    outside = dict(data.dataset_info, target_range=[-0.5, 1.0])
    found = fit_problems(spec, infer_shapes(spec), outside)
    assert len(found) == 1 and "ends in sigmoid" in found[0].message
    assert not found[0].blocks_training
