"""Memory over one long training run in the real window (live plots and inside views).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_memory_soak.py [--minutes 10]

Starts one run of the CNN example with a huge epoch count, prints the resident memory of
the window's process and of the training process (its child) every minute, then stops
the run. Flat figures mean no growth from plot buffers, progress messages or probe
snapshots.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb(pid: int | str = "self") -> float:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:  # the process has ended
        return 0.0


def children() -> list[int]:
    """Child processes of every thread (the worker thread starts the training process)."""
    pids = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except OSError:  # the thread has ended
            pass
    return pids


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--example", default="cnn_digits")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from designer.app import create_main_window

    app = QApplication.instance() or QApplication([])
    settings = QSettings(str(Path(os.environ.get("TMPDIR", "/tmp")) / "bench_soak.ini"),
                         QSettings.IniFormat)
    window = create_main_window(ROOT / "resources" / "examples" / f"{args.example}.ncproj",
                                settings)
    window.editor.set_training_setting("epochs", 100_000)
    window.resize(1360, 860)
    window.show()
    start = time.monotonic()
    samples = []

    def tick():
        minute = round((time.monotonic() - start) / 60)
        child = sum(rss_mb(pid) for pid in children())
        samples.append((rss_mb(), child))
        print(f"  after {minute:>2} min: window {samples[-1][0]:.0f} MB, training process "
              f"{child:.0f} MB resident", flush=True)
        if minute >= args.minutes:
            window.training.stop()
            QTimer.singleShot(2000, app.quit)

    window.training.start()
    print(f"one run of {args.example}, live plots and inside views; at start "
          f"{rss_mb():.0f} MB", flush=True)
    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(60_000)
    app.exec()
    window.training.shutdown()
    window.inside.shutdown()
    window.editor.stack.setClean()
    if len(samples) > 1:
        print(f"  growth from minute 1 to the end: window "
              f"{samples[-1][0] - samples[0][0]:+.0f} MB, training process "
              f"{samples[-1][1] - samples[0][1]:+.0f} MB")


if __name__ == "__main__":
    main()
