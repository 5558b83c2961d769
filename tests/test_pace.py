"""The Watch pace and the convergence rule, on real training runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from knobsim.core.data.catalog import session_for
from knobsim.core.training.convergence import KNOB_BAND, MIN_WINDOW, ConvergenceWatch
from knobsim.core.training.pace import MAX_FACTOR, MIN_STEPS, START_CHANGE, WatchPace

FRAME = 1.0 / 60.0
#: steps a frame's time budget holds in these tests (the window measures it in time;
#: a fixed number keeps the tests the same on a fast and a slow machine)
FRAME_CAP = 300


def _watch(session, seconds: float):
    """Run the pace as the window does, a frame at a time; the error each frame."""
    pace = WatchPace()
    pace.start()
    shown = [session.train_loss]
    for _ in range(int(seconds * 60)):
        n = pace.steps(FRAME)
        before = session.train_loss
        if n:
            n = session.step(min(n, FRAME_CAP)).steps  # a frame's budget (in steps here)
        pace.observe(n, before, session.train_loss)
        shown.append(session.train_loss)
    return pace, np.array(shown)


def test_the_first_frames_are_slow_and_the_change_per_frame_holds_near_the_target():
    s = session_for("poly", "sine", degree=3, lr=0.03)
    pace, shown = _watch(s, 4.0)
    # the first second: at most a step every few frames (the steep start is watched)
    assert s.step_count > 0
    changes = np.abs(np.diff(np.log(shown)))
    moving = changes[changes > 0]
    # steps are whole: a frame's change is near the target, or one step's worth
    assert np.median(moving) < 6 * START_CHANGE * 2
    assert pace.per_frame >= MIN_STEPS


@pytest.mark.parametrize(
    "model, data, kwargs",
    [("line", "linear", {}), ("poly", "sine", {"degree": 3}), ("logistic", "blobs", {}),
     ("mlp", "circles", {"hidden": (8,)}), ("nextword", "rhymes", {})],
)  # fmt: skip
def test_each_default_falls_in_3_to_15_seconds_of_frames(model, data, kwargs):
    s = session_for(model, data, lr=0.03, **kwargs)
    _, shown = _watch(s, 15.0)
    target = shown[0] - 0.95 * (shown[0] - shown.min())
    seconds = int(np.argmax(shown <= target)) / 60.0
    assert 3.0 <= seconds <= 15.0


def test_no_change_speeds_up_and_an_explosion_slows_right_down():
    pace = WatchPace()
    pace.start()
    pace.per_frame = 10.0
    pace.observe(10, 1.0, 1.0)
    assert pace.per_frame == 10.0 * MAX_FACTOR
    pace.observe(10, 1.0, math.inf)
    assert pace.per_frame == MIN_STEPS
    pace.per_frame = 4.0
    pace.observe(4, 1.0, 0.5)  # far more change than wanted: halve, no more
    assert pace.per_frame == 2.0


def test_fractional_steps_are_owed_not_lost():
    pace = WatchPace()
    pace.start()
    assert sum(pace.steps(FRAME) for _ in range(80)) == int(80 * MIN_STEPS)


def _converge(session, watch, frames: int, per_frame: int = 5):
    for _ in range(frames):
        session.step(per_frame)
        hit = watch.add(session.step_count, session.train_loss, session.params)
        if hit is not None:
            return hit
    return None


def test_gradient_descent_on_a_line_converges_once_and_says_where():
    s = session_for("line", "linear", lr=0.1)
    widths = np.ptp(s.model.param_ranges(), axis=1)
    watch = ConvergenceWatch(widths)
    at = _converge(s, watch, 2000)
    assert at is not None and at >= MIN_WINDOW
    # at that step the knobs really have stopped: more steps move them by under a pixel
    before = s.params.copy()
    s.step(at // 5 + MIN_WINDOW)
    assert (np.abs(s.params - before) / widths).max() <= KNOB_BAND


def test_a_steady_descent_is_not_a_stop_and_resume_waits_for_news():
    s = session_for("mlp", "spiral", hidden=(8, 8), lr=0.03)
    widths = np.ptp(s.model.param_ranges(), axis=1)
    watch = ConvergenceWatch(widths)
    assert _converge(s, watch, 200) is None  # still learning after 1,000 steps
    line = session_for("line", "linear", lr=0.1)
    watch = ConvergenceWatch(np.ptp(line.model.param_ranges(), axis=1))
    assert _converge(line, watch, 2000) is not None
    watch.resume()
    assert _converge(line, watch, 400) is None  # the same plateau: no second stop


def test_a_hand_resets_the_watch():
    s = session_for("line", "linear", lr=0.1)
    watch = ConvergenceWatch(np.ptp(s.model.param_ranges(), axis=1))
    _converge(s, watch, 2000)
    watch.reset()
    assert watch.converged is None
    s.set_param("b", 3.0)
    assert watch.add(s.step_count, s.train_loss, s.params) is None


def test_a_replay_at_the_watch_pace_plays_the_run_as_watch_would_have_trained_it():
    """The line's start-window run, replayed from its timeline and loss curve, takes as
    many frames as the live Watch pace would have: the first steps slowly (a step every
    few frames), the plateau quickly, ending on the last entry."""
    from knobsim.core.training.pace import watch_ticks

    s = session_for("line", "linear", lr=0.03)
    s.step(3000)
    steps = s.timeline.steps
    ticks = watch_ticks(steps, s.history.steps, s.history.train)
    assert ticks[0] == 0 and ticks[-1] == len(steps) - 1 and np.all(np.diff(ticks) >= 0)
    seconds = len(ticks) / 60.0
    assert 3.0 <= seconds <= 20.0
    # the first ten steps take at least a second; the last 2,000 (a plateau) under one
    first_ten = np.count_nonzero(steps[ticks] < 10)
    plateau = np.count_nonzero(steps[ticks] >= 1000)
    assert first_ten >= 60 and plateau <= 60
    # from part-way: starts there; a timeline of one entry gives that entry
    assert watch_ticks(steps, s.history.steps, s.history.train, first=5)[0] == 5
    assert watch_ticks(steps[:1], [0], [1.0]).tolist() == [0, 0]
