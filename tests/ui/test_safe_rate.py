"""The safe learning rate on the learning-rate control, by hand: its red line sits where
the rate is, the warning comes on as the hand drags past it, it follows the knobs, and
Train on either side of it does what it said."""

from __future__ import annotations

import math

import pytest
from hands import drag, drag_slider_to, handle_center, key, point_for_value, press, release
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from knobsim.core.data.catalog import session_for
from knobsim.core.models.curvature import session_safe_lr


def _lr_point(win, lr: float):
    control = win.lr_control
    return point_for_value(control.slider, control._to_tick(lr))


def test_dragging_the_rate_past_the_red_line_warns(open_window, qtbot):
    win = open_window(session_for("poly", "sine", degree=5, lr=0.05))
    line, control = win.safe_lr_line, win.lr_control
    safe = session_safe_lr(win.controller.session)
    assert line.shown == pytest.approx(safe) and f"{safe:.3g}" in line.text()
    assert not line.text().startswith("⚠")
    # the red line is drawn where a handle showing the safe rate would sit
    assert abs(control.slider.mark_x() - _lr_point(win, safe).x()) <= 1
    drag(control.slider, handle_center(control.slider), _lr_point(win, 3 * safe), qtbot=qtbot)
    assert win.controller.config.lr > safe
    assert line.text().startswith("⚠ Above the safe rate")
    drag(control.slider, handle_center(control.slider), _lr_point(win, 0.5 * safe), qtbot=qtbot)
    assert win.controller.config.lr < safe and not line.text().startswith("⚠")
    assert win.audit() == []


def test_the_mark_follows_the_knobs_of_a_network(open_window, qtbot):
    win = open_window(session_for("mlp", "circles", hidden=(4,), seed=1))
    before = win.safe_lr_line.shown
    knob = win.knob_panel.knobs[0]
    drag_slider_to(knob.slider, knob.slider.maximum() * 0.9, qtbot=qtbot)
    qtbot.wait(350)
    after = win.safe_lr_line.shown
    assert after != pytest.approx(before, rel=1e-3)
    assert after == pytest.approx(session_safe_lr(win.controller.session))
    assert win.audit() == []


def test_adam_has_no_mark(open_window, qtbot):
    win = open_window(session_for("line", "linear"))
    win.optimizer_combo.setCurrentIndex(win.optimizer_combo.findData("adam"))
    QApplication.processEvents()
    assert win.safe_lr_line.shown is None and win.lr_control.mark() is None
    assert win.audit() == []


@pytest.mark.parametrize("factor, blows_up", [(0.9, False), (1.1, True)])
def test_train_on_either_side_of_the_line(open_window, qtbot, factor, blows_up):
    win = open_window(session_for("poly", "cubic", degree=3, seed=2))
    c = win.controller
    safe = win.safe_lr_line.shown
    edit = win.lr_control.edit
    with qtbot.waitActive(win):
        win.activateWindow()
    press(edit, edit.rect().center())
    release(edit, edit.rect().center())
    edit.selectAll()
    QTest.keyClicks(edit, f"{factor * safe:.6g}")
    key(Qt.Key.Key_Return, widget=edit)
    assert c.config.lr == pytest.approx(factor * safe, rel=1e-5)
    start = c.session.train_loss
    c.step_many(2000)
    assert c.last_step_diverged == blows_up
    if not blows_up:
        assert math.isfinite(c.session.train_loss) and c.session.train_loss < start
    qtbot.wait(350)
    assert win.audit() == []
