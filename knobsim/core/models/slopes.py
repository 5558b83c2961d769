"""How steep the error is along each knob, on a scale that holds still while the knobs
settle (the size of the knob panel's gradient arrows). Pure numpy; no Qt here.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from knobsim.core.data.datasets import Dataset

__all__ = ["FLAT", "KEY_STEPS", "STEEP", "baseline_loss", "slope_levels", "steepness"]

#: an arrow key turns a knob by 1/KEY_STEPS of its range (as the knob panel does)
KEY_STEPS = 100
#: a key step that changes the error by at most this share of the baseline error is flat
FLAT = 1e-4
#: a key step that changes it by this share (the whole baseline) or more: full size
STEEP = 1.0


def baseline_loss(task: str, dataset: Dataset) -> float:
    """The error of the best guess that ignores the inputs, on the training data.

    Regression: the mean squared error of predicting the mean of y (y's variance).
    Classification: the cross-entropy of predicting the share of class 1 for every point.
    Next word: the cross-entropy of predicting how often each word comes next, whatever
    came before. It depends on the data alone, so it holds still while the knobs move.
    A degenerate set (all y equal) gives 1.0, so the scale stays finite.
    """
    y = np.asarray(dataset.y_train)
    if y.size == 0:
        return 1.0
    if task == "regression":
        base = float(np.var(y.astype(np.float64)))
    else:
        if task == "classification":
            p1 = float(np.mean(y >= 0.5))
            p = np.array([1.0 - p1, p1])
        else:
            counts = np.bincount(y.astype(np.int64).reshape(-1))
            p = counts / counts.sum()
        p = p[p > 0]
        base = float(-(p * np.log(p)).sum())
    return base if math.isfinite(base) and base > 1e-12 else 1.0


def steepness(grad: NDArray, ranges: NDArray, base: float) -> NDArray[np.float64]:
    """How much one key step of each knob changes the error, as a share of ``base``.

    Parameters
    ----------
    grad : array, shape (n_params,)
        The error's slope along each knob, dL/dθ.
    ranges : array, shape (n_params, 2)
        Each knob's range (low, high).
    base : float
        The baseline error (``baseline_loss``).

    Returns
    -------
    array, shape (n_params,)
        ``|dL/dθ| * (high - low) / KEY_STEPS / base``: 0.01 means one press of an arrow
        key changes the error by about 1% of what guessing without the inputs costs.
        Non-finite slopes count as steepest (inf).
    """
    g = np.abs(np.asarray(grad, dtype=np.float64))
    r = np.asarray(ranges, dtype=np.float64)
    step = (r[:, 1] - r[:, 0]) / KEY_STEPS  # (n_params,)
    with np.errstate(all="ignore"):
        s = g * step / max(float(base), 1e-12)
    return np.where(np.isfinite(s), s, np.inf)


def slope_levels(session, levels: int) -> NDArray[np.int64]:
    """The arrow size of each knob of ``session``, 0 (flat: a dot) to ``levels``.

    Sizes are a log scale of ``steepness``: 0 below ``FLAT``, then ``levels`` even steps
    of log10 up to ``STEEP`` and beyond (full size). The scale is absolute: one arrow is
    not always full size, and every arrow shrinks to a dot as training nears a minimum.

    Parameters
    ----------
    session : Session
    levels : int
        The number of sizes above flat.

    Returns
    -------
    array of int, shape (n_params,)
    """
    base = baseline_loss(session.model.task, session.dataset)
    s = steepness(session.grad(), session.model.param_ranges(), base)
    lo, hi = math.log10(FLAT), math.log10(STEEP)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (np.log10(s) - lo) / (hi - lo)  # 0 at FLAT, 1 at STEEP
    lvl = np.floor(np.nan_to_num(t, nan=-1.0, posinf=1.0, neginf=-1.0) * levels) + 1
    return np.clip(lvl, 0, levels).astype(np.int64)
