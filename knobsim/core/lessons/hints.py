"""Hints in words: which knob to turn, which way and about how far, read from the error
itself. Nothing here imports Qt.

A hint looks at each free knob on its own, the others held where they are: a slice of the
error along the knob's range (``core.models.slices``) says which way, how far to turn it and how
much lower the error gets there. The hint names the knob whose turn lowers the error
most. Only the knobs the gradient ranks steepest get a slice, so a model with a thousand
knobs costs a few hundred rows of ``loss_many``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from knobsim.core.models.slices import loss_slices, refine_lowest
from knobsim.core.training.session import Session

#: slices are taken for at most this many knobs, the steepest first
CANDIDATES = 8
#: points along a knob's range in the first, coarse slice, then around its best point
COARSE, FINE = 121, 41
#: a drop smaller than this fraction of the error is no reason to turn a knob
NEGLIGIBLE = 1e-4
#: from this many hints on, a hint names the second-best knob too
SECOND_FROM = 3


@dataclass(frozen=True)
class KnobHint:
    """One knob's best single move: ``index`` and ``name``, ``direction`` (+1 up, -1
    down), ``target`` (where along its range the error is lowest, the others held) and
    the error ``before`` and ``after`` the move."""

    index: int
    name: str
    direction: int
    target: float
    before: float
    after: float

    @property
    def drop(self) -> float:
        return self.before - self.after

    def words(self) -> str:
        way = "up" if self.direction > 0 else "down"
        return f"turn {self.name} {way}, to about {self.target:.3g}"


def knob_hints(session: Session, ranges: NDArray | None = None) -> list[KnobHint]:
    """The free knobs' best single moves, the one that lowers the error most first.

    Parameters
    ----------
    session : Session
        Its model, training data, knobs and locks.
    ranges : ndarray (n_params, 2), optional
        How far each knob can be turned (the knobs' own ranges on screen); default the
        model's ``param_ranges()``. A knob outside its range is looked at up to where it is.

    Returns
    -------
    list of KnobHint
        Only moves that lower the training error by more than a negligible amount; empty
        at a minimum of every single knob, or when every knob is locked.
    """
    model, theta = session.model, session.params
    d = session.dataset
    X, y = d.X_train, d.y_train
    if ranges is None:
        ranges = model.param_ranges()
    ranges = np.asarray(ranges, float)
    lo, hi = np.minimum(ranges[:, 0], theta), np.maximum(ranges[:, 1], theta)
    before = session.train_loss
    free = np.array([not session.is_locked(i) for i in range(model.n_params)])
    steepness = np.abs(session.grad()) * (hi - lo)  # error change per whole range, 1st order
    steepness[~free] = -1.0
    order = np.argsort(-steepness)[: min(CANDIDATES, int(free.sum()))]
    slices = loss_slices(model, theta, X, y, order, np.column_stack([lo, hi]), COARSE)
    out = []
    for r, i in enumerate(slices.indices):
        target, after = refine_lowest(model, theta, X, y, slices, r, FINE)
        if before - after > NEGLIGIBLE * max(abs(before), 1e-12):
            direction = 1 if target > theta[i] else -1
            out.append(KnobHint(i, model.param_names[i], direction, target, before, after))
    out.sort(key=lambda h: -h.drop)
    return out


def hint_text(hints: list[KnobHint], asked: int, all_locked: bool = False) -> str:
    """The hint in words; from the ``SECOND_FROM``-th hint on, the next-best knob too."""
    if not hints:
        if all_locked:
            return "Every knob is locked: unlock one to turn it."
        return (
            "No single knob lowers the error from here: each one is already at its best "
            "with the others held. Press Train to turn them all together."
        )
    best = hints[0]
    text = (
        f"Hint: {best.words()}. Of all the knobs, it lowers the error most "
        f"(from {best.before:.3g} to about {best.after:.3g})."
    )
    if asked >= SECOND_FROM and len(hints) > 1:
        text += f" Next best: {hints[1].words()}."
    return text
