"""What the network sees: live PCA points of the probe batch during a real run."""
import numpy as np

from designer.inside.projection_view import EMPTY_PROJECTION
from designer.projects import EXAMPLES_DIR

from .helpers import collect_snapshots


def test_projection_follows_the_run_and_clears_for_another_project(qtbot, open_example):
    win = open_example("spirals", epochs=1000)
    panel = win.inside_dock.widget()
    view = panel.projection
    snaps = collect_snapshots(win)
    win.training.action_train.trigger()
    qtbot.waitUntil(lambda: len(snaps) >= 2, timeout=30000)
    panel.show_view(view)  # (starting a run brings the Train workspace's own tab forward)
    view.throttle.flush()
    qtbot.waitUntil(lambda: bool(view.scatters), timeout=3000)
    snap = view.snapshot
    layer = view.combo.currentData()
    points = snap.layers[layer].projection
    shown = np.concatenate([np.column_stack(s.getData()) for s in view.scatters])
    assert len(shown) == len(points) == snap.n_samples
    assert len(view.scatters) == len(np.unique(snap.labels)) > 1  # one colour per class
    assert sorted(map(tuple, shown)) == sorted(map(tuple, points))
    with qtbot.waitSignal(win.training.runner.finished, timeout=10000):
        win.training.stop()
    win.projects.open_path(EXAMPLES_DIR / "xor.ncproj")
    qtbot.wait(50)
    assert view.snapshot is None and not view.scatters and view.combo.count() == 0
    assert view.label.text() == EMPTY_PROJECTION
