"""A short soak: 20,000 MLP steps with the window open, driven in chunks as a script would.

Checks that what a run accumulates stays bounded: the loss history (decimated to at most
``2 * limit`` points), the weight trail (a ring buffer), and the resident memory. The long
run and its figures are benchmarks/bench_soak.py (a million steps, SOAK.md).
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from knobsim.core.datasets import make_dataset
from knobsim.core.models import make_model
from knobsim.core.optimizers import OptimizerConfig
from knobsim.core.session import TRAIL_LENGTH, Session

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

    growth = rss_mb() - before
    assert growth < MAX_GROWTH_MB, f"resident memory grew {growth:.1f} MB in {STEPS:,} steps"
