"""The training session: fitting, hand moves, divergence, bounded history."""

from __future__ import annotations

import numpy as np
import pytest

from knobsim.core.data.corpus import BUILTIN_CORPORA, builtin_corpus
from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session


def _line_session(optimizer: str, lr: float, batch_size: int | None = None, seed: int = 0):
    data = make_dataset("linear", n_points=50, noise=0.1, seed=seed)
    model = make_model("line", data)
    cfg = OptimizerConfig(optimizer, lr=lr, batch_size=batch_size)
    return Session(model, data, optimizer=cfg, seed=seed)


def _least_squares_loss(session: Session) -> float:
    d = session.dataset
    A = np.column_stack([d.X_train[:, 0], np.ones(d.n_train)])
    coef = np.linalg.lstsq(A, d.y_train, rcond=None)[0]
    return session.model.loss(coef, d.X_train, d.y_train)


@pytest.mark.parametrize(
    ("optimizer", "lr", "batch", "steps", "tolerance"),
    [
        ("gd", 0.3, None, 500, 0.01),
        ("momentum", 0.05, None, 500, 0.01),
        ("rmsprop", 0.01, None, 1500, 0.01),
        ("adam", 0.05, None, 1500, 0.01),
        ("sgd", 0.05, 10, 1500, 0.05),
    ],
)
def test_optimizers_fit_a_line_to_least_squares(optimizer, lr, batch, steps, tolerance):
    session = _line_session(optimizer, lr, batch)
    best = _least_squares_loss(session)
    first = session.train_loss
    report = session.step(steps)
    assert not report.diverged and report.steps == steps
    assert session.train_loss < first
    assert session.train_loss <= best * (1 + tolerance)


@pytest.mark.parametrize("name", BUILTIN_CORPORA)
def test_nextword_training_reaches_the_bigram_optimum(name):
    corpus = builtin_corpus(name)
    data = corpus.to_dataset()
    session = Session(
        make_model("nextword", data), data, optimizer=OptimizerConfig("adam", lr=0.1), seed=1
    )
    session.step(3000, record_every=100)
    optimum = corpus.optimum()
    assert session.train_loss <= optimum * 1.02 + 1e-9


def test_set_param_is_a_hand_move_with_fresh_losses():
    session = _line_session("gd", 0.1)
    before = session.train_loss
    version = session.version
    session.set_param("w", 1.5)
    assert session.value("w") == 1.5
    assert session.version > version
    assert session.train_loss != before
    expected = session.model.loss(session.params, session.dataset.X_train, session.dataset.y_train)
    assert session.train_loss == expected
    assert session.history.marks[-1][0] == session.step_count
    assert session.history.last()[1] == session.train_loss


def test_params_are_read_only_outside_the_session():
    session = _line_session("gd", 0.1)
    with pytest.raises(ValueError):
        session.params[0] = 3.0


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_knob_values_are_refused(bad):
    session = _line_session("gd", 0.1)
    before = session.params.copy()
    with pytest.raises(ValueError, match="finite"):
        session.set_param("b", bad)
    np.testing.assert_array_equal(session.params, before)


def test_reset_restores_the_seeded_start_and_random_params_change_it():
    session = _line_session("gd", 0.1, seed=4)
    start = session.params.copy()
    session.step(10)
    session.set_params(session.random_params())
    assert not np.array_equal(session.params, start)
    session.reset()
    np.testing.assert_array_equal(session.params, start)
    assert session.step_count == 0 and len(session.history) == 1


def test_locked_knob_is_left_alone_by_training():
    session = _line_session("adam", 0.05)
    session.set_locked("b", True)
    b, w = session.value("b"), session.value("w")
    session.step(50)
    assert session.value("w") != w
    assert session.value("b") == b
    session.set_locked("b", False)
    session.step(5)
    assert session.value("b") != b


def test_a_held_knob_is_left_alone_by_training_and_by_absorbed_worker_weights():
    session = _line_session("adam", 0.05)
    session.set_held("b", True)
    assert session.is_held("b") and not session.is_locked("b")
    b, w = session.value("b"), session.value("w")
    session.step(50)
    assert session.value("w") != w and session.value("b") == b
    # a worker's snapshot sent before it heard of the hold: the hand's value stays
    session.absorb([w + 1.0, b + 1.0], session.step_count + 1, [])
    assert session.value("b") == b and session.value("w") == w + 1.0
    session.set_held("b", False)
    session.step(5)
    assert session.value("b") != b


def test_exploding_learning_rate_stops_and_keeps_finite_weights():
    session = _line_session("gd", 50.0)
    report = session.step(200)
    assert report.diverged
    assert "exploded" in report.message and "learning rate" in report.message
    assert report.steps < 200
    assert np.all(np.isfinite(session.params))
    assert np.isfinite(session.train_loss)


@pytest.mark.parametrize("chunk", [5, 1000])
def test_an_explosion_goes_back_to_weights_no_worse_than_before_it(chunk):
    # A run that diverges a little each tick (5 steps a call, as the window trains) used
    # to be measured against each call's own start, so it ran on to infinity and
    # "restored" infinite weights. The knobs must go back to where the error was lowest.
    session = _line_session("gd", 0.3)
    session.step(30)
    before = session.train_loss
    session.set_optimizer(lr=1.15)  # just past the edge: the error grows ~1.7x a step
    with np.errstate(all="ignore"):
        for _ in range(2000):
            report = session.step(chunk)
            if report.diverged:
                break
    assert report.diverged
    assert np.all(np.isfinite(session.params))
    assert session.train_loss <= before
    assert f"lowest ({session.train_loss:.3g})" in report.message
    # the limit counts from the lowest error since a hand last set the knobs
    session.set_optimizer(lr=0.3)
    session.set_params([0.0, 0.0])
    assert not session.step(50).diverged


def test_learning_rate_change_keeps_weights_and_momentum():
    session = _line_session("momentum", 0.01)
    session.step(5)
    theta = session.params.copy()
    velocity = session._opt_state["v"].copy()
    session.set_optimizer(lr=0.02)
    np.testing.assert_array_equal(session.params, theta)
    np.testing.assert_array_equal(session._opt_state["v"], velocity)
    assert session.config.lr == 0.02
    session.set_optimizer("adam")
    assert session.config.name == "adam" and session.config.lr == 0.02


def test_history_stays_bounded_on_a_long_run():
    data = make_dataset("sine", n_points=20, seed=0)
    session = Session(make_model("poly", data, degree=3), data, seed=0, history_limit=100)
    session.step(5000)
    assert len(session.history) <= 200
    assert session.history.steps[-1] == 5000
    assert session.history.steps[0] == 0


def test_step_records_losses_per_step():
    session = _line_session("gd", 0.1)
    session.step(3)
    np.testing.assert_array_equal(session.history.steps, [0, 1, 2, 3])
    assert np.all(np.diff(session.history.train) < 0)


def test_set_l2_changes_loss_without_reset():
    data = make_dataset("sine", n_points=20, seed=0)
    session = Session(make_model("poly", data, degree=5), data)
    theta = session.params.copy()
    plain = session.train_loss
    session.set_l2(0.1)
    np.testing.assert_array_equal(session.params, theta)
    assert session.train_loss == pytest.approx(plain + 0.1 * theta @ theta)


def test_model_and_data_must_match():
    data = make_dataset("circles", seed=0)
    with pytest.raises(ValueError, match="regression"):
        make_model("line", data)


def test_classification_accuracy_rises_with_training():
    data = make_dataset("blobs", n_points=100, seed=0)
    session = Session(
        make_model("logistic", data), data, optimizer=OptimizerConfig("adam", lr=0.1), seed=0
    )
    session.step(300)
    assert session.accuracy("train") > 0.9
    assert session.accuracy("test") > 0.85


def test_trail_keeps_the_recent_path_bounded():
    from knobsim.core.training.session import TRAIL_LENGTH

    session = _line_session("gd", 0.1)
    session.step(5)
    assert session.trail.shape == (6, 2)
    np.testing.assert_array_equal(session.trail[-1], session.params)
    session.step(TRAIL_LENGTH + 50)
    trail = session.trail
    assert trail.shape == (TRAIL_LENGTH, 2)
    np.testing.assert_array_equal(trail[-1], session.params)
    # oldest first: the loss falls along the path
    losses = [
        session.model.loss(t, session.dataset.X_train, session.dataset.y_train) for t in trail
    ]
    assert losses[0] > losses[-1]
    session.reset()
    assert session.trail.shape == (1, 2)
