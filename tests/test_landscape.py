"""The loss landscape matches the model's loss cell by cell, and is vectorised."""

from __future__ import annotations

import numpy as np
import pytest

from knobsim.core.data.datasets import make_dataset
from knobsim.core.models import landscape
from knobsim.core.models.landscape import grid_axes, loss_grid
from knobsim.core.models.machines import MLP, make_model


@pytest.mark.parametrize(
    ("model_name", "dataset", "kwargs", "pair"),
    [
        ("line", "linear", {}, (0, 1)),
        ("poly", "sine", {"degree": 5}, (1, 4)),
        ("logistic", "blobs", {}, (0, 2)),
        ("mlp", "circles", {"hidden": (4, 2)}, (3, 20)),
        ("mlp", "sine", {"hidden": (16,)}, (0, 30)),
    ],
)
def test_grid_matches_cellwise_loss(model_name, dataset, kwargs, pair):
    data = make_dataset(dataset, seed=0)
    model = make_model(model_name, data, **kwargs)
    theta = model.init_params(np.random.default_rng(0))
    i, j = pair
    a, b = grid_axes(model, i, j, n=7)
    Z = loss_grid(model, theta, i, j, data.X_train, data.y_train, a, b[:5])
    assert Z.shape == (5, 7)
    for r in (0, 4):
        for c in (0, 3, 6):
            t = theta.copy()
            t[i], t[j] = a[c], b[r]
            assert Z[r, c] == pytest.approx(model.loss(t, data.X_train, data.y_train), rel=1e-10)


def _direct(model, theta, i, j, X, y, a, b):
    """The landscape the slow, obvious way: one ``model.loss`` per cell."""
    Z = np.empty((len(b), len(a)))
    for r in range(len(b)):
        for c in range(len(a)):
            t = theta.copy()
            t[i], t[j] = a[c], b[r]
            Z[r, c] = model.loss(t, X, y)
    return Z


@pytest.fixture(
    params=[("sine", {"hidden": (8,)}, (0, 5)), ("circles", {"hidden": (4, 2)}, (3, 20))]
)
def mlp_case(request):
    name, kwargs, pair = request.param
    data = make_dataset(name, seed=0)
    model = make_model("mlp", data, l2=0.01, **kwargs)
    theta = model.init_params(np.random.default_rng(2))
    a, b = grid_axes(model, *pair, n=9)
    direct = _direct(model, theta, *pair, data.X_train, data.y_train, a, b)
    return model, theta, pair, data, a, b, direct


def test_full_grid_is_the_direct_loss(mlp_case):
    model, theta, (i, j), data, a, b, direct = mlp_case
    Z = loss_grid(model, theta, i, j, data.X_train, data.y_train, a, b)
    np.testing.assert_allclose(Z, direct, rtol=1e-10)


def test_coarse_grid_is_the_direct_loss_at_every_other_value(mlp_case):
    model, theta, (i, j), data, a, b, direct = mlp_case
    Z = landscape.GridJob(model, theta, i, j, data.X_train, data.y_train, a, b).coarse()
    assert Z.shape == direct.shape
    np.testing.assert_allclose(Z[::2, ::2], direct[::2, ::2], rtol=1e-10)
    # each coarse value stands for the cells around it
    np.testing.assert_array_equal(Z[1:3, 1:3], np.full((2, 2), Z[2, 2]))


@pytest.mark.parametrize(
    ("options", "shapes"),
    [
        ({"chunk_elements": 1}, {(1, 1)}),  # a cell at a time
        ({"chunk_elements": 10**9}, {(9, 9)}),  # all rows at once
        ({"piece_s": 1e-9}, {(1, 1)}),  # a piece of a nanosecond: a cell at a time
    ],
)
def test_pieces_cover_the_grid_row_by_row_with_the_direct_loss(mlp_case, options, shapes):
    model, theta, (i, j), data, a, b, direct = mlp_case
    job = landscape.GridJob(model, theta, i, j, data.X_train, data.y_train, a, b)
    pieces = list(job.pieces(**options))
    assert {v.shape for _, _, v in pieces} == shapes
    Z = np.full(direct.shape, np.nan)
    for rows, cols, values in pieces:
        assert np.isnan(Z[rows, cols]).all()  # each cell once
        Z[rows, cols] = values
    np.testing.assert_allclose(Z, direct, rtol=1e-10)


def test_a_job_fills_progressively_and_ends_with_the_direct_loss(mlp_case):
    model, theta, (i, j), data, a, b, direct = mlp_case
    job = landscape.GridJob(model, theta, i, j, data.X_train, data.y_train, a, b, chunk_elements=1)
    theta[:] = 0.0  # the job holds its own copy of the weights
    assert not job.advance()  # one piece
    assert np.isfinite(job.Z[0, 0]) and np.isnan(job.Z[0, 1])
    done = [job.advance() for _ in range(direct.size - 1)]  # a cell each
    assert done == [False] * (direct.size - 2) + [True] and job.advance()
    np.testing.assert_allclose(job.Z, direct, rtol=1e-10)


def test_schedule_coarse_only_once_known_cheap():
    schedule = landscape.GridSchedule()
    assert not schedule.coarse_is_cheap("k")  # unknown: the first grid comes progressively
    assert schedule.wants_coarse_timing("k", full_ms=10.0)
    schedule.coarse_ms["k"] = 2.0
    assert schedule.coarse_is_cheap("k") and not schedule.wants_coarse_timing("k", 10.0)
    # a full grid far too dear: no coarse timing, and never cheap
    assert not schedule.wants_coarse_timing("dear", full_ms=1000.0)
    assert not schedule.coarse_is_cheap("dear")


def test_schedule_throttles_and_restarts_only_young_jobs():
    schedule = landscape.GridSchedule()
    interval = schedule.MIN_INTERVAL_MS / 1000.0
    assert schedule.wait_ms(now=0.0, training=False, fresh=False) == 0.0
    schedule.started(10.0)
    assert schedule.wait_ms(10.0, False, fresh=True) == 0.0  # the old picture means nothing
    assert schedule.wait_ms(10.0 + interval / 2, False, False) == pytest.approx(
        schedule.MIN_INTERVAL_MS / 2
    )
    assert schedule.wait_ms(10.0, True, False) == schedule.TRAINING_INTERVAL_MS
    schedule.went_stale(10.0)
    schedule.went_stale(11.0)  # stale since the first time
    assert schedule.restart_running(10.0 + interval / 2, False, same_landscape=True)
    assert not schedule.restart_running(10.0 + 2 * interval, False, same_landscape=True)
    assert schedule.restart_running(10.0 + 2 * interval, False, same_landscape=False)
    schedule.settled()
    assert schedule.restart_running(20.0, False, same_landscape=True)


def test_same_knob_twice_is_refused():
    data = make_dataset("linear", seed=0)
    model = make_model("line", data)
    with pytest.raises(ValueError, match="two different"):
        loss_grid(model, np.zeros(2), 0, 0, data.X_train, data.y_train, [0.0], [0.0])


def test_line_landscape_minimum_is_least_squares():
    data = make_dataset("linear", n_points=200, noise=0.0, seed=0)
    model = make_model("line", data)
    a = np.linspace(-2, 2, 401)
    Z = loss_grid(model, np.zeros(2), 0, 1, data.X_train, data.y_train, a, a)
    r, c = np.unravel_index(np.argmin(Z), Z.shape)
    A = np.column_stack([data.X_train[:, 0], np.ones(data.n_train)])
    w, b = np.linalg.lstsq(A, data.y_train, rcond=None)[0]
    assert a[c] == pytest.approx(w, abs=0.01) and a[r] == pytest.approx(b, abs=0.01)


@pytest.mark.parametrize(
    ("hidden", "activation", "task"),
    [
        ((16,), "tanh", "regression"),
        ((4, 2), "tanh", "classification"),
        ((3, 2), "relu", "regression"),
    ],
)
def test_mlp_held_knob_path_matches_the_plain_forward(hidden, activation, task):
    rng = np.random.default_rng(5)
    model = MLP(hidden, activation, task, l2=0.01)
    X = rng.uniform(-1, 1, size=(30, model.n_inputs))
    y = rng.uniform(0, 1, size=30) > 0.5 if task == "classification" else rng.normal(size=30)
    theta = model.init_params(rng)
    a, b = np.linspace(-3, 3, 5), np.linspace(-2, 2, 4)
    # every pair: one unit, two units, a weight and a bias of one layer, two layers, the output
    for i in range(model.n_params):
        for j in range(model.n_params):
            if i == j:
                continue
            thetas = np.tile(theta, (b.size * a.size, 1))
            thetas[:, i], thetas[:, j] = np.tile(a, b.size), np.repeat(b, a.size)
            plain = model.loss_many(thetas, X, y).reshape(b.size, a.size)
            held = landscape._losses(model, theta, i, j, X, y, a, b)
            np.testing.assert_allclose(held, plain, rtol=1e-12, err_msg=f"knobs {i}, {j}")
