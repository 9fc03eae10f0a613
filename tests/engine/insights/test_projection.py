"""PCA projections of a layer's outputs: the engine's plane, kept from flipping."""
import numpy as np

from engine.insights import Probe, probe_batch
from engine.insights.projection import orient, pca_2d
from engine.network import Network

from ..helpers import chain_spec, spirals


def test_projection_keeps_the_most_variance_and_is_centred():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(64, 5)) * np.array([10.0, 3.0, 0.1, 0.1, 0.1])
    p = pca_2d(a)
    assert p.shape == (64, 2)
    np.testing.assert_allclose(p.mean(axis=0), 0, atol=1e-5)
    s = np.linalg.svd(a - a.mean(axis=0), compute_uv=False)
    np.testing.assert_allclose(p.std(axis=0) * np.sqrt(64), s[:2], rtol=1e-5)


def test_a_wide_layer_projects_as_its_svd_does():
    """More features than samples takes the Gram-matrix path: the same points, up to
    each axis' sign, as the SVD's u·s."""
    rng = np.random.default_rng(3)
    a = rng.normal(size=(40, 300)) * np.linspace(5.0, 0.1, 300)
    x = a - a.mean(axis=0)
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    want = u[:, :2] * s[:2]
    got = pca_2d(a).astype(np.float64)
    for j in range(2):
        sign = np.sign(np.dot(got[:, j], want[:, j]))
        np.testing.assert_allclose(sign * got[:, j], want[:, j], rtol=1e-5, atol=1e-4)


def test_axes_follow_the_previous_frame_not_the_solver():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(32, 8)) * np.arange(8, 0, -1)
    first = pca_2d(a)
    mirrored = -first  # what an SVD may hand back for the next, almost equal, frame
    np.testing.assert_array_equal(orient(mirrored.astype(np.float64), first), first)
    nudged = pca_2d(a + 1e-3 * rng.normal(size=a.shape), first)
    assert np.all(np.sum(nudged * first, axis=0) > 0)


def test_too_few_samples_or_nonfinite_give_none():
    assert pca_2d(np.ones((1, 4))) is None
    assert pca_2d(np.array([[np.nan, 1.0], [0.0, 1.0]])) is None


def test_probe_snapshots_carry_projections_and_labels():
    data = spirals(200)
    spec = chain_spec((2,), [("Dense", {"units": 16, "activation": "tanh"}),
                             ("Dense", {"units": 2, "activation": "softmax"})])
    net = Network(spec)
    x, y, _ = probe_batch(data, 64)
    probe = Probe(net, x, y, task="classification")
    snap = probe.snapshot()
    np.testing.assert_array_equal(snap.labels, y.astype(np.int64))
    for view in snap.layers.values():
        assert view.projection.shape == (64, 2)
    hidden = next(iter(snap.layers))
    net.forward(net.prepare_input(x), keep=True)
    out = net.outputs[hidden]
    np.testing.assert_allclose(np.abs(snap.layers[hidden].projection),
                               np.abs(pca_2d(out)), rtol=1e-4, atol=1e-5)
    again = probe.snapshot(1)  # the same weights: the same picture, not its mirror
    np.testing.assert_array_equal(again.layers[hidden].projection,
                                  snap.layers[hidden].projection)


def test_wide_outputs_take_the_gram_matrix_and_agree_with_the_svd():
    """More features than samples (a sequence layer's T x D) goes through the N x N Gram
    matrix: the same points as the SVD's, up to each axis's sign."""
    rng = np.random.default_rng(4)
    a = rng.normal(size=(40, 900)) * np.linspace(3.0, 0.1, 900)
    x = a - a.mean(axis=0)
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    got = pca_2d(a)
    np.testing.assert_allclose(np.abs(got), np.abs(u[:, :2] * s[:2]), rtol=1e-4, atol=1e-4)
