"""The loss landscape matches the model's loss cell by cell, and is vectorised."""

from __future__ import annotations

import numpy as np
import pytest

from knobsim.core import landscape
from knobsim.core.datasets import make_dataset
from knobsim.core.landscape import grid_axes, loss_grid
from knobsim.core.models import make_model


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


def test_small_chunks_give_the_same_grid(monkeypatch):
    data = make_dataset("sine", seed=0)
    model = make_model("mlp", data, hidden=(8,))
    theta = model.init_params(np.random.default_rng(2))
    a, b = grid_axes(model, 0, 5, n=9)
    whole = loss_grid(model, theta, 0, 5, data.X_train, data.y_train, a, b)
    monkeypatch.setattr(landscape, "CHUNK_ELEMENTS", 10)
    pieces = list(
        landscape.loss_grid_rows(
            model, theta, 0, 5, data.X_train, data.y_train, a, b, chunk_elements=10
        )
    )
    assert len(pieces) == 9  # one row at a time
    np.testing.assert_allclose(np.vstack([p for _, p in pieces]), whole, rtol=1e-12)


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
