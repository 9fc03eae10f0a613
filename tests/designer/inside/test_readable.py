"""The inside views at a dock's real sizes: plots keep a readable size and scroll,
panes never cover one another, conv filters are a grid of visible tiles, and the
per-class table shows all its columns."""
import numpy as np
from PySide6.QtCore import QPoint, QRect

from designer.inside.feature_maps import MIN_TILE, filter_grid, filter_tiles
from designer.inside.layer_view import LayerInsideView
from designer.inside.results import ResultsView
from engine.insights import evaluate_network

from .helpers import example, snapshots


def _show_layer(qtbot, name, layer_type, size):
    snaps, _net, _loss = snapshots(name, steps=12, every=5)
    snap, health = snaps[-1]
    view = LayerInsideView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    layer_id = next(i for i, v in snap.layers.items() if v.type == layer_type)
    view.show_snapshot(snap, health)
    view.select_layer(layer_id)
    view.throttle.flush()
    qtbot.wait(50)
    return view, snap.layers[layer_id]


def _rect_in(widget, ancestor) -> QRect:
    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


def test_histograms_keep_a_readable_height_and_a_small_dock_scrolls(qtbot):
    view, _layer = _show_layer(qtbot, "digits_mlp", "Dense", (480, 300))
    for plot in view.histograms.plots.values():
        assert plot.geometry().height() >= 120
    assert view.split.verticalScrollBar().isVisible()
    assert view.split.verticalScrollBar().maximum() > 0


def test_maps_and_recurrent_panes_never_cover_the_histograms(qtbot):
    for name, kind, pane in (("cnn_digits", "Conv2D", "maps"),
                             ("gru_classifier", "GRU", "recurrent")):
        view, _layer = _show_layer(qtbot, name, kind, (1500, 420))
        special = getattr(view, pane)
        for size in ((1500, 420), (1900, 360), (520, 700), (700, 380), (1200, 900)):
            view.resize(*size)
            qtbot.wait(30)
            hist = _rect_in(view.histograms, view)
            other = _rect_in(special, view)
            assert special.isVisible() and view.histograms.isVisible()
            assert not hist.intersects(other), (name, size, hist, other)
            # Not flattened to make room: each plot stays readable (the old splitter
            # squeezed them to a sliver beside or under the maps).
            assert min(p.geometry().height() for p in view.histograms.plots.values()) >= 120


def test_32_filters_of_one_channel_are_a_grid_of_visible_tiles(qtbot):
    view, layer = _show_layer(qtbot, "cnn_digits", "Conv2D", (1200, 700))
    f, c, kh, kw = layer.filters.shape
    assert (f, c) == (32, 1)
    grid = filter_grid(layer.filters)
    assert grid.shape[1] > kw + 1  # more than one column of tiles
    assert np.isfinite(grid).sum() == f * kh * kw
    assert view.maps.filters.tile_pixels(kh, kw) >= MIN_TILE - 1
    assert "input channel 0" in view.maps.filters.caption.text()
    h, w = layer.feature_maps.shape[1:]
    assert view.maps.maps.tile_pixels(h, w) >= MIN_TILE - 1


def test_filters_over_several_input_channels_show_their_mean():
    rgb = np.random.default_rng(0).normal(size=(16, 3, 3, 3)).astype(np.float32)
    tiles, what = filter_tiles(rgb)
    assert tiles.shape == (16, 3, 3) and "mean over the 3 input channels" in what
    np.testing.assert_allclose(tiles[5], rgb[5].mean(axis=0), rtol=1e-6)
    grid = filter_grid(rgb)
    assert grid.shape == (4 * 4 - 1, 4 * 4 - 1)  # 4 x 4 tiles of 3 x 3, 1-cell gaps


def test_per_class_table_shows_every_column_in_a_narrow_dock(qtbot):
    _snaps, net, loss = snapshots("digits_mlp", steps=30, every=30)
    data = example("digits_mlp")[1]
    view = ResultsView()
    qtbot.addWidget(view)
    view.resize(560, 420)
    view.show()
    qtbot.waitExposed(view)
    view.show_report(evaluate_network(net, data.test, loss), data.test)
    qtbot.wait(50)
    table = view.classification.table
    header = table.horizontalHeader()
    assert table.horizontalScrollBar().maximum() == 0
    for col in range(table.columnCount()):
        assert header.sectionSize(col) >= header.sectionSizeHint(col)
        assert header.sectionViewportPosition(col) + header.sectionSize(col) \
            <= table.viewport().width()


def test_boundary_and_sample_views_scroll_rather_than_flatten(qtbot):
    from designer.inside.boundary_view import BoundaryView
    from designer.inside.common import MIN_PLOT_HEIGHT
    from designer.inside.sample_view import SampleView

    for view, plot in ((BoundaryView(), "view"), (SampleView(), "probs_view")):
        qtbot.addWidget(view)
        view.resize(300, 110)  # a low, narrow dock
        view.show()
        qtbot.waitExposed(view)
        assert getattr(view, plot).height() >= MIN_PLOT_HEIGHT, type(view).__name__
