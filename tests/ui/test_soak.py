"""Short soaks: what a run accumulates stays bounded, on the paths a person trains on.

20,000 MLP steps with the window open, driven in chunks as a script would, and a few
seconds of Train pressed at the default speed (the training process, the real event
loop). Bounded: the loss history (decimated to at most ``2 * limit`` points), the weight
trail (a ring buffer), the window's objects while its read-outs repaint, and the resident
memory. The long runs and their figures are benchmarks/bench_soak.py (SOAK.md).
"""

from __future__ import annotations

import numpy as np
import pytest
from hands import PaintCounter
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QPushButton

from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import TRAIL_LENGTH, Session

STEPS = 20_000
CHUNK = 160  # four history points a chunk: 500 in all, past every bound below
HISTORY_LIMIT = 50
#: generous: the benchmark measures well under 1 MB for this many steps
MAX_GROWTH_MB = 30.0


def rss_mb() -> float:
    """Resident memory of this process (VmRSS), in MB."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    pytest.skip("no VmRSS in /proc/self/status (Linux only)")


def objects(window) -> int:
    """The window's QObjects: every widget, timer, document ... it owns."""
    return len(window.findChildren(QObject))


@pytest.fixture
def window(open_window):
    data = make_dataset("sine", n_points=30, seed=0)
    session = Session(
        make_model("mlp", data, hidden=(8,)),
        data,
        optimizer=OptimizerConfig("adam", lr=0.01),
        seed=0,
        history_limit=HISTORY_LIMIT,
    )
    return open_window(session, size=(1024, 700), restore=False)


def run_chunks(window, steps: int) -> None:
    app = QApplication.instance()
    c = window.controller
    for start in range(0, steps, CHUNK):
        c.step_many(min(CHUNK, steps - start))
        app.processEvents()
        assert not c.last_step_diverged


def test_twenty_thousand_steps_with_the_window_open_stay_bounded(window):
    c = window.controller
    session = c.session
    run_chunks(window, 2_000)  # warm-up: first paints, caches, numpy buffers
    before = rss_mb()
    owned = objects(window)
    readout = PaintCounter(window.error_label)
    curve = window.loss_plot.train_curve

    run_chunks(window, STEPS)

    assert session.step_count == 2_000 + STEPS
    history = session.history
    assert history.stride > 1, "the run was too short to fill the history; the test is moot"
    assert len(history) <= 2 * HISTORY_LIMIT
    assert history.steps[0] == 0 and history.steps[-1] == session.step_count
    assert np.all(np.diff(history.steps) > 0)
    assert np.all(np.isfinite(history.train)) and np.all(np.isfinite(history.test))
    xs, _ = curve.getData()
    # the plot keeps up, with at most two points a pixel of the whole run
    assert xs[-1] == session.step_count and xs[0] == 0
    assert len(xs) <= min(len(history), 2 * window.loss_plot.plot_widget.width())

    assert session._trail_n > TRAIL_LENGTH, "fewer records than the trail holds; moot"
    trail = session.trail
    assert trail.shape == (TRAIL_LENGTH, session.n_params)
    np.testing.assert_array_equal(trail[-1], session.params)
    assert c.undo_stack.count() == 0  # training is not an undo step

    # every chunk shows a new error read-out; painting it leaves nothing behind (issue 12)
    assert readout.paints >= STEPS // CHUNK // 2, "the read-out hardly painted; moot"
    assert objects(window) <= owned
    growth = rss_mb() - before
    assert growth < MAX_GROWTH_MB, f"resident memory grew {growth:.1f} MB in {STEPS:,} steps"


def test_training_in_the_process_at_the_default_speed_leaves_the_window_bounded(window, qtbot):
    """Train pressed as the app starts: speed Max, the training process, the real event
    loop; the window absorbs a snapshot and repaints its views and read-outs every frame."""
    c = window.controller
    train = window.findChild(QPushButton, "train")
    qtbot.mouseClick(train, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: c.trains_in_process, timeout=20_000)
    qtbot.waitUntil(lambda: c.session.step_count > 2_000, timeout=20_000)  # warm-up
    qtbot.wait(200)
    owned = objects(window)
    readout = PaintCounter(window.error_label)
    fit = PaintCounter(window.fit_plot.viewport())
    steps = c.session.step_count
    # frames go by: new weights from the worker, the plots and the read-out repainted
    qtbot.waitUntil(lambda: readout.paints >= 10 and fit.paints >= 60, timeout=20_000)
    assert c.trains_in_process and c.session.step_count > steps
    assert objects(window) <= owned
    history = c.session.history
    assert len(history) <= 2 * history.limit and len(c.session.trail) <= TRAIL_LENGTH
    qtbot.mouseClick(train, Qt.MouseButton.LeftButton)
    qtbot.wait(350)  # the deferred refreshes
    assert window.audit() == []
