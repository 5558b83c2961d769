"""Hints by hand: H (or the lesson's Hint button) names a knob, and turning that knob the
named way with the mouse lowers the error the hint said it would."""

from __future__ import annotations

import re

from hands import drag_slider_to, handle_center, key, press, release
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from knobsim.core.data.catalog import session_for


def test_h_names_a_knob_and_turning_it_by_hand_lowers_the_error(open_window, qtbot):
    win = open_window(session_for("poly", "cubic", seed=3))
    c = win.controller
    with qtbot.waitActive(win):  # keyboard focus needs an active window
        win.activateWindow()
    slider = win.knob_panel.knobs[0].slider
    press(slider, handle_center(slider))  # a click on a knob leaves the focus there
    release(slider, handle_center(slider))
    assert QApplication.focusWidget() is slider
    key(Qt.Key.Key_H)
    QApplication.processEvents()
    text = win.statusBar().currentMessage()
    found = re.match(r"Hint: turn (\S+) (up|down), to about (\S+)\. ", text)
    assert found, text
    name, way, target = found[1], found[2], float(found[3])
    knob = win.knob_panel.knob(name)
    before = c.session.train_loss
    start = float(c.session.value(name))
    drag_slider_to(knob.slider, target, qtbot=qtbot)
    qtbot.wait(350)
    moved = float(c.session.value(name))
    assert (moved > start) == (way == "up")
    assert c.session.train_loss < before
    assert win.audit() == []


def test_the_third_hint_names_the_second_best_knob_too(open_window):
    win = open_window(session_for("poly", "cubic", seed=3))
    first = win.show_hint()
    assert "Next best" not in first
    win.show_hint()
    assert "Next best: turn " in win.show_hint()
    win.model_combo.setCurrentIndex(win.model_combo.findData("line"))
    assert "Next best" not in win.show_hint()  # a new model starts the count again


def test_the_lesson_hint_button_shows_the_hint_in_the_lesson(open_window, qtbot):
    win = open_window()
    win.lessons.start("1")
    button = win.findChild(QPushButton, "lesson_hint")
    assert button.isVisible()
    center = button.rect().center()
    press(button, center)
    release(button, center)
    QApplication.processEvents()
    label = win.findChild(QLabel, "lesson_hint_text")
    assert label.isVisible() and label.text().startswith("Hint: turn ")
    assert label.text() == win.statusBar().currentMessage()
