"""The package as users get it: the wheel and sdist that ``python -m build`` makes, and
the app installed from that wheel into a fresh virtual environment, run from outside the
checkout. The resources (examples, data sets, icons) must come from the installed
package, never from this repository.

The build needs the ``build`` package, and (build isolation) the network or a package
mirror for setuptools; without them the slow tests skip and say why.
"""
from __future__ import annotations

import fnmatch
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from engine import __version__ as ENGINE_VERSION

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
RUNTIME_MODULES = ("numpy", "PySide6", "shiboken6", "pyqtgraph", "threadpoolctl", "PIL")
EXAMPLE_NAMES = sorted(p.name for p in (ROOT / "resources" / "examples").glob("*.ncproj"))
LESSON_NAMES = sorted(p.name for p in (ROOT / "resources" / "lessons").glob("*.md"))
DATA_NAMES = sorted(p.name for p in (ROOT / "resources" / "data").iterdir())
ICON_NAMES = sorted(p.name for p in (ROOT / "resources" / "icons").iterdir())
NETWORK_TROUBLE = ("No matching distribution", "Could not find a version", "NewConnectionError",
                   "Network is unreachable", "Temporary failure in name resolution",
                   "ConnectionError", "ProxyError", "HTTPSConnectionPool")


def test_every_subpackage_is_listed_in_pyproject():
    """The package list is written out (find cannot see the resources mapping): a new
    subpackage left off it would be missing from the wheel."""
    found = {str(d.relative_to(ROOT)).replace(os.sep, ".")
             for top in ("engine", "designer") for d in [ROOT / top, *(ROOT / top).rglob("*")]
             if d.is_dir() and (d / "__init__.py").is_file()}
    listed = set(SETUPTOOLS["packages"])
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - found == {"neurocanvas_resources"}
    assert SETUPTOOLS["package-dir"] == {"neurocanvas_resources": "resources"}


def test_package_data_covers_every_resource():
    """Every example, data file and icon matches a package-data pattern (only the
    generator scripts of the examples and of the waveforms data stay out of the wheel)."""
    patterns = SETUPTOOLS.get("package-data", {}).get("neurocanvas_resources", [])
    resources = ROOT / "resources"
    left_out = [str(p.relative_to(resources)) for p in sorted(resources.rglob("*"))
                if p.is_file() and "__pycache__" not in p.parts
                and not any(fnmatch.fnmatch(str(p.relative_to(resources)), pat)
                            for pat in patterns)]
    assert left_out == ["examples/make_examples.py", "examples/make_waveforms.py"]


def _build(outdir: Path) -> None:
    if importlib.util.find_spec("build") is None:
        pytest.skip("the 'build' package is not installed (pip install build)")
    # From a private copy: setuptools writes egg-info and the sdist's staging folder into
    # the source tree, and two test workers building one tree at once broke each other.
    source = outdir.with_name(outdir.name + "-source")
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache"))
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(outdir),
                           str(source)], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        log = proc.stdout + proc.stderr
        if any(word in log for word in NETWORK_TROUBLE):
            pytest.skip("python -m build could not fetch setuptools (no network?)")
        pytest.fail(f"python -m build failed:\n{log[-4000:]}")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(wheel, sdist) built from this checkout."""
    outdir = tmp_path_factory.mktemp("dist")
    _build(outdir)
    wheels, sdists = list(outdir.glob("*.whl")), list(outdir.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in outdir.iterdir())
    return wheels[0], sdists[0]


@pytest.mark.slow
def test_wheel_holds_the_packages_and_every_resource(built):
    wheel, _ = built
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in EXAMPLE_NAMES:
        assert f"neurocanvas_resources/examples/{name}" in names
    for name in DATA_NAMES:
        assert f"neurocanvas_resources/data/{name}" in names
    for icon in ICON_NAMES:
        assert f"neurocanvas_resources/icons/{icon}" in names
    for name in LESSON_NAMES:
        assert f"neurocanvas_resources/lessons/{name}" in names
    for package in SETUPTOOLS["packages"]:
        if package != "neurocanvas_resources":
            assert f"{package.replace('.', '/')}/__init__.py" in names
    assert not any(n.startswith(("tests/", "resources/")) for n in names)


@pytest.mark.slow
def test_sdist_holds_resources_and_tests(built):
    _, sdist = built
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    expected = {f"resources/examples/{n}" for n in EXAMPLE_NAMES}
    expected |= {f"resources/data/{n}" for n in DATA_NAMES}
    expected |= {str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("*.py")}
    expected |= {f"resources/icons/{n}" for n in ICON_NAMES}
    expected |= {"pyproject.toml", "README.md", "MANIFEST.in", "engine/__init__.py",
                 "designer/app.py", "packaging/neurocanvas.desktop", "packaging/make-icons.py",
                 "packaging/io.neurocanvas.NeuroCanvas.metainfo.xml"}
    assert expected - names == set()


def _runtime_paths() -> list[str]:
    """Where this interpreter finds the app's dependencies (never the app itself)."""
    paths = []
    for module in RUNTIME_MODULES:
        spec = importlib.util.find_spec(module)
        if spec is None or spec.origin in (None, "built-in", "frozen"):
            pytest.skip(f"{module} is not installed here to lend to the test venv")
        place = Path(spec.origin).parent  # a package's folder, or a module's file's
        folder = str(place.parent if spec.submodule_search_locations else place)
        if folder not in paths:
            paths.append(folder)
    return paths


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory):
    """A fresh venv with the wheel installed (no dependencies fetched: this interpreter's
    numpy, PySide6, ... are appended to its path by a .pth file, after its own
    site-packages, so ``engine`` and ``designer`` come from the wheel)."""
    wheel, _ = built
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True, check=True).stdout
    (Path(site.strip()) / "_neurocanvas_test_deps.pth").write_text(
        "\n".join(_runtime_paths()) + "\n")
    proc = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                           str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return venv


def _run(venv: Path, args: list[str], cwd: Path, timeout: float = 300):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "NEUROCANVAS_RESOURCES", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", OPENBLAS_NUM_THREADS="1",
               NEUROCANVAS_RECOVERY_DIR=str(cwd / "recovery"))
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


CHECK_INSTALLED = """
import json, sys
from pathlib import Path
import engine, designer
from engine.data import BUILTINS, load_builtin
from engine.project import load_project
from engine.resources import data_file, icon_file, resources_dir
from designer.projects import example_paths
from designer.about import app_version
from engine.lessons import LESSONS, lesson_text, lessons_dir
bundled = sorted(n for n, d in BUILTINS.items() if d.loader.__module__ == "engine.data.bundled")
shapes = {n: list(load_builtin(n).x.shape) for n in bundled}
print(json.dumps({
    "engine": engine.__file__, "designer": designer.__file__,
    "resources": str(resources_dir()), "version": app_version(),
    "examples": [p.name for p in example_paths()],
    "loaded": [load_project(p).spec.input_shape is not None for p in example_paths()],
    "data_files": {p.name: str(data_file(p.name)) for p in (resources_dir() / "data").iterdir()},
    "shapes": shapes, "icon": icon_file().is_file(),
    "lessons": {l.key: len(lesson_text(l.key)) for l in LESSONS},
    "lesson_dir": str(lessons_dir()),
}))
"""


@pytest.mark.slow
def test_installed_wheel_has_examples_and_data_outside_the_checkout(installed, tmp_path):
    proc = _run(installed, [str(installed / "bin" / "python"), "-c", CHECK_INSTALLED], tmp_path)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    for key in ("engine", "designer", "resources"):
        assert Path(found[key]).is_relative_to(installed), (key, found[key])
    assert found["version"] == ENGINE_VERSION
    assert found["examples"] == EXAMPLE_NAMES and all(found["loaded"])
    assert sorted(found["data_files"]) == DATA_NAMES
    assert set(found["shapes"]) == {"iris", "digits", "digits_images", "mnist", "shakespeare",
                                    "waveforms"}
    assert found["shapes"]["waveforms"] == [3000, 128, 1]
    assert found["shapes"]["iris"] == [150, 4] and found["shapes"]["mnist"][0] == 5000
    assert found["icon"]
    # The Learn menu's texts came with the wheel, from its resources, not the checkout.
    assert sorted(f"{key}.md" for key in found["lessons"]) == LESSON_NAMES
    assert all(size > 500 for size in found["lessons"].values())
    assert Path(found["lesson_dir"]).is_relative_to(installed)


@pytest.mark.slow
def test_installed_command_trains_a_bundled_example_headless(installed, tmp_path):
    command = str(installed / "bin" / "neurocanvas")
    version = _run(installed, [command, "--version"], tmp_path)
    assert version.returncode == 0 and ENGINE_VERSION in version.stdout
    site_example = _run(installed, [str(installed / "bin" / "python"), "-c",
                                    "from designer.projects import EXAMPLES_DIR; "
                                    "print(EXAMPLES_DIR / 'digits_mlp.ncproj')"], tmp_path)
    example = Path(site_example.stdout.strip())
    assert example.is_file() and example.is_relative_to(installed)
    out = tmp_path / "trained.ncproj"
    proc = _run(installed, [command, "train", str(example), "--epochs", "1", "--out", str(out)],
                tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "epoch 1/1" in proc.stdout and out.is_file()
    info = _run(installed, [command, "info", str(out)], tmp_path)
    assert info.returncode == 0 and "Dense" in info.stdout, info.stdout + info.stderr


OPEN_WINDOW = """
from PySide6.QtWidgets import QApplication
app = QApplication([])
from designer.app import create_main_window
from designer.app_icon import set_app_icon
from designer.projects import example_paths
set_app_icon(app)
w = create_main_window(next(p for p in example_paths() if p.stem == "digits_mlp"))
w.show()
app.processEvents()
print(len(w.examples_menu.actions()), w.windowTitle(), not app.windowIcon().isNull())
w.close()
"""


@pytest.mark.slow
def test_installed_window_opens_with_its_examples(installed, tmp_path):
    proc = _run(installed, [str(installed / "bin" / "python"), "-c", OPEN_WINDOW], tmp_path)
    assert proc.returncode == 0, proc.stderr
    count, *title, icon = proc.stdout.split()
    assert int(count) == len(EXAMPLE_NAMES)
    assert "digits_mlp" in " ".join(title) and icon == "True"
