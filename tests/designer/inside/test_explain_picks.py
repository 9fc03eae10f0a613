"""Explain picks: a click on a unit in an inside view (a preview bar, a feature-map
pixel, a recurrent heat-map cell) explains that unit; a recurrent step shows its
weights' gradients and update; the update uses the schedule's rate for the next step."""
import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from designer.inside.common import tile_at
from designer.inside.feature_maps import FeatureMapsView
from designer.inside.layer_outputs import position_at
from engine.insights import image_grid
from engine.insights.explain import next_step_lr
from designer.projects import EXAMPLES_DIR
from engine.settings import training_settings


def _explained(qtbot, view, check=lambda e: True):
    qtbot.waitUntil(lambda: view.explanation is not None and not view.call.busy
                    and check(view.explanation), timeout=30000)
    return view.explanation


def test_tiles_map_back_to_channel_row_and_col():
    c, h, w = 7, 3, 4
    maps = np.arange(c * h * w, dtype=np.float32).reshape(c, h, w)
    drawn = image_grid(maps, normalize="none")[::-1]  # as the views draw it
    found = set()
    for gy in range(drawn.shape[0]):
        for gx in range(drawn.shape[1]):
            hit = tile_at(gx + 0.5, gy + 0.5, c, h, w)
            if np.isnan(drawn[gy, gx]):
                assert hit is None
            else:
                assert hit is not None and maps[hit] == drawn[gy, gx]
                found.add(hit)
    assert len(found) == c * h * w
    assert position_at((5,), 3.2, 0.1) == (3,) and position_at((5,), 7.0, 0.0) is None
    assert position_at((6, 4), 2.5, 3.9) == (3, 2)  # (T, D): time along x


def test_a_click_on_a_feature_map_pixel_names_its_channel_and_position(qtbot):
    view = FeatureMapsView()
    qtbot.addWidget(view)

    class Layer:  # what show_layer reads of a LayerView
        feature_maps = np.random.default_rng(0).normal(size=(5, 4, 4)).astype(np.float32)
        filters = None

    view.show_layer(Layer())
    with qtbot.waitSignal(view.position_clicked) as got:
        view.click(5 + 2.5, 4 + 1.5)  # in the second column of tiles
    assert tuple(got.args) == tile_at(7.5, 5.5, 5, 4, 4)


def test_clicking_a_preview_bar_explains_that_dense_unit(qtbot, open_example):
    win = open_example("digits_mlp")
    panel = win.inside_dock.widget()
    panel.setCurrentWidget(panel.preview)
    preview = panel.preview
    # The preview settles (a later one would draw its rows again) before the click.
    qtbot.waitUntil(lambda: preview.preview is not None and not preview.call.busy
                    and not preview.timer.isActive() and not preview.pending, timeout=30000)
    qtbot.wait(200)
    outputs = preview.outputs
    box = outputs.view.ci.getItem(list(preview.preview.layers).index("hidden2"), 0).getViewBox()
    (_x0, _x1), (y0, y1) = box.viewRange()
    point = outputs.view.mapFromScene(box.mapViewToScene(QPointF(5.0, (y0 + y1) / 2)))
    QTest.mouseClick(outputs.view.viewport(), Qt.LeftButton, Qt.NoModifier, point)
    view = panel.explain
    e = _explained(qtbot, view, lambda e: e.layer_id == "hidden2")
    assert panel.currentWidget() is view and win.editor.selection == ["hidden2"]
    assert e.unit == "unit 5" and view.spins["unit"].value() == 5


def test_a_recurrent_step_picked_shows_its_weight_gradients_and_update(qtbot, open_example):
    win = open_example("gru_classifier")
    panel = win.inside_dock.widget()
    panel.layers.unit_picked.emit("gru", (3, 7))  # as a click on the heat map sends
    view = panel.explain
    e = _explained(qtbot, view, lambda e: getattr(e, "step", None) == 7)
    assert e.unit == 3 and panel.currentWidget() is view
    assert all(len(g.terms) == 3 and g.bias_update is not None for g in e.gates)
    text = view.text.toPlainText()
    assert "this step's share of the gradient" in text and "Update (adam" in text
    assert "U" in text and "W" in text


def test_the_update_uses_the_schedules_rate_for_the_next_step(qtbot, open_example):
    win = open_example("xor", epochs=2, schedule="step", step_size=1, gamma=0.5)
    with qtbot.waitSignal(win.training.runner.finished, timeout=60000):
        win.training.action_train.trigger()
    qtbot.waitUntil(lambda: win.editor.doc.project.checkpoint is not None, timeout=20000)
    win.workspaces.switch("train")  # the run's end showed Evaluate, without Inside
    panel = win.inside_dock.widget()
    panel.setCurrentWidget(panel.explain)
    win.editor.set_selection(["hidden"])
    view = panel.explain
    e = _explained(qtbot, view)
    settings = training_settings(win.editor.doc.project.training)
    source = win.inside.explain_source()
    want = next_step_lr(settings, win.editor.doc.project.checkpoint, len(source.data))
    assert want == settings["learning_rate"] * 0.25  # after 2 epochs of halving
    assert all(t.update.lr == want for t in e.terms)
    assert "step schedule's learning rate for the next step" in view.label.text()


def test_clicks_in_the_layers_tab_pick_a_conv_position_and_a_recurrent_step(qtbot,
                                                                            open_example):
    """After a short run: a pixel of conv1's feature maps, then (another project) a cell
    of the GRU's heat map, each explained in the Explain tab."""
    win = open_example("cnn_digits", epochs=1)
    panel = win.inside_dock.widget()
    with qtbot.waitSignal(win.training.runner.finished, timeout=120000):
        win.training.action_train.trigger()
    win.workspaces.switch("train")
    panel.setCurrentWidget(panel.layers)
    win.editor.set_selection(["conv1"])
    layers = panel.layers
    qtbot.waitUntil(lambda: layers.current_view() is not None
                    and layers.current_view().id == "conv1" and layers.maps.shape is not None,
                    timeout=20000)
    layers.throttle.flush()
    c, h, w = layers.maps.shape
    layers.maps.click(1 * (w + 1) + 2.5, layers.maps.grid.shape[0] - 1 - 3 + 0.5)
    view = panel.explain
    e = _explained(qtbot, view, lambda e: e.layer_id == "conv1"
                   and e.unit == "channel 1, row 3, col 2")
    assert panel.currentWidget() is view and e.layer_type == "Conv2D"

    win.editor.stack.setClean()
    win.projects.open_path(EXAMPLES_DIR / "gru_classifier.ncproj")
    win.editor.set_training_setting("epochs", 1)
    with qtbot.waitSignal(win.training.runner.finished, timeout=120000):
        win.training.action_train.trigger()
    win.workspaces.switch("train")
    panel.setCurrentWidget(panel.layers)
    win.editor.set_selection(["gru"])
    qtbot.waitUntil(lambda: layers.current_view() is not None
                    and layers.current_view().id == "gru", timeout=20000)
    layers.throttle.flush()
    layers.recurrent.click(5.0, 4.2)  # step 5 of 1..T is index 4; unit 4
    e = _explained(qtbot, view, lambda e: getattr(e, "step", None) == 4)
    assert e.unit == 4 and e.layer_type == "GRU" and panel.currentWidget() is view
