"""The capacity sweep: train one model at every capacity and record train and test error.

A generator, so a caller reports progress after every capacity and stops it between
training chunks through ``cancelled``. Nothing here imports Qt.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from knobsim.core.capacity import capacity_of, capacity_range, with_capacity
from knobsim.core.datasets import Dataset
from knobsim.core.models import Model
from knobsim.core.optimizers import OptimizerConfig
from knobsim.core.session import Session

Array = NDArray[np.float64]

#: optimizer steps per capacity. Polynomials use a Legendre basis, so even degree 15 is
#: well conditioned: a few thousand steps of any optimizer bring the training error
#: close to its floor, which is what lets the high degrees overfit. At 20-30 points one
#: step costs ~30 microseconds, so the whole polynomial sweep takes about two seconds.
DEFAULT_STEPS = 3000
#: steps between two looks at ``cancelled`` and at convergence
CHUNK = 250
#: a capacity is done early when a chunk moves the training error by less than this share
CONVERGED = 1e-5


@dataclass(frozen=True)
class SweepPoint:
    """One capacity's result.

    Attributes
    ----------
    capacity : int
        Degree (polynomial) or first hidden layer's width (MLP).
    n_params : int
        Its number of knobs, the x axis of the U curve.
    train_loss, test_loss : float
        Data error after training, without the L2 penalty (NaN if training diverged at once).
    steps : int
        Optimizer steps taken (fewer than asked when it converged or diverged).
    diverged : bool
    theta : Array, shape (n_params,)
        The trained weights.
    """

    capacity: int
    n_params: int
    train_loss: float
    test_loss: float
    steps: int
    diverged: bool = False
    theta: Array = field(default_factory=lambda: np.zeros(0), repr=False)


def capacities(model: Model) -> range:
    """Every capacity of ``model``'s kind, smallest first (empty if it has none)."""
    r = capacity_range(model)
    return range(0) if r is None else range(r[0], r[1] + 1)


def train_at(
    model: Model,
    dataset: Dataset,
    config: OptimizerConfig,
    *,
    seed: int = 0,
    steps: int = DEFAULT_STEPS,
    cancelled: Callable[[], bool] | None = None,
) -> SweepPoint | None:
    """Train ``model`` from its seeded start for up to ``steps`` steps.

    Stops early when a chunk of ``CHUNK`` steps lowers the training error by less than
    ``CONVERGED`` of itself, or when training diverges (the last good weights count).
    Returns None when ``cancelled()`` turned True.
    """
    session = Session(model, dataset, optimizer=config, seed=seed, history_limit=16)
    done = 0
    diverged = False
    previous = session.train_loss
    while done < steps:
        if cancelled is not None and cancelled():
            return None
        n = min(CHUNK, steps - done)
        report = session.step(n, record_every=n)
        done += report.steps
        if report.diverged:
            diverged = True
            break
        loss = session.train_loss
        if abs(previous - loss) < CONVERGED * max(loss, 1e-12):
            break
        previous = loss
    d = dataset
    theta = np.array(session.params)
    train = model.data_loss(theta, d.X_train, d.y_train)
    test = model.data_loss(theta, d.X_test, d.y_test)
    return SweepPoint(
        capacity_of(model) or 0,
        model.n_params,
        train if math.isfinite(train) else math.nan,
        test if math.isfinite(test) else math.nan,
        done,
        diverged,
        theta,
    )


def sweep(
    model: Model,
    dataset: Dataset,
    config: OptimizerConfig,
    *,
    seed: int = 0,
    steps: int = DEFAULT_STEPS,
    capacities_: Iterable[int] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Iterator[SweepPoint]:
    """Train ``model`` at every capacity on the same data, seed and optimizer settings.

    Parameters
    ----------
    model : Polynomial or MLP
        The current model; its kind, input scaling, activation and L2 are kept.
    dataset : Dataset
    config : OptimizerConfig
        The optimizer and its settings, unchanged for every capacity.
    seed : int
        Each capacity starts from ``model.init_params(default_rng(seed))`` and mini-batches
        are drawn as in a session with that seed.
    steps : int
        Optimizer steps per capacity at most (see :data:`DEFAULT_STEPS`).
    capacities_ : iterable of int, optional
        Which capacities, default :func:`capacities` (all, smallest first).
    cancelled : callable, optional
        Asked between training chunks; when it returns True the generator stops.

    Yields
    ------
    SweepPoint
        One per capacity, in order.

    Raises
    ------
    ValueError
        When the model has no capacity to change.
    """
    if capacity_range(model) is None:
        raise ValueError(
            f"The {model.name} model has a fixed number of knobs; there is no capacity to sweep."
        )
    for c in capacities(model) if capacities_ is None else capacities_:
        point = train_at(
            with_capacity(model, c),
            dataset,
            config,
            seed=seed,
            steps=steps,
            cancelled=cancelled,
        )
        if point is None:
            return
        yield point


def sweep_to_queue(queue: Any, stop: Any, **kwargs: Any) -> None:
    """Run :func:`sweep` for a worker process and report through ``queue``.

    Puts ``("point", SweepPoint)`` per capacity, then ``("done", cancelled)``; or
    ``("failed", message)`` if the sweep raised. ``stop`` is anything with ``is_set()``
    (a ``multiprocessing.Event``); ``kwargs`` go to :func:`sweep`.
    """
    try:
        for point in sweep(cancelled=stop.is_set, **kwargs):
            queue.put(("point", point))
    except Exception as exc:  # the parent shows it; a worker must not die silently
        queue.put(("failed", f"{type(exc).__name__}: {exc}"))
        return
    queue.put(("done", bool(stop.is_set())))
