"""Naming the gap between train and test error: underfitting, a good fit, overfitting.

Pure rules on a few numbers, so the window and the tests agree. Nothing here imports Qt.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from knobsim.core.models.machines import Line, Polynomial

if TYPE_CHECKING:
    from knobsim.core.data.datasets import Dataset
    from knobsim.core.models.machines import Model
    from knobsim.core.training.session import Session

#: underfitting: the training error is still at least this share of the baseline's
UNDERFIT_SHARE = 0.15
#: overfitting: the test error is at least this many times the training error ...
OVERFIT_RATIO = 3.0
#: ... and above it by at least this share of the baseline (so two tiny errors, say
#: 1e-6 and 1e-4 on noise-free data, still count as a good fit)
OVERFIT_GAP = 0.15

#: a test-error trend (relative change over the recent window) above this is "rising"
RISING = 0.01

KINDS = (
    "underfit",
    "good",
    "overfit",
    "untrained",
    "training",
    "hand",
    "exploded",
    "unknown",
)

#: underfitting needs the knobs at their best: the training error within this share of
#: the gap between the best this model can reach and the baseline
NEAR_BEST = 0.1
#: a model without a closed-form best counts as settled when its training error fell by
#: less than this share over the last TREND_POINTS recorded points
SETTLED = 0.01


class Verdict(NamedTuple):
    """``kind`` is one of :data:`KINDS`; ``sentence`` says it in plain words."""

    kind: str
    sentence: str


@dataclass(frozen=True)
class Context:
    """What the window knows beyond the errors: how the knobs got where they are.

    ``trained``: an optimizer step since the last reset. ``by_hand``: a hand set the
    knobs last (no step since). ``training``: training runs now. ``exploded``: these are
    the knobs put back after an explosion. ``can_train``: Train is there to press (a
    lesson may hide it). ``locked``: some knob is locked and holds the fit back.
    ``l2_holds``: the L2 pull, not the number of knobs, keeps the error high.
    """

    trained: bool = True
    by_hand: bool = False
    training: bool = False
    exploded: bool = False
    can_train: bool = True
    locked: bool = False
    l2_holds: bool = False


#: every sentence the verdict can say, by name (the window sizes its box for the longest)
SENTENCES: dict[str, str] = {
    "unknown": "The error is not a number; reset or lower the learning rate.",
    "exploded": (
        "Training exploded: the steps overshot and the error grew. The knobs went back to "
        "their best — lower the learning rate."
    ),
    "untrained": "Not fitted yet: both errors are high — press Train or turn the knobs.",
    "untrained_by_hand": (
        "Not fitted yet: both errors are high — turn the knobs to bring them down."
    ),
    "unfinished": (
        "Not fitted yet: the knobs are not at their best — train on to bring both errors down."
    ),
    "unfinished_by_hand": (
        "Not fitted yet: the knobs are not at their best — turn them to bring both errors down."
    ),
    "training": (
        "Still training: both errors are high, but the knobs have not reached their best yet."
    ),
    "hand": (
        "Moved by hand: both errors are high because the knobs are off their best values, "
        "not for want of knobs."
    ),
    "underfit": (
        "Underfitting: both errors are high even with the knobs at their best — the model "
        "has too few knobs for the pattern."
    ),
    "underfit_locked": (
        "Underfitting: both errors are high even with the free knobs at their best — a "
        "locked knob holds the pattern back."
    ),
    "underfit_l2": (
        "Underfitting: both errors are high even with the knobs at their best — the L2 "
        "pull is too strong for the pattern."
    ),
    "overfit": (
        "Overfitting: train error is low but test error is much higher — the knobs "
        "memorise the noise. Fewer knobs, more data or L2 help."
    ),
    "overfit_rising": (
        "Overfitting: train error is low but test error is much higher (and rising) — the "
        "knobs memorise the noise. Fewer knobs, more data or L2 help."
    ),
    "good": "Good fit: both errors are low — the knobs capture the pattern, not the noise.",
}


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


def near_best(train_loss: float, best: float, baseline: float) -> bool:
    """True when ``train_loss`` is within :data:`NEAR_BEST` of the way from ``best`` (the
    lowest error this model can reach) up to ``baseline``."""
    return train_loss - best <= NEAR_BEST * max(baseline - best, 0.0) + 1e-12


def verdict(
    train_loss: float,
    test_loss: float,
    baseline: float,
    test_trend: float = 0.0,
    *,
    at_best: bool = True,
    context: Context | None = None,
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
    at_best : bool
        The knobs are at (near) the lowest training error this model can reach. Only
        then do high errors mean too few knobs; otherwise the knobs are still on their
        way (training, moved by hand, never trained).
    context : Context, optional
        How the knobs got here; see :class:`Context`. Default: trained, paused.

    Returns
    -------
    Verdict
        Underfitting when the training error is still ``UNDERFIT_SHARE`` of the baseline
        or more with the knobs at their best; overfitting when the test error is
        ``OVERFIT_RATIO`` times the training error and exceeds it by ``OVERFIT_GAP`` of
        the baseline; otherwise a good fit.
    """
    ctx = context or Context()
    if not all(math.isfinite(v) for v in (train_loss, test_loss, baseline)):
        return _say("unknown")
    if ctx.exploded:
        return _say("exploded")
    scale = max(baseline, 1e-12)
    if train_loss >= UNDERFIT_SHARE * scale:
        if at_best:
            if ctx.locked:
                return _say("underfit", "underfit_locked")
            return _say("underfit", "underfit_l2" if ctx.l2_holds else "underfit")
        if ctx.by_hand:
            return _say("hand")
        if ctx.training:
            return _say("training")
        if not ctx.trained:
            return _say("untrained", "untrained" if ctx.can_train else "untrained_by_hand")
        return _say("untrained", "unfinished" if ctx.can_train else "unfinished_by_hand")
    if test_loss >= OVERFIT_RATIO * train_loss and test_loss - train_loss >= OVERFIT_GAP * scale:
        return _say("overfit", "overfit_rising" if test_trend > RISING else "overfit")
    return _say("good")


def _say(kind: str, sentence: str | None = None) -> Verdict:
    return Verdict(kind, SENTENCES[sentence or kind])


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


def best_train_loss(
    model: Model,
    theta: ArrayLike,
    dataset: Dataset,
    locked: ArrayLike | None = None,
    *,
    l2: float | None = None,
) -> float | None:
    """The lowest training data error ``model`` can reach by turning its free knobs.

    Least squares for models whose output is linear in the knobs (the line, the
    polynomial); None for the others, which have no closed form.

    Parameters
    ----------
    model, theta, dataset
        The model, its weights (n_params,) and its data.
    locked : array_like of bool, shape (n_params,), optional
        Knobs held where ``theta`` has them.
    l2 : float, optional
        The L2 strength the knobs are pulled with (default: the model's own). The
        optimizer minimises error + ``l2 * |theta|^2``, so its best has this data error.

    Returns
    -------
    float or None
        The data error (without the penalty) at that best.
    """
    if not isinstance(model, Line | Polynomial):  # linear in the knobs
        return None
    theta = np.asarray(theta, dtype=float)
    l2 = model.l2 if l2 is None else float(l2)
    p = model.n_params
    held = np.zeros(p, bool) if locked is None else np.asarray(locked, bool)
    key = (l2, held.tobytes(), theta[held].tobytes())
    cache = _best_cache(model, dataset)
    if key not in cache:
        G, Fy, yy, n = cache["normal"]
        free = ~held
        t = np.where(held, theta, 0.0)
        # what the free knobs are left to explain: r = y - F_held t_held, in normal form
        Gff = G[np.ix_(free, free)]
        rhs = Fy[free] - G[np.ix_(free, held)] @ t[held]  # F_free^T r
        rr = yy - 2 * Fy[held] @ t[held] + t[held] @ G[np.ix_(held, held)] @ t[held]  # |r|^2
        if not free.any():
            cache[key] = max(float(rr) / n, 0.0)
        else:
            # min 1/n |F_free c - r|^2 + l2 |c|^2: (G_ff + n l2 I) c = F_free^T r
            A = Gff + n * l2 * np.eye(Gff.shape[0])
            c = np.linalg.lstsq(A, rhs, rcond=None)[0]
            err = rr - 2 * c @ rhs + c @ Gff @ c  # |F_free c - r|^2
            cache[key] = max(float(err) / n, 0.0)
        if len(cache) > 16:  # a knob locked and unlocked at many values: keep it small
            for old in [k for k in cache if k != "normal"][:8]:
                del cache[old]
    return cache[key]


#: (model, dataset) -> {"normal": (F^T F, F^T y, y^T y, n), key: best}; one model at a time
_BEST: list = [None, None, {}]


def _best_cache(model: Model, dataset: Dataset) -> dict:
    """The normal equations of ``model`` on ``dataset`` (computed once: a sum over the
    points) and the bests already solved from them."""
    m, d, cache = _BEST
    if m is None or m() is not model or d() is not dataset:
        F = model.features(dataset.X_train)  # (n, n_params)
        y = np.asarray(dataset.y_train, dtype=float)
        cache = {"normal": (F.T @ F, F.T @ y, float(y @ y), F.shape[0])}
        _BEST[:] = [weakref.ref(model), weakref.ref(dataset), cache]
    return cache


def settled(train_history: ArrayLike | None) -> bool:
    """True when the recorded training errors stopped falling: less than :data:`SETTLED`
    over the last :data:`TREND_POINTS` points (and there are that many)."""
    if train_history is None:
        return False
    v = np.asarray(train_history, dtype=float)[-TREND_POINTS:]
    return v.size >= TREND_POINTS and trend(v) > -SETTLED


def diagnose(
    model: Model,
    theta: ArrayLike,
    dataset: Dataset,
    *,
    test_history: ArrayLike | None = None,
    train_history: ArrayLike | None = None,
    trained: bool = True,
    context: Context | None = None,
    locked: ArrayLike | None = None,
    errors: tuple[float, float] | None = None,
) -> Verdict:
    """The verdict for ``model`` at ``theta`` on ``dataset``, from its data errors.

    Parameters
    ----------
    model, theta, dataset
        A regression or classification model, its weights (n_params,) and its data.
    test_history, train_history : array_like, optional
        Recorded errors, oldest first; the last :data:`TREND_POINTS` give the test
        error's trend, and for a model without a closed-form best, whether training
        has settled.
    trained : bool
        An optimizer step since the last reset (used when ``context`` is not given).
    context : Context, optional
        How the knobs got here (see :class:`Context`).
    locked : array_like of bool, shape (n_params,), optional
        Locked knobs: the best the model can reach is with those held.
    errors : (float, float), optional
        The training and test data errors at ``theta``, where the caller has them
        already (computed here otherwise).

    Returns
    -------
    Verdict
        ``("unknown", "")`` for a task this rule does not cover (next-word models).
    """
    if dataset.task not in ("regression", "classification"):
        return Verdict("unknown", "")
    ctx = context or Context(trained=trained)
    theta = np.asarray(theta, dtype=float)
    d = dataset
    if errors is None:
        train = model.data_loss(theta, d.X_train, d.y_train)
        test = model.data_loss(theta, d.X_test, d.y_test)
    else:
        train, test = errors
    rising = 0.0 if test_history is None else trend(np.asarray(test_history)[-TREND_POINTS:])
    base = baseline_loss(d.task, d.y_train)
    at_best = True
    if math.isfinite(train) and train >= UNDERFIT_SHARE * base:
        best = best_train_loss(model, theta, d, locked)
        if best is None:
            at_best = ctx.trained and not ctx.by_hand and settled(train_history)
        else:
            at_best = near_best(train, best, base)
            if at_best and locked is not None and np.any(locked):
                free_best = best_train_loss(model, theta, d)
                ctx = replace(ctx, locked=not near_best(train, free_best, base))
            if at_best and model.l2 > 0 and not ctx.locked:
                plain = best_train_loss(model, theta, d, locked, l2=0.0)
                ctx = replace(ctx, l2_holds=not near_best(train, plain, base))
    return verdict(train, test, base, rising, at_best=at_best, context=ctx)


def diagnose_session(
    session: Session,
    *,
    training: bool = False,
    exploded: bool = False,
    can_train: bool = True,
) -> Verdict:
    """:func:`diagnose` for a training session: its weights, history, hand moves and locks.

    Parameters
    ----------
    session : Session
    training : bool
        Training runs now.
    exploded : bool
        The session's weights are the ones put back after an explosion.
    can_train : bool
        Train is there to press (False when a lesson hides it).
    """
    h = session.history
    marks = h.marks
    by_hand = bool(marks) and marks[-1] == (session.step_count, "hand")
    locked = np.zeros(session.n_params, bool)
    locked[list(session.locked)] = True
    ctx = Context(
        trained=session.step_count > 0,
        by_hand=by_hand,
        training=training,
        exploded=exploded,
        can_train=can_train,
    )
    return diagnose(
        session.model,
        session.params,
        session.dataset,
        test_history=h.test,
        train_history=h.train,
        context=ctx,
        locked=locked,
        # without a penalty the session's errors are the data errors: not computed twice
        errors=(session.train_loss, session.test_loss) if session.model.l2 == 0 else None,
    )
