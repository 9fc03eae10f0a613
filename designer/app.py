"""The ``neurocanvas`` command: the window, or a headless subcommand.

``neurocanvas``                   opens the window with a blank design and the start
                                  page (examples, templates, recent projects)
``neurocanvas FILE.ncproj``       opens that project
``neurocanvas DATA``              a new project with that data loaded (a .csv table, an
                                  .npz, a .txt text or a folder of images); any other
                                  file gets a message in the window
``neurocanvas train|info|... ``   hands over to ``engine.cli`` without importing Qt,
                                  so headless use works on machines with no display.
"""
from __future__ import annotations

import sys
from pathlib import Path


SUBCOMMANDS = ("train", "info", "evaluate", "predict", "sample", "export", "check-gradients",
               "sweep")


def is_subcommand(argv: list[str]) -> bool:
    """Subcommands, options (--help, --version) and several arguments are for the
    command line; nothing or one path opens the window (with that project or data)."""
    if not argv:
        return False
    return not (len(argv) == 1 and not argv[0].startswith("-")
                and argv[0] not in SUBCOMMANDS)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if getattr(sys, "frozen", False) and argv == ["-m", "engine.remote"]:
        # A desktop bundle has no ``python -m``: its executable is the training process
        # the window starts (designer/runner.py runs ``sys.executable -m engine.remote``).
        from engine import remote

        remote.main()
        return 0
    if getattr(sys, "frozen", False) and argv == ["-m", "engine.sweep.worker"]:
        from engine.sweep import worker  # a sweep's trial (engine/sweep/scheduler.py)

        return worker.main()
    if is_subcommand(argv):
        from engine import cli  # lazily: the window's modules are never imported here
        return cli.main(argv)
    problem = display_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    return run_window(argv[0] if argv else None)


def display_problem(environ=None) -> str | None:
    """Why a window cannot open here (Qt would abort the process), or None."""
    import os

    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return ("no display to open the window on (DISPLAY is not set). Run NeuroCanvas in a "
            "desktop session, or use the headless commands: neurocanvas --help")


def create_main_window(project_path=None, settings=None):
    """Build the window (with a project loaded) without entering the event loop."""
    from .mainwindow import MainWindow

    window = MainWindow(settings)
    given = Path(project_path) if project_path else None
    if given is not None and given.suffix.lower() != ".ncproj":
        window.projects.new_from_template("blank")
        open_data(window, given)
        return window
    # Without a file: a blank design (the start page offers the rest, see run_window).
    if given is None or not window.projects.open_path(given, ask=False):
        window.projects.new_from_template("blank")
    return window


def open_data(window, path: Path) -> bool:
    """A data file or image folder given at launch: the Data panel takes it and loads
    it (fitting the Input layer, as Load and use does); anything else is explained."""
    from PySide6.QtWidgets import QMessageBox

    from engine.cli_train import DATA_KINDS, data_config_for_file
    from engine.errors import NeuroCanvasError

    from .rich_text import as_plain

    try:
        if not path.exists():
            raise NeuroCanvasError(f"{path}: no such file or folder")
        if not path.is_dir() and path.suffix.lower() not in DATA_KINDS:
            raise NeuroCanvasError(f"{path.name} is none of these.")
        config = data_config_for_file(str(path), None)
    except NeuroCanvasError as exc:
        QMessageBox.warning(window, "Cannot open",
                            as_plain(f"NeuroCanvas opens projects (.ncproj), CSV tables, NPZ "
                                     f"arrays, text files and folders of images.\n\n{exc}"))
        return False
    window.workspaces.switch("data")
    return window.data_panel.use_config(config)


def run_window(project_path=None) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("NeuroCanvas")
    app.setOrganizationName("NeuroCanvas")
    app.setStyle("Fusion")
    from .app_icon import set_app_icon

    set_app_icon(app)
    from .gui_gc import GuiThreadCollector

    collector = GuiThreadCollector(parent=app)  # never in a worker thread (see gui_gc)
    window = create_main_window(project_path)
    window.show()
    from . import first_paint

    if first_paint.requested():  # a smoke test: report the time to the window, quit
        first_paint.QuitAfterFirstPaint(window, app)
    else:
        from .recovery import offer_recovery

        restored = offer_recovery(window)  # work left by a window that died
        if project_path is None and not restored:
            from .start_page import open_start_page, show_at_startup

            if show_at_startup(window.settings):
                open_start_page(window)
    try:
        return app.exec()
    finally:
        collector.stop()


if __name__ == "__main__":
    sys.exit(main())
