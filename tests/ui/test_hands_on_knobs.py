"""Real hands on the knobs: mouse drags, wheel turns and Train between them, with the
display audit after each pause."""

from __future__ import annotations

import numpy as np
from hands import drag, handle_center
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

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
