"""Training in a second process, so the optimizer and the window's painting each get a core.

The window keeps its ``Session`` as the one the views read; while a ``TrainerProcess`` runs,
that session is a mirror: every frame it absorbs a ``Snapshot`` (the newest weights and the
loss points recorded since the last one), and a hand on a knob, a new learning rate or a
lock goes to the worker as a message. ``stop`` hands the optimizer's memory back, so the
session continues exactly where the worker left it. Nothing here imports Qt.
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
import socket
import subprocess
import sys
import time
import traceback
import weakref
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from knobsim.core.history import LossHistory
from knobsim.core.landscape import GridJob
from knobsim.core.optimizers import OptimizerConfig
from knobsim.core.session import Record, Session

#: how long the worker trains between looking at its messages (seconds): the most a hand
#: move or a pause waits for it
CHUNK_S = 0.004
#: snapshots on their way at once: one can be read while the next is being made, so
#: every frame finds one waiting
IN_FLIGHT = 2
#: the least time between two snapshots (seconds): about two a frame at most
SNAPSHOT_S = 0.006
#: the worker's scheduling priority below the window's (Unix nice increment)
WORKER_NICENESS = 5
#: how long ``stop`` waits for the worker's final state before giving up on it (seconds)
STOP_TIMEOUT_S = 3.0


class WorkerError(RuntimeError):
    """The worker process failed or went away; the message says how."""


@dataclass
class Snapshot:
    """What training did since the previous snapshot.

    ``theta`` holds the newest weights, with hand moves the worker has not seen yet laid
    over them; ``records`` the loss points recorded since the last snapshot, oldest first;
    ``diverged`` the plain-words message when training exploded (the worker then restored
    the last good weights and stopped).
    """

    theta: NDArray[np.float64]
    step_count: int
    records: list[Record] = field(default_factory=list)
    diverged: str = ""


@dataclass
class FinalState:
    """The worker's session when it stopped: enough to carry on in this process."""

    snapshot: Snapshot
    optimizer_state: dict
    sampler: object


class TrainerProcess:
    """The window's side of the worker: start, steer, read and stop training over a socket.

    The process starts once (``launch``, which returns at once; ``ready`` turns True when
    the worker has imported numpy) and serves any number of runs: ``start(session)`` sends
    a copy of the session and the worker trains until ``stop``. Messages are numbered, and
    a snapshot says which it had seen, so a hand move still on its way is laid over the
    worker's older weights rather than undone by them.
    """

    def __init__(self) -> None:
        self._process = None
        self._conn: Connection | None = None
        self.ready = False
        self.active = False  # a run is going on in the worker
        self._seq = 0
        self._pending: list[tuple[int, list[int], NDArray[np.float64]]] = []
        self._grids: list[tuple[int, NDArray, NDArray]] = []
        self._finalizer = None

    # -- life of the process -----------------------------------------------------------
    def launch(self) -> None:
        """Start the worker process (returns at once; poll ``check_ready``).

        A fresh interpreter, not a fork (never fork a process that runs Qt) and not
        multiprocessing's spawn (which imports the caller's main script again): it
        imports only numpy and ``knobsim.core``, and talks over a socket pair.
        """
        if self._process is not None:
            return
        ours, theirs = socket.socketpair()
        package_root = str(Path(__file__).resolve().parents[2])
        path = os.environ.get("PYTHONPATH", "")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (package_root, path) if p))
        code = f"from knobsim.core.background import main; main({theirs.fileno()})"
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", code],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                env=env,
            )
        finally:
            theirs.close()
        self._process, self._conn = process, Connection(ours.detach())
        self._finalizer = weakref.finalize(self, _shut_down, process, self._conn)

    @property
    def launched(self) -> bool:
        return self._process is not None

    def check_ready(self) -> bool:
        """True once the worker has said it is ready (never blocks)."""
        if not self.ready and self._conn is not None:
            try:
                if self._conn.poll():
                    self.ready = self._recv()[0] == "ready"
            except WorkerError:
                self.close()
                raise
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
        self._send(("start", worker_copy(session), self._seq))
        self._send(("want", IN_FLIGHT))
        self.active = True

    def set_params(self, indices: list[int], values: NDArray[np.float64]) -> None:
        """A hand moved these knobs; the worker carries on from there."""
        self._seq += 1
        values = np.array(values, dtype=float)
        self._pending.append((self._seq, list(indices), values))
        self._send(("set", self._seq, list(indices), values))

    def set_config(self, config: OptimizerConfig) -> None:
        self._seq += 1
        self._send(("config", self._seq, config))

    def set_locked(self, index: int, locked: bool) -> None:
        self._seq += 1
        self._send(("lock", self._seq, int(index), bool(locked)))

    def set_l2(self, l2: float) -> None:
        self._seq += 1
        self._send(("l2", self._seq, float(l2)))

    def request_grid(self, rid: int, i: int, j: int, a: NDArray, b: NDArray) -> None:
        """Compute the loss landscape over knobs i and j (values ``a`` across, ``b`` up) at
        the worker's weights, between training chunks; ``take_grids`` hands it over. A
        new request replaces one still in progress."""
        self._send(("grid", int(rid), int(i), int(j), np.asarray(a), np.asarray(b)))

    def take_grids(self) -> list[tuple[int, NDArray, NDArray]]:
        """Landscapes finished since the last call: (request id, weights, losses)."""
        out, self._grids = self._grids, []
        return out

    def poll(self) -> Snapshot | None:
        """The newest snapshot, folding in every one that arrived (never blocks)."""
        if not self.active:
            return None
        got: list[Snapshot] = []
        while self._conn.poll():
            msg = self._recv()
            if msg[0] == "snap":
                got.append(self._snapshot(msg))
            elif msg[0] == "gridz":
                self._grids.append(msg[1:])
        if not got:
            return None
        self._send(("want", len(got)))
        return _merge(got)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> FinalState:
        """End the run; returns the worker's final state (every record not yet read)."""
        if not self.active:
            raise WorkerError("No training is running in the training process.")
        self.active = False
        self._send(("stop",))
        got: list[Snapshot] = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self._conn.poll(left):
                self.close()
                raise WorkerError("The training process did not answer; it was stopped.")
            msg = self._recv()
            if msg[0] == "snap":
                got.append(self._snapshot(msg))
            elif msg[0] == "state":
                _, seq, theta, step, records, diverged, opt_state, sampler = msg
                got.append(Snapshot(theta, step, records, diverged))
                self._pending.clear()
                return FinalState(_merge(got), opt_state, sampler)

    # -- internals -------------------------------------------------------------------------
    def _snapshot(self, msg: tuple) -> Snapshot:
        _, seq, theta, step, records, diverged = msg
        # hand moves the worker had not seen when it sent this: lay them over its weights
        self._pending = [p for p in self._pending if p[0] > seq]
        if self._pending:
            theta = np.array(theta)
            for _, idx, values in self._pending:
                theta[idx] = values
        return Snapshot(theta, step, records, diverged)

    def _send(self, msg: tuple) -> None:
        if self._conn is None:
            raise WorkerError("The training process is not running.")
        try:
            self._conn.send(msg)
        except (OSError, ValueError) as exc:
            self.close()
            raise WorkerError(f"The training process went away ({exc}).") from exc

    def _recv(self) -> tuple:
        try:
            msg = self._conn.recv()
        except (EOFError, OSError) as exc:
            self.close()
            raise WorkerError("The training process went away.") from exc
        if msg[0] == "error":
            self.close()
            raise WorkerError(f"Training failed in the training process: {msg[1]}")
        return msg


def worker_copy(session: Session) -> Session:
    """What the worker needs of ``session``: everything but the loss curve and the path."""
    out = copy.copy(session)  # shallow: sending it copies what it shares
    out.history = LossHistory(16)  # the worker sends its records on; it needs no curve
    last = session.history.last()
    if last is not None:
        out.history.append(*last)
    out._trail = np.zeros((1, 0))
    out._trail_n = 0
    out._features = None  # the worker computes them again (less to send)
    return out


def _merge(snaps: list[Snapshot]) -> Snapshot:
    last = snaps[-1]
    if len(snaps) == 1:
        return last
    records = [r for s in snaps for r in s.records]
    diverged = next((s.diverged for s in snaps if s.diverged), "")
    return Snapshot(last.theta, last.step_count, records, diverged)


def _shut_down(process: subprocess.Popen, conn: Connection) -> None:
    with contextlib.suppress(OSError, ValueError):
        conn.send(("quit",))
    try:
        process.wait(0.5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(0.5)
    conn.close()


# -- the worker ------------------------------------------------------------------------------
def main(fd: int) -> None:
    """The worker process's entry point: serve the window on the socket ``fd``."""
    # when something else wants a core too, the window's frames come first
    with contextlib.suppress(AttributeError, OSError):
        os.nice(WORKER_NICENESS)
    serve(Connection(fd))


def serve(conn: Connection) -> None:
    """The worker's loop: train in short chunks, answer messages between them."""
    try:
        _serve(conn)
    except (EOFError, OSError, KeyboardInterrupt):
        pass  # the window went away
    except Exception:  # noqa: BLE001 - sent to the window, which says what happened
        with contextlib.suppress(OSError, ValueError):
            conn.send(("error", traceback.format_exc(limit=4)))


def _serve(conn: Connection) -> None:
    conn.send(("ready",))
    session: Session | None = None
    records: list[Record] = []
    running = False
    want = 0  # snapshots the window has asked for
    sent = 0.0  # when the last one went
    seq = 0
    diverged = ""
    grid: _Grid | None = None  # a landscape the window asked for, computed between chunks
    while True:
        block = not running
        while block or conn.poll():
            block = False
            msg = conn.recv()
            kind = msg[0]
            if kind == "quit":
                return
            if kind == "want":
                want += msg[1]
            elif kind == "grid":
                grid = _Grid(session, *msg[1:]) if session is not None else None
            elif kind == "start":
                _, session, seq = msg
                records = []
                session.record_sink = records
                running, diverged = True, ""
            elif kind == "stop":
                if session is not None:
                    conn.send(_state(session, seq, records, diverged))
                session, records, running, want, grid = None, [], False, 0, None
            elif session is not None:
                seq = msg[1]
                _apply(session, kind, msg[2:])
        if not running:
            continue
        report = session.step(1_000_000_000, record_every=1_000_000_000, max_seconds=CHUNK_S)
        if grid is not None and grid.advance():
            conn.send(("gridz", grid.rid, grid.theta, grid.Z))
            grid = None
        now = time.perf_counter()
        if report.diverged:
            running, diverged, want, sent = False, report.message, max(want, 1), -math.inf
        if want and now - sent >= SNAPSHOT_S:
            conn.send(("snap", seq, session._theta, session.step_count, records, diverged))
            records.clear()
            want -= 1
            sent = now


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


def _apply(session: Session, kind: str, args: tuple) -> None:
    if kind == "set":
        indices, values = args
        theta = session.params.copy()
        theta[indices] = values
        session.set_params(theta, by_hand=False)
    elif kind == "config":
        session.set_optimizer(args[0])
    elif kind == "lock":
        session.set_locked(args[0], args[1])
    elif kind == "l2":
        session.set_l2(args[0])


def _state(session: Session, seq: int, records: list[Record], diverged: str) -> tuple:
    return (
        "state",
        seq,
        session._theta,
        session.step_count,
        list(records),
        diverged,
        session.optimizer_state,
        session._sampler,
    )
