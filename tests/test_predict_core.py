"""Predict, then reveal: the guess, the score and the personal best (core)."""

from __future__ import annotations

import numpy as np
import pytest

from knobsim.core.data.catalog import session_for
from knobsim.core.lessons.predict import (
    BEST_KEY,
    KNOB_ZERO,
    Prediction,
    best_words,
    bests_from_app,
    knob_distance,
    record_best,
    score,
    sketch_error,
    top_words,
    word_overlap,
)
from knobsim.core.models.machines import Line, NextWord


def _trained(model_name: str, steps: int = 400, **kw):
    s = session_for(model_name, _data(model_name), **kw)
    start = s.params.copy()
    s.step(steps)
    return s, start, s.params.copy()


def _data(model_name: str) -> str:
    return {"line": "linear", "poly": "sine", "logistic": "blobs", "mlp": "circles"}.get(
        model_name, "rhymes"
    )


def test_knob_distance_is_scaled_by_each_knobs_range():
    m = Line(w_limit=1.0, b_limit=10.0)
    r = m.param_ranges()
    t = r.mean(axis=1)
    # a tenth of the range off on every knob is 0.1, whatever the ranges are
    assert knob_distance(m, t + 0.1 * (r[:, 1] - r[:, 0]), t) == pytest.approx(0.1)
    assert knob_distance(m, t, t) == 0.0
    with pytest.raises(ValueError, match="one value for each of the 2 knobs"):
        knob_distance(m, t[:1], t)


@pytest.mark.parametrize("model_name", ["line", "poly", "logistic", "mlp"])
def test_the_exact_answer_scores_100_and_the_untrained_start_scores_less(model_name):
    s, start, trained = _trained(model_name)
    X = s.dataset.X_train
    exact = score(s.model, Prediction.start(s.model, trained), trained, X)
    assert exact.points == 100 and exact.knob_distance == 0.0 and exact.fit_distance == 0.0
    lazy = score(s.model, Prediction.start(s.model, start), trained, X)
    assert lazy.points < 100 and lazy.knob_distance > 0 and lazy.fit_distance > 0


def test_closer_guesses_score_more_on_the_line():
    s, start, trained = _trained("line")
    X = s.dataset.X_train
    pts = [
        score(s.model, Prediction(start + f * (trained - start)), trained, X).points
        for f in (0.0, 0.5, 0.9, 1.0)
    ]
    assert pts == sorted(pts) and pts[0] < pts[-1] == 100


def test_a_guess_far_off_scores_zero():
    m = Line()
    r = m.param_ranges()
    X = np.linspace(-3, 3, 20)[:, None]
    t = np.array([1.0, 0.0])
    far = score(m, Prediction(r[:, 1].copy()), r[:, 0].copy(), X)
    assert far.knob_distance >= KNOB_ZERO and far.points == 0
    assert score(m, Prediction(t), t, X).points == 100


def test_the_fit_distance_is_the_mean_squared_gap_between_outputs():
    m = Line()
    X = np.array([[0.0], [1.0], [2.0]])
    ghost, trained = np.array([1.0, 1.0]), np.array([1.0, 0.0])  # ghost is 1 higher everywhere
    sc = score(m, Prediction(ghost), trained, X)
    assert sc.fit_distance == pytest.approx(1.0)
    assert sc.fit_spread == pytest.approx(np.var([0.0, 1.0, 2.0]))


def test_next_word_scores_the_guessed_top_words():
    s, start, trained = _trained("nextword", steps=300)
    m = s.model
    assert isinstance(m, NextWord)
    truth = top_words(m, trained)
    right = Prediction.start(m, start)
    for row, word in enumerate(truth):
        right = right.with_top_word(row, word)
    sc = score(m, right, trained, s.dataset.X_train)
    assert sc.word_overlap == 1.0
    wrong = right.with_top_word(0, (truth[0] + 1) % m.V)
    assert score(m, wrong, trained, s.dataset.X_train).word_overlap == pytest.approx(
        1 - 1 / m.n_rows
    )
    assert word_overlap([-1, 2, 3], [0, 2, 0]) == 0.5  # -1 is "no guess"
    assert word_overlap([-1, -1], [0, 1]) == 0.0
    with pytest.raises(ValueError, match="next-word"):
        Prediction(np.zeros(2)).with_top_word(0, 1)


def test_the_loss_sketch_is_compared_in_ratio_at_the_sketched_steps():
    steps, losses = np.array([0.0, 10.0, 20.0]), np.array([4.0, 2.0, 1.0])
    p = Prediction(np.zeros(2)).with_sketch([(10, 2.0), (5, 3.0), (10, 2.0), (99, 5.0)])
    assert p.loss_sketch == ((5.0, 3.0), (10.0, 2.0), (99.0, 5.0))
    assert sketch_error(p.loss_sketch, steps, losses) == pytest.approx(0.0)
    double = Prediction(np.zeros(2)).with_sketch([(0, 8.0), (20, 2.0)])
    assert sketch_error(double.loss_sketch, steps, losses) == pytest.approx(np.log(2))
    assert sketch_error((), steps, losses) is None
    assert sketch_error(((50.0, 1.0),), steps, losses) is None  # outside the run


def test_the_score_reads_in_plain_words():
    m = Line()
    X = np.linspace(-2, 2, 9)[:, None]
    sc = score(m, Prediction(np.array([1.0, 0.5])), np.array([1.0, 0.0]), X, [0, 5], [3, 1])
    words = sc.words()
    assert words.startswith(f"Your guess scores {sc.points} out of 100.")
    assert "% of a knob's range away" in words and "matched the trained one" in words
    assert "sketch" not in words
    exact = score(m, Prediction(np.array([1.0, 0.0])), np.array([1.0, 0.0]), X).words()
    assert "right on the trained knobs" in exact and "100 out of 100" in exact


def test_the_personal_best_is_kept_per_lesson_and_only_raised():
    bests, new = record_best({}, "predict-line", 60)
    assert bests == {"predict-line": 60} and new
    bests, new = record_best(bests, "predict-line", 40)
    assert bests == {"predict-line": 60} and not new
    bests, new = record_best(bests, "other", 10)
    assert bests == {"predict-line": 60, "other": 10} and new
    assert best_words(60, True) == "That is your new best: 60."
    app = {BEST_KEY: {"a": 5, "b": "x", "c": 101, "d": True, 3: 4}}
    assert bests_from_app(app) == {"a": 5}
    assert bests_from_app({BEST_KEY: [1]}) == {} and bests_from_app({}) == {}


def test_next_word_without_named_guesses_reads_the_guess_off_the_ghost_table():
    s, start, trained = _trained("nextword", steps=300)
    m = s.model
    # a ghost table that is the trained one, shifted: the same biggest knob in every row
    sc = score(m, Prediction(trained + 1.0), trained, s.dataset.X_train)
    assert sc.word_overlap == 1.0
    flat = score(m, Prediction(np.zeros(m.n_params)), trained, s.dataset.X_train)
    assert flat.word_overlap == pytest.approx(np.mean(np.array(top_words(m, trained)) == 0))
