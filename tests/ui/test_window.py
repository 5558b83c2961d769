"""The main window driven as a person would: knobs, Train, Step, Reset, undo, explosions."""

from __future__ import annotations

import numpy as np
import pytest
from hands import find
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QWidget


def test_stable_object_names_exist(window):
    for name in ("train", "step", "reset", "randomize"):
        find(window, name, QPushButton)
    for name in ("model", "dataset", "optimizer"):
        find(window, name, QComboBox)
    find(window, "error_label", QLabel)
    for name in ("learning_rate", "fit_plot", "loss_plot", "landscape_plot", "knob:w", "knob:b"):
        find(window, name, QWidget)
    assert find(window, "train", QPushButton).isCheckable()


def test_every_control_has_an_accessible_name_and_tooltip(window):
    for name in (
        "train",
        "step",
        "reset",
        "randomize",
        "model",
        "dataset",
        "optimizer",
        "learning_rate",
        "speed",
        "noise",
        "points",
    ):
        widget = find(window, name, QWidget)
        assert widget.accessibleName(), name
        assert widget.toolTip(), name


def _drag_slider(qtbot, slider, fraction: float) -> None:
    """Press on the slider's handle and drag it to ``fraction`` of the groove."""
    from PySide6.QtWidgets import QStyle, QStyleOptionSlider

    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    handle = slider.style().subControlRect(
        QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle, slider
    )
    start = handle.center()
    target = QPoint(int(slider.width() * fraction), start.y())
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=start)
    for k in range(1, 6):
        qtbot.mouseMove(slider, start + (target - start) * (k / 5))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=target)


def _screen_is_true(window, qtbot) -> None:
    """Pause, let the deferred refreshes run, and audit every view against the session."""
    window.controller.set_training(False)
    qtbot.wait(350)
    assert window.audit() == []


def test_dragging_a_knob_moves_the_weight_error_curve_and_marker(window, qtbot):
    c = window.controller
    knob = find(window, "knob:w", QWidget)
    w_before = c.session.value("w")
    label_before = find(window, "error_label", QLabel).text()
    x, y_before = (a.copy() for a in window.fit_plot.curve.getData())
    marker_before = window.landscape_plot.marker.getData()[0].copy()
    _drag_slider(qtbot, knob.slider, 0.9)
    w_after = c.session.value("w")
    assert w_after > w_before + 0.2
    assert knob.value() == pytest.approx(w_after)
    assert find(window, "error_label", QLabel).text() != label_before
    x2, y2 = window.fit_plot.curve.getData()
    np.testing.assert_allclose(y2, c.model.predict(c.params, x2[:, None]))
    assert not np.allclose(y2, y_before)
    assert window.landscape_plot.marker.getData()[0][0] == pytest.approx(w_after)
    assert window.landscape_plot.marker.getData()[0][0] != marker_before[0]
    _screen_is_true(window, qtbot)


def test_arrow_keys_turn_the_focused_knob(window, qtbot):
    c = window.controller
    knob = find(window, "knob:b", QWidget)
    knob.slider.setFocus()
    before = c.session.value("b")
    qtbot.keyClick(knob.slider, Qt.Key.Key_Right)
    assert c.session.value("b") > before
    _screen_is_true(window, qtbot)


def test_train_lowers_the_loss_by_90_percent_with_the_knobs_moving(window, qtbot):
    c = window.controller
    c.set_param("w", -1.5)
    c.set_param("b", 1.5)
    start = c.session.train_loss
    knob = find(window, "knob:w", QWidget)
    knob_start = knob.value()
    train = find(window, "train", QPushButton)
    qtbot.mouseClick(train, Qt.MouseButton.LeftButton)
    assert c.is_training and train.isChecked() and train.text() == "Pause"
    qtbot.waitUntil(lambda: c.session.train_loss < 0.1 * start, timeout=5000)
    qtbot.mouseClick(train, Qt.MouseButton.LeftButton)
    assert not c.is_training and train.text() == "Train"
    assert knob.value() != knob_start
    assert knob.value() == pytest.approx(c.session.value("w"))
    history_train = window.loss_plot.train_curve.getData()[1]
    assert history_train[-1] < 0.1 * start
    _screen_is_true(window, qtbot)


def test_space_toggles_training(window, qtbot):
    c = window.controller
    window.activateWindow()
    find(window, "step", QPushButton).setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert c.is_training
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not c.is_training


def test_step_advances_exactly_one_step(window, qtbot):
    c = window.controller
    before = c.session.params.copy()
    expected = before - 0.1 * c.session.grad()
    qtbot.mouseClick(find(window, "step", QPushButton), Qt.MouseButton.LeftButton)
    assert c.session.step_count == 1
    np.testing.assert_allclose(c.session.params, expected)
    assert "step 1" in find(window, "error_label", QLabel).text()
    _screen_is_true(window, qtbot)


def test_reset_restores_the_seeded_start(window, qtbot):
    c = window.controller
    start = c.session.params.copy()
    for _ in range(3):
        qtbot.mouseClick(find(window, "step", QPushButton), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(find(window, "randomize", QPushButton), Qt.MouseButton.LeftButton)
    assert not np.array_equal(c.session.params, start)
    qtbot.mouseClick(find(window, "reset", QPushButton), Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(c.session.params, start)
    assert c.session.step_count == 0
    assert find(window, "knob:w", QWidget).value() == pytest.approx(start[0])
    _screen_is_true(window, qtbot)


def test_undo_and_redo_a_hand_move_with_shortcuts(window, qtbot):
    c = window.controller
    knob = find(window, "knob:w", QWidget)
    w0 = c.session.value("w")
    knob.setValue(1.25)
    assert c.session.value("w") == pytest.approx(1.25)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert c.session.value("w") == pytest.approx(w0)
    assert knob.value() == pytest.approx(w0)
    qtbot.keyClick(
        window,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert c.session.value("w") == pytest.approx(1.25)
    assert "turn w" in window.undo_action.text().lower()
    _screen_is_true(window, qtbot)


def test_learning_rate_changes_while_training_without_reset(window, qtbot):
    c = window.controller
    c.set_training(True)
    qtbot.waitUntil(lambda: c.session.step_count > 5, timeout=3000)
    steps = c.session.step_count
    lr = find(window, "learning_rate", QWidget)
    lr.setValue(0.02)
    assert c.config.lr == pytest.approx(0.02)
    assert c.is_training
    qtbot.waitUntil(lambda: c.session.step_count > steps + 5, timeout=3000)
    assert c.session.step_count > steps  # no reset: the count carried on
    c.set_training(False)
    _screen_is_true(window, qtbot)


def test_optimizer_changes_while_training(window, qtbot):
    c = window.controller
    c.set_training(True)
    combo = find(window, "optimizer", QComboBox)
    combo.setCurrentIndex(combo.findData("adam"))
    assert c.config.name == "adam" and c.is_training
    c.set_training(False)
    _screen_is_true(window, qtbot)


def test_exploding_learning_rate_pauses_with_message_and_finite_weights(window, qtbot):
    c = window.controller
    find(window, "learning_rate", QWidget).setValue(10.0)
    c.set_training(True)
    qtbot.waitUntil(lambda: not c.is_training, timeout=5000)
    banner = find(window, "explosion_banner", QWidget)
    assert banner.isVisible()
    assert "exploded" in find(window, "explosion_message", QLabel).text().lower()
    assert np.all(np.isfinite(c.session.params))
    assert np.isfinite(c.session.train_loss)
    qtbot.mouseClick(find(window, "halve_learning_rate", QPushButton), Qt.MouseButton.LeftButton)
    assert c.config.lr == pytest.approx(5.0)
    assert not banner.isVisible()
    _screen_is_true(window, qtbot)


def test_knob_moved_from_code_does_not_echo(window, qtbot):
    c = window.controller
    knob = find(window, "knob:w", QWidget)
    with (
        qtbot.assertNotEmitted(knob.valueChanged),
        qtbot.assertNotEmitted(c.undo_stack.indexChanged),
    ):
        c.session.set_params([0.7, -0.3])
        c.paramsChanged.emit()
    assert knob.value() == pytest.approx(0.7)
    assert c.undo_stack.count() == 0
    _screen_is_true(window, qtbot)


def test_switching_model_rebuilds_knobs_and_data(window, qtbot):
    combo = find(window, "model", QComboBox)
    combo.setCurrentIndex(combo.findData("logistic"))
    c = window.controller
    assert c.model.name == "logistic" and c.dataset.task == "classification"
    assert window.findChild(QWidget, "knob:w1") is not None
    assert window.findChild(QWidget, "knob:w") is None
    _screen_is_true(window, qtbot)
    combo.setCurrentIndex(combo.findData("mlp"))
    assert c.model.name == "mlp"
    assert window.findChild(QWidget, "knob:W1[0,0]") is not None
    _screen_is_true(window, qtbot)


def test_window_squeezed_to_nothing_and_back_shows_the_step_it_took_meanwhile(window, qtbot):
    window.resize(1, 1)
    qtbot.wait(20)
    find(window, "step", QPushButton).click()
    window.resize(1280, 800)
    qtbot.wait(350)  # the deferred refreshes
    assert window.controller.session.step_count == 1
    assert "step 1<" in find(window, "error_label", QLabel).text()
    for name in ("fit_plot", "loss_plot", "landscape_plot"):
        view = find(window, name, QWidget)  # each view has its room back
        assert view.width() >= 200 and view.height() >= 150, (name, view.size())
    assert window.audit() == []


def test_layout_is_remembered(qtbot, tmp_settings):
    from knobsim.app import create_window

    win = create_window()
    qtbot.addWidget(win)
    win.resize(760, 540)  # narrower than the window's minimum: it takes that width
    win.show()
    qtbot.waitExposed(win)
    size = win.size()
    assert size.height() == 540 and size.width() == win.minimumWidth()
    win.close()
    again = create_window()
    qtbot.addWidget(again)
    again.show()  # (wider than the 800-pixel offscreen screen, it is fitted to it until shown)
    qtbot.waitExposed(again)
    assert again.size() == size
