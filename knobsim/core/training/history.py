"""Bounded, decimating loss history. Nothing here imports Qt.

Points live in preallocated numpy buffers, so appending is O(1) and the plots can take
views of the stored points without copies.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


class LossHistory:
    """Train/test loss per step with bounded memory: when full, it keeps every second point
    (so the whole run stays visible at coarser resolution).

    Up to ``2 * limit`` points are stored. When the buffers fill up, every second stored
    point is dropped and the stride doubles: from then on only every ``stride``-th appended
    point is kept for good, so the stored points stay evenly spread over the whole run.
    The first point ever appended and the most recent one are always stored (the most
    recent one may sit between two grid points until the next grid point replaces it).

    Hand moves of a knob are recorded with :meth:`mark` and bounded the same way.

    Parameters
    ----------
    limit : int
        At least 1. Between ``limit`` and ``2 * limit`` points are kept once the run is
        long enough.
    """

    __slots__ = (
        "limit",
        "_cap",
        "_steps",
        "_train",
        "_test",
        "_n",
        "_tail",
        "_count",
        "_stride",
        "_last_step",
        "_marks",
    )

    def __init__(self, limit: int = 2000) -> None:
        if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
            raise ValueError(
                f"The history limit must be a whole number of 1 or more (got {limit!r})."
            )
        self.limit = int(limit)
        self._cap = 2 * self.limit
        self._steps = np.zeros(self._cap, dtype=np.int64)
        self._train = np.zeros(self._cap, dtype=np.float64)
        self._test = np.zeros(self._cap, dtype=np.float64)
        self._marks: list[tuple[int, str]] = []
        self.clear()

    # Invariant: committed point j (j < _n) is the (j * _stride)-th append since clear();
    # the next append is committed iff _count == _n * _stride. A not-yet-committed latest
    # point (the tail) sits in slot _n.

    def clear(self) -> None:
        """Forget every point and mark (the buffers are kept)."""
        self._n = 0
        self._tail = False
        self._count = 0
        self._stride = 1
        self._last_step: int | None = None
        self._marks = []

    def append(self, step: int, train: float, test: float) -> None:
        """Record the losses after optimizer step ``step``.

        Parameters
        ----------
        step : int
            Not smaller than the previous step (equal is fine, e.g. after a hand move).
        train, test : float
            Losses; NaN and inf are stored as they are.
        """
        last = self._last_step
        if last is not None and step < last:
            raise ValueError(
                f"Step {step} comes before the last recorded step {last}; "
                "call clear() before starting a new run."
            )
        n = self._n
        self._steps[n] = step
        self._train[n] = train
        self._test[n] = test
        self._last_step = step
        count = self._count
        self._count = count + 1
        if count == n * self._stride:
            n += 1
            self._n = n
            self._tail = False
            if n == self._cap:
                self._decimate()
        else:
            self._tail = True

    def extend(self, steps: ArrayLike, train: ArrayLike, test: ArrayLike) -> None:
        """Append many points at once; same result as calling :meth:`append` for each.

        Parameters
        ----------
        steps : array_like of int, shape (k,)
            Non-decreasing, and not before the last recorded step.
        train, test : array_like of float, shape (k,)
        """
        steps = np.asarray(steps, dtype=np.int64).reshape(-1)
        train = np.asarray(train, dtype=np.float64).reshape(-1)
        test = np.asarray(test, dtype=np.float64).reshape(-1)
        k = steps.shape[0]
        if train.shape[0] != k or test.shape[0] != k:
            raise ValueError(
                f"extend() needs as many train and test losses as steps "
                f"(got {k} steps, {train.shape[0]} train, {test.shape[0]} test)."
            )
        if k == 0:
            return
        if np.any(steps[1:] < steps[:-1]) or (
            self._last_step is not None and steps[0] < self._last_step
        ):
            raise ValueError(
                "The steps must not go backwards; call clear() before starting a new run."
            )
        cap = self._cap
        i = 0
        while i < k:
            s, n, count = self._stride, self._n, self._count
            first = n * s - count  # offset of the next committed point, in [0, s)
            # take as many points as fit before the buffers are full
            size = min(k - i, first + (cap - n - 1) * s + 1)
            if first < size:
                src = slice(i + first, i + size, s)
                m = len(range(first, size, s))
                self._steps[n : n + m] = steps[src]
                self._train[n : n + m] = train[src]
                self._test[n : n + m] = test[src]
                n += m
            count += size
            self._n, self._count = n, count
            if count - 1 == (n - 1) * s:  # the latest point was committed
                self._tail = False
                if n == cap:
                    self._decimate()
            else:
                j = i + size - 1
                self._steps[n] = steps[j]
                self._train[n] = train[j]
                self._test[n] = test[j]
                self._tail = True
            i += size
        self._last_step = int(steps[-1])

    def _decimate(self) -> None:
        # Full, and the latest point was just committed to the last slot. Keep the even
        # slots (the first point among them), double the stride, and keep the latest
        # point as the tail; it is off the new grid.
        cap, half = self._cap, self._cap // 2
        for buf in (self._steps, self._train, self._test):
            buf[:half] = buf[0:cap:2]  # numpy copies through a buffer when slices overlap
            buf[half] = buf[cap - 1]
        self._n = half
        self._tail = True
        self._stride *= 2

    def mark(self, step: int, label: str = "hand") -> None:
        """Record that a knob was moved by hand at ``step``.

        A repeat of the latest mark (same step and label, as while dragging a slider) is
        not stored twice. At most ``2 * limit`` marks are kept; when full, every second mark
        is dropped, always keeping the first and the most recent.
        """
        marks = self._marks
        item = (int(step), str(label))
        if marks and marks[-1] == item:
            return
        if len(marks) == self._cap:
            del marks[1::2]  # keeps index 0; the new mark becomes the most recent
        marks.append(item)

    def _view(self, buf: NDArray) -> NDArray:
        view = buf[: self._n + self._tail]
        view.flags.writeable = False
        return view

    @property
    def steps(self) -> NDArray[np.int64]:
        """Steps of the stored points, shape ``(len(self),)``, increasing.

        A read-only view of the internal buffer, not a copy: it is meant to be handed
        straight to a plot. Its contents change on the next append, extend or clear; copy
        it to keep it.
        """
        return self._view(self._steps)

    @property
    def train(self) -> NDArray[np.float64]:
        """Training losses of the stored points (read-only view; see :attr:`steps`)."""
        return self._view(self._train)

    @property
    def test(self) -> NDArray[np.float64]:
        """Test losses of the stored points (read-only view; see :attr:`steps`)."""
        return self._view(self._test)

    @property
    def stride(self) -> int:
        """How many appended points each committed stored point stands for (1, 2, 4, ...)."""
        return self._stride

    @property
    def marks(self) -> list[tuple[int, str]]:
        """Hand moves as ``(step, label)`` pairs, oldest first (a new list)."""
        return list(self._marks)

    def __len__(self) -> int:
        return self._n + self._tail

    def until(self, step: int) -> LossHistory:
        """A new history holding the points and marks up to ``step`` (a look back at a
        run: no point of this one is dropped)."""
        steps = self.steps
        n = int(np.searchsorted(steps, step, side="right"))
        out = LossHistory(max(self.limit, n // 2 + 1))
        out.extend(steps[:n], self.train[:n], self.test[:n])
        out._marks = [m for m in self._marks if m[0] <= step]
        return out

    def last(self) -> tuple[int, float, float] | None:
        """The most recent ``(step, train, test)``, or None when empty."""
        n = self._n + self._tail
        if n == 0:
            return None
        i = n - 1
        return int(self._steps[i]), float(self._train[i]), float(self._test[i])


def peak_decimate(
    x: NDArray, columns: list[NDArray], buckets: int
) -> tuple[NDArray, list[NDArray]]:
    """Thin a curve to two points per bucket, keeping each bucket's lowest and highest
    value, so a plot ``buckets`` pixels wide looks the same with far fewer points.

    Parameters
    ----------
    x : array, shape (n,)
        Non-decreasing (steps).
    columns : list of arrays, shape (n,) each
        The curves over ``x`` (train and test error); NaN is skipped within a bucket.
    buckets : int
        About the plot's width in pixels.

    Returns
    -------
    x, columns
        As given when ``n <= 2 * buckets``; otherwise ``2 * buckets + 1`` points: each
        bucket at its first and last ``x``, its extremes in the order the curve visits
        them, then the last point itself, so the curve ends at the value it has now (a
        bucket's extremes alone can end it at a low it has since left).
    """
    x = np.asarray(x)
    n = x.size
    buckets = max(1, int(buckets))
    if n <= 2 * buckets:
        return x, columns
    starts = np.linspace(0, n, buckets + 1).astype(np.int64)[:-1]
    ends = np.append(starts[1:], n) - 1
    xs = np.empty(2 * buckets + 1, dtype=np.float64)
    xs[0:-1:2], xs[1:-1:2] = x[starts], x[ends]
    xs[-1] = x[-1]
    out = []
    for y in columns:
        y = np.asarray(y, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            lo, hi = np.fmin.reduceat(y, starts), np.fmax.reduceat(y, starts)
        falling = ~(y[starts] < y[ends])  # a falling (or flat) bucket: its high comes first
        ys = np.empty(2 * buckets + 1, dtype=np.float64)
        ys[0:-1:2] = np.where(falling, hi, lo)
        ys[1:-1:2] = np.where(falling, lo, hi)
        ys[-1] = y[-1]
        out.append(ys)
    return xs, out
