"""The window while a big CSV loads: how long the load takes and how late the GUI's
event loop runs meanwhile (a 10 ms timer; latency is how late each tick fires).

Writes a CSV of about ``--mb`` megabytes (20 float columns and a text label) to a
temporary folder, opens the real main window, fills the Data panel's CSV form and
presses Load and use, then waits until the data is in the project. Works against
versions whose Data panel loads on the GUI thread too (then the press itself blocks,
and the latency shows it), so it measures before and after.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_data_load.py [--mb 200]
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks.bench_big_files import COLUMNS, write_csv  # noqa: E402

def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=200.0, help="size of the CSV")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from designer.app import create_main_window

    folder = Path(tempfile.mkdtemp(prefix="bench_data_load_"))
    path = folder / "big.csv"
    rows = write_csv(path, args.mb)
    print(f"{path.stat().st_size / 1e6:.0f} MB CSV, {rows:,} rows x {COLUMNS + 1} columns")
    _app = QApplication.instance() or QApplication([])  # kept alive for the run
    window = create_main_window(settings=QSettings(str(folder / "s.ini"), QSettings.IniFormat))
    window.resize(1360, 860)
    window.show()
    fill_csv_form(window.data_panel, path)
    QCoreApplication.processEvents()
    measure(window, path)
    window.data_panel.shutdown() if hasattr(window.data_panel, "shutdown") else None
    window.training.shutdown()
    window.editor.stack.setClean()
    window.close()
    path.unlink()


def fill_csv_form(panel, path: Path) -> None:
    panel.source_combo.setCurrentIndex(panel.source_combo.findData("csv"))
    panel.source_combo.activated.emit(panel.source_combo.currentIndex())
    panel.path_edit.setText(str(path))
    panel.path_edit.editingFinished.emit()
    panel.fields["target"].widget.setText("label")
    panel.fields["target"].widget.editingFinished.emit()


def measure(window, path: Path) -> None:
    """Press Load and use, tick a 10 ms timer until the data is the project's, print."""
    from PySide6.QtCore import QCoreApplication, QTimer

    panel = window.data_panel
    lates, expected = [], [0.0]

    def tick():
        now = time.perf_counter()
        lates.append(max(0.0, now - expected[0]) * 1000)
        expected[0] = now + 0.010

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    done = lambda: window.editor.doc.project.data.get("path") == str(path)  # noqa: E731
    start = time.perf_counter()
    expected[0] = start + 0.010
    timer.start()
    panel.load_and_use()  # returns at once when the load runs on a worker
    while not done():
        QCoreApplication.processEvents()
        time.sleep(0.001)
    seconds = time.perf_counter() - start
    tick()  # the tick the event loop owed while it was blocked, if it was
    timer.stop()
    lates_ms = np.array(lates)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"load and use: {seconds:.1f} s; event loop latency p50 "
          f"{np.percentile(lates_ms, 50):.1f} ms, p99 {np.percentile(lates_ms, 99):.1f} ms, "
          f"max {lates_ms.max():.0f} ms over {len(lates_ms)} ticks; peak memory of the "
          f"window's process {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
