"""A race: several optimizers (or one at several learning rates) from the same starting
knobs, on the same model and data. Nothing here imports Qt.

Each run trains its own copy of the session; the convergence rule is the window's
(:class:`~knobsim.core.convergence.ConvergenceWatch`), checked every ``check_every``
steps, so ``steps_to_converge`` is the step at which Train would have paused by itself.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from knobsim.core.convergence import ConvergenceWatch
from knobsim.core.optimizers import DEFAULT_LR, OPTIMIZERS, OptimizerConfig
from knobsim.core.session import Session

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


def race(
    session: Session, runners: Sequence[OptimizerConfig], steps: int, *, check_every: int = 0
) -> list[RaceRun]:
    """Train a copy of ``session`` with each of ``runners`` for ``steps`` steps, all from
    the session's knobs now (the session itself is not changed)."""
    if steps < 1:
        raise ValueError(f"steps must be 1 or more, not {steps}")
    every = check_every or max(1, steps // 2000)
    ranges = np.asarray(session.model.param_ranges(), dtype=float)
    widths = ranges[:, 1] - ranges[:, 0]
    keep = set(np.linspace(0, steps, min(PATH_POINTS, steps + 1)).round().astype(int).tolist())
    out = []
    for config in runners:
        s = copy.deepcopy(session, {id(session.dataset): session.dataset})
        s.set_optimizer(config)
        start = s.step_count
        watch = ConvergenceWatch(widths)
        path = [s.params.copy()]
        converged = None
        diverged = False
        done = 0
        while done < steps:
            report = s.step(min(every, steps - done), record_every=max(1, steps // 500))
            done += report.steps
            if done in keep or done == steps:
                path.append(s.params.copy())
            if report.diverged:
                diverged = True
                break
            if converged is None:
                hit = watch.add(done, s.train_loss, s.params)
                if hit is not None:
                    converged = hit
            if report.steps == 0:
                break
        h = s.history
        rows = [
            (int(st) - start, float(a), float(b))
            for st, a, b in zip(h.steps, h.train, h.test, strict=True)
            if st >= start
        ]
        thin = np.unique(np.linspace(0, len(rows) - 1, min(len(rows), HISTORY_POINTS)).round())
        history = tuple(rows[int(i)] for i in thin)
        out.append(
            RaceRun(
                optimizer=config.name,
                lr=float(s.config.lr),
                history=history,
                final_train_loss=float(s.train_loss),
                final_test_loss=float(s.test_loss),
                steps_to_converge=converged,
                diverged=diverged,
                path=np.array(path),
            )
        )
    return out


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
