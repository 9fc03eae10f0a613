"""Inside › Attention: each head's map for the probe sample, from real snapshots of the
character transformer, live in a real run, and cleared for another project."""
import numpy as np

from designer.freshness import Change
from designer.inside.attention_view import EMPTY_ATTENTION, NO_ATTENTION, AttentionView
from designer.projects import EXAMPLES_DIR

from .helpers import collect_snapshots, snapshots


def _shown(view) -> np.ndarray:
    return np.stack([image.image for _, image in view.maps])


def test_one_map_per_head_from_the_snapshot(qtbot):
    view = AttentionView()
    qtbot.addWidget(view)
    view.resize(700, 600)
    view.show()
    (snap, _health), *_ = snapshots("char_transformer", steps=3, every=2)[0]
    view.show_snapshot(snap)
    view.throttle.flush()
    expected = snap.layers["attention"].attention
    assert expected.shape == (4, 64, 64)
    assert len(view.maps) == 4 and view.combo.count() == 1
    np.testing.assert_array_equal(_shown(view), expected)
    assert not np.triu(_shown(view), 1).any()  # causal: nothing above the diagonal
    assert "attention" in view.label.text() and "query" in view.label.text()
    assert view.bar.levels() == (0.0, float(expected.max()))
    view.select_layer("output")  # not an attention layer: ignored
    assert view.layer_id == "attention"
    view.fresh(Change.DESIGN)  # an edit: the last run's maps stay
    assert view.maps
    view.fresh(Change.RUN)
    assert view.snapshot is None and not view.maps and view.combo.count() == 0
    assert view.label.text() == EMPTY_ATTENTION and not view.area.isVisible()


def test_a_design_without_attention_says_so(qtbot):
    view = AttentionView()
    qtbot.addWidget(view)
    view.show()
    view.show_snapshot(snapshots("xor", steps=3, every=2)[0][0][0])
    view.throttle.flush()
    assert view.label.text() == NO_ATTENTION and not view.maps


def test_attention_maps_follow_a_real_run(qtbot, open_example):
    win = open_example("char_transformer", epochs=200)
    panel = win.inside_dock.widget()
    view = panel.attention
    snaps = collect_snapshots(win)
    win.training.action_train.trigger()
    # A probe snapshot of this design costs ~0.4 s (PCA of 4096 features per layer), and
    # snapshots take at most 5% of the time: the first comes at once, the next ~10 s on.
    qtbot.waitUntil(lambda: len(snaps) >= 1, timeout=60000)
    panel.show_view(view)
    view.throttle.flush()
    qtbot.waitUntil(lambda: len(view.maps) == 4, timeout=5000)
    shown = view.snapshot.layers["attention"].attention
    np.testing.assert_array_equal(_shown(view), shown)
    np.testing.assert_allclose(shown.sum(axis=-1), 1.0, rtol=1e-4)
    assert view.snapshot is snaps[-1].snapshot or view.snapshot.step <= snaps[-1].snapshot.step
    with qtbot.waitSignal(win.training.runner.finished, timeout=20000):
        win.training.stop()
    win.projects.open_path(EXAMPLES_DIR / "xor.ncproj")
    qtbot.wait(50)
    assert view.snapshot is None and not view.maps and view.label.text() == EMPTY_ATTENTION
