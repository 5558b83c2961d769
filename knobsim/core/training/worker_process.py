"""Starting and stopping a worker process: the one mechanism behind the training process
(``knobsim.core.training.background``) and the capacity sweep (``knobsim.core.capacity.sweep``).

A fresh interpreter, not a fork (never fork a process that runs Qt) and not
multiprocessing's spawn (which imports the caller's main script again): it imports only
numpy and ``knobsim.core``, and talks over a socket pair in typed messages
(``knobsim.core.training.messages``). Nothing here imports Qt.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path

from knobsim.core.training.messages import Quit

#: a worker's scheduling priority below the window's (Unix nice increment)
WORKER_NICENESS = 5
#: A worker and the window each take a core, and their numpy works on small arrays. A BLAS
#: library's extra threads save little there, and between products they spin, on the
#: other process's core: the window's took a fifth of the training process's time (poly 9
#: at Max, 0.72 of the bare step rate, 0.99 with one thread each). So each process keeps
#: its BLAS to one thread, unless the person running knobsim set these themselves.
ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def share_the_cores() -> None:
    """Keep this process's BLAS to one thread (see ``ONE_THREAD``): called when a worker
    starts beside it. A worker gets ``ONE_THREAD`` from its environment."""
    if any(name in os.environ for name in ONE_THREAD):
        return  # the person's own choice
    from threadpoolctl import threadpool_limits  # a few ms: only where a worker starts

    threadpool_limits(limits=1, user_api="blas")


def launch_worker(module: str) -> tuple[subprocess.Popen, Connection]:
    """Start ``module.main(fd)`` in a new interpreter; returns it and our end of the socket.

    Returns at once (the worker says ``Ready`` when it has imported what it needs).
    Raises ``OSError`` when no process can be started.
    """
    ours, theirs = socket.socketpair()
    package_root = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH", "")
    env = {**ONE_THREAD, **os.environ}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, path) if p)
    code = f"from {module} import main; main({theirs.fileno()})"
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", code],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            env=env,
        )
    except OSError:
        ours.close()
        raise
    finally:
        theirs.close()
    return process, Connection(ours.detach())


def worker_connection(fd: int) -> Connection:
    """The worker's end of the socket, at a priority below the window's: when something
    else wants a core too, the window's frames come first."""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(WORKER_NICENESS)
    return Connection(fd)


def shut_down(process: subprocess.Popen, conn: Connection) -> None:
    """Ask the worker to quit and close the socket, without waiting for it: a window that
    closes, or a sweep cancelled, would stand still until the interpreter had exited (up to
    a tenth of a second, measured as a stall of the next window's frames). The worker also
    ends when it finds its socket closed; one still there when this process exits is killed."""
    with contextlib.suppress(OSError, ValueError):
        conn.send(Quit())
    conn.close()
    _leaving[:] = [p for p in _leaving if p.poll() is None]  # reap those gone since
    if process.poll() is None:
        _leaving.append(process)


#: workers asked to quit that had not gone yet
_leaving: list[subprocess.Popen] = []


@atexit.register
def _end_the_leaving() -> None:
    for process in _leaving:
        try:
            process.wait(0.5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(0.5)
