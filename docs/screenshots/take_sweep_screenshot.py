"""Take the README's Experiments screenshot from the real window.

    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \
        python docs/screenshots/take_sweep_screenshot.py 1366

opens the digits MLP example, sets up a sweep of 8 random trials over the learning rate
(1e-4..3e-2, log) and the first hidden layer's units (16..256), runs it with one trial
per core, waits for it to end and saves ``workspace-experiments-<width>.png``; it prints
the sweep's table (as ``neurocanvas sweep`` does) for the README's figures.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtTest import QTest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shots import HERE, close_window, open_window, shot  # noqa: E402

from engine.cli_sweep import table  # noqa: E402

PARAMS = (("learning_rate", "1e-4..3e-2:log"), ("hidden1.units", "16..256:int"))


def main(width: str) -> None:
    app, window = open_window("digits_mlp.ncproj")
    window.show()
    window.workspaces.switch("experiments")
    panel = window.experiments
    for row, (name, values) in enumerate(PARAMS):
        panel.setup.set_row(row, name, values)
    panel.setup.trials.setValue(8)
    start = time.monotonic()
    panel.run_button.click()
    while panel.runner.running and time.monotonic() - start < 600:
        QTest.qWait(100)
    print(f"sweep took {time.monotonic() - start:.1f} s in the window")
    print(table(window.editor.doc.project.sweeps[-1]))
    shot(HERE / f"workspace-experiments-{width}.png", wait_ms=800)
    close_window(window)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "1366")
