"""Capacity: changing a model's number of knobs keeps the knobs that stay."""

from __future__ import annotations

import numpy as np
import pytest

from knobsim.core.capacity.sizes import (
    capacity_name,
    capacity_of,
    capacity_range,
    carry_over,
    neutral_params,
    resize,
    with_capacity,
)
from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import MLP, InputScaler, Line, Polynomial, make_model


@pytest.fixture
def sine():
    return make_dataset("sine", n_points=20, noise=0.2, seed=0)


def test_capacity_names():
    assert capacity_name(Polynomial(3)) == "degree"
    assert capacity_name(MLP((4,))) == "hidden units"
    assert capacity_name(MLP((4, 2))) == "layer-1 units"


def test_capacity_ranges_and_values():
    assert capacity_range(Polynomial(3)) == (0, 15)
    assert capacity_of(Polynomial(7)) == 7
    assert capacity_range(MLP((4, 2))) == (1, 16)
    assert capacity_of(MLP((4, 2))) == 4
    assert capacity_range(Line()) is None
    assert capacity_of(Line()) is None


def test_with_capacity_keeps_everything_but_the_capacity():
    scaler = InputScaler([-2.0, 0.0], [1.0, 3.0])
    mlp = MLP((4, 2), "relu", "classification", l2=0.01, scaler=scaler)
    wider = with_capacity(mlp, 9)
    assert wider.hidden == (9, 2)
    assert (wider.activation, wider.task, wider.l2, wider.scaler) == (
        "relu",
        mlp.task,
        0.01,
        scaler,
    )
    poly = with_capacity(Polynomial(3, 0.5, scaler=scaler), 12)
    assert (poly.degree, poly.l2, poly.scaler, poly.n_params) == (12, 0.5, scaler, 13)
    with pytest.raises(ValueError, match="fixed number of knobs"):
        with_capacity(Line(), 3)
    with pytest.raises(ValueError, match="between 0 and 15"):
        with_capacity(Polynomial(3), 16)


def test_polynomial_grows_with_zero_coefficients_and_the_curve_unchanged(sine):
    small = make_model("poly", sine, degree=3)
    theta = np.array([0.1, 1.2, -0.3, -0.9])
    big = with_capacity(small, 8)
    grown = resize(small, theta, big, np.random.default_rng(0))
    np.testing.assert_array_equal(grown[:4], theta)
    np.testing.assert_array_equal(grown[4:], 0.0)
    x = np.linspace(-1, 1, 50)[:, None]
    np.testing.assert_allclose(big.predict(grown, x), small.predict(theta, x), atol=1e-12)


def test_polynomial_shrinks_keeping_the_low_coefficients(sine):
    big = make_model("poly", sine, degree=6)
    theta = np.arange(7.0)
    small = with_capacity(big, 2)
    np.testing.assert_array_equal(resize(big, theta, small, np.random.default_rng(0)), [0, 1, 2])


def _moons_mlp(hidden):
    data = make_dataset("moons", n_points=40, seed=0)
    return data, MLP(hidden, "tanh", "classification", scaler=InputScaler.fit(data.X_train))


def test_new_units_of_the_last_hidden_layer_say_nothing_until_trained():
    rng = np.random.default_rng(1)
    data, small = _moons_mlp((3,))
    theta = small.init_params(rng)
    big = with_capacity(small, 7)
    grown = resize(small, theta, big, rng)
    # every knob of the small network keeps its value under its name
    for name, value in zip(small.param_names, theta, strict=True):
        assert grown[big.param_index(name)] == value
    # the new units' outgoing weights are 0, so the network computes the same function
    np.testing.assert_allclose(big.predict(grown, data.X_test), small.predict(theta, data.X_test))
    new = [n for n in big.param_names if n not in small.param_names]
    incoming = [grown[big.param_index(n)] for n in new if n.startswith("W1[")]
    outgoing = [grown[big.param_index(n)] for n in new if n.startswith("W2[")]
    assert len(incoming) == 2 * 4 and 0 < np.std(incoming) < 0.5  # small, random, distinct
    assert outgoing == [0.0] * 4
    # ... and shrinking back gives the original knobs exactly
    np.testing.assert_array_equal(resize(big, grown, small, rng), theta)


def test_growing_a_two_layer_network_barely_changes_it():
    rng = np.random.default_rng(2)
    data, small = _moons_mlp((3, 2))
    theta = small.init_params(rng)
    wider_second = MLP((3, 5), "tanh", "classification", scaler=small.scaler)
    grown = resize(small, theta, wider_second, rng)
    np.testing.assert_allclose(
        wider_second.predict(grown, data.X_test), small.predict(theta, data.X_test)
    )
    # new second-layer units get small random inputs, so training can reach them
    assert np.all(grown[wider_second.param_index("W2[0,4]")] != 0.0)
    wider_first = with_capacity(small, 9)
    grown = resize(small, theta, wider_first, rng)
    before, after = small.predict(theta, data.X_test), wider_first.predict(grown, data.X_test)
    np.testing.assert_allclose(after, before, atol=0.05)


def test_neutral_params_of_a_polynomial_are_zero():
    np.testing.assert_array_equal(neutral_params(Polynomial(4), np.random.default_rng(0)), 0.0)


def test_carry_over_checks_lengths():
    with pytest.raises(ValueError, match="old weights have 3 values"):
        carry_over(Polynomial(3), np.zeros(3), Polynomial(4), np.zeros(5))
    with pytest.raises(ValueError, match="new weights have 4 values"):
        carry_over(Polynomial(3), np.zeros(4), Polynomial(4), np.zeros(4))


def test_carry_over_does_not_write_into_its_inputs():
    new_theta = np.full(5, 7.0)
    out = carry_over(Polynomial(2), np.ones(3), Polynomial(4), new_theta)
    np.testing.assert_array_equal(out, [1, 1, 1, 7, 7])
    np.testing.assert_array_equal(new_theta, 7.0)
