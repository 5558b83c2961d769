"""Knob ranges that fit the model and its data, and widen when a knob is pushed past them.

A slider's range is what one pixel of it is worth: a line's ``b`` on ±5 is 0.05 a pixel
on a 200 px slider, on ±1.5 it is 0.015. So a knob's range is fitted to the values it
plausibly takes for this model and data: where the best fit puts it (least squares for a
model linear in its knobs, a lightly regularised logistic fit for logistic regression),
with room around it (``MARGIN``), never narrower than the data's scale, rounded up to a
tidy number (``nice_up``). A range never hides a value: a knob at or past an end (a hand
dragged it there and let go, training carried it, a value was typed) widens its range so
the value sits at 1/MARGIN of the half range (``widened``). Ranges are symmetric about 0,
so 0 ("this knob does nothing") is always the middle.

Qt-free; the model keeps its ranges (``Model.param_ranges``), the session widens them.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

#: a fitted value sits at 1/MARGIN of its knob's half range (2/3: room to overshoot)
MARGIN = 1.5
#: a value within this share of the span from an end counts as pushing against it
EDGE = 0.01
#: no knob's half range grows beyond this (a value past it stays pinned at the end)
MAX_HALF = 1e6
#: tidy half ranges: these times a power of ten
NICE_STEPS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
#: the regularisation of the logistic fit (a penalty on the mean cross-entropy): it keeps
#: the fit finite on separable data, where the unregularised one runs off to infinity
LOGISTIC_L2 = 0.01


def nice_up(v: float) -> float:
    """The smallest tidy number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten)
    at least ``|v|``; 1 for zero or a non-finite ``v``."""
    v = abs(float(v))
    if not math.isfinite(v) or v <= 0:
        return 1.0
    exp = math.floor(math.log10(v))
    for m in NICE_STEPS:
        if m * 10.0**exp >= v * (1 - 1e-12):
            return m * 10.0**exp
    return 10.0 ** (exp + 1)  # pragma: no cover - NICE_STEPS ends at 10


def symmetric(halves: Array) -> Array:
    """Ranges ``[-h, h]`` from half ranges ``h``, shape (n, 2)."""
    halves = np.asarray(halves, dtype=float)
    return np.column_stack([-halves, halves])


def fitted_halves(best: Array, floor: float | Array, cap: float | Array = MAX_HALF) -> Array:
    """Half ranges that hold ``best`` at 1/MARGIN of the way to an end, at least ``floor``
    (the data's scale), at most ``cap``, rounded up to tidy numbers."""
    best = np.where(np.isfinite(best), np.abs(np.asarray(best, dtype=float)), 0.0)
    want = np.minimum(np.maximum(MARGIN * best, floor), cap)
    return np.array([nice_up(h) for h in want])


def least_squares(F: Array, y: Array, ridge: float = 1e-6) -> Array:
    """The knobs of a model linear in them (output = F @ theta) that fit ``y`` best, with
    a whisker of ridge so a rank-deficient design still gives an answer."""
    F = np.asarray(F, dtype=float)  # (n, p)
    y = np.asarray(y, dtype=float)  # (n,)
    p = F.shape[1]
    A = F.T @ F / max(1, F.shape[0]) + ridge * np.eye(p)  # (p, p)
    return np.linalg.solve(A, F.T @ y / max(1, F.shape[0]))


def logistic_fit(F: Array, y: Array, l2: float = LOGISTIC_L2, iterations: int = 30) -> Array:
    """Weights minimising mean binary cross-entropy + ``l2 * |w|^2`` (the last column of
    ``F``, the bias, unpenalised), by Newton's method."""
    F = np.asarray(F, dtype=float)  # (n, p)
    y = np.asarray(y, dtype=float)  # (n,)
    n, p = F.shape
    penalty = np.full(p, l2)
    penalty[-1] = 1e-9  # the bias: a whisker, so the Hessian stays invertible
    theta = np.zeros(p)
    for _ in range(iterations):
        prob = 1.0 / (1.0 + np.exp(-np.clip(F @ theta, -50, 50)))  # (n,)
        # gradient F^T (p - y) / n + 2 l2 w; Hessian F^T diag(p (1 - p)) F / n + 2 l2
        g = F.T @ (prob - y) / n + 2 * penalty * theta
        H = (F * (prob * (1 - prob))[:, None]).T @ F / n + np.diag(2 * penalty)
        step = np.linalg.solve(H, g)
        theta -= step
        if np.max(np.abs(step)) < 1e-9:
            break
    return theta


def widened(ranges: Array, theta: Array, free: NDArray[np.bool_] | None = None) -> Array | None:
    """``ranges`` with every free knob whose value in ``theta`` is within ``EDGE`` of an
    end (or past it) widened symmetrically so the value sits at 1/MARGIN of the half
    range; None when nothing changes. Non-finite values are left alone (an exploding run
    is the session's business, not a reason to stretch a knob to infinity)."""
    ranges = np.asarray(ranges, dtype=float)
    theta = np.asarray(theta, dtype=float)
    lo, hi = ranges[:, 0], ranges[:, 1]
    edge = EDGE * (hi - lo)
    push = np.isfinite(theta) & ((theta >= hi - edge) | (theta <= lo + edge))
    if free is not None:
        push &= np.asarray(free, dtype=bool)
    push &= np.maximum(-lo, hi) < MAX_HALF  # already as wide as a knob gets
    if not push.any():
        return None
    out = ranges.copy()
    for i in np.flatnonzero(push):
        half = max(-lo[i], hi[i], nice_up(min(MARGIN * abs(theta[i]), MAX_HALF)))
        out[i] = -half, half
    return out
