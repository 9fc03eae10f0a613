"""Screenshots of the autoencoder example's reconstructions in the real window.

    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \
        python docs/screenshots/take_autoencoder.py

opens ``conv_autoencoder.ncproj``, trains it (40 epochs, seconds), waits for the
Evaluate workspace and saves ``autoencoder-results.png`` (held-out digits above their
reconstructions) and ``autoencoder-sample.png`` (Try a sample: one digit beside its
reconstruction).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shots import HERE, close_window, open_window, shot, wait_for  # noqa: E402


def main() -> None:
    app, window = open_window("conv_autoencoder.ncproj")
    window.show()
    window.training.action_train.trigger()
    wait_for(lambda: window.workspaces.current == "evaluate", 180)
    panel = window.inside_dock.widget()
    wait_for(lambda: panel.results.report is not None, 60)
    panel.show_view(panel.results)
    shot(HERE / "autoencoder-results.png")
    panel.show_view(panel.sample)
    panel.sample.request_index(7)
    wait_for(lambda: panel.sample.result is not None, 30)
    shot(HERE / "autoencoder-sample.png")
    close_window(window)
    app.quit()


if __name__ == "__main__":
    main()
