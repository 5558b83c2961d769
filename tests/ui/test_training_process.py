"""Train at speed Max in the worker process, driven from the window as a person would."""

from __future__ import annotations

import hands
import numpy as np
import pytest
from hands import find
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QWidget

from knobsim.core.training import background
from knobsim.ui.window import audit


def press_train(qtbot, win) -> None:
    qtbot.mouseClick(find(win, "train", QPushButton), Qt.MouseButton.LeftButton)


def test_train_runs_in_the_worker_and_pause_brings_its_memory_back(window, qtbot):
    c = window.controller
    c.set_optimizer("adam")
    c.set_param("w", -1.5)
    c.set_param("b", 1.5)
    start = c.session.train_loss
    knob = find(window, "knob:w", QWidget)
    press_train(qtbot, window)
    qtbot.waitUntil(lambda: c.trains_in_process, timeout=20_000)
    qtbot.waitUntil(lambda: c.session.train_loss < 0.1 * start, timeout=10_000)
    press_train(qtbot, window)
    assert not c.is_training and not c.trains_in_process
    assert knob.value() == pytest.approx(c.session.value("w"))
    assert window.loss_plot.train_curve.getData()[1][-1] < 0.1 * start
    # the worker's Adam memory came back: Step carries on from it
    t = c.session.optimizer_state["t"]
    assert t == c.session.step_count > 0
    qtbot.mouseClick(find(window, "step", QPushButton), Qt.MouseButton.LeftButton)
    assert c.session.optimizer_state["t"] == t + 1


def test_a_knob_dragged_while_the_worker_trains_stays_where_the_hand_left_it(window, qtbot):
    c = window.controller
    c.set_locked(c.model.param_index("b"), True)
    press_train(qtbot, window)
    qtbot.waitUntil(lambda: c.trains_in_process, timeout=20_000)
    knob = find(window, "knob:b", QWidget)
    for v in (0.5, 0.75, 1.25):
        knob.setValue(v)
        qtbot.wait(30)
    steps = c.session.step_count
    qtbot.waitUntil(lambda: c.session.step_count > steps, timeout=5000)
    assert c.session.value("b") == 1.25 and knob.value() == pytest.approx(1.25)
    press_train(qtbot, window)
    assert c.session.value("b") == 1.25


def test_an_exploding_rate_in_the_worker_pauses_with_finite_weights(window, qtbot):
    c = window.controller
    press_train(qtbot, window)
    qtbot.waitUntil(lambda: c.trains_in_process, timeout=20_000)
    c.set_learning_rate(10.0)
    qtbot.waitUntil(lambda: not c.is_training, timeout=10_000)
    assert "exploded" in find(window, "explosion_message", QLabel).text().lower()
    assert np.all(np.isfinite(c.params)) and np.isfinite(c.session.train_loss)


def test_training_falls_back_to_the_window_when_the_worker_cannot_start(window, qtbot, monkeypatch):
    def refuse(self):
        raise OSError("no processes here")

    monkeypatch.setattr(background.TrainerProcess, "launch", refuse)
    c = window.controller
    c.set_param("w", -1.5)
    start = c.session.train_loss
    press_train(qtbot, window)
    qtbot.waitUntil(lambda: c.session.train_loss < 0.1 * start, timeout=10_000)
    assert not c.trains_in_process
    press_train(qtbot, window)


def test_the_worker_computes_the_landscape_while_it_trains(window, qtbot):
    from knobsim.core.models.landscape import loss_grid

    c = window.controller
    plot = window.landscape_plot
    # the line's landscape over (w, b) never changes; a network's does, step after step
    combo = window.findChild(QComboBox, "model")
    combo.setCurrentIndex(combo.findData("mlp"))
    qtbot.waitUntil(lambda: plot.is_settled, timeout=5000)
    ready = []
    c.gridReady.connect(lambda rid, theta, Z: ready.append((rid, theta, Z)))
    press_train(qtbot, window)
    qtbot.waitUntil(lambda: c.trains_in_process, timeout=20_000)
    qtbot.waitUntil(lambda: len(ready) >= 2, timeout=10_000)
    press_train(qtbot, window)
    _, theta, Z = ready[-1]
    i, j = plot.pair
    a, b = plot._axes()
    d = c.session.dataset
    np.testing.assert_allclose(Z, loss_grid(c.model, theta, i, j, d.X_train, d.y_train, a, b))


@pytest.mark.parametrize("where", ["worker", "window"])
def test_a_knob_held_at_the_slider_end_stays_in_the_hand_while_max_trains(
    window, qtbot, monkeypatch, where
):
    c = window.controller
    if where == "window":
        monkeypatch.setattr(type(c), "use_process", False)
    press_train(qtbot, window)
    if where == "worker":
        qtbot.waitUntil(lambda: c.trains_in_process, timeout=20_000)
    knob = find(window, "knob:w")
    slider = knob.slider
    start = hands.handle_center(slider)
    hands.press(slider, start)
    left_end = hands.point_for_value(slider, slider.minimum())
    for k in range(1, 9):
        hands.move(slider, start + (left_end - start) * (k / 8))
        qtbot.wait(5)
    hands.move(slider, left_end - QPoint(20, 0))  # past the end, the button still down
    steps = c.session.step_count
    qtbot.waitUntil(lambda: c.session.step_count > steps + 50, timeout=10_000)
    qtbot.wait(350)  # more snapshots / ticks, the hand still there
    held = slider.value()
    assert held == slider.minimum()
    assert c.session.value("w") == held == knob.value()
    assert knob.shows_value()  # the slider and the read-out show the session's value
    lo, hi = c.model.param_ranges()[c.model.param_index("w")]
    assert abs(audit.handle_offset(slider, held, lo, hi)) <= audit.HANDLE_TOLERANCE_PX
    hands.release(slider, left_end - QPoint(20, 0))
    # training takes it from there: w leaves the end the hand left it at
    qtbot.waitUntil(lambda: c.session.value("w") != held, timeout=10_000)
    press_train(qtbot, window)
    qtbot.wait(350)
    assert window.audit() == []
