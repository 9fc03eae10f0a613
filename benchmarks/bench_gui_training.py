"""GUI responsiveness and throughput while training with live plots.

Opens the real main window (create_main_window), chooses the example, shows the plots
dock and presses Train through its action, then measures: the GUI event loop's latency (a 5 ms timer in the GUI thread; latency is how
late each tick fires), samples per second against the same run headless, and resident
memory over the run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gui_training.py \
        [--example cnn_digits] [--epochs 3] [--minutes 0]

``--minutes M`` repeats runs for M minutes and prints memory at each minute (the
memory-flatness check).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "resources" / "examples"
PROBE_MS = 5


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def headless_samples_per_second(job) -> float:
    from threadpoolctl import threadpool_limits

    from engine.events import BatchEnd
    from engine.network import Network
    from engine.trainer import train

    net = Network(job.spec, seed=job.settings.get("seed", 0))
    with threadpool_limits(1, user_api="blas"):
        last = None
        for event in train(net, job.data.train, job.data.val, job.settings):
            if isinstance(event, BatchEnd):
                last = event
    return last.samples / last.elapsed


class LatencyProbe:
    def __init__(self):
        from PySide6.QtCore import QTimer

        self.lates: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._tick)
        self.expected = None

    def start(self):
        self.expected = time.perf_counter() + PROBE_MS / 1000
        self.timer.start()

    def _tick(self):
        now = time.perf_counter()
        self.lates.append(max(0.0, now - self.expected) * 1000)
        self.expected = now + PROBE_MS / 1000


def gui_run(app, window):
    """Press Train in the window and run the event loop until the run has ended."""
    from PySide6.QtCore import QEventLoop

    runner = window.training.runner
    result, loop = {}, QEventLoop()  # app.quit() would close the window (and ask to save)
    on_progress = lambda p: p.latest and result.__setitem__("last", p.latest)  # noqa: E731
    on_state = lambda s: s == "idle" and loop.quit()  # noqa: E731
    runner.progress.connect(on_progress)
    window.training.state_changed.connect(on_state)
    window.training.action_train.trigger()
    loop.exec()
    runner.progress.disconnect(on_progress)
    window.training.state_changed.disconnect(on_state)
    last = result["last"]
    return last.samples / last.elapsed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--example", default="cnn_digits")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=0.0)
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from PySide6.QtCore import QSettings

    from designer.app import create_main_window
    from designer.runner import TrainingJob
    from engine.data import prepare
    from engine.project import load_project

    project = load_project(EXAMPLES / f"{args.example}.ncproj")
    data = prepare(project.data, 0)
    job = TrainingJob(project.spec, data, {**project.training, "epochs": args.epochs})
    headless = headless_samples_per_second(job)
    app = QApplication.instance() or QApplication([])
    settings = QSettings(str(Path(os.environ.get("TMPDIR", "/tmp")) / "bench_gui.ini"),
                         QSettings.IniFormat)
    window = create_main_window(EXAMPLES / f"{args.example}.ncproj", settings)
    window.editor.set_training_setting("epochs", args.epochs)
    window.resize(1360, 860)
    window.show()
    window.plots_dock.raise_()
    probe = LatencyProbe()
    probe.start()
    gui = gui_run(app, window)
    lates = np.array(probe.lates)
    print(f"example {args.example}, {args.epochs} epochs, main window with live plots")
    print(f"  event-loop latency: p50 {np.percentile(lates, 50):.1f} ms, "
          f"p99 {np.percentile(lates, 99):.1f} ms, max {lates.max():.1f} ms "
          f"({len(lates)} probes; target p99 < 30 ms)")
    print(f"  throughput: headless {headless:,.0f} samples/s, with GUI {gui:,.0f} samples/s "
          f"= {100 * gui / headless:.0f}% (target >= 90%)")
    print(f"  result: {window.training_panel.result.text()}")
    if args.minutes > 0:
        soak(app, window, args.minutes)
    window.training.shutdown()
    window.editor.stack.setClean()
    window.close()


def soak(app, window, minutes):
    start, mark = time.monotonic(), 0
    plots = window.plots_panel.plots
    print(f"  memory at start: {rss_mb():.0f} MB", flush=True)
    while time.monotonic() - start < minutes * 60:
        gui_run(app, window)
        elapsed = (time.monotonic() - start) / 60
        if elapsed >= mark + 1:
            mark = int(elapsed)
            print(f"  memory after {mark} min: {rss_mb():.0f} MB ({len(plots.runs)} runs kept, "
                  f"{window.editor.stack.count()} undo steps)", flush=True)


if __name__ == "__main__":
    main()
