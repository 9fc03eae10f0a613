"""How the designer copes with a big design (500 layers), offscreen. Not a timed test.

Reports: shape inference per edit (the document recomputes once per burst of edits),
and the time to add, move and delete nodes through the editor with the canvas and
panels listening, as in the app.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_designer.py [layers]
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def big_design(editor, n_layers: int) -> list[str]:
    ids = [editor.doc.layer_ids()[0]]
    for i in range(n_layers - 1):
        kind = ("Dense", "Activation", "Dropout")[i % 3]
        ids.append(editor.add_layer(kind, (260.0 * (i + 1), 0.0), after=ids[-1]))
    return ids


def timed(fn, repeat: int) -> list[float]:
    app = QApplication.instance()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        app.processEvents()  # the report refresh, scene and panels update
        times.append((time.perf_counter() - t0) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    print(f"{label:<44} median {statistics.median(times):7.1f} ms   max {max(times):7.1f} ms")


def main(n_layers: int = 500) -> None:
    import tempfile

    from designer.app import create_main_window
    from designer.model.inference import safe_infer_shapes
    from designer.model.templates import build_template

    app = QApplication.instance() or QApplication([])
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.IniFormat)
    window = create_main_window(settings=settings)
    editor = window.editor
    blank = build_template("blank")
    editor.load(blank.spec, blank.layout)
    t0 = time.perf_counter()
    ids = big_design(editor, n_layers)
    app.processEvents()
    print(f"built {len(ids)} layers through the editor in {time.perf_counter() - t0:.2f} s")
    spec = editor.doc.spec()
    report("shape inference of the whole design", timed(lambda: safe_infer_shapes(spec), 20))
    dense = [i for i in ids if editor.doc.layer(i).type == "Dense"]
    units = iter(range(10, 10_000))
    report("edit a setting (infer + redraw)",
           timed(lambda: editor.set_setting(dense[len(dense) // 2], "units", next(units)), 20))
    report("add a node", timed(lambda: editor.add_layer("Dense", (0.0, 500.0)), 20))
    step = iter(range(1, 10_000))
    report("move one node", timed(lambda: editor.move(
        {ids[5]: (editor.doc.position(ids[5]), (0.0, 10.0 * next(step)))}), 20))
    report("move 50 nodes (one step)", timed(lambda: editor.move(
        {i: (editor.doc.position(i), (editor.doc.position(i)[0], next(step))) for i in ids[:50]}),
        10))
    middle = iter(ids[100:400:15])
    report("delete a connected node", timed(lambda: editor.delete([next(middle)]), 20))
    report("undo", timed(editor.stack.undo, 20))
    report("connection probe (hover a port)",
           timed(lambda: editor.connect_problem(ids[-1], editor.doc.layer_ids()[-1]), 10))
    window.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
