"""Loss slices: the training error as one knob sweeps its range with every other knob
held. Nothing here imports Qt.

A slice says at a glance whether a knob matters (steep), is already right (at the
bottom) or barely matters (flat). All the slices asked for are one call of the model's
vectorised ``loss_many``: a stack of copies of the knobs, each with one knob changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from knobsim.core.models.machines import Model

Array = NDArray[np.float64]

#: points along a knob's range in a slice drawn beside a knob
SLICE_POINTS = 41


@dataclass(frozen=True)
class Slices:
    """Slices for some knobs: ``values[r]`` and ``losses[r]`` (each ``(n,)``) along knob
    ``indices[r]``; ``current[r]`` is the error at the knobs as they are."""

    indices: tuple[int, ...]
    values: Array  # (k, n)
    losses: Array  # (k, n); inf where the error is not finite
    current: Array  # (k,)

    def lowest(self, r: int) -> tuple[float, float]:
        """Where along slice ``r`` the error is lowest, and that error."""
        j = int(np.argmin(self.losses[r]))
        return float(self.values[r, j]), float(self.losses[r, j])


def loss_slices(
    model: Model,
    theta: Array,
    X: NDArray,
    y: NDArray,
    indices: Sequence[int],
    ranges: NDArray,
    n: int = SLICE_POINTS,
    *,
    reach_current: bool = True,
) -> Slices:
    """The error along each knob in ``indices`` over its range, the others held.

    Parameters
    ----------
    model, theta
        The model and its knobs (n_params,).
    X, y
        The training data.
    indices : sequence of int
        Which knobs (e.g. the ones on screen).
    ranges : ndarray (n_params, 2)
        Every knob's range (only those in ``indices`` are read).
    n : int
        Points per slice, evenly spread over the range.
    reach_current : bool
        Widen a range that does not reach the knob's value up to it (default), so the
        slice always shows where the knob is.
    """
    theta = np.asarray(theta, dtype=float)
    indices = tuple(int(i) for i in indices)
    k = len(indices)
    if k == 0:
        empty = np.zeros((0, n))
        return Slices((), empty, empty, np.zeros(0))
    ranges = np.asarray(ranges, dtype=float)[list(indices)]
    lo, hi = ranges[:, 0], ranges[:, 1]
    if reach_current:
        lo, hi = np.minimum(lo, theta[list(indices)]), np.maximum(hi, theta[list(indices)])
    values = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, n)[None, :]  # (k, n)
    thetas = np.repeat(theta[None, :], k * n, axis=0)
    rows = np.arange(k * n)
    thetas[rows, np.repeat(indices, n)] = values.ravel()
    with np.errstate(all="ignore"):
        losses = model.loss_many(np.vstack([thetas, theta[None, :]]), X, y)
    losses = np.where(np.isfinite(losses), losses, np.inf)
    current = np.full(k, losses[-1])
    return Slices(indices, values, losses[:-1].reshape(k, n), current)


def refine_lowest(
    model: Model, theta: Array, X: NDArray, y: NDArray, slices: Slices, r: int, n: int = 41
) -> tuple[float, float]:
    """The lowest point of slice ``r``, found again on a finer grid around the coarse one."""
    values = slices.values[r]
    j = int(np.argmin(slices.losses[r]))
    lo = values[max(j - 1, 0)]
    hi = values[min(j + 1, len(values) - 1)]
    i = slices.indices[r]
    ranges = np.zeros((theta.size, 2))
    ranges[i] = lo, hi
    fine = loss_slices(model, theta, X, y, [i], ranges, n, reach_current=False)
    j = int(np.argmin(fine.losses[0]))
    if fine.losses[0, j] <= slices.losses[r].min():
        return float(fine.values[0, j]), float(fine.losses[0, j])
    return slices.lowest(r)
