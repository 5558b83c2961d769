"""The Watch pace and the convergence stop, from the window a person gets: a real click
on Train, then what the screen says."""

from __future__ import annotations

import pytest
from hands import press, release
from PySide6.QtWidgets import QCheckBox

from knobsim.core.data.catalog import session_for
from knobsim.ui.controller.session_controller import MAX_SPEED, SPEED_LABELS
from knobsim.ui.plots.plot_items import compact_count

pytestmark = pytest.mark.real_pace


def click(widget) -> None:
    """A left click in the middle of ``widget``, as a hand gives it."""
    centre = widget.rect().center()
    press(widget, centre)
    release(widget, centre)


def test_the_start_window_trains_at_a_pace_a_person_can_follow(open_window, qtbot):
    win = open_window()
    c = win.controller
    assert SPEED_LABELS[c.speed_index] == "Watch" and win.speed_label.text() == "Watch"
    start = c.session.train_loss
    click(win.train_button)
    assert c.is_training
    qtbot.wait(700)
    # after most of a second the run is under way but far from over (at Max the line
    # took 78,000 steps in 0.3 s): a few dozen steps at most, most of the fall still ahead
    assert 0 < c.session.step_count < 100
    lowest = 0.0099  # the line's least squares error on this data
    assert c.session.train_loss > lowest + 0.05 * (start - lowest)


def test_training_stops_by_itself_when_converged_and_says_so(open_window, qtbot):
    win = open_window(session_for("line", "linear", lr=0.1))
    c = win.controller
    click(win.train_button)
    qtbot.waitUntil(lambda: not c.is_training, timeout=30_000)
    at = c.converged_at
    assert at is not None and at == c.session.step_count
    assert win.statusBar().currentMessage().startswith(f"Converged after {at:,} steps")
    assert win.loss_plot.converged_line.isVisible()
    qtbot.wait(350)
    assert win.audit() == []
    # Train again goes on, and does not stop at once on the same plateau
    click(win.train_button)
    qtbot.wait(800)
    assert c.is_training and c.session.step_count > at
    click(win.train_button)
    assert win.audit() == []


def test_the_stop_can_be_switched_off(open_window, qtbot):
    win = open_window(session_for("line", "linear", lr=0.1))
    c = win.controller
    box = win.findChild(QCheckBox, "stopWhenConverged")
    assert box.isChecked()
    click(box)
    assert not box.isChecked() and not c.stop_when_converged
    c.set_speed(MAX_SPEED)
    click(win.train_button)
    qtbot.wait(1500)
    assert c.is_training and c.converged_at is None
    click(win.train_button)
    qtbot.wait(350)
    assert win.audit() == []


def test_a_log_step_axis_with_readable_counts(open_window, qtbot):
    win = open_window(session_for("poly", "sine", lr=0.03))
    c = win.controller
    c.step_many(20_000)
    plot = win.loss_plot
    axis = plot.plot_item.getAxis("bottom")
    assert axis.tickStrings([0, 5000, 10_000, 20_000], 1, 5000) == ["0", "5k", "10k", "20k"]
    click(plot.log_steps)
    assert plot.log_steps.isChecked()
    (x0, x1), _ = plot.plot_item.viewRange()
    assert plot.step_at(x0) < 1 and plot.step_at(x1) >= 20_000  # the whole run, in decades
    assert axis.tickStrings([0.0, 1.0, 2.0, 3.0, 4.0], 1, 1.0) == ["1", "10", "100", "1k", "10k"]
    qtbot.wait(350)
    assert win.audit() == []
    assert [compact_count(n) for n in (999_999, 1_500_000)] == ["1M", "1.5M"]


def test_the_pace_is_saved_and_old_files_still_open(open_window):
    win = open_window()
    files = win.files
    assert files.app_state()["pace"] == "watch"
    files._apply_app_state({"speed": 9})  # a file from before: 9 was Max
    assert SPEED_LABELS[win.controller.speed_index] == "Max"
    files._apply_app_state({"pace": 300})
    assert SPEED_LABELS[win.controller.speed_index] == "300 steps/s"
    files._apply_app_state({"pace": "watch"})
    assert win.controller.speed_index == 0


def test_the_read_out_follows_every_slow_step(open_window, qtbot):
    """At the Watch pace's slowest (a step every few frames) the error read-out shows each
    step, not one in four: the refreshes waiting after a step run in the frames between."""
    win = open_window()
    c = win.controller
    click(win.train_button)
    seen_steps, seen_texts = set(), set()
    for _ in range(90):  # 1.5 s at a frame a sample
        qtbot.wait(16)
        seen_steps.add(c.session.step_count)
        seen_texts.add(win.error_label.text())
    click(win.train_button)
    assert len(seen_steps) >= 6
    assert len(seen_texts) >= 0.75 * len(seen_steps)
