"""Training throughput and GUI latency with every inside view open.

Opens the real main window on an example, shows the live plots and floats the Inside
dock beside them on its Layers tab (histograms plus feature maps/filters or recurrent
heat maps of the layer chosen) and, for two-feature data, shows the decision boundary
in a window of its own (the dock's Boundary tab is one view at a time), so every
streaming view repaints. Health badges are on the canvas. Then it presses Train and measures the
GUI event loop's latency (a 5 ms timer; latency is how late each tick fires) and the
samples per second against plain headless training (no probe, one BLAS thread).
Repeats ``--repeats`` times and prints each run and the medians.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_inside_gui.py \
        [--example cnn_digits] [--epochs 3] [--repeats 3] [--no-inside] [--no-plots]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "resources" / "examples"
PROBE_MS = 5


def headless_samples_per_second(project, data, epochs: int) -> float:
    from threadpoolctl import threadpool_limits

    from engine.events import BatchEnd
    from engine.run import make_job, run_job

    job = make_job(project.spec, data, {**project.training, "epochs": epochs},
                   data_config=project.data)
    last = None
    with threadpool_limits(1, user_api="blas"):
        for event in run_job(job):  # the run path the window's training process takes
            if isinstance(event, BatchEnd):
                last = event
    return last.samples / last.elapsed


class LatencyProbe:
    def __init__(self, interval_ms: float = PROBE_MS):
        from PySide6.QtCore import QTimer

        self.interval = interval_ms
        self.lates: list[float] = []
        self.times: list[float] = []  # when each tick fired
        self.timer = QTimer()
        self.timer.setInterval(int(interval_ms))
        self.timer.timeout.connect(self._tick)
        self.expected = None

    def start(self):
        self.lates, self.times = [], []
        self.expected = time.perf_counter() + self.interval / 1000
        self.timer.start()

    def stop(self):
        self.timer.stop()

    def _tick(self):
        now = time.perf_counter()
        self.lates.append(max(0.0, now - self.expected) * 1000)
        self.times.append(now)
        self.expected = now + self.interval / 1000


def open_views(window):
    """Float the Inside dock next to the plots on its Layers tab (a conv or recurrent
    layer when there is one: their extra views cost most) and, for two-feature data,
    show the decision boundary in a window of its own, all fed by the window's runner.
    The other tabs draw only on request (a click), not while training."""
    from designer.inside.boundary_view import BoundaryView

    window.plots_dock.raise_()
    dock = window.inside_dock
    dock.setFloating(True)
    dock.resize(1000, 600)
    dock.show()
    panel = dock.widget()
    panel.setCurrentWidget(panel.layers)
    spec = window.editor.doc.spec()
    special = [l.id for l in spec.layers if l.type in ("Conv2D", "LSTM", "GRU", "SimpleRNN")]
    panel.layers.select_layer((special or [l.id for l in spec.layers][1:])[-1])
    boundary = BoundaryView()
    boundary.resize(600, 500)
    if spec.input_shape and tuple(spec.input_shape) == (2,):
        window.training.progress.connect(
            lambda p: p.snapshot and boundary.show_map(p.snapshot.boundary))
        boundary.show()
    return [boundary]


def gui_run(window, probe) -> tuple[float, float, dict]:
    """Samples per second of a run from the window, the seconds from pressing Train to
    the first batch losses reaching the plots, and where the CPU time went: the
    window's process and the training process, in CPU seconds per wall second, and the
    window's CPU milliseconds per progress message (independent of the machine's load)."""
    import resource

    from PySide6.QtCore import QEventLoop

    training = window.training
    result, loop = {}, QEventLoop()  # app.quit() would close the window

    def on_progress(p):
        result["messages"] = result.get("messages", 0) + 1
        if len(p.batch_losses) and "first" not in result:
            result["first"] = time.perf_counter()
        if p.latest:
            result["last"] = p.latest
            result["last_at"] = time.perf_counter()

    on_state = lambda s: s == "idle" and loop.quit()  # noqa: E731
    training.progress.connect(on_progress)
    training.state_changed.connect(on_state)
    probe.start()
    cpu0, kids0 = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    pressed = time.perf_counter()
    training.action_train.trigger()
    loop.exec()
    wall = time.perf_counter() - pressed
    worker = window.training.runner._worker  # its training process's CPU counts once waited
    if worker is not None:
        worker.wait(10_000)
    cpu, kids = time.process_time() - cpu0, resource.getrusage(resource.RUSAGE_CHILDREN)
    child = (kids.ru_utime + kids.ru_stime) - (kids0.ru_utime + kids0.ru_stime)
    probe.stop()
    training.progress.disconnect(on_progress)
    training.state_changed.disconnect(on_state)
    last = result["last"]
    cpu_use = {"window": cpu / wall, "child": child / wall,
               "ms_per_message": 1000 * cpu / max(1, result.get("messages", 0)),
               "messages": result.get("messages", 0),
               "steady": (result["first"], result["last_at"])}
    return last.samples / last.elapsed, result["first"] - pressed, cpu_use


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--example", default="cnn_digits")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-inside", action="store_true",
                        help="the baseline: plots only, no inside view shown")
    parser.add_argument("--no-plots", action="store_true",
                        help="hide the live plots dock: the inside views' own cost")
    parser.add_argument("--no-probe", action="store_true",
                        help="Training > Look inside while training off: the GUI's own cost")
    parser.add_argument("--latency-ms", type=float, default=PROBE_MS,
                        help="interval of the latency-probe timer (the probe's own wake-ups "
                             "cost the trainer too: about 5%% at 5 ms on a sub-ms network)")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from designer.app import create_main_window
    from engine.data import prepare
    from engine.project import load_project

    project = load_project(EXAMPLES / f"{args.example}.ncproj")
    data = prepare(project.data, 0)
    _app = QApplication.instance() or QApplication([])  # kept alive for the run
    settings = QSettings(str(Path(os.environ.get("TMPDIR", "/tmp")) / "bench_inside.ini"),
                         QSettings.IniFormat)
    window = create_main_window(EXAMPLES / f"{args.example}.ncproj", settings)
    from designer.gui_gc import GuiThreadCollector

    collector = GuiThreadCollector()  # as the app runs: garbage collected in the GUI thread
    window.editor.set_training_setting("epochs", args.epochs)
    window.resize(1360, 860)
    window.show()
    window.training.action_probe.setChecked(not args.no_probe)
    window.workspaces.switch("train")  # where Train takes the user (the views below float)
    if args.no_plots:
        window.plots_dock.hide()
        window.summary_dock.raise_()
    if args.no_inside:
        window.plots_dock.raise_()
        window.inside_dock.hide()
        keep = []
    else:
        keep = open_views(window)  # noqa: F841 - alive while training
    probe, rows = LatencyProbe(args.latency_ms), []
    what = "plots only (baseline)" if args.no_inside else "every inside view open"
    what += ", live plots hidden" if args.no_plots else ""
    what += ", no probe" if args.no_probe else ""
    print(f"example {args.example}, {args.epochs} epochs, {what}")
    for i in range(args.repeats):  # alternate, so both see the same machine load
        headless = headless_samples_per_second(project, data, args.epochs)
        gui, first, cpu_use = gui_run(window, probe)
        lates, times = np.array(probe.lates), np.array(probe.times)
        p50, p99 = np.percentile(lates, 50), np.percentile(lates, 99)
        begin, end = cpu_use["steady"]  # first to last plotted batch: the run itself
        steady = lates[(times > begin) & (times <= end)]
        steady_p99 = np.percentile(steady, 99) if len(steady) else float("nan")
        draws = window.inside_dock.widget().layers.draws
        rows.append((headless, gui, p50, p99, first))
        print(f"  run {i + 1}: headless {headless:,.0f} samples/s, GUI {gui:,.0f} "
              f"({100 * gui / headless:.0f}%); latency p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
              f"max {lates.max():.1f} ms; Train to first plotted batch {first:.2f} s; "
              f"layer view redraws so far {draws}", flush=True)
        print(f"         while batches arrive: latency p99 {steady_p99:.1f} ms, max "
              f"{steady.max() if len(steady) else float('nan'):.1f} ms (the rest is starting "
              f"the run and showing its results)", flush=True)
        print(f"         CPU: window {cpu_use['window']:.2f} s/s "
              f"({cpu_use['ms_per_message']:.0f} ms per progress message, "
              f"{cpu_use['messages']} messages), training process {cpu_use['child']:.2f} s/s",
              flush=True)
    med = [statistics.median(r[k] for r in rows) for k in range(5)]
    print(f"  median: throughput {100 * med[1] / med[0]:.0f}% of headless (target >= 90%), "
          f"latency p50 {med[2]:.1f} ms, p99 {med[3]:.1f} ms (target p99 < 30 ms), "
          f"Train to first plotted batch {med[4]:.2f} s")
    window.training.shutdown()
    window.inside.shutdown()
    window.editor.stack.setClean()
    window.close()
    collector.stop()


if __name__ == "__main__":
    main()
