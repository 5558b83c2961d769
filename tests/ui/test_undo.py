"""Undo and redo across every kind of change a person makes, with readable names."""

from __future__ import annotations

import numpy as np
import pytest
from hands import drag, handle_center, key
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton, QWidget

from knobsim.core.data.catalog import session_for
from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session
from knobsim.ui.window.files import DISCARD


@pytest.fixture
def window(qtbot, tmp_settings):
    from knobsim.app import create_window

    data = make_dataset("sine", n_points=20, seed=0)
    session = Session(
        make_model("poly", data, degree=3), data, optimizer=OptimizerConfig("gd", lr=0.1)
    )
    win = create_window(session, restore=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _undo(win):
    win.undo_action.trigger()


def _redo(win):
    win.redo_action.trigger()


def test_model_change_undo_redo(window):
    c = window.controller
    c.step_once()
    theta = c.params.copy()
    combo = window.findChild(QComboBox, "model")
    combo.setCurrentIndex(combo.findData("line"))
    assert c.model.name == "line"
    assert "switch to" in window.undo_action.text()
    _undo(window)
    assert c.model.name == "poly" and combo.currentData() == "poly"
    np.testing.assert_array_equal(c.params, theta)
    assert window.findChild(QWidget, "knob:c3") is not None
    _redo(window)
    assert c.model.name == "line" and combo.currentData() == "line"


def test_data_change_undo_keeps_training_for_redo(window):
    c = window.controller
    noise = window.findChild(QWidget, "noise")
    old_noise = c.dataset.noise
    noise.setValue(0.4)
    assert c.dataset.noise == pytest.approx(0.4)
    c.step_once()
    c.step_once()
    trained = c.params.copy()
    _undo(window)
    assert c.dataset.noise == pytest.approx(old_noise)
    assert noise.value() == pytest.approx(old_noise)
    _redo(window)
    assert c.dataset.noise == pytest.approx(0.4)
    np.testing.assert_array_equal(c.params, trained)  # nothing lost by undo then redo


def test_learning_rate_and_optimizer_undo(window):
    c = window.controller
    lr = window.findChild(QWidget, "learning_rate")
    lr.setValue(0.5)
    assert c.config.lr == 0.5
    assert window.undo_action.text().endswith("set the learning rate to 0.5")
    c.step_once()
    theta = c.params.copy()
    _undo(window)
    assert c.config.lr == 0.1 and lr.value() == pytest.approx(0.1)
    np.testing.assert_array_equal(c.params, theta)  # the weights are not touched
    combo = window.findChild(QComboBox, "optimizer")
    combo.setCurrentIndex(combo.findData("adam"))
    assert c.config.name == "adam"
    _undo(window)
    assert c.config.name == "gd" and combo.currentData() == "gd"


def test_l2_lock_reset_and_capacity_undo(window):
    c = window.controller
    c.set_l2(0.01)
    _undo(window)
    assert c.model.l2 == 0.0
    c.set_locked(1, True)
    assert window.undo_action.text().endswith("lock c1")
    _undo(window)
    assert not c.session.is_locked(1)
    for _ in range(5):
        c.step_once()
    trained = c.params.copy()
    c.reset()
    _undo(window)
    np.testing.assert_array_equal(c.params, trained)
    assert c.session.step_count == 5
    c.set_capacity(5)
    assert c.model.n_params == 6
    _undo(window)
    assert c.model.n_params == 4
    np.testing.assert_array_equal(c.params, trained)


def test_knob_moves_before_a_model_change_still_undo_after_coming_back(window):
    c = window.controller
    window.findChild(QWidget, "knob:c1").setValue(1.5)
    c.set_capacity(6)
    _undo(window)  # back to degree 3
    _undo(window)  # the knob move
    assert c.session.value("c1") != 1.5


def _ctrl_z(win) -> None:
    """Ctrl+Z as a keyboard sends it, with the focus on the Train button."""
    train = win.findChild(QPushButton, "train")
    train.setFocus(Qt.FocusReason.MouseFocusReason)
    QApplication.processEvents()
    key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()


def test_replace_session_brings_its_own_optimizer_and_one_undo_puts_both_back(window):
    c = window.controller
    depth = c.undo_stack.count()
    c.replace_session(session_for("line", "linear", optimizer="adam", lr=0.05))
    assert c.config == OptimizerConfig("adam", lr=0.05)
    assert window.findChild(QComboBox, "optimizer").currentData() == "adam"
    assert c.undo_stack.count() == depth + 1
    _ctrl_z(window)
    assert c.model.name == "poly" and c.config == OptimizerConfig("gd", lr=0.1)
    assert window.findChild(QComboBox, "optimizer").currentData() == "gd"


def test_a_lesson_starts_afresh_with_its_own_settings_and_nothing_to_undo(window):
    c = window.controller
    c.set_optimizer("momentum")
    c.set_param("c0", 0.7)
    window.files.ask_unsaved = lambda: DISCARD  # the person's unsaved knobs: let them go
    assert window.lessons.start("next-word")  # adam at 0.1 on the rhymes
    assert c.model.name == "nextword" and c.config == OptimizerConfig("adam", lr=0.1)
    assert c.undo_stack.count() == 0 and not window.undo_action.isEnabled()
    theta = c.params.copy()
    _ctrl_z(window)
    assert c.model.name == "nextword" and c.config == OptimizerConfig("adam", lr=0.1)
    np.testing.assert_array_equal(c.params, theta)
    c.set_param(0, float(theta[0]) + 1.0)
    assert c.undo_stack.count() == 1
    _ctrl_z(window)  # the key works: it takes back the move made in the lesson, only that
    np.testing.assert_array_equal(c.params, theta)
    assert c.model.name == "nextword" and c.config == OptimizerConfig("adam", lr=0.1)


# -- one convention: pushing a command makes the change, and redo makes it again --------
SETTLE_MS = 350
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _undo_and_redo_by_keys(win, qtbot, state, before) -> None:
    """The change just made by hand (``state()`` differs from ``before``): Ctrl+Z puts
    ``before`` back, Ctrl+Shift+Z makes exactly the change again, twice over, and the
    display audit is clean after each."""
    made = state()
    assert made != before, "the hand changed nothing"
    qtbot.wait(SETTLE_MS)
    assert win.audit() == []
    for _ in range(2):
        key(Qt.Key.Key_Z, CTRL)
        qtbot.wait(SETTLE_MS)
        assert state() == before
        assert win.audit() == []
        key(Qt.Key.Key_Z, CTRL | SHIFT)
        qtbot.wait(SETTLE_MS)
        assert state() == made
        assert win.audit() == []


def test_a_drag_undoes_and_redoes_by_keys(open_window, qtbot):
    win = open_window()
    c = win.controller
    params = lambda: tuple(c.params)  # noqa: E731
    before = params()
    slider = win.knob_panel.knobs[0].slider
    start = handle_center(slider)
    drag(slider, start, QPoint(start.x() - 60, start.y()), qtbot=qtbot)
    assert "turn" in win.undo_action.text()
    _undo_and_redo_by_keys(win, qtbot, params, before)


def test_randomize_undoes_and_redoes_by_keys(open_window, qtbot):
    win = open_window()
    c = win.controller
    params = lambda: tuple(c.params)  # noqa: E731
    before = params()
    QTest.mouseClick(win.findChild(QWidget, "randomize"), Qt.MouseButton.LeftButton)
    assert c.undo_stack.count() == 1
    _undo_and_redo_by_keys(win, qtbot, params, before)


def test_a_lock_undoes_and_redoes_by_keys(open_window, qtbot):
    win = open_window()
    c = win.controller
    name = c.session.param_names[0]
    locked = lambda: (c.session.is_locked(0), win.knob_panel.knobs[0].lock_button.isChecked())  # noqa: E731
    before = locked()
    QTest.mouseClick(win.findChild(QWidget, f"lock:{name}"), Qt.MouseButton.LeftButton)
    assert c.undo_stack.count() == 1
    _undo_and_redo_by_keys(win, qtbot, locked, before)


def test_a_reset_undoes_and_redoes_by_keys(open_window, qtbot):
    win = open_window()
    c = win.controller
    c.step_many(30)
    state = lambda: (tuple(c.params), c.session.step_count, len(c.session.history))  # noqa: E731
    before = state()
    QTest.mouseClick(win.findChild(QWidget, "reset"), Qt.MouseButton.LeftButton)
    assert c.session.step_count == 0
    _undo_and_redo_by_keys(win, qtbot, state, before)
