"""Beat the optimizer: a few knob moves by hand against gradient descent from the same start.

The challenges, their seeded starting knobs, the optimizer's run, the score, and the file of
best scores (in a folder the caller chooses). Nothing here imports Qt.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from knobsim.core.data.catalog import session_for
from knobsim.core.io.sessionfile import write_atomic
from knobsim.core.training.session import Session

SCORES_FILE = "challenge_scores.json"
SCORES_FORMAT = 1
#: the smallest error a score divides by (a perfect fit would otherwise score infinity)
ERROR_FLOOR = 1e-12


@dataclass(frozen=True)
class Challenge:
    """One game: a model on some data, ``moves`` hand moves against ``steps`` optimizer steps.

    A move is a turn of one knob (any number of small changes to the same knob, until
    another knob is touched); a step of the optimizer turns every knob at once.
    """

    id: str
    title: str
    blurb: str
    model: str
    dataset: str
    degree: int = 3
    hidden: str = "8"
    data_seed: int = 0
    optimizer: str = "gd"
    lr: float = 0.1
    moves: int = 6
    steps: int = 6


CHALLENGES: tuple[Challenge, ...] = (
    Challenge(
        "line",
        "Two knobs: a line",
        "Two knobs you can see: tilt and height. Here a hand can keep up with the maths.",
        model="line",
        dataset="linear",
        lr=0.5,
        moves=4,
        steps=4,
    ),
    Challenge(
        "curve",
        "Four knobs: a curve",
        "Four knobs that each add a wiggle. Harder: every knob changes the whole curve.",
        model="poly",
        dataset="cubic",
        degree=3,
        lr=0.9,
        moves=6,
        steps=6,
    ),
    Challenge(
        "network",
        "25 knobs: a neural network",
        "A small network with 25 knobs, and you may turn 10 of them. Gradient descent "
        "turns all 25 in every step.",
        model="mlp",
        dataset="sine",
        hidden="8",
        optimizer="adam",
        lr=0.1,
        moves=10,
        steps=10,
    ),
)


def challenge(challenge_id: str) -> Challenge:
    """The built-in challenge called ``challenge_id``; ``KeyError`` names the choices."""
    for c in CHALLENGES:
        if c.id == challenge_id:
            return c
    raise KeyError(
        f"There is no challenge {challenge_id!r}; choose one of "
        f"{', '.join(c.id for c in CHALLENGES)}."
    )


def make_session(ch: Challenge, seed: int) -> Session:
    """A fresh session of the challenge whose knobs stand at the start chosen by ``seed``.

    The data are the same for every game of a challenge (``data_seed``); only the start
    differs, and the same ``seed`` always gives the same start.
    """
    return session_for(
        ch.model,
        ch.dataset,
        data_seed=ch.data_seed,
        seed=seed,
        optimizer=ch.optimizer,
        lr=ch.lr,
        degree=ch.degree,
        hidden=ch.hidden,
    )


def optimizer_run(ch: Challenge, seed: int) -> NDArray[np.float64]:
    """The training error before and after each of the optimizer's ``ch.steps`` steps.

    Returns
    -------
    NDArray, shape (ch.steps + 1,)
        Element 0 is the error at the start; after a divergence the error stays where
        the session's last good weights put it.
    """
    session = make_session(ch, seed)
    errors = [session.train_loss]
    for _ in range(ch.steps):
        session.step(1)
        errors.append(session.train_loss)
    return np.asarray(errors, dtype=float)


def score(your_error: float, optimizer_error: float) -> float:
    """How you did: the optimizer's final error divided by yours.

    1 is a tie; 2 means your error is half the optimizer's (you won); 0.5 means it is
    twice as large. Errors below :data:`ERROR_FLOOR` count as the floor.
    """
    yours = max(float(your_error), ERROR_FLOOR)
    theirs = max(float(optimizer_error), ERROR_FLOOR)
    if not (math.isfinite(yours) and math.isfinite(theirs)):
        return 0.0 if not math.isfinite(yours) else math.inf
    return theirs / yours


@dataclass(frozen=True)
class Result:
    """One finished game: both error curves (start first) and the score."""

    challenge_id: str
    seed: int
    your_errors: tuple[float, ...]
    optimizer_errors: tuple[float, ...]

    @property
    def your_error(self) -> float:
        return self.your_errors[-1]

    @property
    def optimizer_error(self) -> float:
        return self.optimizer_errors[-1]

    @property
    def score(self) -> float:
        return score(self.your_error, self.optimizer_error)

    @property
    def won(self) -> bool:
        return self.score > 1.0

    def summary(self) -> str:
        """The result in one or two plain sentences."""
        s = self.score
        head = (
            f"Your error {self.your_error:.3g}; gradient descent {self.optimizer_error:.3g}. "
            f"Score {s:.2f}"
        )
        if s > 1.005:
            return f"{head}: you beat it!"
        if s >= 0.995:
            return f"{head}: a tie."
        return f"{head}: gradient descent won this time."


def play(ch: Challenge, seed: int, your_errors: Sequence[float]) -> Result:
    """Score a game: your errors (the start, then after each move) against the optimizer's."""
    if not your_errors:
        raise ValueError("A game needs at least the starting error.")
    theirs = optimizer_run(ch, seed)
    return Result(ch.id, int(seed), tuple(float(e) for e in your_errors), tuple(theirs.tolist()))


# -- best scores on disk -------------------------------------------------------------------
def load_best(folder: str | Path) -> dict[str, dict]:
    """Best score per challenge id from ``folder/challenge_scores.json``.

    A missing, unreadable or damaged file counts as no scores yet (never an error: a lost
    high score must not stop a game). Each entry holds ``score``, ``your_error``,
    ``optimizer_error``, ``seed`` and ``when`` (ISO 8601, UTC).
    """
    path = Path(folder) / SCORES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    best = data.get("best") if isinstance(data, dict) else None
    if not isinstance(best, dict):
        return {}
    return {
        str(k): v
        for k, v in best.items()
        if isinstance(v, dict) and isinstance(v.get("score"), int | float)
    }


def record(folder: str | Path, result: Result) -> tuple[dict, bool]:
    """Keep ``result`` if it is the best of its challenge so far.

    Returns
    -------
    best : dict
        The best entry for the challenge after this game.
    is_new_best : bool
        True when this game set it (and the file was written).

    Raises
    ------
    OSError
        When the folder cannot be created or the file cannot be written.
    """
    folder = Path(folder)
    best = load_best(folder)
    old = best.get(result.challenge_id)
    s = result.score
    if old is not None and not s > float(old["score"]):
        return old, False
    entry = {
        "score": s if math.isfinite(s) else 1e12,
        "your_error": result.your_error,
        "optimizer_error": result.optimizer_error,
        "seed": result.seed,
        "when": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    best[result.challenge_id] = entry
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomically(folder / SCORES_FILE, {"format": SCORES_FORMAT, "best": best})
    return entry, True


def _write_atomically(path: Path, data: dict) -> None:
    # a crash half-way leaves the old file, not half a file
    write_atomic(json.dumps(data, indent=2) + "\n", path)
