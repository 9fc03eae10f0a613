"""Regenerate ``resources/data/waveforms.npz``, the SYNTHETIC time-series data set of the
1-D CNN example: ``python resources/examples/make_waveforms.py``. (It lives here, not in
``data/``: a .py file there would be byte-compiled into the installed data folder.)
Deterministic (a fixed seed): running it again writes the same arrays.

3000 signals of 128 steps, one channel, 500 of each of six shapes: sine, square,
triangle, sawtooth, chirp (a sine whose frequency rises or falls 2.5 to 4 times across the window) and
burst (a sine inside a short Gaussian envelope at a random place). Every signal has its
own frequency (1.5 to 6 cycles per window), phase, amplitude (0.5 to 2), offset (-0.5 to
0.5), a small linear trend, and Gaussian noise (0.05 to 0.25 of the amplitude), so the
classes differ by shape, not by scale or position. No real measurement is involved.

Arrays: ``x`` float16 (3000, 128, 1) (half precision keeps the file small; the loader
converts to float32), ``y`` uint8 (3000,) class ids in the order of ``class_names``
(shuffled, not sorted), ``class_names`` the six names.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

CLASSES = ("sine", "square", "triangle", "sawtooth", "chirp", "burst")
PER_CLASS, STEPS, SEED = 500, 128, 20261206


def shape_of(name: str, phase_at: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One period-1 shape evaluated at ``phase_at`` (cycles), values in [-1, 1]."""
    frac = np.mod(phase_at, 1.0)
    if name == "sine":
        return np.sin(2 * np.pi * phase_at)
    if name == "square":
        return np.where(frac < 0.5, 1.0, -1.0)
    if name == "triangle":
        return 4 * np.abs(frac - 0.5) - 1
    if name == "sawtooth":
        return 2 * frac - 1 if rng.random() < 0.5 else 1 - 2 * frac  # rising or falling
    raise ValueError(name)


def signal(name: str, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(STEPS) / STEPS  # the window is 1 unit long
    cycles, phase = rng.uniform(1.5, 6.0), rng.uniform(0, 1)
    if name == "chirp":
        start = rng.uniform(1.0, 3.0)
        end = start * rng.uniform(2.5, 4.0)  # at least 2.5 times: never nearly a sine
        if rng.random() < 0.5:
            start, end = end, start
        # phase(t) = start t + (end - start) t^2 / 2: the frequency moves from start to end
        wave = np.sin(2 * np.pi * (phase + start * t + (end - start) * t * t / 2))
    elif name == "burst":
        centre, width = rng.uniform(0.2, 0.8), rng.uniform(0.06, 0.15)
        wave = np.sin(2 * np.pi * (phase + 2 * cycles * t)) * \
            np.exp(-0.5 * ((t - centre) / width) ** 2)
    else:
        wave = shape_of(name, phase + cycles * t, rng)
    amplitude = rng.uniform(0.5, 2.0)
    trend = rng.uniform(-0.3, 0.3) * (t - 0.5)
    noise = rng.normal(0, rng.uniform(0.05, 0.25) * amplitude, STEPS)
    return amplitude * wave + rng.uniform(-0.5, 0.5) + trend + noise


def make(seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(CLASSES)), PER_CLASS)
    x = np.stack([signal(CLASSES[c], rng) for c in y])
    order = rng.permutation(len(y))
    return x[order, :, None].astype(np.float16), y[order].astype(np.uint8)


def main() -> None:
    x, y = make()
    path = Path(__file__).resolve().parents[1] / "data" / "waveforms.npz"
    np.savez_compressed(path, x=x, y=y, class_names=np.array(CLASSES))
    print(f"wrote {path.name}: x {x.shape} {x.dtype}, y {y.shape}, "
          f"{path.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
