"""The verdict: underfitting, good fit, overfitting, named from the errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from knobsim.core.capacity.diagnosis import (
    SENTENCES,
    Context,
    baseline_loss,
    best_train_loss,
    diagnose,
    diagnose_session,
    trend,
    verdict,
)
from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session


def test_regression_baseline_is_the_variance_around_the_training_mean():
    assert baseline_loss("regression", [1.0, 3.0]) == pytest.approx(1.0)
    assert baseline_loss("regression", [1.0, 3.0], [2.0, 6.0]) == pytest.approx((0 + 16) / 2)


def test_classification_baseline_is_the_cross_entropy_of_the_class_share():
    assert baseline_loss("classification", [0, 1, 0, 1]) == pytest.approx(math.log(2))
    y = [0, 0, 0, 1]
    expected = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert baseline_loss("classification", y) == pytest.approx(expected)
    assert math.isfinite(baseline_loss("classification", [1, 1], [0, 1]))


def test_baseline_refuses_text_and_empty_data():
    with pytest.raises(ValueError, match="regression or classification"):
        baseline_loss("nextword", [1, 2])
    with pytest.raises(ValueError, match="at least one"):
        baseline_loss("regression", [])


@pytest.mark.parametrize(
    ("train", "test", "kind"),
    [
        (0.30, 0.35, "underfit"),  # most of the pattern is missed, on both sets
        (0.03, 0.05, "good"),
        (0.001, 0.0011, "good"),
        (1e-7, 1e-5, "good"),  # noise-free data: a tiny gap is no overfitting
        (0.005, 0.30, "overfit"),
        (0.02, 0.05, "good"),  # a gap, but small next to the pattern's size
    ],
)
def test_verdict_kinds(train, test, kind):
    assert verdict(train, test, baseline=0.5).kind == kind


def test_verdict_sentences_name_the_situation_in_plain_words():
    assert verdict(0.3, 0.35, 0.5).sentence.startswith("Underfitting: both errors are high")
    assert verdict(0.03, 0.05, 0.5).sentence.startswith("Good fit")
    over = verdict(0.005, 0.3, 0.5)
    assert over.sentence.startswith("Overfitting: train error is low but test error is much")
    assert "rising" not in over.sentence
    assert "(and rising)" in verdict(0.005, 0.3, 0.5, test_trend=0.2).sentence
    assert verdict(0.3, 0.35, 0.5, at_best=False, context=Context(trained=False)).kind == (
        "untrained"
    )
    assert verdict(math.nan, 0.3, 0.5).kind == "unknown"


def test_trend_is_relative_rise():
    assert trend([1.0, 1.0, 1.0]) == 0.0
    assert trend([1.0, 2.0]) == 0.0  # too few to tell
    assert trend([1.0, 1.5, 2.0]) == pytest.approx(1.0 / 1.5)
    assert trend([2.0, 1.0, np.nan, 0.0]) < 0


def _least_squares(model, data):
    F = model.features(data.X_train)  # (n, n_params)
    return np.linalg.lstsq(F, data.y_train, rcond=None)[0]


def test_diagnose_reads_the_data_errors_without_the_penalty():
    data = make_dataset("sine", n_points=20, noise=0.2, seed=0)
    line = make_model("poly", data, degree=1)
    assert diagnose(line, _least_squares(line, data), data).kind == "underfit"
    wiggly = make_model("poly", data, degree=15)
    theta = _least_squares(wiggly, data)
    assert diagnose(wiggly, theta, data).kind == "overfit"
    # a large penalty raises the loss the optimizer sees, not the error the verdict reads
    wiggly.l2 = 10.0
    assert wiggly.loss(theta, data.X_train, data.y_train) > data.y_train.var()
    assert diagnose(wiggly, theta, data).kind == "overfit"
    assert diagnose(line, np.zeros(2), data, trained=False).kind == "untrained"
    rising = diagnose(wiggly, theta, data, test_history=[0.1, 0.2, 0.3, 0.4]).sentence
    assert "(and rising)" in rising


def test_a_session_verdict_reads_the_data_errors_with_and_without_a_penalty():
    data = make_dataset("sine", n_points=20, noise=0.2, seed=0)
    model = make_model("poly", data, degree=15)
    session = Session(model, data, optimizer=OptimizerConfig("gd", lr=0.1), seed=0)
    theta = _least_squares(model, data)
    session.set_params(theta, by_hand=True)
    assert diagnose_session(session).kind == "overfit"  # the session's errors, reused
    # a large penalty: the session's loss is not the data error, which is computed anew
    session.set_l2(10.0)
    assert session.model.l2 == 10.0
    assert session.train_loss > data.y_train.var()
    assert diagnose_session(session).kind == "overfit"
    # the errors handed in are the ones judged
    huge = (10.0 * data.y_train.var(), 10.0 * data.y_train.var())
    assert diagnose(session.model, theta, data, errors=huge).kind != "overfit"


def test_diagnose_has_no_verdict_for_text():
    from knobsim.core.data.corpus import builtin_corpus

    data = builtin_corpus("rhymes").to_dataset()
    model = make_model("nextword", data)
    assert diagnose(model, np.zeros(model.n_params), data).kind == "unknown"


def test_high_errors_away_from_the_best_are_not_underfitting():
    # the knobs are not at their best: the verdict says why, never "too few knobs"
    def say(**ctx):
        return verdict(0.3, 0.35, 0.5, at_best=False, context=Context(**ctx))

    assert say(by_hand=True).kind == "hand"
    assert say(by_hand=True).sentence.startswith("Moved by hand")
    assert say(training=True).kind == "training"
    assert say(training=True).sentence.startswith("Still training")
    assert say(trained=False).sentence == SENTENCES["untrained"]
    assert "Train" in say(trained=False).sentence
    # a lesson that hides Train gets no advice to press it
    assert "Train" not in say(trained=False, can_train=False).sentence
    assert "train" not in say(can_train=False).sentence.lower().replace("trained", "")
    assert say().sentence.startswith("Not fitted yet: the knobs are not at their best")
    # at their best, high errors are the model's size (or a lock, or the L2 pull)
    assert verdict(0.3, 0.35, 0.5, context=Context(by_hand=True)).kind == "underfit"
    locked = verdict(0.3, 0.35, 0.5, context=Context(locked=True)).sentence
    assert "locked knob" in locked
    assert "L2" in verdict(0.3, 0.35, 0.5, context=Context(l2_holds=True)).sentence
    # after an explosion, what happened
    boom = verdict(0.01, 0.01, 0.5, context=Context(exploded=True))
    assert boom.kind == "exploded" and "exploded" in boom.sentence


def test_every_verdict_sentence_is_listed():
    said = set()
    for at_best in (True, False):
        for flags in range(1 << 7):
            names = ("trained", "by_hand", "training", "exploded", "can_train", "locked")
            ctx = Context(**{n: bool(flags >> i & 1) for i, n in enumerate(names)})
            for train, test, rising in (
                (0.3, 0.35, 0),
                (0.005, 0.3, 0),
                (0.005, 0.3, 1),
                (0.01, 0.01, 0),
            ):
                said.add(verdict(train, test, 0.5, rising, at_best=at_best, context=ctx).sentence)
            said.add(verdict(0.3, 0.3, 0.5, context=Context(l2_holds=True)).sentence)
    said.add(verdict(math.nan, 0.3, 0.5).sentence)
    assert said == set(SENTENCES.values())


def _line_on_linear(lr=0.1):
    data = make_dataset("linear", n_points=40, seed=0)
    return Session(make_model("line", data), data, optimizer=OptimizerConfig("gd", lr=lr), seed=0)


def test_best_train_loss_is_least_squares_with_locks_and_l2():
    data = make_dataset("cubic", n_points=30, noise=0.1, seed=0)
    poly = make_model("poly", data, degree=3)
    theta = _least_squares(poly, data)
    best = best_train_loss(poly, np.zeros(4), data)
    assert best == pytest.approx(poly.data_loss(theta, data.X_train, data.y_train))
    held = np.array([False, False, False, True])  # c3 held at 0: the bend is out of reach
    assert best_train_loss(poly, np.zeros(4), data, held) > 5 * best
    poly.l2 = 1.0
    assert best_train_loss(poly, np.zeros(4), data) > 2 * best  # the pull costs data error
    assert best_train_loss(poly, np.zeros(4), data, l2=0.0) == pytest.approx(best)
    mlp = make_model("mlp", data)
    assert best_train_loss(mlp, np.zeros(mlp.n_params), data) is None


def test_a_line_on_linear_data_is_never_called_too_small():
    # The reported case: a line on linear data said "too few knobs" when a hand dragged
    # it off the fit, while it trained, and at its seeded start.
    s = _line_on_linear()
    assert diagnose_session(s).kind == "untrained"
    s.step(3)
    assert diagnose_session(s, training=True).kind == "training"
    assert diagnose_session(s).kind == "untrained"  # paused half-way: not at its best
    s.step(500)
    assert diagnose_session(s).kind == "good"
    s.set_param("b", s.value("b") - 1.0)  # a hand drags b far off the fit
    v = diagnose_session(s)
    assert v.kind == "hand" and "too few" not in v.sentence
    assert diagnose_session(s, exploded=True).kind == "exploded"
    assert "Train" not in diagnose_session(_line_on_linear(), can_train=False).sentence


def test_a_line_on_a_sine_at_its_best_is_underfitting_however_it_got_there():
    data = make_dataset("sine", n_points=20, noise=0.2, seed=0)
    s = Session(make_model("poly", data, degree=1), data, seed=0)
    s.set_params(_least_squares(s.model, data))  # by hand, right onto the best line
    assert diagnose_session(s).kind == "underfit"


def test_a_locked_knob_that_holds_the_fit_back_is_named():
    data = make_dataset("cubic", n_points=30, noise=0.1, seed=0)
    s = Session(make_model("poly", data, degree=3), data, optimizer=OptimizerConfig("gd", lr=0.5))
    s.set_param("c3", 0.0)
    s.set_locked("c3", True)
    s.step(400)
    v = diagnose_session(s)
    assert v.kind == "underfit" and "locked knob" in v.sentence


def test_a_model_without_a_closed_form_is_underfit_once_training_settles():
    data = make_dataset("cubic", n_points=30, noise=0.1, seed=0)
    mlp = make_model("mlp", data, hidden="1")  # one tanh unit: no S-bend
    s = Session(mlp, data, optimizer=OptimizerConfig("adam", lr=0.05))
    s.step(2, record_every=1)
    assert diagnose_session(s).kind == "untrained"
    assert diagnose_session(s, training=True).kind == "training"
    s.step(4000, record_every=50)
    assert diagnose_session(s).kind == "underfit"  # settled, and still high
    s.set_param(0, s.params[0] + 0.5)
    assert diagnose_session(s).kind == "hand"
