"""Real hands on the knobs: mouse drags, wheel turns and Train between them, with the
display audit after each pause."""

from __future__ import annotations

import numpy as np
from hands import drag, handle_center, move, point_for_value, press, release, wheel
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

SETTLE_MS = 350


def _click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def _train_until(window, qtbot, done, timeout=15000) -> None:
    """Press Train, wait until ``done()``, press Pause, let the window settle."""
    _click(window.train_button)
    assert window.controller.is_training
    qtbot.waitUntil(done, timeout=timeout)
    _click(window.train_button)
    assert not window.controller.is_training
    qtbot.wait(SETTLE_MS)


def _best_line(session) -> np.ndarray:
    d = session.dataset
    A = np.column_stack([d.X_train[:, 0], np.ones(d.n_train)])
    return np.linalg.lstsq(A, d.y_train, rcond=None)[0]


def _at_fit(session, best, tol=1e-6):
    return lambda: np.allclose(session.params, best, atol=tol)


def test_a_handle_dragged_away_follows_training_back_to_the_fit(window, qtbot):
    """Issue #12, point 1: training brought b back to the pixel it had before the hand
    moved it, and the handle stayed where the hand left it."""
    session = window.controller.session
    best = _best_line(session)
    _train_until(window, qtbot, _at_fit(session, best))
    assert window.audit() == []

    slider = window.knob_panel.knob("b").slider
    start = handle_center(slider)
    drag(slider, start, QPoint(start.x() - 80, start.y()), qtbot=qtbot)
    qtbot.wait(SETTLE_MS)
    assert session.value("b") < best[1] - 0.1  # the hand moved b
    assert window.audit() == []

    _train_until(window, qtbot, _at_fit(session, best))
    assert window.audit() == []  # the handle is back where b's value belongs
    assert abs(handle_center(slider).x() - start.x()) <= 1


def _audited(window, qtbot) -> None:
    window.controller.set_training(False)
    qtbot.wait(SETTLE_MS)
    assert window.audit() == []


def test_drag_train_pause_drag_train_pause_keeps_the_screen_true(window, qtbot):
    session = window.controller.session
    best = _best_line(session)
    for name, dx in (("w", +70), ("b", -60)):
        slider = window.knob_panel.knob(name).slider
        start = handle_center(slider)
        before = session.value(name)
        drag(slider, start, QPoint(start.x() + dx, start.y()), qtbot=qtbot)
        assert session.value(name) != before  # the hand moved it
        _audited(window, qtbot)
        _train_until(window, qtbot, _at_fit(session, best, tol=1e-3))
        assert window.audit() == []


def test_a_wheel_on_a_focused_knob_turns_it_and_the_screen_follows(window, qtbot):
    with qtbot.waitActive(window):
        window.activateWindow()
    slider = window.knob_panel.knob("w").slider
    centre = handle_center(slider)
    press(slider, centre)  # a click on the handle: focus, no move
    release(slider, centre)
    assert slider.hasFocus()
    before = window.controller.session.value("w")
    wheel(slider, +2)
    assert window.controller.session.value("w") > before
    _audited(window, qtbot)
    wheel(slider, -5)
    assert window.controller.session.value("w") < before
    _audited(window, qtbot)


def test_a_wheel_on_a_network_wire_turns_its_weight_and_the_screen_follows(window, qtbot):
    view = window.network_view
    pos = view.mapFromScene(view.item("w").midpoint())
    assert view.knob_at(pos) is view.item("w")
    before = window.controller.session.value("w")
    wheel(view.viewport(), +3, pos)
    assert window.controller.session.value("w") > before
    _audited(window, qtbot)
    wheel(view.viewport(), -6, pos)
    assert window.controller.session.value("w") < before
    _audited(window, qtbot)


def test_a_knob_undone_while_training_shows_the_session(open_window, qtbot, monkeypatch):
    """Monkey (final run, seeds 2 and 3): a hand moves a knob while training and the
    session comes back to exactly the value the panel last showed (Ctrl+Z here; training
    re-converging to the same float in the run); the panel compared the session with its
    copy of what it last sent, not with what the knob shows, and never repainted it."""
    from hands import drag_slider_to, key
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from knobsim.core.data.datasets import make_dataset
    from knobsim.core.models.machines import make_model
    from knobsim.core.training.session import Session
    from knobsim.ui.controller.session_controller import SessionController

    monkeypatch.setattr(SessionController, "use_process", False)  # train in this thread
    data = make_dataset("cubic", n_points=40, seed=0)
    win = open_window(Session(make_model("poly", data, degree=3), data, seed=0))
    knob = win.knob_panel.knob("c1")
    QTest.mouseClick(knob.lock_button, Qt.MouseButton.LeftButton)  # training leaves c1 alone
    qtbot.wait(350)
    before = knob.value()
    key(Qt.Key.Key_Space, widget=win)  # Train
    qtbot.wait(300)
    drag_slider_to(knob.slider, 2.5)  # a hand moves the locked knob while training ...
    key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier, widget=win)  # ... and takes it back
    qtbot.wait(300)
    key(Qt.Key.Key_Space, widget=win)  # Pause
    qtbot.wait(350)
    assert win.controller.session.params[1] == before
    assert win.audit() == []


def test_typing_undone_in_a_knob_box_shows_the_session_again(window, qtbot):
    """Ctrl+Z in a knob's box takes the typing back to the text the box had before it;
    if the knob moved meanwhile (training), the box must show the knob's value again."""
    knob = window.findChild(QWidget, "knob:b")
    editor = knob.editor
    QTest.mouseClick(editor, Qt.MouseButton.LeftButton)
    QTest.keyClicks(editor, "7")
    assert editor.hasFocus() and editor.isModified()
    window.controller.set_param("b", 0.25)  # training moves b while the person types
    qtbot.wait(50)
    QTest.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(350)
    assert not editor.isModified()
    assert editor.text() == "0.250"
    assert window.audit() == []


SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_a_shift_drag_moves_ten_times_finer_and_letting_go_of_shift_does_not_jump(window, qtbot):
    c = window.controller
    knob = window.findChild(QWidget, "knob:b")
    slider = knob.slider
    lo, hi = slider.minimum(), slider.maximum()
    pixels = point_for_value(slider, hi).x() - point_for_value(slider, lo).x()
    rate = (hi - lo) / pixels  # value per pixel of a plain drag
    start = handle_center(slider)
    b0 = c.session.value("b")
    press(slider, start)
    move(slider, start + QPoint(1, 0))  # the handle is grabbed where it is
    b1 = c.session.value("b")
    for dx in range(5, 42, 4):  # Shift down: 40 px more, to start + 41
        move(slider, start + QPoint(dx, 0), SHIFT)
    fine = c.session.value("b") - b1
    assert abs(fine - 40 * rate / 10) <= 2 * rate / 10, (fine, rate)
    b2 = c.session.value("b")
    move(slider, start + QPoint(42, 0))  # Shift released, the mouse 1 px on: no jump
    assert abs(c.session.value("b") - b2) <= 1.5 * rate
    move(slider, start + QPoint(52, 0))  # and plain dragging carries on from there
    assert abs(c.session.value("b") - b2 - 11 * rate) <= 2 * rate
    release(slider, start + QPoint(52, 0))
    assert b1 - b0 <= 1.5 * rate
    assert knob.shows_value() and slider.value() == c.session.value("b")
    qtbot.wait(SETTLE_MS)
    assert window.audit() == []


def test_the_wheel_turns_a_focused_knob_a_notch_and_shift_a_fine_notch(window, qtbot):
    c = window.controller
    knob = window.findChild(QWidget, "knob:w")
    slider = knob.slider
    step = slider.singleStep()
    slider.setFocus()
    w = c.session.value("w")
    wheel(slider, 1)
    assert c.session.value("w") == np.float64(w + step)
    wheel(slider, -1, mods=SHIFT)
    assert abs(c.session.value("w") - (w + step - step / 10)) < 1e-12
    QTest.keyClick(slider, Qt.Key.Key_Right, SHIFT)
    assert abs(c.session.value("w") - (w + step)) < 1e-12
    QTest.keyClick(slider, Qt.Key.Key_PageDown)
    assert abs(c.session.value("w") - (w + step - slider.pageStep())) < 1e-12
    qtbot.wait(SETTLE_MS)
    assert window.audit() == []


def test_a_double_click_on_a_knob_opens_its_value_for_typing_and_holds_it_meanwhile(window, qtbot):
    c = window.controller
    knob = window.findChild(QWidget, "knob:b")
    i = c.model.param_index("b")
    at = handle_center(knob.slider)
    press(knob.slider, at)  # a double-click as a mouse makes it: press, release, then
    release(knob.slider, at)  # a double-click event for the second press, and its release
    QTest.mouseDClick(knob.slider, Qt.MouseButton.LeftButton, pos=at)
    release(knob.slider, at)
    assert knob.editor.hasFocus() and knob.editor.selectedText() == knob.editor.text()
    QTest.keyClicks(knob.editor, "0.5")
    assert c.session.is_held(i)  # typing: training leaves b alone
    QTest.keyClick(knob.editor, Qt.Key.Key_Return)
    assert c.session.value("b") == 0.5 and not c.session.is_held(i)
    QTest.mouseDClick(knob.editor, Qt.MouseButton.LeftButton)
    assert knob.editor.selectedText() == knob.editor.text() == "0.500"
    qtbot.wait(SETTLE_MS)
    assert window.audit() == []
