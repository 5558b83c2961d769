"""The bridge to the training process: starts the worker, hands it the session, passes
on what a person changes and brings back what training did. It emits no signals (the
controller tells the views) and does no maths.
"""

from __future__ import annotations

import logging

import numpy as np

from knobsim.core.training.background import TrainerProcess, WorkerError
from knobsim.core.training.messages import Change, FinalState, GridDone, RequestGrid, Snapshot
from knobsim.core.training.session import Session

log = logging.getLogger(__name__)


class TrainingBridge:
    """The window's one ``TrainerProcess``, and what to do when it fails: training then
    carries on in the window's own thread for the rest of the run (``failed``)."""

    def __init__(self) -> None:
        self._worker: TrainerProcess | None = None
        self.failed = False
        self._grid_requests = 0

    @property
    def active(self) -> bool:
        """True while the optimizer runs in the worker process."""
        return self._worker is not None and self._worker.active

    @property
    def ready(self) -> bool:
        """True when the training process is up."""
        try:
            return self._worker is not None and self._worker.check_ready()
        except WorkerError as exc:
            self._give_up(exc)
            return False

    def launch(self) -> None:
        """Start the training process (it takes a few tenths of a second)."""
        if self._worker is None and not self.failed:
            try:
                self._worker = TrainerProcess()
                self._worker.launch()
            except Exception as exc:  # noqa: BLE001 - whatever stops it, train here
                self._give_up(exc)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def train(self, session: Session) -> tuple[Snapshot | None, list[GridDone]] | None:
        """One tick of training in the worker: start it on ``session``, or bring what it
        did (the newest snapshot, finished landscapes). None when this tick should train
        here instead (the worker not ready yet, or broken)."""
        if self.failed:
            return None
        try:
            self.launch()
            worker = self._worker
            if worker is None:
                return None
            if not worker.active:
                if not worker.check_ready():
                    return None  # train here until the worker has started
                worker.start(session)
                return None, []
            snap = worker.poll()
        except Exception as exc:  # noqa: BLE001 - whatever stops the worker, train here
            self._give_up(exc)
            return None
        return snap, worker.take_grids()

    def take_back(self) -> FinalState | None:
        """Stop a run in the worker and return its final state (None when none ran)."""
        worker = self._worker
        if worker is None or not worker.active:
            return None
        try:
            return worker.stop()
        except WorkerError as exc:
            self._give_up(exc)
            return None

    def tell(self, change: Change) -> None:
        """Pass a change on to a run in the worker (nothing when none runs)."""
        if self.active:
            try:
                self._worker.tell(change)
            except WorkerError as exc:
                self._give_up(exc)

    def request_grid(self, i: int, j: int, a: np.ndarray, b: np.ndarray) -> int | None:
        """Ask a run in the worker for a landscape; returns the request's id, or None when
        nothing trains in the worker."""
        if not self.active:
            return None
        self._grid_requests += 1
        try:
            self._worker.request_grid(RequestGrid(self._grid_requests, i, j, a, b))
        except WorkerError as exc:
            self._give_up(exc)
        return self._grid_requests if self.active else None

    def _give_up(self, exc: Exception) -> None:
        log.warning("Training continues in the window's own thread: %s", exc)
        self.failed = True
        self.close()
