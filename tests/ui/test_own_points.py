"""Your own points, by hand on the fit plot: a click adds one, a drag moves one, a
right-click removes one; the error follows at once, Ctrl+Z takes each back, and the
screen shows the data as it is."""

from __future__ import annotations

import numpy as np
import pytest
from hands import key, move, press, release
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from knobsim.core.data.catalog import session_for

CTRL = Qt.KeyboardModifier.ControlModifier


def _pixel(plot, x: float, y: float) -> QPoint:
    """Where view point (x, y) is on the plot's viewport."""
    scene = plot.plot_item.getViewBox().mapViewToScene(QPointF(x, y))
    return plot.mapFromScene(scene)


def _click(plot, at: QPoint, button=Qt.MouseButton.LeftButton, mods=None) -> None:
    mods = mods if mods is not None else Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(plot.viewport(), button, mods, at)


def test_click_drag_and_right_click_edit_the_data_with_undo(open_window, qtbot):
    win = open_window(session_for("poly", "sine", degree=3))
    plot, c = win.fit_plot, win.controller
    data0, loss0 = c.session.dataset, c.session.train_loss

    _click(plot, _pixel(plot, 0.1, 1.2))
    assert c.session.dataset.n_train == data0.n_train + 1
    x, y = c.session.dataset.X_train[-1, 0], c.session.dataset.y_train[-1]
    assert x == pytest.approx(0.1, abs=0.02) and y == pytest.approx(1.2, abs=0.03)
    assert c.session.train_loss != loss0
    qtbot.wait(350)
    assert win.audit() == []

    # drag the new point down: one undo step for the whole drag, the view holds still
    vb = plot.plot_item.getViewBox()
    ranges = vb.viewRange()
    start, end = _pixel(plot, x, y), _pixel(plot, 0.1, -0.6)
    press(plot.viewport(), start)
    for k in range(1, 9):
        move(plot.viewport(), start + (end - start) * (k / 8))
        qtbot.wait(5)
        assert vb.viewRange() == ranges  # the view holds still under the hand
    release(plot.viewport(), end)
    assert c.session.dataset.y_train[-1] == pytest.approx(-0.6, abs=0.05)
    assert c.session.dataset.n_train == data0.n_train + 1
    qtbot.wait(350)
    assert win.audit() == []

    # a right-click on it removes it
    _click(plot, _pixel(plot, *c.session.dataset.X_train[-1], c.session.dataset.y_train[-1]),
           Qt.MouseButton.RightButton)  # fmt: skip
    assert c.session.dataset.n_train == data0.n_train
    qtbot.wait(350)
    assert win.audit() == []

    for expected in (data0.n_train + 1, data0.n_train + 1, data0.n_train):
        key(Qt.Key.Key_Z, CTRL, widget=win)
        assert c.session.dataset.n_train == expected
    assert c.session.dataset.y_train[-1] == pytest.approx(data0.y_train[-1])
    qtbot.wait(350)
    assert win.audit() == []


def test_shift_click_adds_the_other_class(open_window, qtbot):
    win = open_window(session_for("logistic", "blobs"))
    plot, c = win.fit_plot, win.controller
    n = c.session.dataset.n_train
    empty = [
        (x, y)
        for x in np.linspace(-1, 1, 9)
        for y in np.linspace(-1, 1, 9)
        if plot.point_at(QPointF(x, y)) is None
    ]
    _click(plot, _pixel(plot, *empty[0]))
    _click(plot, _pixel(plot, *empty[-1]), mods=Qt.KeyboardModifier.ShiftModifier)
    labels = c.session.dataset.y_train[n:]
    assert list(labels) == [1.0, 0.0]
    qtbot.wait(350)
    assert win.audit() == []


def test_a_click_on_a_point_adds_nothing_and_the_last_points_stay(open_window, qtbot):
    win = open_window(session_for("line", "linear", points=4))
    plot, c = win.fit_plot, win.controller
    d = c.session.dataset
    at = _pixel(plot, d.X_train[0, 0], d.y_train[0])
    _click(plot, at)
    assert c.session.dataset is d
    while c.session.dataset.n_train > 2:
        d = c.session.dataset
        _click(plot, _pixel(plot, d.X_train[0, 0], d.y_train[0]), Qt.MouseButton.RightButton)
    d = c.session.dataset
    messages = []
    c.messageRaised.connect(messages.append)
    _click(plot, _pixel(plot, d.X_train[0, 0], d.y_train[0]), Qt.MouseButton.RightButton)
    assert c.session.dataset.n_train == 2 and "at least 2" in messages[-1]
    assert np.all(np.isfinite(c.session.params))
    qtbot.wait(350)
    assert win.audit() == []


def test_words_have_no_points_to_click(open_window):
    win = open_window(session_for("nextword", "rhymes"))
    d = win.controller.session.dataset
    _click(win.fit_plot, QPoint(100, 100))
    assert win.controller.session.dataset is d
