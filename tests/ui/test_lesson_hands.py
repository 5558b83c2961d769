"""Lessons under real hands: a goal counts where the hand lets go, not where it passed by;
the verdict box tells a hand-moved or training model from a small one; an explosion goes
back to good knobs; the verdict box never moves the controls below it."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hands import (
    click,
    drag,
    drag_slider_to,
    find,
    handle_center,
    key,
    move,
    point_for_value,
    press,
    release,
)
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from knobsim.core.capacity.diagnosis import SENTENCES
from knobsim.ui.teaching.lessons import HOLD_MS

WAIT_MS = 8000
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def lesson_window(open_window):
    return open_window()


def begin(qtbot, win, lesson: str) -> None:
    """Open a lesson and let the window settle (the dock opening resizes the knobs)."""
    assert win.lessons.start(lesson)
    qtbot.wait(200)


def done(win):
    return lambda: find(win, "next_lesson", QPushButton).isEnabled()


def settle(qtbot, win) -> None:
    """Pause training and let deferred refreshes run, then the screen must be true."""
    win.controller.set_training(False)
    qtbot.wait(350)
    if hasattr(win, "audit"):
        assert win.audit() == []


def best_line(win) -> tuple[float, float]:
    """The least-squares w and b on the session's training points."""
    d = win.controller.dataset
    A = np.column_stack([d.X_train[:, 0], np.ones(d.n_train)])
    w, b = np.linalg.lstsq(A, d.y_train, rcond=None)[0]
    return float(w), float(b)


def slider(win, name):
    return find(win, f"knob:{name}").slider


def train_error(win) -> float:
    s = win.controller.session
    d = s.dataset
    return s.model.data_loss(s.params, d.X_train, d.y_train)


def verdict(win) -> QLabel:
    return find(win, "fit_verdict", QLabel)


# -- point 2: a goal holds where the hand lets go -------------------------------------------------
def test_lesson_one_is_not_done_by_a_value_only_passed_through(qtbot, lesson_window):
    win = lesson_window
    begin(qtbot, win, "knobs")
    w, b = best_line(win)
    drag_slider_to(slider(win, "w"), w, qtbot=qtbot)
    qtbot.wait(50)
    assert not win.lessons.runner.completed  # b still at 0
    # b's handle dragged through the right value on its way to 0.88, never let go
    s = slider(win, "b")
    start, end = handle_center(s), point_for_value(s, 0.88)
    through = False
    press(s, start)
    for k in range(1, 13):
        move(s, QPoint(round(start.x() + (end.x() - start.x()) * k / 12), start.y()))
        qtbot.wait(20)
        through = through or train_error(win) <= 0.05
    assert through  # the drag did pass through a value that meets the goal
    qtbot.wait(HOLD_MS + 200)  # resting at 0.88, still held
    release(s, end)
    qtbot.wait(100)
    assert train_error(win) > 0.05
    assert not win.lessons.runner.completed
    assert not find(win, "lesson_done", QLabel).isVisible()
    # a real drag that ends on a good value and lets go there
    drag_slider_to(s, b, qtbot=qtbot)
    qtbot.waitUntil(done(win), timeout=WAIT_MS)
    assert train_error(win) <= 0.05
    settle(qtbot, win)


def test_lesson_one_completed_by_mouse_alone(qtbot, lesson_window):
    win = lesson_window
    win.lessons.show_start_page()
    click(qtbot, win, "start_lesson")  # the first lesson is selected
    qtbot.wait(200)
    assert win.lessons.current.id == "knobs"
    assert not find(win, "train").isVisible()
    assert "Train" not in verdict(win).text()  # no advice to press what is hidden
    w, b = best_line(win)
    drag_slider_to(slider(win, "w"), w, qtbot=qtbot)
    assert "Train" not in verdict(win).text()
    drag_slider_to(slider(win, "b"), b, qtbot=qtbot)
    qtbot.waitUntil(done(win), timeout=WAIT_MS)
    assert find(win, "lesson_done", QLabel).isVisible()
    assert win.controller.session.step_count == 0  # hands only
    assert verdict(win).text().startswith("Good fit")
    settle(qtbot, win)


def test_lesson_one_is_solved_by_one_click_on_the_maps_darkest_spot(qtbot, lesson_window):
    """Lesson 1 says so: the landscape's darkest spot is the best pair of knobs."""
    win = lesson_window
    begin(qtbot, win, "knobs")
    plot = win.landscape_plot
    plot.compute_now()
    grid = plot.grid
    (lo_a, hi_a), (lo_b, hi_b) = plot.view.viewRange()
    row, col = np.unravel_index(np.argmin(grid), grid.shape)
    a = lo_a + (hi_a - lo_a) * (col + 0.5) / grid.shape[1]
    b = lo_b + (hi_b - lo_b) * (row + 0.5) / grid.shape[0]
    scene = plot.view.mapViewToScene(QPointF(a, b))
    pos = plot.plot_widget.mapFromScene(scene)
    QTest.mouseClick(plot.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(done(win), timeout=WAIT_MS)
    assert train_error(win) <= 0.05
    settle(qtbot, win)


def test_a_goal_met_under_a_resting_hand_counts_after_a_moment(qtbot, lesson_window):
    win = lesson_window
    begin(qtbot, win, "knobs")
    w, b = best_line(win)
    drag_slider_to(slider(win, "w"), w, qtbot=qtbot)
    s = slider(win, "b")
    press(s, handle_center(s))
    move(s, point_for_value(s, b))
    for _ in range(3):
        QApplication.processEvents()  # the goal is checked: met, but the hand holds on
    assert train_error(win) <= 0.05
    assert not win.lessons.runner.completed
    qtbot.waitUntil(lambda: win.lessons.runner.completed, timeout=HOLD_MS * 4)
    release(s, point_for_value(s, b))


# -- point 7: the verdict box says what is true -------------------------------------------------
def test_a_line_dragged_off_its_fit_is_moved_by_hand_not_too_small(qtbot, window):
    c = window.controller
    c.step_many(500)
    assert verdict(window).text().startswith("Good fit")
    drag_slider_to(slider(window, "b"), c.session.value("b") - 1.2, qtbot=qtbot)
    qtbot.wait(50)
    text = verdict(window).text()
    assert verdict(window).property("kind") == "hand"
    assert not text.startswith("Underfitting") and "too few knobs" not in text
    settle(qtbot, window)


def test_a_line_training_normally_is_never_called_too_small(qtbot, window):
    c = window.controller
    c.set_speed(4)  # 30 steps a second: the line takes seconds to settle
    kinds = []
    click(qtbot, window, "train")
    for _ in range(40):
        qtbot.wait(60)
        kinds.append(verdict(window).property("kind"))
    click(qtbot, window, "train")
    assert "training" in kinds
    assert "underfit" not in kinds
    settle(qtbot, window)


def test_lesson_four_starts_trained_as_its_text_says(qtbot, lesson_window):
    win = lesson_window
    begin(qtbot, win, "memory")
    assert "already trained" in win.lessons.current.text[0]
    assert verdict(win).text().startswith("Good fit")


# -- point 9: an explosion goes back to good knobs ----------------------------------------------
def _type_into(qtbot, edit, text: str) -> None:
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)


def _shown_train_error(win) -> float:
    text = re.sub(r"<[^>]*>", " ", find(win, "error_label", QLabel).text())
    m = re.search(r"train\D*?([0-9][0-9.,]*(?:e[-+]?\d+)?)", text)
    assert m is not None, text
    return float(m.group(1).replace(",", ""))


def test_lesson_three_explosion_leaves_good_knobs(qtbot, lesson_window):
    win = lesson_window
    begin(qtbot, win, "step-size")
    runner = win.lessons.runner
    speed = find(win, "speed")
    drag_slider_to(speed, speed.maximum(), qtbot=qtbot)
    lr_edit = find(win, "learning_rate").edit
    click(qtbot, win, "train")
    qtbot.waitUntil(lambda: runner.task_index >= 1, timeout=WAIT_MS)
    _type_into(qtbot, lr_edit, "0.1")
    qtbot.waitUntil(lambda: runner.task_index >= 2, timeout=WAIT_MS)
    click(qtbot, win, "train")  # pause: the error before the exploding run
    settle(qtbot, win)
    before = train_error(win)
    shown_before = _shown_train_error(win)
    _type_into(qtbot, lr_edit, "3")
    click(qtbot, win, "train")
    qtbot.waitUntil(lambda: runner.task_index >= 3, timeout=WAIT_MS)  # exploded
    assert not win.controller.is_training  # knobsim paused it
    assert find(win, "explosion_banner").isVisible()
    banner = find(win, "explosion_message", QLabel).text()
    assert banner.count("xploded") == 1, banner  # said once, not "exploded. Training exploded"
    settle(qtbot, win)
    assert train_error(win) <= before * (1 + 1e-9)
    assert _shown_train_error(win) <= shown_before
    assert np.all(np.abs(win.controller.params) < 10)
    assert verdict(win).property("kind") == "exploded"
    assert "exploded" in verdict(win).text()
    # the last task: look back at the steps that overshot
    slider = find(win, "scrubBar")
    press(slider, handle_center(slider))
    release(slider, handle_center(slider))
    key(Qt.Key.Key_Left)
    qtbot.waitUntil(done(win), timeout=WAIT_MS)


# -- point 11: the verdict box never moves what is below it ------------------------------------
_BELOW = ("model", "dataset", "points", "noise", "learning_rate", "l2", "speed")


def _geometry(win) -> dict[str, tuple[int, int, int, int]]:
    out = {}
    for name in _BELOW:
        w = find(win, name)
        top_left = w.mapTo(win, QPoint(0, 0))
        out[name] = (top_left.x(), top_left.y(), w.width(), w.height())
    return out


def test_the_verdict_box_keeps_its_height_whatever_it_says(qtbot, window):
    label = verdict(window)
    qtbot.wait(50)
    before = _geometry(window)
    for text in SENTENCES.values():
        label.setText(text)
        qtbot.wait(20)
        assert _geometry(window) == before, text
        # and the longest sentence fits: the box is at least as tall as the text needs
        assert QLabel.heightForWidth(label, label.width()) <= label.height(), text
    c = window.controller
    click(qtbot, window, "train")
    for _ in range(10):
        qtbot.wait(60)
        assert _geometry(window) == before
    click(qtbot, window, "train")
    qtbot.wait(350)
    assert _geometry(window) == before
    drag_slider_to(slider(window, "b"), c.session.value("b") - 1.0, qtbot=qtbot)
    qtbot.wait(50)
    assert _geometry(window) == before
    settle(qtbot, window)


def _fitts_seconds(distance_px: float, width_px: float) -> float:
    """Time to move a mouse ``distance_px`` onto a target ``width_px`` wide (Fitts's law,
    Shannon form, with slow-end desktop constants a = 0.2 s, b = 0.2 s/bit) plus a second
    to look at the error read-out before each drag."""
    return 1.0 + 0.2 + 0.2 * np.log2(distance_px / width_px + 1)


def test_lesson_one_by_a_coarse_drag_then_a_shift_fine_drag_per_knob(qtbot, lesson_window):
    """How a person solves lesson 1 without typing: a plain drag lands a few pixels off
    the best value (a hand's aim), a Shift drag moves the rest at a tenth of the rate.
    The goal is met by these four drags, and Fitts's law puts them under 20 seconds."""
    win = lesson_window
    begin(qtbot, win, "knobs")
    best = dict(zip(("w", "b"), best_line(win), strict=True))
    seconds, drags = 0.0, 0
    for name in ("w", "b"):
        s = slider(win, name)
        lo, hi = s.minimum(), s.maximum()
        px_per_unit = (point_for_value(s, hi).x() - point_for_value(s, lo).x()) / (hi - lo)
        start, aim = handle_center(s), point_for_value(s, best[name]) + QPoint(3, 0)
        drag(s, start, aim, qtbot=qtbot)  # three pixels past: a hand's aim
        seconds += _fitts_seconds(abs(aim.x() - start.x()), 1.0)
        off_px = round((best[name] - s.value()) * px_per_unit * 10)  # fine pixels to go
        at = handle_center(s)
        drag(s, at, at + QPoint(off_px, 0), mods=SHIFT, qtbot=qtbot)
        seconds += _fitts_seconds(abs(off_px), 10.0)  # a fine pixel target is 10 px wide
        drags += 2
        assert abs(s.value() - best[name]) <= 0.6 / px_per_unit / 10
    qtbot.waitUntil(done(win), timeout=WAIT_MS)
    assert train_error(win) <= 0.05 and win.controller.session.step_count == 0
    print(f"lesson 1 by mouse: {drags} drags, about {seconds:.1f} s by Fitts's law")
    assert drags == 4 and seconds < 20.0, seconds
    settle(qtbot, win)
