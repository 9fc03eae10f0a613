"""The ``neurocanvas`` command: the window, or a headless subcommand.

``neurocanvas``                   opens the window with a bundled example
``neurocanvas FILE.ncproj``       opens that project
``neurocanvas train|info|... ``   hands over to ``engine.cli`` without importing Qt,
                                  so headless use works on machines with no display.
"""
from __future__ import annotations

import sys


def is_subcommand(argv: list[str]) -> bool:
    """Anything but nothing or one project file is for the command line (subcommands,
    --help, --version, and mistakes, which its parser explains)."""
    if not argv:
        return False
    return not (len(argv) == 1 and argv[0].lower().endswith(".ncproj"))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
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
    from .model.templates import build_template
    from .mainwindow import MainWindow
    from .projects import default_example

    window = MainWindow(settings)
    path = project_path or default_example()
    if path is None or not window.projects.open_path(path, ask=False):
        template = build_template("mlp")
        window.editor.load(template.spec, template.layout)
    return window


def run_window(project_path=None) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("NeuroCanvas")
    app.setOrganizationName("NeuroCanvas")
    app.setStyle("Fusion")
    from .gui_gc import GuiThreadCollector

    collector = GuiThreadCollector(parent=app)  # never in a worker thread (see gui_gc)
    window = create_main_window(project_path)
    window.show()
    from .recovery import offer_recovery

    offer_recovery(window)  # work left by a window that died
    try:
        return app.exec()
    finally:
        collector.stop()


if __name__ == "__main__":
    sys.exit(main())
