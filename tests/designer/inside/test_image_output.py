"""An image output (the autoencoder example): "Try a sample" shows the input beside
the network's reconstruction, and the Results view tiles held-out images above their
reconstructions; both draw exactly the arrays the engine gives."""
import numpy as np

from designer.inside.image_output import pair_grid
from designer.inside.results import ResultsView
from designer.inside.sample_view import SampleView
from engine.insights import evaluate_network, sample_from

from .helpers import example, shown, snapshots


def _shown(qtbot, widget):
    return shown(qtbot, widget, size=(1000, 760))


def test_try_a_sample_shows_the_input_beside_its_reconstruction(qtbot):
    _snaps, net, loss = snapshots("conv_autoencoder", steps=20, every=20)
    data = example("conv_autoencoder")[1]
    view = _shown(qtbot, SampleView())
    view.set_data(data.test, data.normalizer)
    asked = []
    view.sample_requested.connect(lambda x, t, what: asked.append((x, t, what)))
    view.request_index(4)
    x, target, what = asked[-1]
    result = sample_from(data.test, 4, net, loss)
    view.show_result(result, what)
    assert view.pair.isVisible() and not view.probs_view.isVisible()
    qtbot.wait(50)
    left, right = (p.getViewBox().sceneBoundingRect() for p in (view.pair.left_plot,
                                                                  view.pair.right_plot))
    assert abs(left.width() - right.width()) <= 1  # the two images the same size
    np.testing.assert_array_equal(view.pair.left.image, data.test.y[4][0])  # raw pixels
    np.testing.assert_array_equal(view.pair.right.image, result.output[0])
    lo, hi = view.pair.levels  # one grey scale for both
    assert lo <= min(result.output.min(), target.min()) and hi >= target.max()
    mse = float(np.mean((result.output - data.test.y[4]) ** 2))
    assert f"mean squared error against the true image <b>{mse:.4g}</b>" in view.answer.text()
    assert "1\u00d78\u00d78</b> image" in view.answer.text()

    # A drawing has no target: its own pixels (standardising undone) are shown.
    view.request_drawing()
    drawn, _, _ = asked[-1]
    view.show_result(_tried(net, loss, drawn), "your drawing")
    raw = data.normalizer.inverse_transform(drawn[None])[0, 0]
    np.testing.assert_allclose(view.pair.left.image, raw, rtol=1e-6)
    assert "mean squared error" not in view.answer.text()


def _tried(net, loss, x):
    from engine.insights import try_sample

    return try_sample(net, x, "regression", loss)


def test_a_classifier_shows_no_image_pair(qtbot):
    _snaps, net, loss = snapshots("cnn_digits", steps=5, every=5)
    data = example("cnn_digits")[1]
    view = _shown(qtbot, SampleView())
    view.set_data(data.test, data.normalizer)
    view.request_index(1)
    view.show_result(sample_from(data.test, 1, net, loss), "test sample 1")
    assert not view.pair.isVisible() and view.probs_view.isVisible()


def test_results_tile_held_out_images_above_their_reconstructions(qtbot):
    _snaps, net, loss = snapshots("conv_autoencoder", steps=20, every=20)
    data = example("conv_autoencoder")[1]
    report = evaluate_network(net, data.test, loss)
    view = _shown(qtbot, ResultsView())
    view.show_report(report, data.test)
    grid = view.regression.images
    assert grid.isVisible()
    true, pred = data.test.y[:24, 0], net.predict(data.test.x[:24])[:, 0]
    # Rows: images 0-11 over their outputs; 3 blank pixel rows; images 12-23 over theirs.
    def tile(r, c):
        top = r * 9 + (3 if r >= 2 else 0) - (1 if r >= 2 else 0)
        return grid.grid[top:top + 8, c * 9:c * 9 + 8]
    np.testing.assert_array_equal(tile(0, 3), true[3])
    np.testing.assert_allclose(tile(1, 3), pred[3], rtol=1e-5)
    assert np.isnan(grid.grid[17:20]).all()
    np.testing.assert_array_equal(tile(2, 0), true[12])
    np.testing.assert_allclose(tile(3, 11), pred[23], rtol=1e-5)
    assert "24 held-out images" in grid.plot.titleLabel.text


def test_pair_grid_pads_a_short_last_row():
    t, p = np.zeros((14, 1, 2, 2)), np.ones((14, 1, 2, 2))
    grid = pair_grid(t, p, per_row=12, gap=3)
    assert grid.shape == (5 + 3 + 5, 12 * 3 - 1)
    assert np.all(grid[0:2, 0:2] == 0) and np.all(grid[3:5, 33:35] == 1)
    assert np.isnan(grid[5:8]).all()
    assert np.all(grid[8:10, 3:5] == 0) and np.isnan(grid[8:10, 6:8]).all()
    assert np.all(grid[11:13, 3:5] == 1) and np.isnan(grid[11:13, 6:]).all()
