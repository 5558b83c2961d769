"""Starting and stopping a worker process: the one mechanism behind the training process
(``knobsim.core.background``) and the capacity sweep (``knobsim.core.sweep``).

A fresh interpreter, not a fork (never fork a process that runs Qt) and not
multiprocessing's spawn (which imports the caller's main script again): it imports only
numpy and ``knobsim.core``, and talks over a socket pair in typed messages
(``knobsim.core.messages``). Nothing here imports Qt.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path

from knobsim.core.messages import Quit

#: a worker's scheduling priority below the window's (Unix nice increment)
WORKER_NICENESS = 5
#: a worker is one loop on one core: its BLAS library gets no threads of its own (they
#: would spin on the window's core between the small products of a step), unless the
#: person running knobsim chose otherwise
ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


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
    """Ask the worker to quit, kill it if it does not within half a second, close the socket."""
    with contextlib.suppress(OSError, ValueError):
        conn.send(Quit())
    try:
        process.wait(0.5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(0.5)
    conn.close()
