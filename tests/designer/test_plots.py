"""Live plots: bounded buffers, data from real runs, faded earlier runs, CSV/PNG export."""
import csv

import numpy as np
import pytest

from designer.panels.plots import TrainingPlots
from designer.panels.series import BoundedSeries
from designer.runner import TrainingRunner

from .test_runner import _job


def test_series_memory_is_bounded_and_keeps_the_curve_shape():
    s = BoundedSeries(capacity=1000)
    xs = np.arange(1_000_000, dtype=float)
    s.extend(xs, np.sin(xs / 50_000))
    x, y = s.view()
    assert 400 <= len(s) <= 1000 and s.x.size == 1000
    assert np.all(np.diff(x) > 0)
    np.testing.assert_allclose(y, np.sin(x / 50_000), atol=0.02)


@pytest.mark.parametrize("chunks", [[1] * 300, [7, 1, 150, 3, 500, 2000, 9], [5000]])
def test_series_extend_equals_appending_one_by_one(chunks):
    """The NumPy path (whole groups at once) keeps the same points, across halvings and
    with groups left open between calls."""
    rng = np.random.default_rng(0)
    xs, ys = np.arange(sum(chunks), dtype=float), rng.normal(size=sum(chunks))
    one, bulk = BoundedSeries(capacity=64), BoundedSeries(capacity=64)
    for x, y in zip(xs, ys):
        one.append(x, y)
    start = 0
    for size in chunks:
        bulk.extend(xs[start:start + size], ys[start:start + size])
        start += size
    assert (bulk.n, bulk.stride, bulk._acc_n) == (one.n, one.stride, one._acc_n)
    for a, b in zip(bulk.view(), one.view()):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_series_rejects_odd_capacity():
    with pytest.raises(ValueError):
        BoundedSeries(capacity=7)


@pytest.fixture
def plots(qtbot):
    widget = TrainingPlots()
    qtbot.addWidget(widget)
    return widget


def _train_into(qtbot, plots, runner, **settings):
    job = _job(**settings)
    runner.started.connect(lambda ev: plots.begin_run(ev.batches_per_epoch, "classification"))
    runner.progress.connect(plots.add_progress)
    with qtbot.waitSignal(runner.finished, timeout=30000) as result:
        runner.start(job)
    for signal in (runner.started, runner.progress):
        signal.disconnect()
    qtbot.waitUntil(lambda: not plots._redraw_timer.isActive() and not runner.running,
                    timeout=5000)
    return result.args[0]


def test_plots_receive_a_real_run_and_fade_it_for_the_next(qtbot, plots, tmp_path):
    runner = TrainingRunner()
    first = _train_into(qtbot, plots, runner, epochs=20)
    raw, smooth, val, metric, val_metric, lr = plots.current.curves
    assert len(raw.getOriginalDataset()[0]) == len(plots.current.raw) > 0
    assert list(val.getOriginalDataset()[0]) == list(range(1, 21))
    assert val_metric.getOriginalDataset()[1][-1] == pytest.approx(first.ended.history[-1]["val_accuracy"])
    _train_into(qtbot, plots, runner, epochs=5, learning_rate=0.05)
    assert [r.number for r in plots.runs] == [1, 2]
    assert plots.runs[0].curves[1].opacity() == pytest.approx(0.3)
    assert plots.runs[1].curves[1].opacity() == pytest.approx(1.0)
    path = tmp_path / "metrics.csv"
    assert plots.export_csv(str(path)) == 25
    rows = list(csv.DictReader(path.open()))
    assert rows[0]["run"] == "1" and rows[-1]["run"] == "2" and "val_accuracy" in rows[0]
    png = tmp_path / "plots.png"
    assert plots.export_png(str(png)) and png.stat().st_size > 1000
    assert runner.shutdown()


def test_axes_show_plain_values_not_a_scaled_label(plots):
    """An accuracy of 25-40% drawn as "Accuracy (x0.001)" over 250-400 misleads: every
    plot's value axis keeps its own units."""
    plots.begin_run(10, "classification")
    for plot in (plots.loss_plot, plots.metric_plot, plots.lr_plot):
        axis = plot.getAxis("left")
        axis.setRange(0.25, 0.4)
        assert not axis.autoSIPrefix and axis.autoSIPrefixScale == 1.0
        assert "x0.001" not in axis.labelString()


def test_clearing_the_plots_forgets_the_last_runs_axis_ranges(qtbot, plots):
    """Opening another project cleared the curves but left the last run's epochs and
    learning rates on the axes (0-20 epochs, 0-0.023 for a rate of 0.02)."""
    plots.show()
    qtbot.waitExposed(plots)
    runner = TrainingRunner()
    _train_into(qtbot, plots, runner, epochs=20, learning_rate=0.02)
    assert plots.lr_plot.viewRange()[1][1] == pytest.approx(0.023)
    assert plots.loss_plot.viewRange()[0][1] > 19
    plots.clear()
    for plot in (plots.loss_plot, plots.metric_plot, plots.lr_plot):
        (x0, x1), (y0, y1) = plot.viewRange()  # 0 to 1, as before any run
        assert -0.1 < x0 < 0.01 and 0.99 < x1 < 1.1 and -0.1 < y0 < 0.01 and 0.99 < y1 < 1.1
        assert all(plot.getViewBox().autoRangeEnabled())  # the next run's data sets them
    _train_into(qtbot, plots, runner, epochs=20, learning_rate=0.02)
    qtbot.wait(50)
    assert plots.loss_plot.viewRange()[0][1] > 19 and plots.lr_plot.viewRange()[0][1] > 19
    assert runner.shutdown()

