"""The capacity lab in the window: the capacity control, the verdict, the sweep.

Reference setting (see tests/test_sweep.py): sine wave, 20 training points, noise 0.2,
seed 0, Adam with learning rate 0.05.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from hands import find
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session
from knobsim.ui.teaching.capacity import SweepPlot

ADAM = OptimizerConfig("adam", lr=0.05)


def _window(open_window, model="poly", dataset="sine", *, points=20, noise=0.2, config=ADAM, **kw):
    data = make_dataset(dataset, n_points=points, noise=noise, seed=0)
    session = Session(make_model(model, data, **kw), data, optimizer=config, seed=0)
    return open_window(session, restore=False)


@pytest.fixture
def window(open_window):
    win = _window(open_window, degree=1)
    yield win
    win.capacity_panel.runner.cancel()
    win.capacity_panel.runner.wait()


def _train(qtbot, win, steps: int) -> None:
    """Press Train, wait for ``steps`` more optimizer steps, press it again."""
    session = win.controller.session
    target = session.step_count + steps
    button = find(win, "train", QPushButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.controller.session.step_count >= target, timeout=10_000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not win.controller.is_training


def _verdict(win) -> str:
    return find(win, "fit_verdict", QLabel).text()


def _knob_names(win) -> list[str]:
    return [k.name for k in win.knob_panel.knobs]


# -- capacity control -------------------------------------------------------------------------


def test_capacity_slider_adds_and_removes_knobs_and_keeps_the_rest(qtbot, window):
    c = window.controller
    slider = find(window, "capacity", QSlider)
    label = find(window, "capacity_label", QLabel)
    assert (slider.minimum(), slider.maximum(), slider.value()) == (0, 15, 1)
    assert label.text() == "2 knobs · 20 training points"
    c.set_param("c0", 0.25)
    c.set_param("c1", -0.75)

    slider.setFocus()
    for _ in range(3):
        qtbot.keyClick(slider, Qt.Key.Key_Right)  # degree 1 -> 4
    assert c.model.degree == 4
    assert _knob_names(window) == ["c0", "c1", "c2", "c3", "c4"]
    assert label.text() == "5 knobs · 20 training points"
    assert window.knob_panel.count_label.text() == "5 knobs"
    assert find(window, "degree", QSpinBox).value() == 4
    # the kept knobs keep their values; the new ones start at 0, so the curve is the same
    assert [window.knob_panel.knob(n).value() for n in ("c0", "c1")] == [0.25, -0.75]
    np.testing.assert_array_equal(c.params, [0.25, -0.75, 0.0, 0.0, 0.0])

    qtbot.keyClick(slider, Qt.Key.Key_Home)  # degree 0
    assert _knob_names(window) == ["c0"]
    assert label.text() == "1 knob · 20 training points"
    assert c.params.tolist() == [0.25]
    qtbot.keyClick(slider, Qt.Key.Key_End)
    assert len(window.knob_panel.knobs) == 16 and c.params[0] == 0.25


def test_degree_box_changes_capacity_without_a_reset(qtbot, window):
    c = window.controller
    _train(qtbot, window, 200)
    before = c.params.copy()
    steps = c.session.step_count
    spin = find(window, "degree", QSpinBox)
    spin.setValue(3)
    assert c.model.degree == 3
    np.testing.assert_array_equal(c.params[:2], before)
    assert c.session.step_count == steps  # the run carries on, marked on the loss curve
    assert "model" in [label for _, label in c.session.history.marks]
    assert find(window, "capacity", QSlider).value() == 3


def test_hidden_units_change_keeps_the_network_knobs_and_sweep_widths(qtbot, open_window):
    win = _window(open_window, "mlp", "circles", points=60, noise=0.05, hidden=(4,))
    c = win.controller
    slider = find(win, "capacity", QSlider)
    assert (slider.minimum(), slider.maximum(), slider.value()) == (1, 16, 4)
    old = dict(zip(c.model.param_names, c.params.tolist(), strict=True))
    slider.setValue(6)
    assert c.model.hidden == (6,)
    assert find(win, "capacity_label", QLabel).text() == "25 knobs · 60 training points"
    assert "W1[0,5]" in _knob_names(win)
    for name, value in old.items():
        assert win.knob_panel.knob(name).value() == pytest.approx(value)
    assert win.knob_panel.knob("W2[5,0]").value() == 0.0  # a new unit says nothing yet

    edit = find(win, "hidden", QLineEdit)
    edit.setText("3")
    edit.editingFinished.emit()
    assert c.model.hidden == (3,)
    assert "W1[0,5]" not in _knob_names(win)
    assert c.params[c.model.param_index("W1[0,0]")] == pytest.approx(old["W1[0,0]"])
    assert slider.value() == 3

    # the same sweep: every width of the hidden layer on the 2-D data
    panel = win.capacity_panel
    panel.sweep_steps = 20
    with qtbot.waitSignal(panel.runner.finished, timeout=20_000):
        qtbot.mouseClick(find(win, "sweep", QPushButton), Qt.MouseButton.LeftButton)
    x = panel.sweep_plot.test_curve.xData
    assert x.tolist() == [4 * h + 1 for h in range(1, 17)]  # 2h + h + h + 1 knobs


def test_models_without_a_capacity_hide_the_slider(qtbot, open_window):
    win = _window(open_window, "logistic", "moons", points=100, noise=0.1)
    assert not find(win, "capacity", QSlider).isVisible()
    assert not find(win, "sweep", QPushButton).isEnabled()
    assert find(win, "capacity_label", QLabel).text() == "3 knobs · 100 training points"
    assert "accuracy train" in find(win, "error_label", QLabel).text()


# -- verdicts, regularisation, more data ---------------------------------------------------


def test_the_window_names_underfitting_and_overfitting(qtbot, window):
    assert _verdict(window).startswith("Not fitted yet")
    _train(qtbot, window, 300)
    assert _verdict(window).startswith("Underfitting: both errors are high")
    find(window, "capacity", QSlider).setValue(15)
    _train(qtbot, window, 1500)
    assert _verdict(window).startswith("Overfitting: train error is low but test error is much")

    # L2 tames it, without a reset
    model, data = window.controller.model, window.controller.dataset
    test_before = model.data_loss(window.controller.params, data.X_test, data.y_test)
    find(window, "l2", QWidget).setValue(0.01)
    _train(qtbot, window, 800)
    test_after = model.data_loss(window.controller.params, data.X_test, data.y_test)
    assert test_after < test_before / 2
    assert not _verdict(window).startswith("Overfitting")


# -- the sweep -------------------------------------------------------------------------------


def _click_point(qtbot, plot: SweepPlot, n_params: float, error: float) -> None:
    scene = plot.plot_item.vb.mapViewToScene(QPointF(n_params, math.log10(error)))
    pos = plot.mapFromScene(scene)
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos.x(), pos.y()))


def test_sweep_draws_the_u_curve_and_a_click_switches_capacity(qtbot, window):
    panel = window.capacity_panel
    panel.sweep_steps = 2000
    plot = find(window, "sweep_plot", SweepPlot)
    with qtbot.waitSignal(panel.runner.finished, timeout=20_000) as done:
        qtbot.mouseClick(find(window, "sweep", QPushButton), Qt.MouseButton.LeftButton)
    assert done.args == [False]
    x, train = plot.train_curve.xData, plot.train_curve.yData
    test = plot.test_curve.yData
    assert x.tolist() == list(range(1, 17))
    assert 3 <= int(np.argmin(test)) <= 5  # degree 3 to 5: the bottom of the U
    assert int(np.argmin(train)) == 15 and test[15] > test[5]
    assert find(window, "sweep_progress", QProgressBar).value() == 16
    assert plot.now_line.value() == 2  # the current model: degree 1, two knobs
    assert plot.best_point().capacity == int(np.argmin(test))

    _click_point(qtbot, plot, 16, test[15])
    c = window.controller
    assert c.model.degree == 15
    assert plot.now_line.value() == 16
    assert _verdict(window).startswith("Overfitting")
    _click_point(qtbot, plot, 5, test[4])
    assert c.model.degree == 4
    assert _verdict(window).startswith("Good fit")
    # the knobs are the sweep's trained ones for that degree
    np.testing.assert_array_equal(c.params, plot.point_for(4).theta)


def test_sweep_runs_in_a_worker_process_reports_progress_and_cancels(qtbot, open_window):
    # slow on purpose: plain gradient descent with a tiny step never converges early
    win = _window(open_window, degree=3, config=OptimizerConfig("gd", lr=0.001))
    panel = win.capacity_panel
    panel.sweep_steps = 50_000
    ticks = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    progress = find(win, "sweep_progress", QProgressBar)
    cancel = find(win, "sweep_cancel", QPushButton)
    sweep = find(win, "sweep", QPushButton)
    assert not cancel.isEnabled()

    threads_before = set(sys._current_frames())
    qtbot.mouseClick(sweep, Qt.MouseButton.LeftButton)
    assert panel.runner.is_running and cancel.isEnabled() and not sweep.isEnabled()
    qtbot.waitUntil(lambda: progress.value() >= 1, timeout=20_000)
    assert len(ticks) >= 5  # the event loop kept turning while the worker trained
    # no Python runs on a second thread here: the garbage collector would run there too
    # and free Qt objects away from their thread (a crash later, inside Qt)
    assert set(sys._current_frames()) <= threads_before
    assert progress.maximum() == 16

    with qtbot.waitSignal(panel.runner.finished, timeout=5_000) as done:
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    timer.stop()
    assert done.args == [True]
    assert panel.runner.wait(5_000) and not panel.runner.is_running
    assert 1 <= len(panel.sweep_plot.points) < 16
    assert sweep.isEnabled() and not cancel.isEnabled()
    assert "cancelled" in win.statusBar().currentMessage()


def test_the_sweep_runs_in_the_window_when_no_process_can_start(qtbot, window, monkeypatch):
    from knobsim.core.capacity import sweep

    def refuse(self, start):
        raise OSError("no processes here")

    monkeypatch.setattr(sweep.SweepProcess, "__init__", refuse)
    panel = window.capacity_panel
    panel.sweep_steps = 200
    with qtbot.waitSignal(panel.runner.finished, timeout=20_000) as done:
        qtbot.mouseClick(find(window, "sweep", QPushButton), Qt.MouseButton.LeftButton)
    assert done.args == [False]
    assert panel.sweep_plot.train_curve.xData.tolist() == list(range(1, 17))
    assert find(window, "sweep_progress", QProgressBar).value() == 16
    qtbot.wait(350)
    assert window.audit() == []
