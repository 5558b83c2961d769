"""When training has converged: the error has stopped improving and the knobs have stopped
moving. Nothing here imports Qt.

The rule, over a window of the last ``W`` steps, ``W = max(MIN_WINDOW, WINDOW_SHARE x the
steps of the run so far)`` (a long run gets a long window, so a slow but steady descent is
not taken for a stop):

* the training error stayed within a band of ``LOSS_BAND`` (0.1%) of its value, and
* no knob moved by more than ``KNOB_BAND`` (1/1000) of its range: less than a pixel of
  its slider. This is the gradient's size as the learner sees it: the optimizer's steps
  over the window, summed (for gradient descent, the learning rate times the gradient).

Both must hold; the window must be full. After a stop, Train goes on: the watcher is told
with ``resume()`` and then waits until the error has moved by ``RESUME_BAND`` (1%) from
where it stopped before it can call a stop again, so it does not stop at once on the
same plateau.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
from numpy.typing import NDArray

MIN_WINDOW = 30
WINDOW_SHARE = 0.2
LOSS_BAND = 1e-3
KNOB_BAND = 1e-3
RESUME_BAND = 1e-2
#: samples kept (a frame each): the window is thinned to this many
MAX_SAMPLES = 600


class ConvergenceWatch:
    """Feed it ``(step, train_loss, knobs)`` after each frame of training; ``converged``
    becomes the step at which the rule first held (None until then)."""

    def __init__(self, widths: NDArray[np.float64]) -> None:
        self.widths = np.maximum(np.asarray(widths, dtype=float), 1e-12)
        self._samples: deque[tuple[int, float, NDArray[np.float64]]] = deque()
        self._first_step: int | None = None
        self._stopped_at: float | None = None  # the error at the last stop (resume())
        self.converged: int | None = None

    def reset(self) -> None:
        """Forget the run (a hand moved a knob, a new model or data)."""
        self._samples.clear()
        self._first_step = None
        self._stopped_at = None
        self.converged = None

    def resume(self) -> None:
        """Train pressed again after a stop: a new window, and no stop on this plateau."""
        self._stopped_at = self._samples[-1][1] if self._samples else None
        self._samples.clear()
        self._first_step = None
        self.converged = None

    def window(self, step: int) -> int:
        """The window, in steps, at ``step``."""
        run = step - (self._first_step if self._first_step is not None else step)
        return max(MIN_WINDOW, int(WINDOW_SHARE * run))

    def add(self, step: int, loss: float, knobs: NDArray[np.float64]) -> int | None:
        """One frame's state; returns the step of convergence when it is reached now."""
        if self.converged is not None:
            return None
        if self._first_step is None:
            self._first_step = step
        if not math.isfinite(loss):
            self._samples.clear()
            return None
        self._samples.append((int(step), float(loss), np.array(knobs, dtype=float)))
        window = self.window(step)
        # keep one sample older than the window (the window's start), drop the rest
        while len(self._samples) > 2 and self._samples[1][0] <= step - window:
            self._samples.popleft()
        if len(self._samples) > MAX_SAMPLES:
            kept = list(self._samples)
            self._samples = deque(kept[:1] + kept[1:-1:2] + kept[-1:])
        if self._holds(step, loss, window):
            self.converged = int(step)
            return self.converged
        return None

    def _holds(self, step: int, loss: float, window: int) -> bool:
        first_step, _, first_knobs = self._samples[0]
        if step - first_step < window:
            return False  # the window is not full yet
        if self._stopped_at is not None:
            if abs(loss - self._stopped_at) <= RESUME_BAND * abs(self._stopped_at):
                return False
            self._stopped_at = None  # it moved on: a later stop is a new one
        losses = [s[1] for s in self._samples]
        if max(losses) - min(losses) > LOSS_BAND * max(abs(loss), 1e-12):
            return False
        moved = np.abs(self._samples[-1][2] - first_knobs) / self.widths
        return bool(moved.max(initial=0.0) <= KNOB_BAND)
