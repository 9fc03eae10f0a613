"""The Inside dock in the real main window, fed by real training runs."""
import numpy as np
import pytest

from .helpers import collect_snapshots


def _run_until_snapshots(qtbot, win, count=3):
    snaps = collect_snapshots(win)
    win.training.action_train.trigger()
    qtbot.waitUntil(lambda: len(snaps) >= count, timeout=30000)
    with qtbot.waitSignal(win.training.runner.finished, timeout=10000):
        win.training.stop()
    return snaps


@pytest.mark.parametrize("name", ["xor", "cnn_digits", "gru_classifier"])
def test_views_and_badges_receive_data_during_a_run(qtbot, open_example, name):
    win = open_example(name, epochs=1000)
    panel = win.inside_dock.widget()
    panel.show_view(panel.layers)
    snaps = _run_until_snapshots(qtbot, win)
    layers = panel.layers
    qtbot.waitUntil(lambda: layers.draws > 0, timeout=3000)
    assert layers.snapshot is not None and layers.combo.count() == len(snaps[-1].snapshot.layers)
    assert set(win.inside.badges.items) == set(snaps[-1].health)
    last_layer = list(snaps[-1].snapshot.layers)[0]
    win.editor.set_selection([last_layer])  # choosing a node shows its views
    layers.throttle.flush()
    assert layers.combo.currentData() == last_layer
    if name == "cnn_digits":
        assert layers.special.currentWidget() is layers.maps and layers.maps.grid is not None
    if name == "gru_classifier":
        assert layers.special.currentWidget() is layers.recurrent
        assert "reset" in layers.recurrent.arrays
    qtbot.waitUntil(lambda: panel.results.report is not None, timeout=20000)
    report = panel.results.report
    data = win.training.job.data
    assert int(report.confusion.sum()) == len(data.test)


def test_boundary_is_live_during_training_and_final_after(qtbot, open_example):
    win = open_example("xor", epochs=1000)
    panel = win.inside_dock.widget()
    win.workspaces.switch("train")
    win.evaluation_dock.raise_()  # in a tab behind Inside while training
    panel.show_view(panel.boundary)
    snaps = _run_until_snapshots(qtbot, win, 2)
    assert snaps[-1].snapshot.boundary is not None
    qtbot.waitUntil(lambda: panel.boundary.rgba is not None, timeout=3000)
    assert len(panel.boundary.scatters) == 2  # two classes of points over the map
    qtbot.waitUntil(lambda: panel.results.report is not None, timeout=20000)
    panel.boundary.throttle.flush()
    final = panel.boundary.dmap
    data = win.training.job.data
    # Axes in the data's own units (not standardised): the map spans the raw points.
    raw = data.train.x if data.normalizer is None else (
        data.normalizer.inverse_transform(data.train.x))
    assert final.xs[0] <= raw[:, 0].min() and final.xs[-1] >= raw[:, 0].max()
    assert final.ys[0] <= raw[:, 1].min() and final.ys[-1] >= raw[:, 1].max()
    net = win.inside.network  # the trained network: the final map is its prediction
    gx, gy = np.meshgrid(final.xs, final.ys)
    points = np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32)
    if data.normalizer is not None:
        points = data.normalizer.transform(points)
    pred = net.forward(points).argmax(1)
    assert (pred.reshape(gx.shape) == final.classes).all()


def test_try_a_sample_during_and_after_a_run(qtbot, open_example):
    win = open_example("cnn_digits", epochs=1000)
    panel = win.inside_dock.widget()
    sample = panel.sample
    panel.show_view(sample)
    win.training.action_train.trigger()
    qtbot.waitUntil(lambda: win.training.runner.running, timeout=5000)
    qtbot.waitUntil(lambda: sample.data is not None, timeout=10000)
    sample.request_index(3)  # during the run: answered by the probe's copy
    assert "Asked" in sample.answer.text()
    qtbot.waitUntil(lambda: sample.result is not None, timeout=20000)
    assert "test sample 3" in sample.answer.text()
    assert sample.result.probabilities.shape == (10,)
    with qtbot.waitSignal(win.training.runner.finished, timeout=10000):
        win.training.stop()
    qtbot.waitUntil(lambda: win.inside.network is not None, timeout=20000)
    before = sample.result
    panel.results.sample_chosen.emit(7)  # a sample listed in a confusion-matrix cell
    assert sample.result is not before and "test sample 7" in sample.answer.text()
    assert len(sample.outputs.rows) == len(win.training.job.spec.layers)


def test_preview_is_debounced_and_follows_edits(qtbot, open_example):
    win = open_example("digits_mlp")
    panel = win.inside_dock.widget()
    preview = panel.preview
    panel.show_view(preview)
    qtbot.waitUntil(lambda: preview.runs == 1, timeout=10000)
    assert len(preview.outputs.rows) == len(win.editor.doc.spec().layers)
    layer = win.editor.doc.spec().layers[1].id
    for units in (20, 21, 22, 23):  # a burst of edits: one preview
        win.editor.set_setting(layer, "units", units)
    qtbot.waitUntil(lambda: preview.runs == 2, timeout=10000)
    qtbot.wait(600)
    assert preview.runs == 2
    assert preview.preview.layers[layer].output.shape == (23,)


def test_estimate_runs_on_a_worker_and_reports(qtbot, open_example):
    win = open_example("xor")
    panel = win.inside_dock.widget()
    panel.show_view(panel.estimate)
    with qtbot.waitSignal(panel.estimate.call.finished, timeout=30000):
        assert panel.estimate.start()
        assert not panel.estimate.button.isEnabled()  # the GUI goes on meanwhile
    e = panel.estimate.estimate
    assert e is not None and e.seconds_per_epoch > 0 and e.bytes_per_batch > 0
    assert "per epoch" in panel.estimate.label.text()


def test_estimate_warns_when_the_plan_does_not_fit(qtbot, open_example, monkeypatch):
    import designer.inside.estimate_view as view_module
    from engine.insights import estimate

    monkeypatch.setattr(view_module, "estimate",  # a machine with 1 MB free
                        lambda *a, **k: estimate(*a, available_bytes=2**20, **k))
    win = open_example("cnn_digits")
    panel = win.inside_dock.widget()
    panel.show_view(panel.estimate)
    with qtbot.waitSignal(panel.estimate.call.finished, timeout=30000):
        panel.estimate.start()
    assert not panel.estimate.estimate.fits
    assert "Warning" in panel.estimate.label.text() and "batch size" in panel.estimate.label.text()


def test_preview_uses_the_runs_seed(qtbot, open_example):
    from engine.network import Network

    win = open_example("digits_mlp", seed=7)
    panel = win.inside_dock.widget()
    panel.show_view(panel.preview)
    qtbot.waitUntil(lambda: panel.preview.runs == 1, timeout=10000)
    spec = win.editor.doc.spec()
    net = Network(spec, seed=7)  # the network a run with seed 7 starts from
    x = win.inside_dock.widget().preview.sample_provider()
    net.forward(x[None].astype(np.float32), training=False, keep=True)
    last = spec.layers[-1].id
    assert np.allclose(panel.preview.preview.layers[last].output, net.outputs[last][0],
                       atol=1e-6)


def test_a_reopened_trained_project_shows_its_results(qtbot, open_example, tmp_path):
    win = open_example("xor", epochs=30)
    with qtbot.waitSignal(win.training.runner.finished, timeout=30000):
        win.training.action_train.trigger()
    qtbot.waitUntil(lambda: win.editor.doc.project.weights is not None, timeout=5000)
    qtbot.waitUntil(lambda: not win.inside.evaluation.busy, timeout=20000)
    path = tmp_path / "trained.ncproj"
    assert win.projects.save_to(path)
    again = open_example("xor")
    results = again.inside_dock.widget().results
    assert results.report is None  # the bundled example is untrained
    assert again.projects.open_path(path, ask=False)
    qtbot.waitUntil(lambda: results.report is not None, timeout=20000)
    assert int(results.report.confusion.sum()) == len(again.inside.data.test)
    assert again.inside.network is not None  # "try a sample" works without a new run


def test_a_new_project_without_data_takes_the_last_preview_away(qtbot, open_example):
    """File › New (Blank) after xor said "Choose data..." above xor's input and hidden
    layers' outputs."""
    win = open_example("xor")
    panel = win.inside_dock.widget()
    preview = panel.preview
    panel.show_view(preview)
    qtbot.waitUntil(lambda: preview.runs == 1, timeout=10000)
    assert len(preview.outputs.rows) == 3
    assert win.projects.new_from_template("blank")
    qtbot.waitUntil(lambda: "Choose data" in preview.label.text(), timeout=5000)
    assert preview.outputs.rows == [] and preview.preview is None


def test_preview_axes_show_the_outputs_own_values(qtbot, open_example):
    """Outputs of 0.1-0.6 were drawn as 100-600 under "value (x0.001)" (pyqtgraph's
    automatic SI prefix): every inside plot keeps its values' own units."""
    win = open_example("xor")
    panel = win.inside_dock.widget()
    preview = panel.preview
    panel.show_view(preview)
    qtbot.waitUntil(lambda: preview.runs >= 1, timeout=10000)
    plots = [item for item in preview.outputs.view.ci.items if hasattr(item, "getAxis")]
    assert plots
    for plot in plots:
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            assert axis.autoSIPrefixScale == 1.0, (name, axis.labelString())
            assert "(x0." not in axis.labelString()
    explain_axis = panel.explain.plot.getPlotItem().getAxis("bottom")
    assert not explain_axis.autoSIPrefix
