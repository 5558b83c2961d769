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
error's fall takes 3 to 15 s, with more than 60 visibly different read-outs.
"""

from __future__ import annotations

import math

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
