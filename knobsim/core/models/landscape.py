"""The loss landscape: error over a grid of two knobs, the others held. Nothing here imports Qt.

Vectorised: the grid's parameter vectors are stacked and evaluated by the model's
``loss_many`` in a few large chunks, never in a Python loop over cells.
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Iterator

import numpy as np
from numpy.typing import NDArray

from knobsim.core.models.machines import MLP, Model

Array = NDArray[np.float64]

#: float64 elements one chunk may hold in its widest temporary (about 16 MB)
CHUNK_ELEMENTS = 2_000_000


def grid_axes(model: Model, i: int, j: int, n: int = 41) -> tuple[Array, Array]:
    """Evenly spaced values over the slider ranges of parameters ``i`` and ``j``."""
    ranges = model.param_ranges()
    return np.linspace(*ranges[i], n), np.linspace(*ranges[j], n)


def _work_per_theta(model: Model, n_samples: int) -> int:
    """Rough size of the widest per-parameter-vector temporary of ``loss_many``."""
    width = max(getattr(model, "hidden", (1,)) or (1,))
    if model.task == "nextword":
        return model.n_params
    return max(1, n_samples * width, model.n_params)


def _losses(model: Model, theta: Array, i: int, j: int, X, y, a: Array, b: Array) -> Array:
    """Loss at every (a[c], b[r]) with the other knobs of ``theta`` held, (b.size, a.size)."""
    k = b.size * a.size
    thetas = np.broadcast_to(theta, (k, theta.size)).copy()  # (k, n_params)
    thetas[:, i] = np.tile(a, b.size)
    thetas[:, j] = np.repeat(b, a.size)
    if isinstance(model, MLP):
        losses = model.data_loss_of_outputs(_mlp_outputs(model, theta, thetas, i, j, X), y)
        losses += model.penalty_many(thetas)
    else:
        losses = model.loss_many(thetas, X, y)
    return losses.reshape(b.size, a.size)


def _mlp_outputs(model: MLP, theta: Array, thetas: Array, i: int, j: int, X) -> Array:
    """The network's outputs z (k, n) for ``thetas`` (k, n_params), which differ from
    ``theta`` in knobs i and j only: each layer computed no more often than it varies.

    The layers before the pair's are the same for every k: computed once. When both
    knobs feed the same hidden layer, only the units they feed vary, and the next layer
    sums over units: the held units' share of that sum is computed once too (for two
    first-layer weights of a 16-unit layer, 2 units run k times instead of 16).
    """
    (layer_i, unit_i), (layer_j, unit_j) = model.layer_of(i), model.layer_of(j)
    first = min(layer_i, layer_j)
    outs = model.forward(theta, model.features(X).T)  # at theta: [F^T, h1, (h2), z]
    last = len(outs) - 2
    if layer_i != layer_j or first == last:
        return model.forward(thetas, outs[first], first)[-1]
    vary = np.unique([unit_i, unit_j])  # the units of layer ``first`` that vary
    held = np.setdiff1d(np.arange(outs[first + 1].shape[0]), vary)  # and the rest, ones row too
    # samples first here, (n, k, units): each product is then one large matmul
    n_in1, n = outs[first].shape
    W_vary = model.block(thetas, first)[:, :, vary]  # (k, n_in + 1, m)
    W_vary = W_vary.transpose(1, 0, 2).reshape(n_in1, -1)  # (n_in + 1, k * m)
    a_vary = (outs[first].T @ W_vary).reshape(n, len(thetas), vary.size)  # (n, k, m)
    h_vary = model.act(a_vary, out=a_vary)
    W_next = model.block(theta, first + 1)  # held, (n_out + 1, n_next)
    a_next = h_vary @ W_next[vary]  # (n, k, n_next): the varying units' share
    a_next += (outs[first + 1][held].T @ W_next[held])[:, None, :]  # the held units', once
    z = a_next  # layer first + 1's pre-activation; it and the layers after it are held
    for layer in range(first + 2, last + 1):
        W_b = model.block(theta, layer)  # [W; b], (n_in + 1, n_out)
        z = model.act(z, out=z) @ W_b[:-1]
        z += W_b[-1]
    return z[:, :, 0].T  # (k, n)


def loss_grid(
    model: Model,
    theta: Array,
    i: int,
    j: int,
    X: NDArray,
    y: NDArray,
    a_values: Array,
    b_values: Array,
) -> Array:
    """Loss with parameter ``i`` set to each of ``a_values`` and ``j`` to each of ``b_values``.

    Returns
    -------
    ndarray, shape (len(b_values), len(a_values))
        ``Z[r, c]`` is the loss at ``theta[i] = a_values[c]``, ``theta[j] = b_values[r]``,
        every other parameter as in ``theta``.
    """
    job = GridJob(model, theta, i, j, X, y, a_values, b_values)
    job.advance(math.inf)
    return job.Z


class GridJob:
    """The grid of :func:`loss_grid` computed a piece at a time (between frames, or between
    training chunks in the training process): ``Z`` fills row by row, NaN where not yet
    computed.

    ``theta`` is a copy: the other knobs stay where they were when the job began.
    """

    def __init__(
        self,
        model: Model,
        theta: Array,
        i: int,
        j: int,
        X: NDArray,
        y: NDArray,
        a_values: Array,
        b_values: Array,
        *,
        piece_s: float | None = None,
        chunk_elements: int = CHUNK_ELEMENTS,
    ) -> None:
        self.model, self.X, self.y = model, X, y
        self.theta = np.array(theta, dtype=float)  # (n_params,)
        self.i, self.j = int(i), int(j)
        self.a = np.asarray(a_values, dtype=float)  # (na,) across
        self.b = np.asarray(b_values, dtype=float)  # (nb,) up
        self.Z = np.full((self.b.size, self.a.size), np.nan)  # (nb, na)
        self.spent = 0.0  # seconds of computing so far
        self.done = self.Z.size == 0
        self._pieces = self.pieces(piece_s=piece_s, chunk_elements=chunk_elements)

    def pieces(
        self, *, piece_s: float | None = None, chunk_elements: int = CHUNK_ELEMENTS
    ) -> Iterator[tuple[slice, slice, Array]]:
        """The grid in pieces, row by row: (rows, columns, losses).

        Without ``piece_s`` a piece is as many whole rows as fit ``chunk_elements`` (the
        quickest way through). With it a piece aims at ``piece_s`` seconds: the cost of one
        parameter vector is learned as it goes, so a small model gets several rows at once
        and big data a few cells of one row, and one piece never blocks for long.
        """
        if self.i == self.j:
            raise ValueError("Pick two different knobs for the landscape.")
        a, b = self.a, self.b
        na, nb = a.size, b.size
        most = max(1, chunk_elements // _work_per_theta(self.model, len(self.X)))  # per piece
        cost = None  # seconds per parameter vector (running estimate)
        r = c = 0
        while r < nb:
            want = most
            if piece_s is not None:
                want = 1 if cost is None else min(most, max(1, int(piece_s / cost)))
            t0 = time.perf_counter()
            if c == 0 and want >= na:
                rows, cols = slice(r, min(nb, r + want // na)), slice(0, na)
            else:
                rows, cols = slice(r, r + 1), slice(c, min(na, c + want))
            values = _losses(
                self.model, self.theta, self.i, self.j, self.X, self.y, a[cols], b[rows]
            )
            r, c = (rows.stop, 0) if cols.stop == na else (r, cols.stop)
            per = (time.perf_counter() - t0) / values.size
            cost = per if cost is None else 0.5 * (cost + per)
            yield rows, cols, values

    def advance(self, budget_s: float = 0.0) -> bool:
        """Compute pieces for about ``budget_s`` seconds (one at least); True when complete."""
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):  # huge weights overflow to inf: drawn as the worst
            while not self.done:
                rows, cols, values = next(self._pieces)
                self.Z[rows, cols] = values
                self.done = rows.stop == self.b.size and cols.stop == self.a.size
                if time.perf_counter() - t0 >= budget_s:
                    break
        self.spent += time.perf_counter() - t0
        return self.done

    def coarse(self) -> Array:
        """The grid at every other value of each axis, each value standing for the full
        grid's cells around it: a quarter of the work, the full grid's shape."""
        a, b = self.a, self.b
        part = GridJob(self.model, self.theta, self.i, self.j, self.X, self.y, a[::2], b[::2])
        part.advance(math.inf)
        near_a, near_b = (np.arange(a.size) + 1) // 2, (np.arange(b.size) + 1) // 2
        return part.Z[np.ix_(near_b, near_a)]


class GridSchedule:
    """When the landscape view computes which grid: the decisions, without a clock or a
    timer of its own (the view passes ``now``, in seconds, and keeps the timers).

    A hand move first gets the coarse grid, computed at once where that is known to cost
    under ``COARSE_BUDGET_MS``; the full grid follows when the hand has rested
    ``REFINE_MS``. Otherwise (while training, or where even the coarse grid is dear) the
    full grid comes progressively, a new one at most every ``MIN_INTERVAL_MS``
    (``TRAINING_INTERVAL_MS`` while training: the frames come first).
    """

    COARSE_BUDGET_MS = 6.0
    REFINE_MS = 150
    MIN_INTERVAL_MS = 125.0  # at most 8 new grids a second after hand moves
    TRAINING_INTERVAL_MS = 250.0  # and 4 a second while training
    #: a full grid dearer than this many coarse budgets needs no coarse timing: too dear
    DEAR_FACTOR = 40

    def __init__(self) -> None:
        self.coarse_ms: dict[Hashable, float] = {}  # what a coarse grid costs, per landscape
        self.stale_since: float | None = None  # when the picture stopped showing the weights
        self.last_start = -math.inf  # when the newest computation began

    def interval_ms(self, training: bool) -> float:
        return self.TRAINING_INTERVAL_MS if training else self.MIN_INTERVAL_MS

    def coarse_is_cheap(self, key: Hashable) -> bool:
        """Does the coarse grid of landscape ``key`` fit a frame? Unknown until one grid of
        it was computed (that one comes progressively)."""
        cost = self.coarse_ms.get(key)
        return cost is not None and cost <= self.COARSE_BUDGET_MS

    def wants_coarse_timing(self, key: Hashable, full_ms: float) -> bool:
        """A full grid of ``key`` took ``full_ms``: time its coarse grid now? Once per
        landscape, and not for one so dear that its coarse grid cannot be cheap."""
        if key in self.coarse_ms:
            return False
        if full_ms > self.DEAR_FACTOR * self.COARSE_BUDGET_MS:
            self.coarse_ms[key] = full_ms
            return False
        return True

    def went_stale(self, now: float) -> None:
        if self.stale_since is None:
            self.stale_since = now

    def settled(self) -> None:
        self.stale_since = None

    def started(self, now: float) -> None:
        self.last_start = now

    def restart_running(self, now: float, training: bool, same_landscape: bool) -> bool:
        """A computation runs for older weights: restart it for the new ones? For another
        landscape always; for new weights only early on, so a steady stream of training
        ticks cannot starve a long job (later changes wait for it to finish)."""
        since = now if self.stale_since is None else self.stale_since
        return not same_landscape or (now - since) * 1000.0 < self.interval_ms(training)

    def wait_ms(self, now: float, training: bool, fresh: bool) -> float:
        """How long until the next computation may start; none for a fresh picture (the
        old one means nothing any more)."""
        if fresh:
            return 0.0
        return max(0.0, self.interval_ms(training) - (now - self.last_start) * 1000.0)
