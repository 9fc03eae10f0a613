#!/usr/bin/env bash
# Smoke-test the desktop bundle as someone without Python would run it: build it
# (packaging/build-bundle.sh, in a throwaway environment deleted before anything runs),
# check its size, open the window offscreen three times and time it, train a bundled
# example headless, and run the training process the window starts (the bundle's own
# executable with "-m engine.remote").
#
#   packaging/smoke-bundle.sh             build, then test dist/NeuroCanvas
#   NEUROCANVAS_SMOKE_BUILD=0 packaging/smoke-bundle.sh     test the bundle already built
#
# "No Python": every bundle command runs with an empty environment (env -i, PATH
# /usr/bin:/bin) and, as root with unshare(1), in a mount namespace where the system's
# Python is hidden (its programs, standard library and libpython replaced by empty
# files and folders); the script checks that python3 cannot start there. Limits: the
# size must stay under MAX_MB (250), the median time to the first painted window under
# MAX_FIRST_WINDOW_S (2.0). Making a training job for the last step needs a Python with
# NumPy (PYTHON, default .venv/bin/python, else python3); without one that step is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
bundle="$repo/dist/NeuroCanvas"
max_mb="${MAX_MB:-250}"
max_first_window="${MAX_FIRST_WINDOW_S:-2.0}"
work="$(mktemp -d /tmp/nc-smoke.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/recovery"
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "${NEUROCANVAS_SMOKE_BUILD:-1}" != 0 ]; then
  bash packaging/build-bundle.sh "$work/build-venv"
  rm -rf "$work/build-venv"  # the Python the bundle was built with is gone from here on
fi
[ -x "$bundle/neurocanvas" ] || fail "no bundle at $bundle (build it: packaging/build-bundle.sh)"

# --- a machine without Python -------------------------------------------------------
cat > "$work/no-python.sh" <<'HIDE'
set -e
for d in /usr/lib/python3* /usr/local/lib/python3* /usr/lib/*-linux-gnu/python3*; do
  if [ -d "$d" ]; then mount -t tmpfs none "$d"; fi
done
for f in /usr/bin/python* /usr/local/bin/python* /usr/lib/*-linux-gnu/libpython3*; do
  if [ -f "$f" ]; then mount --bind /dev/null "$f"; fi
done
if PATH=/usr/bin:/bin:/usr/local/bin python3 -c pass 2>/dev/null; then
  echo "python3 still runs: the namespace did not hide it" >&2; exit 99
fi
exec "$@"
HIDE
clean_env=(env -i PATH=/usr/bin:/bin HOME="$work/home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen
           NEUROCANVAS_RECOVERY_DIR="$work/recovery")
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
  no_python=(unshare -m bash "$work/no-python.sh" "${clean_env[@]}")
  echo "no Python: empty environment, system Python hidden in a mount namespace"
else
  no_python=("${clean_env[@]}")
  echo "no Python: empty environment only (hiding the system's Python needs root and unshare)"
fi
run() { (cd "$work" && "${no_python[@]}" "$@"); }

# --- size ---------------------------------------------------------------------------
size_mb=$(du -sm "$bundle" | cut -f1)
echo "bundle-size: $(du -sh "$bundle" | cut -f1) ($size_mb MiB, limit $max_mb)"
[ "$size_mb" -lt "$max_mb" ] || fail "the bundle is $size_mb MiB"

# --- the window, three times --------------------------------------------------------
times=()
for i in 1 2 3; do
  out="$(run env NEUROCANVAS_QUIT_AFTER_SHOW=1 "$bundle/neurocanvas" 2>"$work/window.err")" \
    || { cat "$work/window.err" >&2; fail "the window did not open (run $i)"; }
  t="$(sed -n 's/^first-paint-s: \([0-9.]*\).*/\1/p' <<<"$out")"
  [ -n "$t" ] || { echo "$out"; cat "$work/window.err" >&2; fail "no first-paint time"; }
  echo "first-window-s (run $i): $t"
  times+=("$t")
done
median="$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)"
echo "first-window-median-s: $median (limit $max_first_window)"
awk -v m="$median" -v l="$max_first_window" 'BEGIN { exit !(m < l) }' \
  || fail "the window took $median s"

# --- headless training of a bundled example -----------------------------------------
example="$bundle/_internal/resources/examples/digits_mlp.ncproj"
run "$bundle/neurocanvas" train "$example" --epochs 1 --out "$work/trained.ncproj" \
  | tee "$work/train.out"
grep -q "^epoch 1/1" "$work/train.out" && [ -f "$work/trained.ncproj" ] \
  || fail "headless training did not finish"
run "$bundle/neurocanvas" evaluate "$work/trained.ncproj" | tee "$work/evaluate.out"
grep -q "accuracy" "$work/evaluate.out" || fail "evaluate printed no accuracy"
echo "train: ok"

# --- the Learn menu's lesson texts came with the bundle -----------------------------
shipped=$(ls "$bundle/_internal/resources/lessons/"*.md 2>/dev/null | wc -l)
[ "$shipped" -gt 0 ] && [ "$shipped" -eq "$(ls "$repo/resources/lessons/"*.md | wc -l)" ] \
  || fail "the bundle holds $shipped lesson texts"
echo "lessons: ok ($shipped)"

# --- the training process the window starts -----------------------------------------
python="${PYTHON:-}"
if [ -z "$python" ]; then
  if [ -x .venv/bin/python ]; then python=.venv/bin/python; else python=python3; fi
fi
if PYTHONPATH="$repo" "$python" -c "import numpy, engine.run" 2>/dev/null; then
  # As designer/runner.py does: the job on stdin, kept open (its end means "stop"),
  # events read until the run's result.
  (cd "$work" && PYTHONPATH="$repo" "$python" - "$repo" "${no_python[@]}" \
     "$bundle/neurocanvas" -m engine.remote) <<'PY'
import subprocess
import sys
from pathlib import Path

from engine.data import prepare
from engine.events import Finished, RunResult, Started
from engine.project import load_project
from engine.run import make_job
from engine.wire import read_frame, write_frame

project = load_project(Path(sys.argv[1]) / "resources" / "examples" / "xor.ncproj")
job = make_job(project.spec, prepare(project.data, 0), {**project.training, "epochs": 200},
               data_config=project.data)
child = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
write_frame(child.stdin, {"job": job, "emit_interval": 0.05})
child.stdin.flush()
events = []
while not events or not isinstance(events[-1], RunResult):
    events.append(read_frame(child.stdout))
child.stdin.close()
assert child.wait(30) == 0
assert isinstance(events[0], Started) and isinstance(events[-1].ended, Finished), events[-1]
print(f"training process: ok ({len(events)} events, "
      f"{len(events[-1].ended.history)} epochs, test accuracy {events[-1].test['accuracy']:.2f})")
PY
else
  echo "training process: skipped (no Python with NumPy to make the job: set PYTHON)"
fi
echo "smoke test passed"
