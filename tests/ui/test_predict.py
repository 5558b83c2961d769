"""Predict, then reveal, by real input: Predict, drag the ghost handles, Train, and the
score; the real knobs travel while the ghosts stay."""

from __future__ import annotations

import numpy as np
import pytest
from hands import choose, drag_ghost, find, key
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QWidget

from knobsim.core.data.catalog import session_for
from knobsim.core.lessons.predict import Prediction, score


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_predict_drag_ghosts_train_and_read_the_score(window, qtbot):
    win, c = window, window.controller
    click(qtbot, find(win, "predict", QAbstractButton))
    ghost_w, ghost_b = find(win, "ghost:w"), find(win, "ghost:b")
    box = find(win, "prediction_score", QLabel)
    assert box.isVisible() and "ghost" in box.text()
    before = c.session.params.copy()
    drag_ghost(ghost_w, 1.2, qtbot=qtbot)
    drag_ghost(ghost_b, -0.4, qtbot=qtbot)
    guess = win.predict_mode.prediction.knobs.copy()
    span = np.ptp(c.session.model.param_ranges(), axis=1)
    assert np.all(np.abs(guess - [1.2, -0.4]) < 0.02 * span)
    assert np.array_equal(c.session.params, before)  # a hand on a ghost never moves a knob
    assert win.fit_plot.ghost.isVisible()
    qtbot.wait(350)
    assert win.audit() == []

    click(qtbot, win.train_button)
    qtbot.waitUntil(lambda: c.session.step_count > 3000, timeout=30_000)
    click(qtbot, win.train_button)  # pause: the reveal is over
    qtbot.waitUntil(lambda: win.predict_mode.phase == "scored", timeout=5_000)
    qtbot.wait(350)
    trained = c.session.params
    assert not np.allclose(trained, before)  # the real knobs travelled
    assert np.array_equal(win.predict_mode.prediction.knobs, guess)  # the ghosts stayed
    want = score(c.session.model, Prediction(guess), trained, c.session.dataset.X_train)
    assert box.text().startswith(f"Your guess scores {want.points} out of 100.")
    assert f"That is your new best: {want.points}." in box.text()
    assert win.audit() == []


def test_escape_leaves_prediction_and_undo_takes_a_ghost_move_back(window, qtbot):
    win = window
    key(Qt.Key.Key_P)
    assert win.predict_mode.phase == "guessing"
    ghost = find(win, "ghost:w")
    start = ghost.value()
    drag_ghost(ghost, 1.5, qtbot=qtbot)
    assert ghost.value() != start
    key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert ghost.value() == start  # one drag, one undo step
    qtbot.wait(350)
    assert win.audit() == []
    key(Qt.Key.Key_Escape)
    qtbot.wait(350)
    assert win.predict_mode.phase == "off" and not win.fit_plot.ghost.isVisible()
    assert win.findChild(QAbstractButton, "ghost:w") is None and not win.ghosts.handles
    assert win.audit() == []


def test_the_ghost_boundary_follows_the_ghost_knobs(open_window, qtbot):
    win = open_window(session_for("logistic", "blobs"))
    click(qtbot, find(win, "predict", QAbstractButton))
    drag_ghost(find(win, "ghost:w1"), -2.0, qtbot=qtbot)
    qtbot.wait(350)
    assert win.fit_plot.ghost.isVisible() and win.audit() == []


def test_the_next_word_model_scores_the_top_words(open_window, qtbot):
    win = open_window(session_for("nextword", "rhymes"))
    c = win.controller
    click(qtbot, find(win, "predict", QAbstractButton))
    assert win.ghosts.handles and not win.fit_plot.ghost.isVisible()
    combo = find(win, "guess_word", QComboBox)
    assert combo.isVisible() and combo.currentText() == "—"
    combo.setFocus()
    key(Qt.Key.Key_Down, widget=combo)  # the first word of the vocabulary
    row = win.nextword_view.context_row
    assert win.predict_mode.prediction.top_words[row] == 0
    assert combo.currentText() == c.session.model.vocab[0]
    qtbot.wait(350)
    assert win.audit() == []
    click(qtbot, win.train_button)
    qtbot.waitUntil(lambda: c.session.step_count > 500, timeout=30_000)
    click(qtbot, win.train_button)
    qtbot.waitUntil(lambda: win.predict_mode.phase == "scored", timeout=5_000)
    assert "top next words" in find(win, "prediction_score", QLabel).text()
    right = win.predict_mode.last_score.word_overlap
    trained_top = int(np.argmax(c.session.model.probabilities(c.session.params)[row]))
    assert right == (1.0 if trained_top == 0 else 0.0)  # the one row guessed is scored
    assert not combo.isEnabled()  # the guess stays as it was made
    qtbot.wait(350)
    assert win.audit() == []


def test_the_personal_best_is_saved_with_the_session(window, qtbot, tmp_path, monkeypatch):
    from knobsim.ui.window import files

    win, c, f = window, window.controller, window.files
    click(qtbot, find(win, "predict", QAbstractButton))
    click(qtbot, win.train_button)
    qtbot.waitUntil(lambda: c.session.step_count > 500, timeout=30_000)
    click(qtbot, win.train_button)
    qtbot.waitUntil(lambda: win.predict_mode.phase == "scored", timeout=5_000)
    best = dict(win.predict_mode.bests)
    assert list(best) == [""]  # outside a lesson: one free-play best
    monkeypatch.setattr(f, "ask_save_path", lambda *a: str(tmp_path / "mine"))
    assert f.save()
    win.predict_mode.bests = {}
    monkeypatch.setattr(f, "ask_unsaved", lambda: files.DISCARD)
    assert f.open_session(tmp_path / "mine.knobsim")
    assert win.predict_mode.bests == best


@pytest.mark.real_pace
def test_at_the_watch_pace_the_score_comes_when_training_stops_by_itself(open_window, qtbot):
    win = open_window(session_for("line", "linear", lr=0.1))
    c = win.controller
    click(qtbot, find(win, "predict", QAbstractButton))
    drag_ghost(find(win, "ghost:w"), 0.8, qtbot=qtbot)
    guess = win.predict_mode.prediction.knobs.copy()
    click(qtbot, win.train_button)
    qtbot.wait(500)
    assert c.is_training and win.predict_mode.phase == "revealing"
    box = find(win, "prediction_score", QLabel)
    assert "ghosts stay" in box.text()
    qtbot.waitUntil(lambda: not c.is_training, timeout=30_000)  # converged: it stops
    assert c.converged_at is not None and win.predict_mode.phase == "scored"
    assert np.array_equal(win.predict_mode.prediction.knobs, guess)
    assert box.text().startswith("Your guess scores")
    qtbot.wait(350)
    assert win.audit() == []


def test_the_audit_sees_a_ghost_that_does_not_show_the_guess(window, qtbot):
    win = window
    click(qtbot, find(win, "predict", QAbstractButton))
    qtbot.wait(350)
    assert win.audit() == []
    ghost = find(win, "ghost:w")
    ghost.move(ghost.x() + 20, ghost.y())
    assert any("ghost of w sits" in f for f in win.audit())
    ghost.place()
    x, y = win.fit_plot.ghost.getData()
    win.fit_plot.ghost.setData(x, y + 0.5)
    assert any(f.startswith("Ghost: The fit curve shows") for f in win.audit())
    win.fit_plot.show_ghost(win.predict_mode.prediction.knobs)
    assert win.audit() == []
    key(Qt.Key.Key_Escape)
    win.fit_plot.show_ghost(np.zeros(2))  # a ghost curve with no guess made
    assert any("ghost curve, but no guess" in f for f in win.audit())


def test_ghosts_move_onto_knobs_built_again_under_them(window, qtbot):
    """Found by the monkey test: a zoom (or the knob style) builds the knob rows again;
    the ghosts stayed on the old sliders and the next paint raised "already deleted"."""
    from PySide6.QtWidgets import QApplication

    size = QApplication.font().pointSizeF()
    try:
        qtbot.mouseClick(find(window, "predict", QAbstractButton), Qt.MouseButton.LeftButton)
        old = find(window, "ghost:w")
        window.zoom.zoom_in()  # the knob rows are built again
        qtbot.wait(100)
        ghost = find(window, "ghost:w")
        assert ghost is not old and ghost.knob is window.knob_panel.knob("w")
        drag_ghost(ghost, 0.7, qtbot=qtbot)
        qtbot.wait(350)
        assert window.predict_mode.prediction.knobs[0] == pytest.approx(0.7, abs=0.02)
        assert window.audit() == []
    finally:
        window.zoom.reset()
        font = QApplication.font()
        font.setPointSizeF(size)
        QApplication.setFont(font)


def test_a_new_model_chosen_while_guessing_ends_the_guess(window, qtbot):
    """Found by the monkey test: the knob rows of a new model were built before Predict
    heard of it, and the ghosts looked up the old guess's knobs on them (IndexError)."""
    win = window
    click(qtbot, find(win, "predict", QAbstractButton))
    drag_ghost(find(win, "ghost:w"), 1.2, qtbot=qtbot)
    choose(qtbot, win.model_combo, win.model_combo.findData("poly"))
    qtbot.waitUntil(lambda: win.controller.session.model.name == "poly")
    qtbot.wait(100)
    assert win.predict_mode.phase == "off"
    assert not [w for w in win.findChildren(QWidget) if w.objectName().startswith("ghost:")]
    qtbot.wait(350)
    assert win.audit() == []
