"""Beat the optimizer, played with scripted knob moves: moves, both curves, score, saved best."""

from __future__ import annotations

import numpy as np
import pytest
from hands import find
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from knobsim.core.lessons.challenge import challenge, load_best, make_session, optimizer_run


@pytest.fixture
def game(qtbot, tmp_path):
    from knobsim.ui.teaching.challenge import ChallengeDialog

    dialog = ChallengeDialog(scores_folder=tmp_path, challenge_id="line", seed=11)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def best_line(dialog) -> tuple[float, float]:
    d = dialog.controller.dataset
    w, b = np.polyfit(d.X_train[:, 0], d.y_train, 1)
    return float(w), float(b)


def test_scripted_moves_are_scored_and_the_best_is_kept(qtbot, game, tmp_path):
    ch = challenge("line")
    assert not game.isModal()
    moves = find(game, "challenge_moves", QLabel)
    assert moves.text() == f"Moves left: {ch.moves} of {ch.moves}"
    start = game.controller.session.train_loss
    w, b = best_line(game)

    knob_w, knob_b = find(game, "knob:w"), find(game, "knob:b")
    knob_w.setValue(0.0)  # a first try ...
    knob_w.setValue(w)  # ... and a better one: the same knob, so still one move
    assert game.moves_used == 1 and moves.text() == f"Moves left: {ch.moves - 1} of {ch.moves}"
    knob_b.setValue(b)
    assert game.moves_used == 2
    knob_w.setValue(w + 0.01)
    knob_b.setValue(b)  # already there: no change, no move
    assert game.moves_used == 3
    knob_b.setValue(b - 0.01)  # the last move ...
    assert game.moves_used == ch.moves == 4
    assert knob_b.isEnabled() and not knob_w.isEnabled()  # ... only b still turns
    assert "Last move" in moves.text()
    knob_b.setValue(b)  # fine-tuning the last move
    assert game.moves_used == 4

    yours = game.your_errors
    assert len(yours) == ch.moves + 1 and yours[0] == start
    xs, ys = game.your_curve.getOriginalDataset()
    assert np.array_equal(ys, yours)

    with qtbot.waitSignal(game.gameFinished) as blocker:
        qtbot.mouseClick(find(game, "challenge_done", QPushButton), Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    theirs = optimizer_run(ch, 11)
    assert result.optimizer_errors == tuple(theirs.tolist())
    assert result.your_error == pytest.approx(game.controller.session.train_loss)
    assert result.score == pytest.approx(theirs[-1] / result.your_error)
    assert result.score > 1  # the least-squares line beats four steps of gradient descent
    _, their_curve = game.optimizer_curve.getOriginalDataset()
    assert np.array_equal(their_curve, theirs)
    assert "you beat it" in find(game, "challenge_score", QLabel).text()
    assert not knob_b.isEnabled()  # the game is over
    saved = load_best(tmp_path)["line"]
    assert saved["score"] == pytest.approx(result.score) and saved["seed"] == 11
    assert "a new best" in find(game, "challenge_best", QLabel).text()

    # the same start again, played worse: the best stays
    qtbot.mouseClick(find(game, "challenge_retry", QPushButton), Qt.MouseButton.LeftButton)
    assert game.moves_used == 0 and find(game, "knob:w").isEnabled()
    assert game.controller.session.train_loss == start
    find(game, "knob:w").setValue(0.0)
    worse = game.finish()
    assert worse.score < result.score
    assert load_best(tmp_path)["line"]["score"] == pytest.approx(result.score)
    best_text = find(game, "challenge_best", QLabel).text()
    assert f"{result.score:.2f}" in best_text and "new best" not in best_text


def test_another_challenge_and_a_new_start(qtbot, game):
    first = game.controller.params.copy()
    game.start("network", seed=3)
    assert game.controller.model.n_params == 25
    assert find(game, "challenge_choice").currentData() == "network"
    assert find(game, "challenge_moves", QLabel).text() == "Moves left: 10 of 10"
    game.start("line", seed=11)
    assert np.array_equal(game.controller.params, first)  # the same seed, the same start
    find(game, "knob:w").setValue(0.5)
    qtbot.mouseClick(find(game, "challenge_new", QPushButton), Qt.MouseButton.LeftButton)
    assert game.moves_used == 0 and len(game.your_errors) == 1
    # the app chose the start; the window says which, so it can be played again
    assert np.array_equal(game.controller.params, make_session(challenge("line"), game.seed).params)
    assert f"#{game.seed}" in find(game, "challenge_score", QLabel).text()
