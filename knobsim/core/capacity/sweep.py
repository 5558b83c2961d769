"""The capacity sweep: train one model at every capacity and record train and test error.

A generator, so a caller reports progress after every capacity and stops it between
training chunks (``sweep_chunks``). ``SweepProcess`` runs it in a worker process (the
training process's mechanism, ``knobsim.core.training.worker_process``), ``SweepHere`` where none
can start. Nothing here imports Qt.
"""

from __future__ import annotations

import contextlib
import math
import time
import traceback
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
from numpy.typing import NDArray

from knobsim.core.capacity.sizes import capacity_of, capacity_range, with_capacity
from knobsim.core.data.datasets import Dataset
from knobsim.core.models.machines import Model
from knobsim.core.training.messages import Cancel, Failed, StartSweep, SweepDone
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session
from knobsim.core.training.worker_process import launch_worker, shut_down, worker_connection

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


def _training(
    model: Model, dataset: Dataset, config: OptimizerConfig, *, seed: int, steps: int
) -> Iterator[SweepPoint | None]:
    """Train ``model`` from its seeded start for up to ``steps`` steps, a chunk at a time:
    None before every chunk, then the point.

    Stops early when a chunk of ``CHUNK`` steps lowers the training error by less than
    ``CONVERGED`` of itself, or when training diverges (the last good weights count).
    """
    session = Session(model, dataset, optimizer=config, seed=seed, history_limit=16)
    done = 0
    diverged = False
    previous = session.train_loss
    while done < steps:
        yield None
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
    yield SweepPoint(
        capacity_of(model) or 0,
        model.n_params,
        train if math.isfinite(train) else math.nan,
        test if math.isfinite(test) else math.nan,
        done,
        diverged,
        theta,
    )


def sweep(*args: Any, **kwargs: Any) -> Iterator[SweepPoint]:
    """:func:`sweep_chunks` without its pauses: one ``SweepPoint`` per capacity, in order."""
    return (point for point in sweep_chunks(*args, **kwargs) if point is not None)


def sweep_chunks(
    model: Model,
    dataset: Dataset,
    config: OptimizerConfig,
    *,
    seed: int = 0,
    steps: int = DEFAULT_STEPS,
    capacities_: Iterable[int] | None = None,
) -> Iterator[SweepPoint | None]:
    """Train ``model`` at every capacity on the same data, seed and optimizer settings, a
    chunk of ``CHUNK`` steps at a time.

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

    Yields
    ------
    None or SweepPoint
        None before every chunk, where whoever drives it may stop (the worker process when
        the window cancels, the window between frames); a ``SweepPoint`` when a capacity
        is done, one per capacity, in order.

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
        yield from _training(with_capacity(model, c), dataset, config, seed=seed, steps=steps)


# -- the sweep off the window's thread -------------------------------------------------------


def chunks_of(start: StartSweep) -> Iterator[SweepPoint | None]:
    """:func:`sweep_chunks` of the sweep that ``start`` asks for."""
    return sweep_chunks(
        start.model, start.dataset, start.config, seed=start.seed, steps=start.steps
    )


class SweepProcess:
    """One sweep in a worker process (``core.training.worker_process``), read without blocking.

    Raises ``OSError`` when no process can be started (then :class:`SweepHere` runs it).
    """

    def __init__(self, start: StartSweep) -> None:
        process, self._conn = launch_worker("knobsim.core.capacity.sweep")
        self._process = process
        self._finalizer = weakref.finalize(self, shut_down, process, self._conn)
        self._ended = False
        self._conn.send(start)

    def cancel(self) -> None:
        """Stop after the current chunk of steps (``SweepDone(cancelled=True)`` follows)."""
        with contextlib.suppress(OSError, ValueError):
            self._conn.send(Cancel())

    def receive(self) -> list[SweepPoint | SweepDone | Failed]:
        """What the worker sent since the last call, up to its end (never blocks)."""
        out: list[SweepPoint | SweepDone | Failed] = []
        try:
            while not self._ended and self._conn.poll():
                out.append(self._conn.recv())
                self._ended = isinstance(out[-1], (SweepDone, Failed))
        except (EOFError, OSError):
            self._ended = True
            code = self._process.poll()
            out.append(
                Failed(f"The sweep's worker process stopped unexpectedly (exit code {code}).")
            )
        return out

    def close(self) -> None:
        """End the worker process (at once if it is still training)."""
        self._finalizer()


class SweepHere:
    """The same sweep in the caller's thread, a slice of ``budget_s`` per ``receive``:
    where no worker process can start, the window trains between its frames."""

    def __init__(self, start: StartSweep, budget_s: float = 0.01) -> None:
        self._chunks = chunks_of(start)
        self._budget_s = budget_s
        self._cancelled = False
        self._ended = False

    def cancel(self) -> None:
        self._cancelled = True

    def receive(self) -> list[SweepPoint | SweepDone | Failed]:
        """A slice of the sweep: the points it finished, and its end when it came."""
        if self._ended:
            return []
        out: list[SweepPoint | SweepDone | Failed] = []
        t0 = time.perf_counter()
        try:
            for point in self._chunks:
                if point is not None:
                    out.append(point)
                elif self._cancelled:
                    return self._end(out, SweepDone(cancelled=True))
                elif time.perf_counter() - t0 >= self._budget_s:
                    return out
        except Exception:  # noqa: BLE001 - said to the person, as from the worker
            return self._end(out, Failed(traceback.format_exc(limit=4)))
        return self._end(out, SweepDone(cancelled=False))

    def close(self) -> None:
        self._chunks.close()

    def _end(self, out: list, last: SweepDone | Failed) -> list:
        self._ended = True
        out.append(last)
        return out


def main(fd: int) -> None:
    """The sweep worker's entry point: run the window's ``StartSweep`` on the socket ``fd``."""
    conn = worker_connection(fd)
    with contextlib.suppress(EOFError, OSError, KeyboardInterrupt):  # the window went away
        serve(conn)


def serve(conn: Connection) -> None:
    """Send each capacity's point as it is trained; stop at ``Cancel`` (or ``Quit``)."""
    start = conn.recv()
    if not isinstance(start, StartSweep):
        return  # Quit before it began
    try:
        for point in chunks_of(start):
            if point is not None:
                conn.send(point)
            elif conn.poll():  # Cancel, or Quit when the window closes the sweep
                if isinstance(conn.recv(), Cancel):
                    conn.send(SweepDone(cancelled=True))
                return
    except Exception:  # noqa: BLE001 - sent to the window, which says what happened
        conn.send(Failed(traceback.format_exc(limit=4)))
        return
    conn.send(SweepDone(cancelled=False))
