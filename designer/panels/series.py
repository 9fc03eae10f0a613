"""A fixed-capacity (x, y) series for live plots: memory stays flat however long a run.

When full, neighbouring points are averaged in pairs and later points are averaged in
groups twice as large, so the curve keeps its shape at half the resolution. Appends are
amortised O(1); ``view`` returns slices of preallocated arrays (no copies).
"""
from __future__ import annotations

import numpy as np


class BoundedSeries:
    def __init__(self, capacity: int = 20_000):
        if capacity < 4 or capacity % 2:
            raise ValueError("capacity must be an even number of at least 4")
        self.x = np.empty(capacity)
        self.y = np.empty(capacity)
        self.n = 0
        self.stride = 1  # raw points averaged into one stored point
        self._acc_x = self._acc_y = 0.0
        self._acc_n = 0

    def __len__(self) -> int:
        return self.n

    def append(self, x: float, y: float) -> None:
        self._acc_x += x
        self._acc_y += y
        self._acc_n += 1
        if self._acc_n < self.stride:
            return
        if self.n == len(self.x):
            self._halve()
        self.x[self.n] = self._acc_x / self._acc_n
        self.y[self.n] = self._acc_y / self._acc_n
        self.n += 1
        self._acc_x = self._acc_y = 0.0
        self._acc_n = 0

    def extend(self, xs, ys) -> None:
        """Append many points: the same as ``append`` one by one, but whole groups of
        ``stride`` points are averaged with NumPy (a fast network reports thousands of
        batches a second, and this runs on the GUI thread)."""
        xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        i, total = 0, len(xs)
        while i < total:
            if self._acc_n:  # finish the open group point by point
                self.append(xs[i], ys[i])
                i += 1
                continue
            whole = (total - i) // self.stride
            if not whole:  # fewer points than a group: they open the next one
                for j in range(i, total):
                    self.append(xs[j], ys[j])
                return
            if self.n == len(self.x):  # ``append`` halves as this group is stored
                group = self.stride
                for j in range(i, i + group):
                    self.append(xs[j], ys[j])
                i += group
                continue
            k = min(whole, len(self.x) - self.n)
            end = i + k * self.stride
            self.x[self.n:self.n + k] = xs[i:end].reshape(k, self.stride).mean(axis=1)
            self.y[self.n:self.n + k] = ys[i:end].reshape(k, self.stride).mean(axis=1)
            self.n += k
            i = end

    def _halve(self) -> None:
        half = self.n // 2
        self.x[:half] = (self.x[0:self.n:2] + self.x[1:self.n:2]) / 2
        self.y[:half] = (self.y[0:self.n:2] + self.y[1:self.n:2]) / 2
        self.n = half
        self.stride *= 2

    def view(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x[:self.n], self.y[:self.n]

    def clear(self) -> None:
        self.n, self.stride, self._acc_n = 0, 1, 0
        self._acc_x = self._acc_y = 0.0
