#!/usr/bin/env bash
# Set up NeuroCanvas on Debian 12 (or Ubuntu): the system libraries Qt needs, a virtual
# environment in .venv, and NeuroCanvas with its test and export extras. Safe to run
# again: it installs only what is missing (the Python packages again only when
# pyproject.toml changed), so once set up it needs no network.
set -euo pipefail
cd "$(dirname "$0")/.."

# Qt's offscreen and xcb (real window) platform plugins need these.
QT_LIBS=(libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0
         libxkbcommon0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
         libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
         libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0 libx11-xcb1 fonts-dejavu-core)
missing=()
for pkg in "${QT_LIBS[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# The keyboard tests run the window under a virtual X server (they skip without it).
for pkg in xvfb xauth; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
command -v python3 >/dev/null 2>&1 || missing+=(python3)
{ python3 -m venv --help && python3 -c "import ensurepip"; } >/dev/null 2>&1 \
  || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "NeuroCanvas needs these system packages, and sudo is not installed here." >&2
      echo "Run this as root, then run this script again:" >&2
      echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
    sudo="sudo"
  fi
  echo "Installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  # (debconf's "delaying package configuration" note on a minimal system is noise)
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The Python side is installed again only when pyproject.toml changed since the last
# set-up (a stamp of its hash), so a set-up machine launches offline and at once.
stamp=.venv/.neurocanvas-setup
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# (setuptools warns that an editable install is one: true, and noise to a newcomer)
PYTHONWARNINGS=ignore .venv/bin/python -m pip install -q -e ".[test]"
echo "$want" > "$stamp"
echo "NeuroCanvas is set up in .venv"
