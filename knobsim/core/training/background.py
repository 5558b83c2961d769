"""Training in a second process, so the optimizer and the window's painting each get a core.

The window keeps its ``Session`` as the one the views read; while a ``TrainerProcess`` runs,
that session is a mirror: every frame it absorbs a ``Snapshot`` (the newest weights and the
loss points recorded since the last one), and a hand on a knob, a new learning rate or a
lock goes to the worker as a typed message (``knobsim.core.training.messages``, one handler each).
``stop`` hands the optimizer's memory back, so the session continues exactly where the
worker left it. Nothing here imports Qt.
"""

from __future__ import annotations

import contextlib
import math
import time
import traceback
import weakref
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.connection import Connection

import numpy as np

from knobsim.core.models.landscape import GridJob
from knobsim.core.training.messages import (
    Change,
    Failed,
    FinalState,
    GridDone,
    Quit,
    Ready,
    RequestGrid,
    SetConfig,
    SetHeld,
    SetL2,
    SetLocked,
    SetParams,
    Snapshot,
    Start,
    Stop,
    Want,
)
from knobsim.core.training.session import Record, Session
from knobsim.core.training.worker_process import (
    launch_worker,
    share_the_cores,
    shut_down,
    worker_connection,
)

#: how long the worker trains between looking at its messages (seconds): the most a hand
#: move or a pause waits for it
CHUNK_S = 0.004
#: snapshots on their way at once: one can be read while the next is being made, so
#: every frame finds one waiting
IN_FLIGHT = 2
#: the least time between two snapshots (seconds): more than one a 60 Hz frame, so every
#: frame finds a new one, and not two a frame (at 6 ms they were 105 a second, 1.1% of
#: the worker's time, most of them folded away unread)
SNAPSHOT_S = 0.009
#: the least time between two snapshots that carry timeline entries (seconds). While it
#: trains, the worker sends only the entries its timeline keeps for good
#: (``Timeline.after(..., lasting=True)``); the newest ones, kept one by one and thinned as
#: the run goes on, travel once, when it stops. Sent with every snapshot they cost the
#: worker about a sixth of its time (a 49-knob network: 100 KB a snapshot, most of it
#: thinned away on arrival).
TIMELINE_S = 0.25
#: the most of the training process's time a landscape the window asked for may take, and
#: the most it may take at once after a while without one (seconds): the landscape of the
#: 2-4-2-1 network took 8% of the process at four a second
GRID_SHARE = 0.015
GRID_BURST_S = 0.03
#: how long ``stop`` waits for the worker's final state before giving up on it (seconds)
STOP_TIMEOUT_S = 3.0


class WorkerError(RuntimeError):
    """The worker process failed or went away; the message says how."""


class TrainerProcess:
    """The window's side of the worker: start, steer, read and stop training over a socket.

    The process starts once (``launch``, which returns at once; ``ready`` turns True when
    the worker has imported numpy) and serves any number of runs: ``start(session)`` sends
    a copy of the session and the worker trains until ``stop``. ``tell`` sends a change;
    each snapshot says how many changes the worker had applied, so a hand move still on
    its way is laid over the worker's older weights rather than undone by them.
    """

    def __init__(self) -> None:
        self._process = None
        self._conn: Connection | None = None
        self.ready = False
        self.active = False  # a run is going on in the worker
        self._told = 0  # changes sent in this run
        self._pending: list[tuple[int, SetParams]] = []  # hand moves, numbered
        self._latest: Snapshot | None = None  # every snapshot not yet read, folded
        self._arrived = 0  # snapshots folded into it
        self._grids: list[GridDone] = []
        self._final: FinalState | None = None
        self._handlers: dict[type, Callable] = {
            Ready: self._on_ready,
            Snapshot: self._on_snapshot,
            GridDone: self._on_grid_done,
            FinalState: self._on_final_state,
            Failed: self._on_failed,
        }
        self._finalizer = None

    # -- life of the process -----------------------------------------------------------
    def launch(self) -> None:
        """Start the worker process (returns at once; poll ``check_ready``); see
        ``knobsim.core.training.worker_process``."""
        if self._process is not None:
            return
        share_the_cores()
        process, self._conn = launch_worker("knobsim.core.training.background")
        self._process = process
        self._finalizer = weakref.finalize(self, shut_down, process, self._conn)

    @property
    def launched(self) -> bool:
        return self._process is not None

    def check_ready(self) -> bool:
        """True once the worker has said it is ready (never blocks)."""
        while not self.ready and self._conn is not None and self._conn.poll():
            self._receive()
        return self.ready

    def close(self) -> None:
        """Stop the worker process (it also ends by itself when this one goes away: its
        socket closes)."""
        if self._finalizer is not None:
            self._finalizer()
        self._process = self._conn = self._finalizer = None
        self.ready = self.active = False
        self._pending.clear()

    # -- one run ---------------------------------------------------------------------------
    def start(self, session: Session) -> None:
        """Train a copy of ``session`` from its current state until ``stop``."""
        if not self.ready:
            raise WorkerError("The training process is not ready yet.")
        self._told = 0
        self._pending.clear()
        self._send(Start(session.worker_copy()))
        self._send(Want(IN_FLIGHT))
        self.active = True

    def tell(self, change: Change) -> None:
        """A person changed something; the worker carries on from there."""
        self._told += 1
        if isinstance(change, SetParams):
            self._pending.append((self._told, change))
        self._send(change)

    def request_grid(self, request: RequestGrid) -> None:
        """Compute a loss landscape at the worker's weights, between training chunks;
        ``take_grids`` hands it over. A new request replaces one still in progress."""
        self._send(request)

    def take_grids(self) -> list[GridDone]:
        """Landscapes finished since the last call."""
        out, self._grids = self._grids, []
        return out

    def poll(self) -> Snapshot | None:
        """The newest snapshot, folding in every one that arrived (never blocks)."""
        if not self.active:
            return None
        while self._conn is not None and self._conn.poll():
            self._receive()
        snap, self._latest = self._latest, None
        if snap is not None:
            self._send(Want(self._arrived))
            self._arrived = 0
        return snap

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> FinalState:
        """End the run; returns the worker's final state (every record not yet read)."""
        if not self.active:
            raise WorkerError("No training is running in the training process.")
        self.active = False
        self._send(Stop())
        deadline = time.monotonic() + timeout
        while self._final is None:
            left = deadline - time.monotonic()
            if left <= 0 or not self._conn.poll(left):
                self.close()
                raise WorkerError("The training process did not answer; it was stopped.")
            self._receive()
        final, self._final = self._final, None
        if self._latest is not None:
            final = replace(final, snapshot=_fold(self._latest, final.snapshot))
        self._latest, self._arrived = None, 0
        self._pending.clear()
        return final

    # -- what the worker sends, one handler each -----------------------------------------
    def _on_ready(self, message: Ready) -> None:
        self.ready = True

    def _on_snapshot(self, snap: Snapshot) -> None:
        # hand moves the worker had not seen when it sent this: lay them over its weights
        self._pending = [(n, move) for n, move in self._pending if n > snap.seen]
        if self._pending:
            theta = np.array(snap.theta)
            for _, move in self._pending:
                theta[list(move.indices)] = move.values
            snap = replace(snap, theta=theta)
        self._latest = snap if self._latest is None else _fold(self._latest, snap)
        self._arrived += 1

    def _on_grid_done(self, grid: GridDone) -> None:
        self._grids.append(grid)

    def _on_final_state(self, final: FinalState) -> None:
        self._final = final

    def _on_failed(self, failure: Failed) -> None:
        self.close()
        raise WorkerError(f"Training failed in the training process: {failure.traceback}")

    # -- internals -------------------------------------------------------------------------
    def _receive(self) -> None:
        try:
            message = self._conn.recv()
        except (EOFError, OSError) as exc:
            self.close()
            raise WorkerError("The training process went away.") from exc
        self._handlers[type(message)](message)

    def _send(self, message: object) -> None:
        if self._conn is None:
            raise WorkerError("The training process is not running.")
        try:
            self._conn.send(message)
        except (OSError, ValueError) as exc:
            self.close()
            raise WorkerError(f"The training process went away ({exc}).") from exc


def _fold(older: Snapshot, newer: Snapshot) -> Snapshot:
    """Two snapshots as one: the newer one's weights, both one's records and timeline
    entries (the newer ones replace the older ones from their first step on)."""
    records = [*older.records, *newer.records]
    timeline = older.timeline
    if timeline is None or newer.timeline is None:
        timeline = newer.timeline if timeline is None else timeline
    elif len(newer.timeline[0]):
        (s0, t0), (s1, t1) = older.timeline, newer.timeline
        k = int(np.searchsorted(s0, s1[0], side="left"))
        timeline = (np.concatenate([s0[:k], s1]), np.concatenate([t0[:k], t1]))
    return replace(
        newer, records=records, diverged=older.diverged or newer.diverged, timeline=timeline
    )


# -- the worker ------------------------------------------------------------------------------
def main(fd: int) -> None:
    """The worker process's entry point: serve the window on the socket ``fd``."""
    serve(worker_connection(fd))


def serve(conn: Connection) -> None:
    """The worker's loop: train in short chunks, answer messages between them."""
    try:
        _Worker(conn).run()
    except (EOFError, OSError, KeyboardInterrupt):
        pass  # the window went away
    except Exception:  # noqa: BLE001 - sent to the window, which says what happened
        with contextlib.suppress(OSError, ValueError):
            conn.send(Failed(traceback.format_exc(limit=4)))


class _Worker:
    """The worker's state between messages, and one handler per message."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.session: Session | None = None
        self.records: list[Record] = []
        self.running = False
        self.quit = False
        self.want = 0  # snapshots the window has asked for
        self.sent = 0.0  # when the last one went
        self.seen = 0  # changes applied in this run
        self.sent_step = -1  # the timeline's lasting entries went up to this step
        self.timeline_sent = -math.inf  # when they went
        self.diverged = ""
        self.grid: _Grid | None = None  # a landscape the window asked for, between chunks
        self.grid_allowance = GRID_BURST_S  # seconds it may spend on landscapes now
        self._handlers: dict[type, Callable] = {
            Start: self._on_start,
            Want: self._on_want,
            SetParams: self._on_set_params,
            SetConfig: self._on_set_config,
            SetLocked: self._on_set_locked,
            SetHeld: self._on_set_held,
            SetL2: self._on_set_l2,
            RequestGrid: self._on_request_grid,
            Stop: self._on_stop,
            Quit: self._on_quit,
        }

    def run(self) -> None:
        self.conn.send(Ready())
        while not self.quit:
            block = not self.running
            while block or self.conn.poll():
                block = False
                message = self.conn.recv()
                self._handlers[type(message)](message)
                if self.quit:
                    return
            if self.running:
                self._train_a_chunk()

    def _train_a_chunk(self) -> None:
        session = self.session
        t0 = time.perf_counter()
        report = session.step(1_000_000_000, record_every=1_000_000_000, max_seconds=CHUNK_S)
        now = time.perf_counter()
        # landscapes take at most GRID_SHARE of the time: an allowance that grows with
        # the time trained and shrinks by what each piece took
        self.grid_allowance = min(GRID_BURST_S, self.grid_allowance + GRID_SHARE * (now - t0))
        if self.grid is not None and self.grid_allowance > 0:
            done = self.grid.advance()
            self.grid_allowance -= time.perf_counter() - now
            now = time.perf_counter()
            if done:
                self.conn.send(GridDone(self.grid.rid, self.grid.theta, self.grid.Z))
                self.grid = None
        if report.diverged:
            self.running, self.diverged = False, report.message
            self.want, self.sent = max(self.want, 1), -math.inf
        if self.want and now - self.sent >= SNAPSHOT_S:
            self.conn.send(self._snapshot())
            self.records.clear()
            self.want -= 1
            self.sent = now

    def _snapshot(self, *, full: bool = False) -> Snapshot:
        """The snapshot to send now. Its timeline entries: every one the window may lack
        when ``full`` (at the end) or after a divergence (the good weights were put back at
        the newest step); else the lasting ones, when ``TIMELINE_S`` has passed."""
        s, now, timeline = self.session, time.perf_counter(), None
        tl = s.timeline
        if full or self.diverged:
            timeline = tl.after(min(self.sent_step, tl.settled_until()))
        elif now - self.timeline_sent >= TIMELINE_S:
            timeline, self.timeline_sent = tl.after(self.sent_step, lasting=True), now
        if timeline is not None and len(timeline[0]):
            self.sent_step = int(timeline[0][-1])
        return Snapshot(self.seen, s.params, s.step_count, self.records, self.diverged, timeline)

    # -- one handler per message -------------------------------------------------------------
    def _on_start(self, message: Start) -> None:
        self.session, self.records, self.seen = message.session, [], 0
        self.sent_step, self.timeline_sent = self.session.timeline.start - 1, -math.inf
        self.session.record_sink = self.records
        self.running, self.diverged = True, ""

    def _on_want(self, message: Want) -> None:
        self.want += message.n

    def _on_set_params(self, message: SetParams) -> None:
        if self._count_change():
            theta = self.session.params.copy()
            theta[list(message.indices)] = message.values
            self.session.set_params(theta, by_hand=False)

    def _on_set_config(self, message: SetConfig) -> None:
        if self._count_change():
            self.session.set_optimizer(message.config)

    def _on_set_locked(self, message: SetLocked) -> None:
        if self._count_change():
            self.session.set_locked(message.index, message.locked)

    def _on_set_held(self, message: SetHeld) -> None:
        if self._count_change():
            self.session.set_held(message.index, message.held)

    def _on_set_l2(self, message: SetL2) -> None:
        if self._count_change():
            self.session.set_l2(message.l2)

    def _on_request_grid(self, m: RequestGrid) -> None:
        self.grid = _Grid(self.session, m.rid, m.i, m.j, m.a, m.b) if self.session else None

    def _on_stop(self, message: Stop) -> None:
        s = self.session
        if s is not None:
            final = FinalState(self._snapshot(full=True), s.optimizer_state, s.sampler)
            self.conn.send(final)
        self.session, self.records, self.running, self.want, self.grid = None, [], False, 0, None

    def _on_quit(self, message: Quit) -> None:
        self.quit = True

    def _count_change(self) -> bool:
        """Count a change in this run; False when no run is going on (nothing to change)."""
        if self.session is None:
            return False
        self.seen += 1
        return True


class _Grid(GridJob):
    """A landscape the window asked for, computed a piece between training chunks."""

    #: elements of the widest temporary per piece: a few milliseconds of work
    PIECE_ELEMENTS = 200_000

    def __init__(self, session: Session, rid: int, i: int, j: int, a, b) -> None:
        d = session.dataset
        super().__init__(
            session.model, session._theta, i, j, d.X_train, d.y_train, a, b,
            chunk_elements=self.PIECE_ELEMENTS,
        )  # fmt: skip
        self.rid = rid
