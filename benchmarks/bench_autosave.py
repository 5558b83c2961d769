"""How long one autosave holds the window up, for the MLP training at speed Max.

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_autosave.py``. The window's part
of an autosave is bringing the training process's state back (``controller.sync``) and
turning the session into JSON; the file is written and fsynced on a thread. Prints the
median and the worst of ``REPEATS`` autosaves, in wall time and in the window thread's CPU
time (steadier on a busy machine), and the same for a write done in the window thread.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from PySide6.QtTest import QTest

from knobsim.app import create_window, ensure_app
from knobsim.core.data.catalog import DEFAULT_DATASET, session_for
from knobsim.core.data.datasets import make_dataset
from knobsim.core.io import sessionfile
from knobsim.ui.window.autosave import Autosave

REPEATS = 20


def _timed(fn) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.thread_time()
    fn()
    return 1000 * (time.perf_counter() - t0), 1000 * (time.thread_time() - c0)


def _report(name: str, samples: list[tuple[float, float]]) -> None:
    wall, cpu = zip(*samples, strict=True)
    print(
        f"{name:<34} wall median {statistics.median(wall):5.1f} ms, max {max(wall):5.1f} ms; "
        f"window-thread CPU median {statistics.median(cpu):5.1f} ms"
    )


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = ensure_app()
    data = make_dataset(DEFAULT_DATASET["mlp"], seed=0)
    window = create_window(session_for(data, "mlp", seed=0), restore=False)
    window.show()
    c = window.controller
    folder = Path(tempfile.mkdtemp(prefix="knobsim-bench-"))
    auto = Autosave(c, folder, app_state=window.files.app_state, interval_ms=10**9)
    auto.start()
    c.set_training(True)  # speed Max: in the training process
    QTest.qWait(3000)
    threaded, inline = [], []
    in_process = 0
    for _ in range(REPEATS):
        QTest.qWait(300)
        in_process += c.trains_in_process
        threaded.append(_timed(auto.save_now))
        auto._finish()  # noqa: SLF001 - the write ends before the next sample
        QTest.qWait(300)

        def write_here() -> None:
            c.sync()
            sessionfile.save(c.session, folder / "inline.knobsim", app=window.files.app_state())

        inline.append(_timed(write_here))
    s = c.session
    print(
        f"mlp {s.model.describe()}, {s.step_count:,} steps, {len(s.history.steps)} history "
        f"points, training in the process at {in_process}/{REPEATS} autosaves, file "
        f"{auto.path.stat().st_size // 1024} KB"
    )
    _report("autosave (write on a thread)", threaded)
    _report("sync + save in the window thread", inline)
    c.set_training(False)
    auto.stop()
    window.files.dirty = False
    window.close()
    app.processEvents()


if __name__ == "__main__":
    main()
