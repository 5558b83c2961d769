"""Predict, then reveal: a learner's guess of where training will leave the knobs, and a
score once training has shown the answer. Pure numpy; nothing here imports Qt."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from knobsim.core.models.machines import Model, NextWord

Array = NDArray[np.float64]

#: a guess this far off in knob space (root mean square, as a fraction of each knob's
#: range) scores nothing for the knobs; a fit whose squared gap is as large as the
#: trained output's own spread scores nothing for the fit
KNOB_ZERO = 0.5
#: app-state key of the personal bests, {lesson id: best score}
BEST_KEY = "predict_best"
#: the personal best of a prediction made outside any lesson
FREE_PLAY = ""


@dataclass(frozen=True)
class Prediction:
    """A guess made before training.

    knobs: ghost knob values, shape (n_params,).
    loss_sketch: optional sketched loss curve, ((step, loss), ...) in step order.
    top_words: for a next-word model, the guessed top next word (vocabulary index) per
        table row, -1 where the learner made no guess; None for other models.
    """

    knobs: Array
    loss_sketch: tuple[tuple[float, float], ...] = ()
    top_words: tuple[int, ...] | None = None

    @classmethod
    def start(cls, model: Model, theta: Array) -> Prediction:
        """The guess before a hand moves a ghost: the knobs as they are now, and for a
        next-word model the top word each row gives now."""
        theta = np.asarray(theta, float).copy()
        return cls(theta, (), top_words(model, theta) if isinstance(model, NextWord) else None)

    def with_knob(self, i: int, value: float) -> Prediction:
        knobs = self.knobs.copy()
        knobs[i] = float(value)
        return Prediction(knobs, self.loss_sketch, self.top_words)

    def with_top_word(self, row: int, word: int) -> Prediction:
        if self.top_words is None:
            raise ValueError("Only a next-word model takes a guess of the top next word.")
        top = list(self.top_words)
        top[row] = int(word)
        return Prediction(self.knobs, self.loss_sketch, tuple(top))

    def with_sketch(self, points: Sequence[tuple[float, float]]) -> Prediction:
        """The sketch sorted by step, one loss per step (the last drawn wins)."""
        by_step: dict[float, float] = {}
        for step, loss in points:
            step, loss = float(step), float(loss)
            if math.isfinite(step) and math.isfinite(loss) and step >= 0:
                by_step[step] = max(loss, 0.0)
        return Prediction(self.knobs, tuple(sorted(by_step.items())), self.top_words)


@dataclass(frozen=True)
class Score:
    """How close a prediction came, once training has revealed the answer.

    knob_distance: root mean square of (ghost - trained) / knob range, 0 is exact.
    fit_distance: mean squared difference of the two models' outputs on the grid.
    fit_spread: the trained output's own variance on the grid (the fit's yardstick).
    word_overlap: next-word model: share of guessed rows whose top word is right.
    sketch_error: mean |log(sketched loss / real loss)| at the sketched steps, or None.
    points: 0-100, higher is closer.
    """

    knob_distance: float
    fit_distance: float
    fit_spread: float
    word_overlap: float | None
    sketch_error: float | None
    points: int

    def words(self) -> str:
        """The score in plain words for the score box."""
        lines = [f"Your guess scores {self.points} out of 100."]
        pct = round(100 * self.knob_distance)
        lines.append(
            "Your ghost knobs sat right on the trained knobs."
            if pct == 0
            else f"Your ghost knobs were {pct}% of a knob's range away from the trained knobs."
        )
        if self.word_overlap is not None:
            lines.append(
                f"You named {round(100 * self.word_overlap)}% of the top next words you guessed."
            )
        else:
            close = round(100 * _fit_closeness(self.fit_distance, self.fit_spread))
            lines.append(f"Your ghost model's output matched the trained one {close}%.")
        if self.sketch_error is not None:
            off = round(100 * (math.exp(self.sketch_error) - 1))
            lines.append(f"Your sketch of the error was off by about {off}% on average.")
        return " ".join(lines)


def knob_distance(model: Model, ghost: Array, trained: Array) -> float:
    """Root mean square of (ghost - trained) / range over the knobs: 0 exact, 1 a whole
    range apart on every knob; comparable across models of any size."""
    ghost, trained = np.asarray(ghost, float), np.asarray(trained, float)
    if ghost.shape != trained.shape or ghost.shape != (model.n_params,):
        raise ValueError(f"A guess needs one value for each of the {model.n_params} knobs.")
    r = model.param_ranges()
    span = np.maximum(r[:, 1] - r[:, 0], 1e-12)
    return float(np.sqrt(np.mean(((ghost - trained) / span) ** 2)))


def fit_distance(model: Model, ghost: Array, trained: Array, X: NDArray) -> tuple[float, float]:
    """(mean squared difference of the outputs, variance of the trained output) on ``X``."""
    a = np.asarray(model.predict(np.asarray(ghost, float), X), float)
    b = np.asarray(model.predict(np.asarray(trained, float), X), float)
    return float(np.mean((a - b) ** 2)), float(np.var(b, axis=0).mean())


def top_words(model: NextWord, theta: Array) -> tuple[int, ...]:
    """The most likely next word of every table row."""
    return tuple(int(j) for j in np.argmax(model.probabilities(theta), axis=1))


def word_overlap(guess: Sequence[int], trained: Sequence[int]) -> float:
    """Share of the guessed rows (guess >= 0) whose top word matches; 0 with no guess."""
    pairs = [(g, t) for g, t in zip(guess, trained, strict=True) if g >= 0]
    return sum(g == t for g, t in pairs) / len(pairs) if pairs else 0.0


def sketch_error(
    sketch: Sequence[tuple[float, float]], steps: NDArray, losses: NDArray
) -> float | None:
    """Mean |log(sketched / real)| at the sketched steps inside the real run, or None."""
    steps, losses = np.asarray(steps, float), np.asarray(losses, float)
    if not len(sketch) or len(steps) < 1:
        return None
    s = np.array([p for p in sketch if steps[0] <= p[0] <= steps[-1]], float).reshape(-1, 2)
    if not len(s):
        return None
    real = np.interp(s[:, 0], steps, losses)
    tiny = 1e-9
    return float(np.mean(np.abs(np.log((s[:, 1] + tiny) / (real + tiny)))))


def _fit_closeness(mse: float, spread: float) -> float:
    return max(0.0, 1.0 - mse / max(spread, 1e-12)) if mse > 0 else 1.0


def score(
    model: Model,
    prediction: Prediction,
    trained: Array,
    X: NDArray,
    loss_steps: NDArray | None = None,
    losses: NDArray | None = None,
) -> Score:
    """Score ``prediction`` against the ``trained`` knobs on the grid or data ``X``.

    Half the points for the knobs (full at the exact spot, none at ``KNOB_ZERO`` of a
    range away), half for the fit (full when the outputs agree, none when the squared gap
    is the trained output's own spread); a next-word model scores the guessed top words
    in place of the fit. A loss sketch is reported, not scored.
    """
    kd = knob_distance(model, prediction.knobs, trained)
    mse, spread = fit_distance(model, prediction.knobs, trained, X)
    overlap = None
    if isinstance(model, NextWord):
        # guessed by name per row, or read off the ghost table (its biggest knob per row)
        named = prediction.top_words
        guess = named if named and max(named) >= 0 else top_words(model, prediction.knobs)
        overlap = word_overlap(guess, top_words(model, trained))
        second = overlap
    else:
        second = _fit_closeness(mse, spread)
    sk = None
    if loss_steps is not None and losses is not None:
        sk = sketch_error(prediction.loss_sketch, loss_steps, losses)
    knob_part = max(0.0, 1.0 - kd / KNOB_ZERO)
    points = int(round(50 * knob_part + 50 * second))
    return Score(kd, mse, spread, overlap, sk, points)


def bests_from_app(app: Mapping[str, object]) -> dict[str, int]:
    """The personal bests kept in the app's saved state; anything malformed is dropped."""
    raw = app.get(BEST_KEY)
    if not isinstance(raw, dict):
        return {}
    return {
        k: int(v)
        for k, v in raw.items()
        if isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100
    }


def record_best(bests: Mapping[str, int], lesson: str, points: int) -> tuple[dict[str, int], bool]:
    """(the bests with ``points`` kept if it beats the lesson's best, whether it did)."""
    out = dict(bests)
    new = lesson not in out or points > out[lesson]
    if new:
        out[lesson] = int(points)
    return out, new


def best_words(best: int, new: bool) -> str:
    return f"That is your new best: {best}." if new else f"Your best on this lesson is {best}."
