"""Tests for the pure optimizer functions and the mini-batch sampler."""

from __future__ import annotations

import numpy as np
import pytest

from knobsim.core.training.optimizers import (
    DEFAULT_LR,
    DESCRIPTIONS,
    LABELS,
    OPTIMIZERS,
    BatchSampler,
    OptimizerConfig,
    init_state,
    minibatch_size,
    update,
)

# f(theta) = 0.5 * theta^T A theta with an ill-conditioned diagonal A (condition number 10)
A = np.array([1.0, 0.1])
THETA0 = np.array([1.0, -2.0])


def grad(theta: np.ndarray) -> np.ndarray:
    return A * theta


def loss(theta: np.ndarray) -> float:
    return 0.5 * float(np.sum(A * theta**2))


def run(config: OptimizerConfig, n_steps: int, theta: np.ndarray = THETA0) -> np.ndarray:
    state = init_state(config, theta.size)
    for _ in range(n_steps):
        theta, state = update(config, theta, grad(theta), state)
    return theta


def test_tables_cover_every_optimizer() -> None:
    for table in (LABELS, DESCRIPTIONS, DEFAULT_LR):
        assert set(table) == set(OPTIMIZERS)
    assert LABELS["gd"] == "Gradient descent (full batch)"
    assert all(lr > 0 for lr in DEFAULT_LR.values())


@pytest.mark.parametrize(
    ("name", "lr", "n_steps", "tol"),
    [
        ("gd", 1.0, 200, 1e-6),
        ("sgd", 1.0, 200, 1e-6),
        ("momentum", 0.5, 200, 1e-6),
        # with a constant lr RMSProp ends in a small limit cycle of about lr around 0
        ("rmsprop", 0.01, 400, 1e-4),
        ("adam", 0.1, 400, 1e-6),
    ],
)
def test_each_optimizer_minimizes_ill_conditioned_quadratic(
    name: str, lr: float, n_steps: int, tol: float
) -> None:
    theta = run(OptimizerConfig(name=name, lr=lr), n_steps)
    assert loss(theta) < tol * loss(THETA0)
    assert np.max(np.abs(theta)) < lr


def test_momentum_beats_gd_on_ill_conditioned_quadratic() -> None:
    gd = run(OptimizerConfig("gd", lr=1.0), 50)
    heavy = run(OptimizerConfig("momentum", lr=1.0, momentum=0.5), 50)
    assert loss(heavy) < 0.01 * loss(gd)


# One step from theta = [1, -2] with gradient g = [0.5, -4], worked out by hand.
THETA = np.array([1.0, -2.0])
G = np.array([0.5, -4.0])


def test_one_step_gd_by_hand() -> None:
    theta, state = update(OptimizerConfig("gd", lr=0.1), THETA, G, {})
    # [1 - 0.1*0.5, -2 + 0.1*4]
    np.testing.assert_allclose(theta, [0.95, -1.6])
    assert state == {}


def test_one_step_momentum_by_hand() -> None:
    config = OptimizerConfig("momentum", lr=0.1, momentum=0.9)
    state = {"v": np.array([0.2, 0.0])}
    theta, state = update(config, THETA, G, state)
    # v = 0.9*[0.2, 0] - 0.1*[0.5, -4] = [0.13, 0.4]
    np.testing.assert_allclose(state["v"], [0.13, 0.4])
    np.testing.assert_allclose(theta, [1.13, -1.6])


def test_one_step_rmsprop_by_hand() -> None:
    config = OptimizerConfig("rmsprop", lr=0.01, rho=0.9, eps=1e-8)
    state = {"s": np.array([1.0, 0.0])}
    theta, state = update(config, THETA, G, state)
    # s = 0.9*[1, 0] + 0.1*[0.25, 16] = [0.925, 1.6]
    np.testing.assert_allclose(state["s"], [0.925, 1.6])
    expected = THETA - 0.01 * G / (np.sqrt([0.925, 1.6]) + 1e-8)
    np.testing.assert_allclose(theta, expected)
    np.testing.assert_allclose(theta, [0.99480124, -1.96837722], atol=1e-8)


def test_first_adam_step_moves_each_parameter_by_lr() -> None:
    # with bias correction the first step is lr * g / (|g| + eps) = lr * sign(g)
    config = OptimizerConfig("adam", lr=0.1)
    theta, state = update(config, THETA, G, init_state(config, 2))
    np.testing.assert_allclose(theta, [0.9, -1.9])
    np.testing.assert_allclose(state["m"], [0.05, -0.4])
    np.testing.assert_allclose(state["v"], [0.00025, 0.016])
    assert state["t"] == 1


def test_second_adam_step_by_hand() -> None:
    config = OptimizerConfig("adam", lr=0.1, beta1=0.5, beta2=0.5, eps=1e-8)
    state = {"m": np.array([1.0, 0.0]), "v": np.array([1.0, 4.0]), "t": np.array([1, 1])}
    theta, state = update(config, THETA, G, state)
    # m = [0.75, -2], v = [0.625, 10]; t = 2: m_hat = m/0.75 = [1, -8/3], v_hat = v/0.75
    np.testing.assert_allclose(state["m"], [0.75, -2.0])
    np.testing.assert_allclose(state["v"], [0.625, 10.0])
    m_hat = np.array([1.0, -8.0 / 3.0])
    v_hat = np.array([0.625, 10.0]) / 0.75
    np.testing.assert_allclose(theta, THETA - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8))
    np.testing.assert_allclose(theta, [0.89045549, -1.92697033], atol=1e-8)


def entry(state: dict, key: str, i: int) -> float:
    # Adam's step count t is an int until a lock makes it one count per parameter
    return np.broadcast_to(state[key], THETA.shape)[i]


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("locked", [False, True])
def test_update_is_pure(name: str, locked: bool) -> None:
    config = OptimizerConfig(name=name, lr=0.1)
    theta = THETA.copy()
    g = G.copy()
    mask = np.array([True, False])
    state = init_state(config, 2)
    theta, state = update(config, theta, g, state)  # a non-zero state
    if locked:  # Adam's t becomes an array
        theta, state = update(config, theta, g, state, mask=mask)
    before = {k: np.copy(v) for k, v in state.items()}
    theta_before = theta.copy()
    new_theta, new_state = update(config, theta, g, state, mask=mask)
    np.testing.assert_array_equal(theta, theta_before)
    np.testing.assert_array_equal(g, G)
    np.testing.assert_array_equal(mask, [True, False])
    assert state.keys() == before.keys() == new_state.keys()
    for key in state:
        np.testing.assert_array_equal(state[key], before[key])
        if isinstance(state[key], np.ndarray):
            assert not np.shares_memory(new_state[key], state[key])
    assert not np.shares_memory(new_theta, theta)
    assert not np.shares_memory(new_theta, g)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_mask_freezes_value_and_state(name: str) -> None:
    config = OptimizerConfig(name=name, lr=0.1)
    theta, state = THETA.copy(), init_state(config, 2)
    theta, state = update(config, theta, G, state)
    mask = np.array([True, False])
    frozen_theta, frozen_state = update(config, theta, G, state, mask=mask)
    free_theta, free_state = update(config, theta, G, state)
    assert frozen_theta[0] == theta[0]
    assert frozen_theta[1] == pytest.approx(free_theta[1], rel=1e-12)
    assert frozen_theta[1] != theta[1]
    for key in state:
        assert entry(frozen_state, key, 0) == entry(state, key, 0)
        assert entry(frozen_state, key, 1) == entry(free_state, key, 1)


def test_all_false_mask_is_the_same_as_no_mask() -> None:
    config = OptimizerConfig("adam", lr=0.1)
    state = update(config, THETA, G, init_state(config, 2))[1]
    a_theta, a_state = update(config, THETA, G, state, mask=np.zeros(2, dtype=bool))
    b_theta, b_state = update(config, THETA, G, state)
    np.testing.assert_array_equal(a_theta, b_theta)
    assert a_state["t"] == b_state["t"] == 2


def test_unlocked_adam_parameter_resumes_as_if_never_paused() -> None:
    config = OptimizerConfig("adam", lr=0.1)
    theta, state = THETA.copy(), init_state(config, 2)
    lock_second = np.array([False, True])
    for _ in range(5):
        theta, state = update(config, theta, G, state, mask=lock_second)
    # the locked parameter was never touched: its next step is a first Adam step
    theta, state = update(config, theta, G, state)
    assert theta[1] == pytest.approx(THETA[1] + 0.1)
    np.testing.assert_array_equal(state["t"], [6, 1])


def test_mask_freezes_everything_when_all_locked() -> None:
    config = OptimizerConfig("momentum", lr=0.1)
    state = {"v": np.array([0.3, -0.3])}
    theta, new_state = update(config, THETA, G, state, mask=np.ones(2, dtype=bool))
    np.testing.assert_array_equal(theta, THETA)
    np.testing.assert_array_equal(new_state["v"], state["v"])


def test_state_from_another_optimizer_is_rejected() -> None:
    adam = OptimizerConfig("adam")
    with pytest.raises(ValueError, match="init_state"):
        update(adam, THETA, G, init_state(OptimizerConfig("momentum"), 2))
    with pytest.raises(ValueError, match="shape"):
        update(adam, THETA, G, init_state(adam, 3))
    with pytest.raises(ValueError, match="gradient"):
        update(adam, THETA, G[:1], init_state(adam, 2))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "lbfgs"}, "Unknown optimizer 'lbfgs'; choose one of gd, sgd, momentum"),
        ({"lr": 0.0}, "learning rate must be a finite number above 0"),
        ({"lr": -1.0}, "learning rate"),
        ({"lr": float("nan")}, "learning rate"),
        ({"lr": float("inf")}, "learning rate"),
        ({"batch_size": 0}, "batch size must be at least 1"),
        ({"batch_size": 2.5}, "whole number"),
        ({"beta1": 1.0}, "beta1 must be at least 0 and below 1"),
        ({"beta2": -0.1}, "beta2 must be at least 0 and below 1"),
        ({"momentum": 1.0}, "momentum must be"),
        ({"rho": 1.5}, "rho must be"),
        ({"eps": 0.0}, "eps must be"),
    ],
)
def test_config_validation_messages(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OptimizerConfig(**kwargs)


def test_minibatch_size() -> None:
    assert minibatch_size(OptimizerConfig("gd", batch_size=5), 100) is None
    assert minibatch_size(OptimizerConfig("sgd"), 100) == 10
    assert minibatch_size(OptimizerConfig("sgd"), 4) == 4
    assert minibatch_size(OptimizerConfig("sgd", batch_size=32), 100) == 32
    assert minibatch_size(OptimizerConfig("adam"), 100) is None
    assert minibatch_size(OptimizerConfig("adam", batch_size=8), 100) == 8
    assert minibatch_size(OptimizerConfig("momentum", batch_size=500), 100) == 100


def test_batch_sampler_covers_every_index_once_per_epoch() -> None:
    sampler = BatchSampler(23, 5, np.random.default_rng(0))
    for epoch in range(3):
        batches = [sampler.next() for _ in range(5)]  # 5 + 5 + 5 + 5 + 3
        assert sampler.epoch == epoch
        assert [b.size for b in batches] == [5, 5, 5, 5, 3]
        np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(23))


def test_batch_sampler_reshuffles_and_is_deterministic_from_seed() -> None:
    def draw(seed: int) -> np.ndarray:
        sampler = BatchSampler(50, 10, np.random.default_rng(seed))
        return np.concatenate([next(sampler) for _ in range(20)])

    a, b = draw(7), draw(7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, draw(8))
    epochs = a.reshape(4, 50)
    assert not np.array_equal(epochs[0], epochs[1])  # reshuffled at the end of an epoch


def test_batch_sampler_batches_stay_valid_and_read_only() -> None:
    sampler = BatchSampler(4, 4, np.random.default_rng(1))
    first = sampler.next()
    kept = first.copy()
    sampler.next()
    np.testing.assert_array_equal(first, kept)
    with pytest.raises(ValueError):
        first[0] = 0
    assert BatchSampler(3, 10, np.random.default_rng(0)).batch_size == 3
    with pytest.raises(ValueError, match="batch size"):
        BatchSampler(3, 0, np.random.default_rng(0))
