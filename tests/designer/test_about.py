"""Help › About NeuroCanvas: version, licence, and where the bundled data came from."""
import re
import tomllib
from pathlib import Path

from designer.about import LICENCE, AboutDialog, app_version
from engine import __version__ as ENGINE_VERSION
from tests.designer.conftest import dialogs, settings, window  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (ROOT / "resources" / "data" / "SOURCES.md").read_text()
# The data sets SOURCES.md lists: the first cell of each table row, e.g. `iris.csv`.
DATA_SETS = re.findall(r"^\| `([^`]+)` \|", SOURCES, flags=re.MULTILINE)


def test_sources_lists_every_bundled_data_file():
    files = sorted(p.name for p in (ROOT / "resources" / "data").iterdir() if p.name != "SOURCES.md")
    assert sorted(DATA_SETS) == files


def test_licence_and_version_are_the_package_s():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert LICENCE == project["license"]
    assert app_version() == ENGINE_VERSION


def _open_about(window, qtbot) -> AboutDialog:
    assert window.action_about in window.menuBar().actions()[-1].menu().actions()
    window.action_about.trigger()
    dialog = window.findChild(AboutDialog, "about_dialog")
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def test_about_shows_version_licence_and_every_data_source(window, qtbot):
    assert window.menuBar().actions()[-1].text() == "&Help"
    dialog = _open_about(window, qtbot)
    text = dialog.text()
    assert f"NeuroCanvas {ENGINE_VERSION}" in text
    assert "MIT" in dialog.heading.text()
    shown = dialog.sources.toPlainText()
    assert DATA_SETS and all(name in shown for name in DATA_SETS)
    # rendered, not shown as raw Markdown: the table's pipes and the heading's # are gone
    assert "| ---" not in shown and "# Bundled data" not in shown
    assert "CC BY-SA 3.0" in shown and "public domain" in shown
    assert not dialog.windowIcon().isNull()  # from the main window
    dialog.close()


def test_about_says_when_sources_are_missing(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROCANVAS_RESOURCES", str(tmp_path))
    dialog = _open_about(window, qtbot)
    assert "missing" in dialog.sources.toPlainText()
    dialog.close()
