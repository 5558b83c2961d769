"""A wheel turns a setting only when that control has the focus; otherwise it scrolls.

Lesson 6 found the trap: scrolling the control column turned every combo box and spin
box that passed under the pointer (Dataset became "Step", Noise 0.02, Points 30). Real
wheel events (``hands.wheel``) over each control, unfocused and focused.
"""

from __future__ import annotations

from hands import wheel
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollArea,
    QSlider,
    QWidget,
)

from knobsim.core.data.corpus import builtin_corpus
from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session
from knobsim.ui.widgets import WHEEL_CONTROLS


def _value(w: QWidget):
    if isinstance(w, QComboBox):
        return w.currentIndex()
    return w.value()


def _controls(root: QWidget) -> list[QWidget]:
    """Every visible, enabled combo box, spin box and slider (no scroll bars) in ``root``."""
    return [
        w
        for w in root.findChildren(QWidget)
        if isinstance(w, WHEEL_CONTROLS) and w.isVisible() and w.isEnabled()
    ]


def _check(win, controls: list[QWidget], column: QScrollArea | None) -> list[str]:
    """Wheel over each control unfocused, then focused; returns the names checked (a
    control hidden by an earlier turn, e.g. Degree after the model changed, is left)."""
    bar = column.verticalScrollBar() if column is not None else None
    checked = []
    for w in controls:
        name = w.objectName() or w.accessibleName() or type(w).__name__
        if not (w.isVisible() and w.isEnabled()):
            continue
        checked.append(name)
        # unfocused: the setting stays, the column scrolls
        win.train_button.setFocus()  # the focus elsewhere, as after a click on Train
        QApplication.processEvents()
        before = _value(w)
        if bar is not None:
            bar.setValue(bar.maximum() // 2)
        scrolled = bar.value() if bar is not None else None
        for notches in (-1, -1, 1, -1):
            wheel(w, notches)
            QApplication.processEvents()
        assert _value(w) == before, f"a wheel over the unfocused {name} changed it"
        assert QApplication.focusWidget() is not w, f"a wheel gave {name} the focus"
        if bar is not None and bar.maximum() > 0:
            assert bar.value() != scrolled, f"a wheel over {name} did not scroll the column"
        # focused: the wheel turns it
        w.setFocus(Qt.FocusReason.TabFocusReason)
        QApplication.processEvents()
        for notches in (-1, 1):  # one way may be at its end already
            wheel(w, notches)
            QApplication.processEvents()
            if _value(w) != before:
                break
        assert _value(w) != before, f"a wheel over the focused {name} did not turn it"
    return checked


def test_a_wheel_over_the_control_column_scrolls_it_and_changes_nothing(open_window, qtbot):
    data = make_dataset("sine", n_points=20, seed=0)
    session = Session(make_model("poly", data, degree=3), data, optimizer=OptimizerConfig("sgd"))
    win = open_window(session, size=(1280, 600))  # short: the column scrolls
    column = win.findChild(QScrollArea, "controls")
    controls = _controls(column)
    # the model last: another model hides some rows
    controls.sort(key=lambda w: w.objectName() == "model")
    assert column.verticalScrollBar().maximum() > 0
    checked = _check(win, controls, column)
    # the ones lesson 6 met, and the capacity slider
    wanted = {"dataset", "noise", "points", "degree", "optimizer", "capacity", "speed", "model"}
    assert wanted <= set(checked), checked
    win.controller.set_training(False)
    qtbot.wait(350)
    assert win.audit() == []


def test_a_wheel_over_other_panels_controls_needs_their_focus(open_window, qtbot):
    data = builtin_corpus("rhymes").to_dataset()
    win = open_window(Session(make_model("nextword", data), data, seed=0))
    view = win.nextword_view
    win.output_tabs.setCurrentWidget(view)
    controls = _controls(view) + _controls(win.landscape_plot)
    kinds = {type(w) for w in controls}
    assert any(issubclass(k, QAbstractSpinBox) for k in kinds) and QComboBox in kinds
    _check(win, controls, None)
    # the focus policy a wheel cannot take, everywhere in the window
    for w in win.findChildren(QWidget):
        if isinstance(w, WHEEL_CONTROLS):
            assert w.focusPolicy() != Qt.FocusPolicy.WheelFocus, w


def test_a_wheel_over_an_unfocused_knob_scrolls_the_knob_panel(open_window, qtbot):
    data = make_dataset("circles", seed=0)
    win = open_window(Session(make_model("mlp", data, hidden=(8,)), data, seed=0))
    panel = win.knob_panel
    bar = panel.scroll.verticalScrollBar()
    assert bar.maximum() > 0
    sliders = [k.slider for k in panel.knobs[:3]]
    assert all(isinstance(s, QSlider) for s in sliders)
    _check(win, sliders, panel.scroll)
