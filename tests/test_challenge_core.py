"""Beat the optimizer, headless: seeded starts, the optimizer's run, scores, the best-score file."""

from __future__ import annotations

import json

import numpy as np
import pytest

from knobsim.core.lessons.challenge import (
    CHALLENGES,
    SCORES_FILE,
    Result,
    challenge,
    load_best,
    make_session,
    optimizer_run,
    play,
    record,
    score,
)


def test_the_same_seed_gives_the_same_start_and_another_seed_another():
    ch = challenge("curve")
    a, b, c = make_session(ch, 5), make_session(ch, 5), make_session(ch, 6)
    assert np.array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)
    assert np.array_equal(a.dataset.X_train, c.dataset.X_train)  # one dataset per challenge


def test_optimizer_run_starts_where_you_start_and_goes_down():
    for ch in CHALLENGES:
        errors = optimizer_run(ch, 3)
        assert errors.shape == (ch.steps + 1,)
        assert errors[0] == make_session(ch, 3).train_loss
        assert errors[-1] < errors[0], ch.id


def test_unknown_challenge_names_the_choices():
    with pytest.raises(KeyError, match="line, curve, network"):
        challenge("chess")


def test_score_is_the_optimizers_error_over_yours():
    assert score(0.1, 0.2) == pytest.approx(2.0)
    assert score(0.2, 0.1) == pytest.approx(0.5)
    assert score(0.0, 0.1) > 1e9  # a perfect fit beats anything, without dividing by 0
    assert score(float("nan"), 0.1) == 0.0


def test_play_scores_scripted_moves():
    ch = challenge("line")
    session = make_session(ch, 11)
    yours = [session.train_loss]
    # two good moves: w then b at the least-squares line
    x, y = session.dataset.X_train[:, 0], session.dataset.y_train
    w, b = np.polyfit(x, y, 1)
    session.set_param("w", w)
    yours.append(session.train_loss)
    session.set_param("b", b)
    yours.append(session.train_loss)
    result = play(ch, 11, yours)
    assert result.your_errors[0] == result.optimizer_errors[0]
    assert result.score == pytest.approx(result.optimizer_error / result.your_error)
    assert result.won and "you beat it" in result.summary()


def test_best_scores_are_kept_per_challenge(tmp_path):
    def result(cid: str, mine: float, theirs: float) -> Result:
        return Result(cid, 1, (1.0, mine), (1.0, theirs))

    assert load_best(tmp_path) == {}
    entry, new = record(tmp_path, result("line", 0.1, 0.2))
    assert new and entry["score"] == pytest.approx(2.0)
    entry, new = record(tmp_path, result("line", 0.4, 0.2))  # worse: the best stays
    assert not new and entry["score"] == pytest.approx(2.0)
    record(tmp_path, result("curve", 0.3, 0.1))
    best = load_best(tmp_path)
    assert set(best) == {"line", "curve"}
    assert best["line"]["score"] == pytest.approx(2.0) and best["line"]["your_error"] == 0.1
    entry, new = record(tmp_path, result("line", 0.05, 0.2))
    assert new and load_best(tmp_path)["line"]["score"] == pytest.approx(4.0)
    assert json.loads((tmp_path / SCORES_FILE).read_text())["format"] == 1


def test_a_damaged_score_file_counts_as_empty(tmp_path):
    (tmp_path / SCORES_FILE).write_text("{ not json")
    assert load_best(tmp_path) == {}
    entry, new = record(tmp_path, Result("line", 1, (1.0, 0.5), (1.0, 0.5)))
    assert new and load_best(tmp_path)["line"]["score"] == pytest.approx(1.0)
    (tmp_path / SCORES_FILE).write_text('{"best": {"line": {"score": "high"}}}')
    assert load_best(tmp_path) == {}
