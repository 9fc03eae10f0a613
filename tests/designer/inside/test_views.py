"""The inside views fed with real engine data (headless training of the examples)."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from designer.inside.boundary_view import BoundaryView, class_rgb
from designer.inside.common import LAYER_REDRAW_MS
from designer.inside.health_badges import HealthBadges
from designer.inside.layer_view import LayerInsideView
from designer.inside.results import ResultsView
from designer.inside.sample_view import SampleView
from engine.insights import BoundaryGrid, evaluate_network, sample_from

from .helpers import broken_spec, example, snapshots
from .helpers import shown as _shown


@pytest.mark.parametrize("name", ["xor", "cnn_digits", "gru_classifier", "lstm_forecast",
                                  "cnn1d_waveforms", "residual_digits"])
def test_layer_view_draws_every_layer_of_each_example_kind(qtbot, name):
    snaps, _net, _loss = snapshots(name, steps=12, every=5)
    snap, health = snaps[-1]
    view = _shown(qtbot, LayerInsideView())
    for layer_id, layer in snap.layers.items():
        view.show_snapshot(snap, health)
        view.select_layer(layer_id)
        view.throttle.flush()
        shown = view.histograms.shown
        assert shown["activations"][0][1] is layer.activations
        assert shown["gradients"][0][1] is layer.gradients
        assert len(shown["weights"]) + len(shown["biases"]) == len(layer.params)
        assert layer.name in view.figures.text()
        if layer.feature_maps is not None:
            assert view.special.currentWidget() is view.maps
            c, h, w = layer.feature_maps.shape
            assert view.maps.grid.shape[0] >= h and np.isfinite(view.maps.grid).sum() == c * h * w
        if layer.hidden is not None:
            assert view.special.currentWidget() is view.recurrent
            assert set(view.recurrent.arrays) == {"hidden", *layer.gates}
    assert view.combo.count() == len(snap.layers)


def test_redraws_are_throttled_and_skipped_while_hidden(qtbot):
    snaps, _n, _l = snapshots("xor", steps=12, every=2)
    view = _shown(qtbot, LayerInsideView())
    for snap, health in snaps:  # a burst of snapshots: drawn once the timer fires
        view.show_snapshot(snap, health)
    assert view.draws == 0
    qtbot.waitUntil(lambda: view.draws == 1, timeout=2000)
    view.hide()
    view.show_snapshot(*snaps[0])
    qtbot.wait(LAYER_REDRAW_MS + 200)
    assert view.draws == 1  # hidden: nothing drawn
    view.show()
    qtbot.waitUntil(lambda: view.draws == 2, timeout=2000)  # shown again: the newest data


def _click_cell(qtbot, matrix, i, j):
    vb = matrix.heat.plot.getViewBox()
    scene_pos = vb.mapViewToScene(QPointF(j, i))
    pos = matrix.view.mapFromScene(scene_pos)
    QTest.mouseClick(matrix.view.viewport(), Qt.LeftButton, Qt.NoModifier, pos)


def test_confusion_matrix_sums_to_the_test_set_and_a_click_lists_its_samples(qtbot):
    _snaps, net, loss = snapshots("digits_mlp", steps=30, every=30)
    data = example("digits_mlp")[1]
    report = evaluate_network(net, data.test, loss)
    view = _shown(qtbot, ResultsView())
    view.show_report(report, data.test)
    assert int(report.confusion.sum()) == len(data.test)
    assert f"({len(data.test)} entries)" in view.title.text()
    table = view.classification.table
    assert table.rowCount() == 10 and int(table.item(3, 3).text()) == report.support[3]
    wrong = np.argwhere((report.confusion > 0) & ~np.eye(10, dtype=bool))
    for i, j in [(0, 0), tuple(wrong[0])]:
        _click_cell(qtbot, view.classification.matrix, int(i), int(j))
        listed = view.classification.listed_samples()
        assert listed == list(report.cell_samples(i, j))
        assert len(listed) == report.confusion[i, j]
        pred = net.forward(net.prepare_input(data.test.x[listed])).argmax(1)
        assert (data.test.y[listed] == i).all() and (pred == j).all()
    chosen = []
    view.sample_chosen.connect(chosen.append)
    item = view.classification.samples.item(0)
    view.classification.samples.itemClicked.emit(item)
    assert chosen == [listed[0]]


def test_regression_results_plot_predicted_against_true(qtbot):
    _snaps, net, loss = snapshots("lstm_forecast", steps=20, every=20)
    data = example("lstm_forecast")[1]
    report = evaluate_network(net, data.test, loss)
    view = _shown(qtbot, ResultsView())
    view.show_report(report, data.test)
    assert view.stack.currentWidget() is view.regression
    assert "R\u00b2" in view.title.text()
    curves = view.regression.plot.listDataItems()
    assert len(curves[1].getData()[0]) == len(data.test)


def test_decision_boundary_image_matches_the_models_predictions(qtbot):
    _snaps, net, loss = snapshots("xor", steps=60, every=60)
    data = example("xor")[1]
    dmap = BoundaryGrid(data.train.x, 60).evaluate(net, loss, "classification")
    view = _shown(qtbot, BoundaryView())
    view.set_data(data.train.x, data.train.y, data.train.class_names)
    view.show_map(dmap)
    view.throttle.flush()
    gx, gy = np.meshgrid(dmap.xs, dmap.ys)  # rows follow y, as the image's rows
    points = np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32)
    predicted = net.forward(points).argmax(1).reshape(gx.shape)
    ink = 255.0 - view.rgba[..., :3].astype(float)  # proportional to the class colour's ink
    colours = 255.0 - class_rgb(2)
    cosine = ink @ colours.T / (np.linalg.norm(ink, axis=-1, keepdims=True)
                                * np.linalg.norm(colours, axis=1) + 1e-9)
    assert (cosine.argmax(-1) == predicted).all()
    assert len(np.unique(predicted)) == 2
    rect = view.image.mapRectToParent(view.image.boundingRect())  # covers the grid
    assert rect.left() < dmap.xs[0] < dmap.xs[-1] < rect.right()


def test_health_badges_flag_a_broken_network_with_reasons(qtbot, window):
    spec = broken_spec()
    window.editor.load(spec)
    snaps, _n, _l = snapshots("digits_mlp", steps=20, every=10, spec=spec, optimizer="sgd",
                              learning_rate=10.0, schedule="constant", weight_decay=0.0)
    health = snaps[-1][1]
    badges = HealthBadges(window.canvas.canvas_scene)
    badges.show_health(health)
    items = badges.items
    assert set(items) == set(health) == {f"s{i}" for i in range(6)} | {"output"}
    assert all(items[f"s{i}"].level == "bad" for i in range(6))
    assert items["s5"].text.startswith("saturated") and items["s5"].text.endswith("+1")
    tip = items["s5"].toolTip()
    for reason, suggestion in zip(health["s5"].reasons, health["s5"].suggestions):
        assert reason in tip and suggestion in tip
    assert items["s5"].parentItem() is window.canvas.canvas_scene.node("s5")
    item = items["s5"]
    badges.clear()
    assert not badges.items and item.scene() is None


def test_a_healthy_run_shows_ok_badges(qtbot, window):
    project, _data = example("xor")
    window.editor.load(project.spec)
    snaps, _n, _l = snapshots("xor", steps=30, every=10)
    badges = HealthBadges(window.canvas.canvas_scene)
    badges.show_health(snaps[-1][1])
    assert {i.level for i in badges.items.values()} == {"ok"}
    assert "healthy" in badges.items["hidden"].toolTip()


def test_sample_view_shows_prediction_probabilities_and_every_layer(qtbot):
    _snaps, net, loss = snapshots("cnn_digits", steps=30, every=30)
    data = example("cnn_digits")[1]
    view = _shown(qtbot, SampleView())
    view.set_data(data.test, data.normalizer)
    assert view.pad_box.isVisible()  # one-channel 8x8 images: a digit can be drawn
    asked = []
    view.sample_requested.connect(lambda x, t, what: asked.append((x, t, what)))
    view.request_index(5)
    x, target, what = asked[-1]
    assert np.array_equal(x, data.test.x[5]) and target == data.test.y[5]
    result = sample_from(data.test, 5, net, loss)
    view.show_result(result, what)
    assert "predicted" in view.answer.text() and "test sample 5" in view.answer.text()
    assert len(view.outputs.rows) == len(result.activations)
    QTest.mousePress(view.pad, Qt.LeftButton, Qt.NoModifier, view.pad.rect().center())
    QTest.mouseRelease(view.pad, Qt.LeftButton, Qt.NoModifier, view.pad.rect().center())
    drawn = asked[-1]
    assert drawn[2] == "your drawing" and drawn[0].shape == (1, 8, 8)
    assert drawn[0].max() > drawn[0].min()  # standardised ink on paper


def test_confusion_matrix_numbers_follow_each_matrix(qtbot):
    """The cell numbers are reused text items: a smaller matrix after a bigger one must
    show exactly its own counts, and a matrix of over 20 classes none."""
    from designer.inside.results import ConfusionMatrix

    view = ConfusionMatrix()
    qtbot.addWidget(view)
    view.set_matrix(np.arange(9).reshape(3, 3), ["a", "b", "c"])
    assert [t.toPlainText() for t in view.texts] == [str(k) for k in range(9)]
    view.set_matrix(np.array([[5, 1], [0, 7]]), ["x", "y"])
    assert [t.toPlainText() for t in view.texts] == ["5", "1", "0", "7"]
    assert [(t.pos().x(), t.pos().y()) for t in view.texts] == [(0, 0), (1, 0), (0, 1), (1, 1)]
    on_plot = [i for i in view.heat.plot.items if i in view.texts]
    assert len(on_plot) == 4
    view.set_matrix(np.eye(21, dtype=int), [str(k) for k in range(21)])
    assert view.texts == []


def test_confusion_matrix_class_names_are_whole_or_end_in_an_ellipsis(qtbot):
    """xor's "opposite signs" read "opposite s" on both axes."""
    from designer.inside.results import ConfusionMatrix

    view = ConfusionMatrix()
    qtbot.addWidget(view)

    def ticks(axis):
        return [label for _, label in view.heat.plot.getAxis(axis)._tickLevels[0]]

    view.set_matrix(np.array([[5, 1], [0, 7]]), ["same sign", "opposite signs"])
    assert ticks("bottom") == ticks("left") == ["same sign", "opposite signs"]
    names = [f"class number {k}" for k in range(8)]
    view.set_matrix(np.eye(8, dtype=int), names)
    assert ticks("left") == ["class num\u2026"] * 8
