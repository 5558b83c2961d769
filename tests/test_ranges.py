"""Knob ranges fit the model and its data, and widen when a knob is pushed past an end."""

from __future__ import annotations

import numpy as np
import pytest

from knobsim.core.data.catalog import DEFAULT_DATASET, session_for
from knobsim.core.models.ranges import (
    MARGIN,
    MAX_HALF,
    fitted_halves,
    least_squares,
    logistic_fit,
    nice_up,
    widened,
)


@pytest.mark.parametrize(
    "v, want",
    [
        (0.7, 0.8),
        (1.0, 1.0),
        (1.01, 1.5),
        (2.2, 2.5),
        (3.5, 4.0),
        (7.0, 8.0),
        (9.0, 10.0),
        (0.013, 0.015),
        (120.0, 150.0),
        (0.0, 1.0),
        (float("nan"), 1.0),
        (-2.2, 2.5),
    ],
)
def test_nice_up_rounds_up_to_a_tidy_number(v, want):
    assert nice_up(v) == pytest.approx(want)


def test_least_squares_recovers_a_line_and_logistic_fit_is_finite_on_separable_data():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 50)
    F = np.column_stack([x, np.ones_like(x)])
    assert least_squares(F, 1.3 * x - 0.4) == pytest.approx([1.3, -0.4], abs=1e-4)
    y = (x > 0).astype(float)  # separable: without the penalty the weight runs to infinity
    theta = logistic_fit(F, y)
    assert np.all(np.isfinite(theta)) and theta[0] > 1.0
    # the penalised gradient is zero there (Newton converged)
    p = 1 / (1 + np.exp(-(F @ theta)))
    g = F.T @ (p - y) / len(y) + 2 * np.array([0.01, 1e-9]) * theta
    assert np.max(np.abs(g)) < 1e-7


@pytest.mark.parametrize("model", ["line", "poly", "logistic"])
def test_a_fitted_range_holds_the_best_fit_with_room_and_no_more(model):
    s = session_for(model, DEFAULT_DATASET[model])
    ranges = s.model.param_ranges()
    half = ranges[:, 1]
    assert np.array_equal(ranges[:, 0], -half)
    d = s.dataset
    F = s.model.features(d.X_train)
    best = least_squares(F, d.y_train) if model != "logistic" else logistic_fit(F, d.y_train)
    assert np.all(MARGIN * np.abs(best) <= half * (1 + 1e-12))  # room to overshoot
    # and no wider than the best fit's room or the data's scale asks for
    floor = 2.0 if model == "logistic" else float(np.max(np.abs(d.y_train)))
    if model == "line":
        floor = np.array([np.std(d.y_train) / np.std(d.X_train), np.max(np.abs(d.y_train))])
    want = fitted_halves(best, floor)
    assert np.all(half <= want)
    # the seeded start sits inside
    assert np.all(np.abs(s.params) < half)


def test_a_line_on_data_in_unit_range_gets_knobs_of_that_size():
    """The issue's example: not +-6 (or +-5) for a line on data in [-1, 1]."""
    s = session_for("line", "linear")
    assert np.max(np.abs(s.dataset.X_train)) <= 1.0
    assert np.all(s.model.param_ranges()[:, 1] <= 2.0)


def test_a_knob_set_to_its_end_widens_its_range_so_the_value_sits_inside():
    s = session_for("line", "linear")
    w_range = s.model.param_range(0)
    _, hi = s.model.param_range(1)
    s.set_param("b", hi)
    assert s.model.param_range(1) == (-nice_up(MARGIN * hi), nice_up(MARGIN * hi))
    assert s.model.param_range(0) == w_range  # the other knob keeps its range
    # a value typed far past the end: the range takes it in, tidy
    s.set_param("w", -37.0)
    assert s.model.param_range(0) == (-60.0, 60.0)


def test_a_held_knob_keeps_its_range_until_the_hand_lets_go():
    s = session_for("line", "linear")
    _, hi = s.model.param_range(0)
    s.set_held("w", True)
    s.set_param("w", hi)  # a hand drags the handle to the end and keeps the button down
    assert s.model.param_range(0) == (-hi, hi)  # the handle stays under the hand
    version = s.version
    s.set_held("w", False)
    assert s.model.param_range(0)[1] > hi and s.version > version  # views see the change


def test_training_that_carries_a_knob_past_its_end_widens_it():
    # a poly fitted to small data, then the data's curve made steeper: the best c1 is
    # far outside the old range, and gradient descent carries it there
    s = session_for("line", "linear", optimizer="gd", lr=0.5)
    s.set_param("w", 0.0)
    s.set_param("b", 0.0)
    start = s.model.param_ranges()
    s.set_params([0.0, start[1, 1] * 0.999])  # b at its end: widened at once
    assert s.model.param_ranges()[1, 1] > start[1, 1]
    s.reset()
    assert np.array_equal(s.model.param_ranges(), start)  # a fresh start forgets
    for _ in range(20):
        s.step(25)
        assert np.all(np.abs(s.params) <= s.model.param_ranges()[:, 1])


def test_widened_leaves_non_finite_values_alone_and_stops_at_the_widest():
    ranges = np.array([[-1.0, 1.0], [-1.0, 1.0], [-MAX_HALF, MAX_HALF]])
    assert widened(ranges, np.array([np.nan, 0.0, 5e6])) is None
    out = widened(ranges, np.array([np.inf, 1e9, 0.0]))
    assert (
        out is not None
        and out[1].tolist() == [-MAX_HALF, MAX_HALF]
        and out[0].tolist()
        == [
            -1.0,
            1.0,
        ]
    )
    free = np.array([True, False, True])
    assert widened(ranges, np.array([0.0, 1.0, 0.0]), free) is None


def test_every_value_a_session_holds_is_inside_its_knob_range_after_training():
    for model in ("line", "poly", "logistic", "mlp", "nextword"):
        s = session_for(model, DEFAULT_DATASET[model], optimizer="adam", lr=0.3)
        for _ in range(5):
            s.step(40)
            r = s.model.param_ranges()
            assert np.all((s.params >= r[:, 0]) & (s.params <= r[:, 1])), model
