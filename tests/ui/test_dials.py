"""Real dials (issue #15): View > Knob style > Dials, then a person's mouse and keys on the
dials, with the display audit after each."""

from __future__ import annotations

import math

import hands
import pytest
from hands import find, key, move, press, release, wheel
from PySide6.QtCore import QPoint, QSignalBlocker, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QPushButton

from knobsim.ui.knobs.panel import FINE, RESOLUTION_PX, Dial, FloatSlider, dials

SETTLE_MS = 350
SHIFT = Qt.KeyboardModifier.ShiftModifier


def choose_style(window, style: str) -> None:
    """View > Knob style > Sliders / Dials, as the menu item's click does."""
    styles = next(a.menu() for a in window.view_menu.actions() if a.text() == "&Knob style")
    action = find(window, f"knob_style_{style}", QAction)
    assert action in styles.actions() and action.isEnabled()
    action.trigger()


def settled(window, qtbot) -> list[str]:
    qtbot.wait(SETTLE_MS)
    return window.audit()


def dial_of(window, name: str) -> Dial:
    dial = window.knob_panel.knob(name).slider
    assert isinstance(dial, Dial)
    return dial


def rate(dial: Dial) -> float:
    """The value one pixel of a plain drag is worth."""
    return (dial.maximum() - dial.minimum()) / RESOLUTION_PX


@pytest.fixture
def dialled(window, qtbot):
    choose_style(window, "dials")
    assert settled(window, qtbot) == []
    return window


def test_the_view_menu_turns_every_knob_into_a_dial_and_back_keeping_values_locks_and_undo(
    window, qtbot
):
    c = window.controller
    knob = window.knob_panel.knob("b")
    QTest.mouseClick(knob.lock_button, Qt.MouseButton.LeftButton)  # lock b
    hands.drag_slider_to(window.knob_panel.knob("w").slider, 0.5)  # one hand move of w
    assert settled(window, qtbot) == []
    params, undo = c.session.params.copy(), c.undo_stack.count()

    choose_style(window, "dials")
    assert find(window, "knob_style_dials", QAction).isChecked()
    assert not find(window, "knob_style_sliders", QAction).isChecked()
    for name in ("w", "b"):
        face = window.knob_panel.knob(name).slider
        assert isinstance(face, Dial) and face.objectName() == f"dial:{name}"
        assert face.width() >= 48 and face.height() >= 48
    assert (c.session.params == params).all() and c.undo_stack.count() == undo
    assert dial_of(window, "b").locked and window.knob_panel.knob("b").lock_button.isChecked()
    assert not dial_of(window, "w").locked
    assert settled(window, qtbot) == []

    key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier, widget=window)  # the drag undone
    assert c.session.value("w") != params[0]
    assert settled(window, qtbot) == []  # and the dial shows it

    choose_style(window, "sliders")
    face = window.knob_panel.knob("w").slider
    assert type(face) is FloatSlider and face.objectName() == "slider:w"
    assert c.session.is_locked(1) and window.knob_panel.knob("b").lock_button.isChecked()
    assert settled(window, qtbot) == []


def test_a_vertical_drag_turns_a_dial_up_for_more_in_one_undo_step(dialled, qtbot):
    c = dialled.controller
    dial = dial_of(dialled, "w")
    centre = dial.rect().center()
    w0, undo = c.session.value("w"), c.undo_stack.count()
    press(dial, centre)
    assert c.session.value("w") == w0  # a press grabs it where it is
    for dy in range(4, 41, 4):
        move(dial, centre - QPoint(0, dy))  # up 40 px
    release(dial, centre - QPoint(0, 40))
    assert c.session.value("w") == pytest.approx(w0 + 40 * rate(dial), rel=1e-9)
    assert c.undo_stack.count() == undo + 1  # one hand move, as a slider's drag
    assert settled(dialled, qtbot) == []

    w1 = c.session.value("w")
    hands.drag(dial, centre, centre + QPoint(3, 25), qtbot=qtbot)  # down: less; sideways: no
    assert c.session.value("w") == pytest.approx(w1 - 25 * rate(dial), rel=1e-9)
    assert settled(dialled, qtbot) == []


def test_shift_turns_a_dragged_dial_ten_times_finer_and_letting_go_of_it_never_jumps(
    dialled, qtbot
):
    c = dialled.controller
    dial = dial_of(dialled, "b")
    centre = dial.rect().center()
    b0 = c.session.value("b")
    press(dial, centre)
    for dy in range(5, 41, 5):  # up 40 px with Shift
        move(dial, centre - QPoint(0, dy), SHIFT)
    assert c.session.value("b") == pytest.approx(b0 + 40 * rate(dial) / FINE, rel=1e-9)
    b1 = c.session.value("b")
    move(dial, centre - QPoint(0, 50))  # Shift let go: on at the plain rate from there
    assert c.session.value("b") == pytest.approx(b1 + 10 * rate(dial), rel=1e-9)
    release(dial, centre - QPoint(0, 50))
    assert settled(dialled, qtbot) == []


def test_the_wheel_and_arrow_keys_turn_a_focused_dial_and_shift_finer(dialled, qtbot):
    c = dialled.controller
    dial = dial_of(dialled, "w")
    step = dial.singleStep()
    centre = dial.rect().center()
    w = c.session.value("w")
    wheel(dial, 1)  # not focused: the wheel scrolls the panel, the dial stays
    assert c.session.value("w") == w
    press(dial, centre)  # a click: the keyboard's focus, no turn
    release(dial, centre)
    assert dial.hasFocus() and c.session.value("w") == w
    wheel(dial, 2)
    assert c.session.value("w") == pytest.approx(w + 2 * step, rel=1e-12)
    assert settled(dialled, qtbot) == []
    wheel(dial, -1, mods=SHIFT)
    assert c.session.value("w") == pytest.approx(w + 2 * step - step / FINE, rel=1e-12)
    key(Qt.Key.Key_Up)
    assert c.session.value("w") == pytest.approx(w + 3 * step - step / FINE, rel=1e-12)
    key(Qt.Key.Key_Down, SHIFT)
    assert c.session.value("w") == pytest.approx(w + 3 * step - 2 * step / FINE, rel=1e-12)
    assert settled(dialled, qtbot) == []


def test_a_double_click_on_a_dial_opens_its_value_for_typing(dialled, qtbot):
    c = dialled.controller
    knob = dialled.knob_panel.knob("b")
    i = c.model.param_index("b")
    at = knob.slider.rect().center()
    press(knob.slider, at)
    release(knob.slider, at)
    QTest.mouseDClick(knob.slider, Qt.MouseButton.LeftButton, pos=at)
    release(knob.slider, at)
    assert knob.editor.hasFocus() and knob.editor.selectedText() == knob.editor.text()
    QTest.keyClicks(knob.editor, "0.25")
    assert c.session.is_held(i)
    QTest.keyClick(knob.editor, Qt.Key.Key_Return)
    assert c.session.value("b") == 0.25 and not c.session.is_held(i)
    assert settled(dialled, qtbot) == []


@pytest.mark.parametrize("where", ["worker", "window"])
def test_a_dial_held_while_max_trains_stays_in_the_hand_and_training_takes_it_on_release(
    dialled, qtbot, monkeypatch, where
):
    c = dialled.controller
    if where == "window":
        monkeypatch.setattr(type(c), "use_process", False)
    train = find(dialled, "train", QPushButton)
    qtbot.mouseClick(train, Qt.MouseButton.LeftButton)
    if where == "worker":
        qtbot.waitUntil(lambda: c.trains_in_process, timeout=20_000)
    knob = dialled.knob_panel.knob("w")
    dial = dial_of(dialled, "w")
    centre = dial.rect().center()
    press(dial, centre)
    i = c.model.param_index("w")
    assert c.session.is_held(i)
    for k in range(1, 9):  # down past the range's start, the button still down
        move(dial, centre + QPoint(0, 40 * k))
        qtbot.wait(5)
    steps = c.session.step_count
    qtbot.waitUntil(lambda: c.session.step_count > steps + 50, timeout=10_000)
    qtbot.wait(SETTLE_MS)  # more snapshots / ticks, the hand still there
    held = dial.value()
    assert held == dial.minimum()
    assert c.session.value("w") == held == knob.value()
    assert knob.shows_value() and dial.painted_fraction() == 0.0  # drawn at the start
    release(dial, centre + QPoint(0, 320))
    assert not c.session.is_held(i)
    qtbot.waitUntil(lambda: c.session.value("w") != held, timeout=10_000)
    qtbot.mouseClick(train, Qt.MouseButton.LeftButton)
    assert settled(dialled, qtbot) == []


def test_switching_to_dials_and_back_while_training_keeps_the_screen_true(window, qtbot):
    c = window.controller
    train = find(window, "train", QPushButton)
    qtbot.mouseClick(train, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: c.session.step_count > 20, timeout=10_000)
    choose_style(window, "dials")
    steps = c.session.step_count
    qtbot.waitUntil(lambda: c.session.step_count > steps + 20, timeout=10_000)
    assert c.is_training and isinstance(window.knob_panel.knob("w").slider, Dial)
    qtbot.mouseClick(train, Qt.MouseButton.LeftButton)
    assert settled(window, qtbot) == []  # the dials show where training left the knobs
    qtbot.mouseClick(train, Qt.MouseButton.LeftButton)
    choose_style(window, "sliders")
    qtbot.mouseClick(train, Qt.MouseButton.LeftButton)
    assert settled(window, qtbot) == []


def test_the_audit_sees_a_dial_drawn_at_a_value_the_session_does_not_hold(dialled, qtbot):
    dial = dial_of(dialled, "w")
    with QSignalBlocker(dial):  # code behind the knob's back turns the face only
        dial.setValue(dial.minimum() + 0.9 * (dial.maximum() - dial.minimum()))
    findings = settled(dialled, qtbot)
    assert len(findings) == 1 and "Knob w's dial points at" in findings[0]
    dialled.knob_panel.knob("w").refresh()
    assert settled(dialled, qtbot) == []


def test_the_audit_sees_a_dial_that_shows_the_wrong_lock(dialled, qtbot):
    dial_of(dialled, "b").set_locked(True)
    assert settled(dialled, qtbot) == [
        "Knob b's dial shows it locked but b is unlocked in the session."
    ]


def test_zoom_in_makes_the_dials_bigger_and_they_still_show_the_truth(dialled, qtbot):
    before = dial_of(dialled, "w").width()
    find(dialled, "zoom_in", QAction).trigger()  # View > Zoom in: 125%
    assert settled(dialled, qtbot) == []
    after = dial_of(dialled, "w").width()
    assert after == pytest.approx(1.25 * before, rel=0.1)
    find(dialled, "zoom_reset", QAction).trigger()
    assert dial_of(dialled, "w").width() == before
    assert settled(dialled, qtbot) == []


def test_a_dial_draws_its_value_where_its_angle_says(dialled, qtbot):
    c = dialled.controller
    c.set_param("w", 0.0)  # 0 is the middle of a symmetric range: straight up
    qtbot.wait(SETTLE_MS)
    dial = dial_of(dialled, "w")
    assert dial.painted_fraction() == 0.5
    assert dials.angle_at(0.5) == 90.0
    assert dials.angle_at(0.0) == dials.START_DEG
    assert dials.angle_at(1.0) == dials.START_DEG - dials.SWEEP_DEG
    assert dials.angle_at(2.0) == dials.angle_at(1.0)  # pinned at the end


def test_the_knob_style_is_kept_for_the_next_start(open_window, qtbot):
    first = open_window()
    assert find(first, "knob_style_sliders", QAction).isChecked()
    choose_style(first, "dials")
    first.close()
    second = open_window()
    assert second.knob_panel.knob_style == "dials"
    assert find(second, "knob_style_dials", QAction).isChecked()
    assert all(isinstance(k.slider, Dial) for k in second.knob_panel.knobs)
    assert settled(second, qtbot) == []


def test_the_beat_the_optimizer_window_turns_dials_too(dialled, qtbot):
    game = dialled.lessons.open_challenge()
    try:
        assert game.knob_panel.knob_style == "dials"
        assert all(isinstance(k.slider, Dial) for k in game.knob_panel.knobs)
    finally:
        game.close()


def test_an_mlp_shows_its_dials_in_rows_per_layer(open_window, qtbot):
    from knobsim.core.data.catalog import session_for

    win = open_window(session_for("mlp", "circles", hidden=(8,)))
    choose_style(win, "dials")
    assert settled(win, qtbot) == []
    panel = win.knob_panel
    tops = {}
    for title in ("Layer 1 weights", "Layer 1 biases", "Layer 2 weights (output)"):
        tops[title] = find(win, f"knob_group:{title}", QLabel).geometry().top()
    assert tops["Layer 1 weights"] < tops["Layer 1 biases"] < tops["Layer 2 weights (output)"]
    w1 = [panel.knob(f"W1[{a},{b}]").geometry() for a in range(2) for b in range(8)]
    b1 = [panel.knob(f"b1[{k}]").geometry() for k in range(8)]
    assert max(g.bottom() for g in w1) < tops["Layer 1 biases"] < min(g.top() for g in b1)
    rows = sorted({g.top() for g in w1})
    assert len(rows) == 4  # 16 weights, 4 to a row
    assert all(k.slider.width() >= 48 for k in panel.knobs)


def test_the_next_word_grid_of_1331_dials_scrolls_and_turns(open_window, qtbot):
    from knobsim.core.data.catalog import session_for

    win = open_window(session_for("nextword", "rhymes", context=2))
    choose_style(win, "dials")
    panel = win.knob_panel
    assert len(panel.knobs) == 1331 and all(isinstance(k.slider, Dial) for k in panel.knobs)
    assert settled(win, qtbot) == []
    bar = panel.scroll.verticalScrollBar()
    assert bar.maximum() > 0  # a scrolling grid, not a strip squeezed into the panel
    bar.setValue(bar.maximum())  # the last row comes into view and is drawn
    model = win.controller.model
    last = panel.knobs[-model.V]  # the last row's first dial
    assert settled(win, qtbot) == []
    assert last.slider.painted_fraction() is not None
    c = win.controller
    before = c.session.params[-model.V]
    centre = last.slider.rect().center()
    hands.drag(last.slider, centre, centre - QPoint(0, 20))
    assert c.session.params[-model.V] == pytest.approx(before + 20 * rate(last.slider), rel=1e-9)
    assert math.isclose(last.value(), c.session.params[-model.V])
    assert settled(win, qtbot) == []


def test_predict_puts_a_ghost_on_each_dials_arc_and_a_hand_turns_it_round(dialled, qtbot):
    """A ghost on a dial is a mark on its value arc at the guessed angle (it sat across
    the middle of the dial, where no value is); dragged round the arc it takes the value
    the angle shows, and the real dial does not move."""
    win = dialled
    key(Qt.Key.Key_P)
    dial = dial_of(win, "w")
    ghost = find(win, "ghost:w")
    assert ghost.parentWidget() is dial
    lo, hi = win.knob_panel.knob("w").range()
    want = dials.point_at(dial.width(), ghost.fraction())
    assert abs(ghost.geometry().center().x() - want.x()) <= 1.5
    assert abs(ghost.geometry().center().y() - want.y()) <= 1.5
    before = win.controller.session.params.copy()
    target = lo + 0.8 * (hi - lo)
    hands.drag_ghost(ghost, target, qtbot=qtbot)
    assert win.predict_mode.prediction.knobs[0] == pytest.approx(target, abs=0.02 * (hi - lo))
    assert (win.controller.session.params == before).all()
    assert settled(win, qtbot) == []
    win.predict_mode.leave()


def test_the_angle_under_a_hand_is_the_fraction_the_dial_draws_there():
    for frac in (0.0, 0.1, 0.5, 0.77, 1.0):
        p = dials.point_at(60, frac)
        assert dials.fraction_toward(p.x() - 30, p.y() - 30) == pytest.approx(frac, abs=1e-9)
    assert dials.fraction_toward(-1, 10) == 0.0  # the gap at the bottom: the nearer end
    assert dials.fraction_toward(1, 10) == 1.0
