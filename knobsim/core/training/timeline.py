"""The weights along a run, for time travel: dense near the start and near now, spaced
out in between, in bounded memory. Nothing here imports Qt.

A ``Timeline`` belongs to one session and one model. ``Session.step`` hands it every
optimizer step's weights (a reference to the array ``update`` returned: no copy) and the
session puts an entry at each recorded moment (a hand move, a change of L2, the weights
an explosion went back to). What it keeps of a run ``start .. now``: an entry at step
``s`` survives while ``(s - start) % stride == 0``, where the stride is 1 within
``dense`` steps of either end and doubles with each further ``dense * 2**k`` steps
(see ``keep_mask``). The strides only grow as the run goes on, so what is dropped is
never wanted again, and a copy fed the same entries in pieces (the window's, from a
training process) keeps exactly the same ones. After ``N`` steps that is about
``2 * dense * log2(N / dense)`` entries.

The story it tells: a hand move is part of the run (the entry at that step becomes the
weights the hand left); a reset, new data or a new model (a capacity change too) starts a
new timeline, since the old weights are no longer this model's on these data.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

#: the memory the kept weights take (bytes) after a million steps, just pruned; between
#: prunes it grows by at most a quarter, and the steps not yet settled add at most
#: ``PENDING_BYTES`` (see ``settle_mask``)
BUDGET_BYTES = 12_000_000
#: the most memory the steps appended and not yet settled may take (bytes)
PENDING_BYTES = 1_000_000
#: the steps at each end kept one by one (for models small enough; see ``dense_for``)
MAX_DENSE = 128
#: entries per dense step after a million steps: two ends, ~18 doubling bands each
_ENTRIES_PER_DENSE = 40


def dense_for(n_params: int) -> int:
    """How many steps at each end a timeline of an ``n_params`` model keeps one by one,
    so that a million steps fit ``BUDGET_BYTES`` (at least 2)."""
    per_entry = 8 * max(1, int(n_params))
    return int(np.clip(BUDGET_BYTES // (per_entry * _ENTRIES_PER_DENSE), 2, MAX_DENSE))


def strides(steps: NDArray[np.int64], start: int, now: int, dense: int) -> NDArray[np.int64]:
    """The stride in force at each of ``steps`` of a run from ``start`` to ``now``: 1
    within ``dense`` steps of either end, 2 for the next ``2 * dense``, 4 for the next
    ``4 * dense``, and so on."""
    return _stride(np.minimum(steps - start, now - steps), dense)  # from the nearer end


def keep_mask(steps: NDArray[np.int64], start: int, now: int, dense: int) -> NDArray[np.bool_]:
    """Which of ``steps`` a run from ``start`` to ``now`` keeps (``now`` always)."""
    steps = np.asarray(steps, dtype=np.int64)
    return (steps - start) % strides(steps, start, now, dense) == 0


def lasting_mask(steps: NDArray[np.int64], start: int, dense: int) -> NDArray[np.bool_]:
    """Which of ``steps`` a run from ``start`` keeps however long it goes on. As ``now``
    moves away, the stride at a step grows until it is the stride counted from the start,
    and strides are powers of two: an entry that one keeps is kept for good."""
    d = np.asarray(steps, dtype=np.int64) - start
    return d % _stride(d, dense) == 0


def _stride(d: NDArray[np.int64], dense: int) -> NDArray[np.int64]:
    band = np.floor(np.log2(np.maximum(d, 0) // dense + 1)).astype(np.int64)
    return np.left_shift(np.int64(1), band)


class Timeline:
    """The weights at chosen steps of one run of one model.

    Parameters
    ----------
    n_params
        The model's number of weights.
    start
        The step the run starts at (0 after a reset; later after a capacity change).
    dense
        Steps kept one by one at each end (default: ``dense_for(n_params)``).
    """

    __slots__ = ("n_params", "start", "dense", "settle_mask", "_steps", "_thetas", "_pending",
                 "_first", "_high")  # fmt: skip

    def __init__(self, n_params: int, start: int = 0, dense: int | None = None) -> None:
        self.n_params = int(n_params)
        self.start = int(start)
        self.dense = dense_for(n_params) if dense is None else max(1, int(dense))
        #: an optimizer loop settles when ``steps_done & settle_mask == 0``: every power of
        #: two steps (64 to 4,096) whose weights fit ``PENDING_BYTES``
        fit = max(1, PENDING_BYTES // (8 * max(1, self.n_params)))
        self.settle_mask = int(np.clip(2 ** int(np.log2(fit)), 64, 4096)) - 1
        self._steps: list[int] = []
        self._thetas: list[Array] = []
        #: steps handed over by ``add`` and not yet sorted in: their weights, and the
        #: step of the first (they follow one another)
        self._pending: list[Array] = []
        self._first = 0
        self._high = 4 * self.dense  # prune when the entries pass this

    # -- writing -----------------------------------------------------------------------
    def pending(self, first: int) -> list[Array]:
        """The list an optimizer loop appends each step's weights to (steps ``first``,
        ``first + 1``, ...). The arrays are kept, not copied: never change one after."""
        self.settle()
        self._first = int(first)
        return self._pending

    def settle(self) -> None:
        """Sort the weights appended to ``pending`` in (cheap when there are none)."""
        pend = self._pending
        if not pend:
            return
        first, k = self._first, len(pend)
        now = first + k - 1
        steps = np.arange(first, first + k, dtype=np.int64)
        keep = np.flatnonzero(keep_mask(steps, self.start, now, self.dense))
        if self._steps and self._steps[-1] >= first:
            self._drop_from(first)
        self._steps.extend((steps[keep]).tolist())
        self._thetas.extend([pend[i] for i in keep])
        pend.clear()
        self._first = now + 1  # an optimizer loop may go on appending
        if len(self._steps) > self._high:
            self._prune()

    def put(self, step: int, theta: Array) -> None:
        """The weights at ``step`` (a copy is kept); replaces an entry at the same step
        (a hand move at the step training stopped at: the run's story goes on from the
        hand's weights). Entries after ``step`` are dropped."""
        self.settle()
        step = int(step)
        if step < self.start:
            raise ValueError(f"Step {step} comes before this timeline's start ({self.start}).")
        theta = np.array(theta, dtype=float).reshape(-1)
        if theta.shape != (self.n_params,):
            raise ValueError(f"This timeline holds {self.n_params} weights, not {theta.size}.")
        self._drop_from(step)
        self._append(step, theta)

    def extend(self, steps: NDArray[np.int64], thetas: Array) -> None:
        """Entries from a copy of this timeline (a training process's ``after``):
        ``steps`` increasing, ``thetas`` shape ``(len(steps), n_params)``; they replace
        everything from the first of them on, as ``put`` does."""
        self.settle()
        if not len(steps):
            return
        if thetas.shape != (len(steps), self.n_params):
            raise ValueError(f"This timeline holds {self.n_params} weights, not {thetas.shape}.")
        self._drop_from(int(steps[0]))
        self._steps.extend(np.asarray(steps, dtype=np.int64).tolist())
        self._thetas.extend([row.copy() for row in thetas])  # rows alone, not the block
        if len(self._steps) > self._high:
            self._prune()

    def truncate(self, step: int) -> None:
        """Forget everything after ``step`` (a branch: the run goes on from there)."""
        self.settle()
        self._drop_from(int(step) + 1)

    def _append(self, step: int, theta: Array) -> None:
        self._steps.append(step)
        self._thetas.append(theta)
        if len(self._steps) > self._high:
            self._prune()

    def _drop_from(self, step: int) -> None:
        steps = self._steps
        if not steps or steps[-1] < step:
            return
        i = bisect_left(steps, step)
        del steps[i:], self._thetas[i:]

    def _prune(self) -> None:
        steps = np.asarray(self._steps, dtype=np.int64)
        keep = np.flatnonzero(keep_mask(steps, self.start, int(steps[-1]), self.dense))
        self._steps = steps[keep].tolist()
        self._thetas = [self._thetas[i] for i in keep]
        self._high = len(self._steps) + max(4 * self.dense, len(self._steps) // 4)

    # -- reading -----------------------------------------------------------------------
    @property
    def steps(self) -> NDArray[np.int64]:
        """The kept steps, increasing (a new array)."""
        self.settle()
        return np.asarray(self._steps, dtype=np.int64)

    def __len__(self) -> int:
        self.settle()
        return len(self._steps)

    @property
    def last_step(self) -> int | None:
        self.settle()
        return self._steps[-1] if self._steps else None

    def at(self, step: int) -> tuple[int, Array]:
        """The kept entry at ``step`` or the last one before it: ``(its step, weights)``
        (read-only). Raises ``LookupError`` when there is none."""
        self.settle()
        i = bisect_right(self._steps, int(step)) - 1
        if i < 0:
            raise LookupError(f"The timeline has no weights at or before step {step}.")
        theta = self._thetas[i].view()
        theta.flags.writeable = False
        return self._steps[i], theta

    def until(self, step: int, limit: int) -> Array:
        """The weights of the last ``limit`` entries at or before ``step``, oldest first,
        shape ``(m, n_params)`` (a path for the landscape)."""
        self.settle()
        i = bisect_right(self._steps, int(step))
        rows = self._thetas[max(0, i - limit) : i]
        return np.array(rows) if rows else np.zeros((0, self.n_params))

    def after(self, step: int, *, lasting: bool = False) -> tuple[NDArray[np.int64], Array]:
        """The kept entries after ``step``, oldest first: steps ``(k,)`` and weights
        ``(k, n_params)``; with ``lasting``, only those kept however long the run goes on
        (``lasting_mask``). A training process sends the lasting ones while it trains and
        the rest when it stops (``settled_until``); the window's timeline takes them with
        ``extend``."""
        self.settle()
        i = bisect_right(self._steps, int(step))
        steps = np.asarray(self._steps[i:], dtype=np.int64)
        index = np.arange(i, len(self._steps))
        if lasting:
            keep = lasting_mask(steps, self.start, self.dense)
            steps, index = steps[keep], index[keep]
        rows = [self._thetas[k] for k in index]
        return steps, (np.array(rows) if rows else np.zeros((0, self.n_params)))

    def settled_until(self) -> int:
        """The last step up to which every kept entry is a lasting one and none will change:
        what comes after it may still thin out, and the newest entry may still be replaced
        (a hand move, or the good weights after an explosion, are put at the newest step).
        ``start - 1`` when there is nothing settled."""
        self.settle()
        if not self._steps:
            return self.start - 1
        steps = np.asarray(self._steps, dtype=np.int64)
        passing = np.flatnonzero(~lasting_mask(steps, self.start, self.dense))
        first_unsettled = steps[passing[0]] if passing.size else steps[-1]
        return int(first_unsettled) - 1

    @property
    def nbytes(self) -> int:
        """Memory the kept weights take (bytes)."""
        self.settle()
        return sum(t.nbytes for t in self._thetas)

    def __deepcopy__(self, memo: dict) -> Timeline:
        # a session copied for undo shares the weights: they are never written
        return self.copy()

    def copy(self) -> Timeline:
        """An independent copy (the arrays are shared: they are never written)."""
        self.settle()
        out = Timeline(self.n_params, self.start, self.dense)
        out._steps, out._thetas = list(self._steps), list(self._thetas)
        out._high = self._high
        return out
