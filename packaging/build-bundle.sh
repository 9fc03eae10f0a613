#!/usr/bin/env bash
# Build the desktop bundle dist/NeuroCanvas/: one folder that runs where no Python is
# installed. Its command dist/NeuroCanvas/neurocanvas opens the window, or runs a
# headless subcommand (neurocanvas train PROJECT ...), as the installed command does.
#
#   packaging/build-bundle.sh [VENV]      VENV: the build environment to (re)create,
#                                         default /tmp/neurocanvas-bundle-venv
#
# The build environment is made fresh each time with NeuroCanvas's runtime dependencies
# (pyproject.toml's [project] dependencies, no extras) and PyInstaller only: pyqtgraph
# pulls scipy, pandas and matplotlib into a bundle when they are installed (the spec
# excludes them and PyTorch as well). Needs python3 with venv and the package index.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-/tmp/neurocanvas-bundle-venv}"
pyinstaller_req="pyinstaller>=6.22,<7"
export PIP_DISABLE_PIP_VERSION_CHECK=1

start=$(date +%s)
rm -rf "$venv"
python3 -m venv "$venv"
mapfile -t deps < <("$venv/bin/python" -c '
import tomllib
for dep in tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]:
    print(dep)')
"$venv/bin/python" -m pip install -q "${deps[@]}" "$pyinstaller_req"
for unwanted in scipy pandas matplotlib torch; do
  if "$venv/bin/python" -c "import $unwanted" 2>/dev/null; then
    echo "error: $unwanted is in the build environment $venv" >&2; exit 1
  fi
done

rm -rf dist/NeuroCanvas build/pyinstaller
"$venv/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/neurocanvas.spec

bundle=dist/NeuroCanvas
for f in neurocanvas _internal/resources/data/SOURCES.md _internal/resources/icons/neurocanvas-512.png \
         _internal/resources/examples/digits_mlp.ncproj _internal/engine/io/templates/check_common.py; do
  [ -e "$bundle/$f" ] || { echo "error: $bundle/$f is missing" >&2; exit 1; }
done
for unwanted in scipy pandas matplotlib torch; do
  if [ -e "$bundle/_internal/$unwanted" ]; then
    echo "error: $unwanted got into the bundle" >&2; exit 1
  fi
done
echo "built $bundle ($(du -sh "$bundle" | cut -f1), $(( $(date +%s) - start )) s with the environment)"
