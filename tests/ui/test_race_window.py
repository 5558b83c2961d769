"""Race the optimizers in the window: opened from the Training menu, started by a click,
run between frames, drawn (paths on the map, error curves, a table), and a run's knobs
taken over only when asked (one undoable move)."""

from __future__ import annotations

import numpy as np
import pytest
from hands import find
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton, QTableWidget

from knobsim.core.catalog import session_for


def _open_race(win):
    win.findChild(QAction, "race").trigger()  # Training › Race optimizers…
    return win.show_race()


def _click(qtbot, dialog, name):
    qtbot.mouseClick(find(dialog, name, QPushButton), Qt.MouseButton.LeftButton)


def test_a_race_draws_every_run_and_leaves_the_knobs_alone(open_window, qtbot):
    win = open_window(session_for("logistic", "moons"))
    before = win.controller.session.params.copy()
    dialog = _open_race(win)
    assert dialog.objectName() == "race_panel" and dialog.isVisible()
    _click(qtbot, dialog, "race_run")
    qtbot.waitUntil(lambda: not dialog.running, timeout=20_000)
    runs = dialog.runs
    assert [r.optimizer for r in runs] == ["gd", "momentum", "adam"]
    i, j = dialog.pair
    for run, trail, curve in zip(runs, dialog.trails, dialog.curves, strict=True):
        x, y = trail.getData()
        np.testing.assert_array_equal(x, run.path[:, i])  # the path drawn is the run's
        np.testing.assert_array_equal(y, run.path[:, j])
        steps, train = curve.getData()
        assert steps[-1] == 500 and train[-1] == pytest.approx(run.final_train_loss)
    # frozen: only the map's two knobs moved, so the map is true under the paths
    for run in runs:
        others = np.delete(run.path, [i, j], axis=1)
        assert np.all(others == others[0])
    table = find(dialog, "race_table", QTableWidget)
    assert table.rowCount() == 3
    assert table.item(2, 0).text() == "Adam"
    assert table.item(0, 3).text() == f"{runs[0].final_train_loss:.4g}"
    # the map says what it is, in plain words
    assert "slice" in dialog.map_note.text() and "3 dimensions" in dialog.map_note.text()
    # the window's knobs are where the person left them
    np.testing.assert_array_equal(win.controller.session.params, before)
    assert win.audit() == []


def test_using_a_run_takes_its_knobs_and_undo_gives_them_back(open_window, qtbot):
    win = open_window(session_for("line", "linear"))
    c = win.controller
    before = c.session.params.copy()
    dialog = _open_race(win)
    _click(qtbot, dialog, "race_run")
    qtbot.waitUntil(lambda: not dialog.running, timeout=20_000)
    table = find(dialog, "race_table", QTableWidget)
    rect = table.visualItemRect(table.item(1, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    _click(qtbot, dialog, "race_use")
    np.testing.assert_allclose(c.session.params, dialog.runs[1].path[-1])
    qtbot.wait(350)
    assert win.audit() == []
    c.undo_stack.undo()
    np.testing.assert_array_equal(c.session.params, before)


def test_the_window_keeps_painting_while_a_long_race_runs_and_stop_stops_it(open_window, qtbot):
    win = open_window(session_for("mlp", "circles"))
    dialog = _open_race(win)
    dialog.steps.setValue(100_000)
    ticks = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    _click(qtbot, dialog, "race_run")
    qtbot.waitUntil(lambda: dialog.progress.value() >= 2, timeout=20_000)
    assert dialog.running and len(ticks) >= 5  # the event loop kept turning
    _click(qtbot, dialog, "race_stop")
    timer.stop()
    assert not dialog.running
    assert all(0 < r.done < 100_000 for r in dialog.runners)
    assert find(dialog, "race_table", QTableWidget).rowCount() == 3


def test_one_runner_is_not_a_race(open_window, qtbot):
    win = open_window(session_for("line", "linear"))
    dialog = _open_race(win)
    for box, _, _ in dialog.entrant_rows[1:]:
        box.setChecked(False)
    _click(qtbot, dialog, "race_run")
    assert not dialog.running and "Pick 2 to 4" in dialog.map_note.text()


def test_the_race_lesson_is_passed_by_racing(open_window, qtbot):
    win = open_window()
    assert win.lessons.start("race")
    qtbot.wait(200)
    runner = win.lessons.runner
    assert runner.task_index == 0 and "Race optimizers" in runner.status
    dialog = _open_race(win)
    dialog.steps.setValue(200)
    _click(qtbot, dialog, "race_run")
    qtbot.waitUntil(lambda: runner.task_index == 1, timeout=20_000)
    # the second task: one rule against itself, at three learning rates
    for k, rate in enumerate((0.03, 0.3, 3.0)):
        box, combo, lr = dialog.entrant_rows[k]
        box.setChecked(True)
        combo.setCurrentIndex(combo.findData("gd"))
        lr.setValue(rate)
    _click(qtbot, dialog, "race_run")
    qtbot.waitUntil(lambda: runner.completed, timeout=20_000)
    assert [r.lr for r in dialog.runs] == [0.03, 0.3, 3.0]
    win.controller.set_training(False)
    qtbot.wait(350)
    assert win.audit() == []
