"""A race: several optimizers (or one at several learning rates) from the same starting
knobs, on the same model and data. Nothing here imports Qt.

Each run trains its own copy of the session; the convergence rule is the window's
(:class:`~knobsim.core.training.convergence.ConvergenceWatch`), checked every ``check_every``
steps, so ``steps_to_converge`` is the step at which Train would have paused by itself.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from knobsim.core.training.convergence import ConvergenceWatch
from knobsim.core.training.optimizers import DEFAULT_LR, OPTIMIZERS, OptimizerConfig
from knobsim.core.training.session import Session

#: knob vectors kept along each run's path (evenly spaced in steps, ends included)
PATH_POINTS = 200
#: points kept of each run's error curve (evenly spaced, ends included)
HISTORY_POINTS = 500
#: most runs in one race
MAX_RUNS = 4


@dataclass(frozen=True)
class RaceRun:
    """One runner: its optimizer and learning rate, its error curve (step, train, test),
    its final errors, the step it converged at (None if it did not) and its path."""

    optimizer: str
    lr: float
    history: tuple[tuple[int, float, float], ...]
    final_train_loss: float
    final_test_loss: float
    steps_to_converge: int | None
    diverged: bool
    path: NDArray[np.float64]

    def to_json(self) -> dict:
        return {
            "optimizer": self.optimizer,
            "lr": self.lr,
            "history": [
                {"step": s, "train_loss": _finite(a), "test_loss": _finite(b)}
                for s, a, b in self.history
            ],
            "final_train_loss": _finite(self.final_train_loss),
            "final_test_loss": _finite(self.final_test_loss),
            "steps_to_converge": self.steps_to_converge,
            "diverged": self.diverged,
            "path": self.path.tolist(),
        }


def entrants(
    optimizers: Sequence[str], lrs: Sequence[float] | None = None
) -> list[OptimizerConfig]:
    """The runners' settings: each optimizer at its default learning rate, or at the
    matching one of ``lrs``; one optimizer with several ``lrs`` races itself. Raises
    ValueError naming a bad name or value."""
    names = [name.strip().lower() for name in optimizers if name.strip()]
    if not names:
        raise ValueError("name at least one optimizer")
    for name in names:
        if name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")
    rates = list(lrs or [])
    for lr in rates:
        if not (math.isfinite(lr) and lr > 0):
            raise ValueError(f"a learning rate must be a number above 0, not {lr!r}")
    if rates and len(names) == 1:
        names = names * len(rates)
    if rates and len(rates) != len(names):
        raise ValueError(
            f"give one learning rate per optimizer ({len(names)}), or one optimizer with "
            "several learning rates"
        )
    if not 2 <= len(names) <= MAX_RUNS:
        raise ValueError(f"a race has 2 to {MAX_RUNS} runners, not {len(names)}")
    if rates:
        return [OptimizerConfig(name=n, lr=lr) for n, lr in zip(names, rates, strict=True)]
    return [OptimizerConfig(name=n, lr=DEFAULT_LR.get(n, DEFAULT_LR["gd"])) for n in names]


class RaceRunner:
    """One runner of a race, trained a chunk at a time (``advance``) so a window can run
    a race between frames; ``result`` says how it went so far.

    ``freeze`` (knob indices): only these knobs train, the others stay at the start (so a
    two-knob map drawn at the start stays true under the runners' paths)."""

    def __init__(
        self,
        session: Session,
        config: OptimizerConfig,
        steps: int,
        *,
        check_every: int = 0,
        train_only: Sequence[int] | None = None,
    ) -> None:
        if steps < 1:
            raise ValueError(f"steps must be 1 or more, not {steps}")
        self.config, self.steps = config, int(steps)
        self.every = check_every or max(1, steps // 2000)
        s = copy.deepcopy(session, {id(session.dataset): session.dataset})
        s.set_optimizer(config)
        if train_only is not None:
            keep = set(int(k) for k in train_only)
            for k in range(s.n_params):
                s.set_locked(k, k not in keep)
        self.session = s
        ranges = np.asarray(s.model.param_ranges(), dtype=float)
        self._watch = ConvergenceWatch(ranges[:, 1] - ranges[:, 0])
        self._start = s.step_count
        #: the steps whose knobs the path keeps, in order (each piece stops at the next)
        self._keep = sorted(
            set(np.linspace(0, steps, min(PATH_POINTS, steps + 1)).round().astype(int).tolist())
            - {0}
        )
        self._next = 0
        self._path = [s.params.copy()]
        self.done = 0
        self.converged: int | None = None
        self.diverged = False
        self.stalled = False

    @property
    def finished(self) -> bool:
        return self.done >= self.steps or self.diverged or self.stalled

    def advance(self, n: int) -> None:
        """Up to ``n`` more steps (in pieces of the convergence check's spacing)."""
        s, end = self.session, min(self.steps, self.done + max(1, int(n)))
        while self.done < end and not self.finished:
            piece = min(self.every, end - self.done, self._keep[self._next] - self.done)
            report = s.step(piece, record_every=max(1, self.steps // 500))
            self.done += report.steps
            if self.done == self._keep[self._next]:
                self._path.append(s.params.copy())
                self._next = min(self._next + 1, len(self._keep) - 1)
            if report.diverged:
                self.diverged = True
                break
            if self.converged is None:
                self.converged = self._watch.add(self.done, s.train_loss, s.params)
            if report.steps == 0:
                self.stalled = True

    def result(self) -> RaceRun:
        s = self.session
        h = s.history
        rows = [
            (int(st) - self._start, float(a), float(b))
            for st, a, b in zip(h.steps, h.train, h.test, strict=True)
            if st >= self._start
        ]
        thin = np.unique(np.linspace(0, len(rows) - 1, min(len(rows), HISTORY_POINTS)).round())
        return RaceRun(
            optimizer=self.config.name,
            lr=float(s.config.lr),
            history=tuple(rows[int(i)] for i in thin),
            final_train_loss=float(s.train_loss),
            final_test_loss=float(s.test_loss),
            steps_to_converge=self.converged,
            diverged=self.diverged,
            path=np.array(self._path),
        )


def race(
    session: Session, runners: Sequence[OptimizerConfig], steps: int, *, check_every: int = 0
) -> list[RaceRun]:
    """Train a copy of ``session`` with each of ``runners`` for ``steps`` steps, all from
    the session's knobs now (the session itself is not changed)."""
    out = []
    for config in runners:
        runner = RaceRunner(session, config, steps, check_every=check_every)
        runner.advance(steps)
        out.append(runner.result())
    return out


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
