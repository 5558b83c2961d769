"""The Watch pace: how many optimizer steps to take each frame so that a person can watch
gradient descent work. Nothing here imports Qt.

The rule. What a person follows is the error read-out and the curves it draws, so the pace
holds the error's *relative* change per frame near a target: about half a percent a frame
at first, so the first steps (where the knobs move most) take a few seconds, then a
little more each second, so a long tail or a plateau does not drag on. After each frame
it compares the change it got with the change it wanted and scales the steps per frame
by the ratio (at most doubling or halving per frame, so one odd frame does not throw it).
Below one step per frame it owes fractional steps, as the fixed slow speeds do: at the
very start of a steep descent, one step can already be several frames' worth of change.

Measured by ``benchmarks/bench_watch.py`` on each model's default window: 95% of the
error's fall takes 4.8 to 10.7 s, with 64 to 201 visibly different read-outs.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: the target relative change of the training error per frame, at the start of a run
START_CHANGE = 0.0035
#: the target grows by START_CHANGE every this many seconds of a run
GROWTH_S = 10.0
#: fewest steps per frame (one step every 8 frames) and the most before the time budget
MIN_STEPS = 1.0 / 8.0
MAX_STEPS = 100_000.0
#: one frame may change the steps per frame by at most this factor either way
MAX_FACTOR = 2.0


class WatchPace:
    """Steps per frame for the Watch pace (see the module notes).

    Use: ``start()`` when Train is pressed; each frame ``steps(seconds)`` says how many
    steps to take now, then ``observe(steps, loss_before, loss_after)`` says what they did.
    """

    def __init__(self) -> None:
        self.per_frame = MIN_STEPS  # the current steps per frame (may be fractional)
        self.seconds = 0.0  # the run's time so far
        self._owed = 0.0

    def start(self) -> None:
        """A new run: slow again (a run's first steps are the ones worth watching)."""
        self.per_frame = MIN_STEPS
        self.seconds = 0.0
        self._owed = 0.0

    def target(self) -> float:
        """The relative change of the error wanted this frame."""
        return START_CHANGE * (1.0 + self.seconds / GROWTH_S)

    def steps(self, frame_seconds: float) -> int:
        """Whole steps to take this frame (the fraction is owed to the next ones)."""
        self.seconds += max(0.0, frame_seconds)
        self._owed += self.per_frame
        n = int(self._owed)
        self._owed -= n
        return n

    def observe(self, steps: int, loss_before: float, loss_after: float) -> None:
        """What ``steps`` steps did to the training error: set the next frames' pace."""
        if steps <= 0:
            return
        if not (math.isfinite(loss_before) and math.isfinite(loss_after)):
            self.per_frame = MIN_STEPS  # something blew up: slow right down
            return
        if loss_before <= 0.0 or loss_after <= 0.0:
            change = 0.0 if loss_before == loss_after else math.inf
        else:
            change = abs(math.log(loss_after / loss_before))
        # the pace the change asks for, in steps per frame, taken in a factor of two
        per_step = change / steps
        wanted = self.target() / per_step if per_step > 0 else math.inf
        factor = min(MAX_FACTOR, max(1.0 / MAX_FACTOR, wanted / max(self.per_frame, 1e-12)))
        self.per_frame = min(MAX_STEPS, max(MIN_STEPS, self.per_frame * factor))


#: a replay at the Watch pace stops growing slower than this (frames; a minute at 60 Hz):
#: past it the remaining entries are spread evenly over the last frames
MAX_REPLAY_FRAMES = 3600


def watch_ticks(
    entry_steps: ArrayLike,
    loss_steps: ArrayLike,
    losses: ArrayLike,
    first: int = 0,
    frame_seconds: float = 1.0 / 60.0,
) -> NDArray[np.int64]:
    """Which timeline entry a replay shows at each frame, at the Watch pace: the run played
    back as :class:`WatchPace` would have trained it live, frame by frame, from entry
    ``first`` to the last.

    Parameters
    ----------
    entry_steps : array of int, increasing
        The step of each timeline entry (kept densely near the ends of a run).
    loss_steps, losses : arrays
        The run's training error curve (the loss history), which the pace reads: the
        error at a step between two recorded points is interpolated (in log, as the pace
        measures relative change).
    first : int
        The entry to start from.

    Returns
    -------
    array of int
        Entry indices, one a frame, non-decreasing, from ``first`` to the last entry.
    """
    steps = np.asarray(entry_steps, dtype=np.int64)
    n = len(steps)
    first = int(np.clip(first, 0, max(n - 1, 0)))
    if n - first < 2:
        return np.full(2, n - 1 if n else 0, dtype=np.int64)
    xs = np.asarray(loss_steps, dtype=float)
    ys = np.asarray(losses, dtype=float)
    ok = np.isfinite(ys) & (ys > 0)
    xs, log_ys = xs[ok], np.log(ys[ok]) if ok.any() else np.zeros(0)

    def loss_at(step: float) -> float:
        return float(math.exp(np.interp(step, xs, log_ys))) if len(xs) else 1.0

    pace = WatchPace()
    pace.start()
    at, last = float(steps[first]), float(steps[-1])
    ticks = [first]
    while at < last and len(ticks) < MAX_REPLAY_FRAMES:
        k = pace.steps(frame_seconds)
        if k:
            before = loss_at(at)
            at = min(last, at + k)
            pace.observe(k, before, loss_at(at))
        ticks.append(int(np.searchsorted(steps, at, side="right")) - 1)
    if at < last:  # past a minute: the rest evenly over the last second
        tail = np.linspace(ticks[-1], n - 1, 60).round().astype(np.int64)
        ticks.extend(tail.tolist())
    return np.maximum.accumulate(np.asarray(ticks, dtype=np.int64)).clip(first, n - 1)
