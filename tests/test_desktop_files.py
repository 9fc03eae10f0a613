"""Desktop integration files in packaging/: the .desktop entry, the AppStream metainfo,
the file type, the icon PNGs (rendered from the SVG) and the per-user installer. The
freedesktop validators run where they are installed (apt-get install desktop-file-utils
appstream) and skip, saying so, where not."""
import os
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from configparser import ConfigParser
from pathlib import Path

import pytest

from designer.app_icon import ICON_SIZES
from engine import __version__ as ENGINE_VERSION

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
DESKTOP = PACKAGING / "neurocanvas.desktop"
METAINFO = PACKAGING / "io.neurocanvas.NeuroCanvas.metainfo.xml"
MIME = PACKAGING / "neurocanvas-mime.xml"
ICONS = ROOT / "resources" / "icons"


def desktop_entry(path: Path) -> dict:
    parser = ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path)
    return dict(parser["Desktop Entry"])


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install "
                    f"{'desktop-file-utils' if 'desktop' in name else 'appstream'})")
    return path


def test_desktop_file_validates():
    proc = subprocess.run([_tool("desktop-file-validate"), str(DESKTOP)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "error" not in proc.stdout, proc.stdout


def test_metainfo_validates():
    proc = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_desktop_metainfo_and_package_agree():
    entry = desktop_entry(DESKTOP)
    meta = ET.parse(METAINFO).getroot()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta.findtext("id") + ".metainfo.xml" == METAINFO.name
    assert meta.findtext("launchable") == DESKTOP.name
    assert meta.findtext("project_license") == project["license"]
    assert meta.findtext("provides/binary") == entry["Exec"].split()[0]
    assert "neurocanvas" in project["scripts"]
    assert ENGINE_VERSION in [r.get("version") for r in meta.iter("release")]
    assert entry["Icon"] == "neurocanvas" and (ICONS / "neurocanvas.svg").is_file()
    mime_type = ET.parse(MIME).getroot()[0].get("type")
    assert entry["MimeType"].rstrip(";") == mime_type
    assert meta.findtext("provides/mediatype") == mime_type


def test_icon_pngs_exist_at_every_size():
    from PySide6.QtGui import QImage

    for size in ICON_SIZES:
        image = QImage(str(ICONS / f"neurocanvas-{size}.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel()
        assert image.pixelColor(0, 0).alpha() == 0  # the rounded corner is see-through
        assert image.pixelColor(size // 2, size // 2).alpha() == 255


def test_icon_pngs_are_rendered_from_the_svg():
    proc = subprocess.run([sys.executable, str(PACKAGING / "make-icons.py"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_install_desktop_puts_everything_in_place(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    proc = subprocess.run(["bash", str(PACKAGING / "install-desktop.sh"), "--exec", sys.executable],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = desktop_entry(tmp_path / "applications" / "neurocanvas.desktop")
    assert installed["Exec"] == f"{Path(sys.executable).absolute()} %f"
    assert installed["TryExec"] == str(Path(sys.executable).absolute())
    for size in ICON_SIZES:
        assert (tmp_path / f"icons/hicolor/{size}x{size}/apps/neurocanvas.png").is_file()
    assert (tmp_path / "icons/hicolor/scalable/apps/neurocanvas.svg").is_file()
    assert (tmp_path / "metainfo" / METAINFO.name).is_file()
    assert (tmp_path / "mime/packages/neurocanvas.xml").is_file()


def test_install_desktop_refuses_a_missing_command(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    proc = subprocess.run(["bash", str(PACKAGING / "install-desktop.sh"), "--exec",
                           str(tmp_path / "nothing")], env=env, capture_output=True, text=True)
    assert proc.returncode != 0 and not (tmp_path / "applications").exists()
