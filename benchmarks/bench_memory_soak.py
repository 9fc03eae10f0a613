"""Memory over one long training run in the real window (live plots and inside views).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_memory_soak.py [--minutes 10]

Starts one run of the CNN example with a huge epoch count, prints the process's resident
memory every minute, then stops the run. Flat figures mean no growth from plot buffers,
progress events or probe snapshots.
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


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


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
        samples.append(rss_mb())
        print(f"  after {minute:>2} min: {samples[-1]:.0f} MB resident", flush=True)
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
    growth = samples[-1] - samples[0] if len(samples) > 1 else 0.0
    print(f"  growth from minute 1 to the end: {growth:+.0f} MB")


if __name__ == "__main__":
    main()
