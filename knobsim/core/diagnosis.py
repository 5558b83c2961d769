"""Naming the gap between train and test error: underfitting, a good fit, overfitting.

Pure rules on a few numbers, so the window and the tests agree. Nothing here imports Qt.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from knobsim.core.datasets import Dataset
    from knobsim.core.models import Model

#: underfitting: the training error is still at least this share of the baseline's
UNDERFIT_SHARE = 0.15
#: overfitting: the test error is at least this many times the training error ...
OVERFIT_RATIO = 3.0
#: ... and above it by at least this share of the baseline (so two tiny errors, say
#: 1e-6 and 1e-4 on noise-free data, still count as a good fit)
OVERFIT_GAP = 0.15

#: a test-error trend (relative change over the recent window) above this is "rising"
RISING = 0.01

KINDS = ("underfit", "good", "overfit", "untrained", "unknown")


class Verdict(NamedTuple):
    """``kind`` is one of :data:`KINDS`; ``sentence`` says it in plain words."""

    kind: str
    sentence: str


def baseline_loss(task: str, y_train: ArrayLike, y_eval: ArrayLike | None = None) -> float:
    """The error of a model with no knobs worth the name: it always says the training average.

    Parameters
    ----------
    task : str
        ``"regression"``: mean squared error of predicting ``mean(y_train)``.
        ``"classification"``: cross-entropy of predicting the class share ``mean(y_train)``.
    y_train : array_like, shape (n,)
    y_eval : array_like, shape (m,), optional
        Where the error is measured; defaults to ``y_train``.

    Returns
    -------
    float
        Zero or more; the scale the verdict measures errors against.
    """
    y_train = np.asarray(y_train, dtype=float)
    y_eval = y_train if y_eval is None else np.asarray(y_eval, dtype=float)
    if y_train.size == 0 or y_eval.size == 0:
        raise ValueError("The baseline needs at least one training and one evaluation point.")
    mean = float(np.mean(y_train))
    if task == "regression":
        return float(np.mean((y_eval - mean) ** 2))
    if task == "classification":
        p = min(max(mean, 1e-12), 1 - 1e-12)  # a one-class set would give log(0)
        return float(-np.mean(y_eval * math.log(p) + (1 - y_eval) * math.log(1 - p)))
    raise ValueError(f"The baseline is for regression or classification, not {task!r}.")


def verdict(
    train_loss: float,
    test_loss: float,
    baseline: float,
    test_trend: float = 0.0,
    *,
    trained: bool = True,
) -> Verdict:
    """Name the fit from the data errors (without any L2 penalty).

    Parameters
    ----------
    train_loss, test_loss : float
        The data error on the training and on the test points.
    baseline : float
        :func:`baseline_loss` on the training points.
    test_trend : float
        How the test error has been moving lately, see :func:`trend`; above
        :data:`RISING` the overfitting sentence adds "and rising".
    trained : bool
        False before any training step: high errors then mean "not fitted yet", not
        "too few knobs".

    Returns
    -------
    Verdict
        Underfitting when the training error is still ``UNDERFIT_SHARE`` of the baseline
        or more; overfitting when the test error is ``OVERFIT_RATIO`` times the training
        error and exceeds it by ``OVERFIT_GAP`` of the baseline; otherwise a good fit.
    """
    if not all(math.isfinite(v) for v in (train_loss, test_loss, baseline)):
        return Verdict("unknown", "The error is not a number; reset or lower the learning rate.")
    scale = max(baseline, 1e-12)
    if train_loss >= UNDERFIT_SHARE * scale:
        if not trained:
            return Verdict(
                "untrained",
                "Not fitted yet: both errors are high — press Train or turn the knobs.",
            )
        return Verdict(
            "underfit",
            "Underfitting: both errors are high — the model has too few knobs for the "
            "pattern (or has not finished training).",
        )
    if test_loss >= OVERFIT_RATIO * train_loss and test_loss - train_loss >= OVERFIT_GAP * scale:
        rising = " (and rising)" if test_trend > RISING else ""
        return Verdict(
            "overfit",
            f"Overfitting: train error is low but test error is much higher{rising} — "
            "the knobs memorise the noise. Fewer knobs, more data or L2 help.",
        )
    return Verdict(
        "good", "Good fit: both errors are low — the knobs capture the pattern, not the noise."
    )


def trend(values: ArrayLike) -> float:
    """How much the values rose over their span, relative to their mean (0 if fewer than 3).

    A least-squares line through the values against their positions: its rise from the
    first to the last position divided by the mean magnitude, so 0.1 means "up by a tenth"
    for errors of any size; negative when falling.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size < 3:
        return 0.0
    t = np.arange(v.size, dtype=float) - (v.size - 1) / 2  # centred positions
    slope = float(t @ (v - v.mean()) / (t @ t))  # least squares
    mean = float(np.mean(np.abs(v)))
    return slope * (v.size - 1) / mean if mean > 0 else 0.0


#: how many of the most recent recorded test errors the trend looks at
TREND_POINTS = 12


def diagnose(
    model: Model,
    theta: ArrayLike,
    dataset: Dataset,
    *,
    test_history: ArrayLike | None = None,
    trained: bool = True,
) -> Verdict:
    """The verdict for ``model`` at ``theta`` on ``dataset``, from its data errors.

    Parameters
    ----------
    model, theta, dataset
        A regression or classification model, its weights (n_params,) and its data.
    test_history : array_like, optional
        Recorded test errors, oldest first; the last :data:`TREND_POINTS` give the trend.
    trained : bool
        See :func:`verdict`.

    Returns
    -------
    Verdict
        ``("unknown", ...)`` for a task this rule does not cover (next-word models).
    """
    if dataset.task not in ("regression", "classification"):
        return Verdict("unknown", "")
    theta = np.asarray(theta, dtype=float)
    d = dataset
    train = model.data_loss(theta, d.X_train, d.y_train)
    test = model.data_loss(theta, d.X_test, d.y_test)
    rising = 0.0 if test_history is None else trend(np.asarray(test_history)[-TREND_POINTS:])
    base = baseline_loss(d.task, d.y_train)
    return verdict(train, test, base, rising, trained=trained)
