"""Race the optimizers in the window: opened from the Training menu, started by a click,
run between frames, drawn (paths on the map, error curves, a table), and a run's knobs
taken over only when asked (one undoable move)."""

from __future__ import annotations

import numpy as np
import pytest
from hands import find
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QPushButton, QRadioButton, QTableWidget

from knobsim.core.data.catalog import session_for


def _open_race(win):
    win.findChild(QAction, "race").trigger()  # Training › Race optimizers…
    return win.show_race()


def _click(qtbot, dialog, name):
    qtbot.mouseClick(find(dialog, name, QPushButton), Qt.MouseButton.LeftButton)


def _fast(qtbot, dialog):
    """Untick Watch: the race runs as fast as it can (a watched one takes WATCH_S)."""
    box = find(dialog, "race_watch", QCheckBox)
    assert box.isChecked()  # a person gets a race they can watch
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))
    assert not box.isChecked()


def test_a_race_draws_every_run_and_leaves_the_knobs_alone(open_window, qtbot):
    win = open_window(session_for("logistic", "moons"))
    before = win.controller.session.params.copy()
    dialog = _open_race(win)
    assert dialog.objectName() == "race_panel" and dialog.isVisible()
    _fast(qtbot, dialog)
    freeze = find(dialog, "race_freeze", QCheckBox)
    assert not freeze.isChecked()  # by default every knob trains, as Train does
    qtbot.mouseClick(freeze, Qt.MouseButton.LeftButton, pos=QPoint(6, freeze.height() // 2))
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
    _fast(qtbot, dialog)
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
    # first a guess, by a click on one of the answers under the task
    assert runner.task_index == 0 and "pick your guess" in runner.status
    momentum = find(win, "lesson_choice:1", QRadioButton)
    assert momentum.isVisible() and momentum.text() == "Momentum"
    qtbot.mouseClick(momentum, Qt.MouseButton.LeftButton, pos=QPoint(6, momentum.height() // 2))
    qtbot.waitUntil(lambda: runner.task_index == 1, timeout=5_000)
    assert not find(win, "lesson_choice").isVisible()  # the question is answered
    assert "Race optimizers" in runner.status
    dialog = _open_race(win)
    dialog.steps.setValue(200)
    _fast(qtbot, dialog)
    _click(qtbot, dialog, "race_run")
    qtbot.waitUntil(lambda: runner.task_index == 2, timeout=20_000)
    # the panel says who won, and whether the guess was right
    winner = dialog.runs[dialog.best_row()]
    rule = {"gd": "Gradient descent", "momentum": "Momentum", "adam": "Adam"}[winner.optimizer]
    assert f"last race: {rule} {winner.lr:g} won (your guess: Momentum" in runner.status
    assert runner.status.count("right") == (rule == "Momentum")
    # the teacher's record keeps the guess and the race's winner
    record = win.lessons.work.progress.lessons["race"].results
    assert record[0].note == "guessed Momentum"
    assert record[1].note == f"{rule} {winner.lr:g} won the race (the guess was Momentum)"
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


def test_a_race_is_spread_over_seconds_a_person_can_watch(open_window, qtbot):
    """Found by hand under Xvfb: a race of the line was over in two frames. Watched (the
    default), it takes about WATCH_S, the paths growing on the map as it goes; before it
    starts, the map already shows where the runners will set off."""
    from knobsim.ui.teaching.race import WATCH_S

    win = open_window(session_for("line", "linear"))
    dialog = _open_race(win)
    qtbot.wait(50)
    x, y = dialog.start_marker.getData()
    i, j = dialog.pair
    assert [x[0], y[0]] == list(win.controller.session.params[[i, j]])
    assert dialog.map_image.image is not None  # the map before the race
    assert not dialog.progress.isVisible()
    _click(qtbot, dialog, "race_run")
    qtbot.wait(int(WATCH_S * 1000 * 0.3))
    assert dialog.running and dialog.progress.isVisible()
    assert 5 < dialog.progress.value() < 70
    drawn = len(dialog.trails[0].getData()[0])
    qtbot.waitUntil(lambda: not dialog.running, timeout=int(WATCH_S * 1000 * 4))
    assert len(dialog.trails[0].getData()[0]) > drawn  # the path grew while we watched
    assert not dialog.progress.isVisible()
    assert all(r.done == r.steps or r.converged or r.diverged for r in dialog.runners)
