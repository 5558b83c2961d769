"""The curvature of the error and the safe learning rate: against finite differences, and
against what gradient descent really does on either side of it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from knobsim.core.data.catalog import session_for
from knobsim.core.data.datasets import dataset_from_arrays
from knobsim.core.models import curvature
from knobsim.core.training.session import Session


def _features(session: Session):
    d = session.dataset
    return session.model.features(d.X_train), d.y_train


def _fd_hessian(model, theta, F, y, h=1e-5):
    """Column by column, central differences of the model's own gradient."""
    n = theta.size
    H = np.empty((n, n))
    for i in range(n):
        e = np.zeros(n)
        e[i] = h
        H[:, i] = (
            model.loss_and_grad_features(theta + e, F, y)[1]
            - model.loss_and_grad_features(theta - e, F, y)[1]
        ) / (2 * h)
    return 0.5 * (H + H.T)


@pytest.mark.parametrize(
    "model, data, kwargs",
    [
        ("line", "linear", {}),
        ("poly", "sine", {"degree": 5, "l2": 0.01}),
        ("logistic", "blobs", {"l2": 0.003}),
    ],
)
def test_closed_form_hessian_matches_finite_differences(model, data, kwargs):
    s = session_for(model, data, seed=3, **kwargs)
    F, y = _features(s)
    theta = s.params + 0.3
    exact = curvature.hessian(s.model, theta, F, y)
    np.testing.assert_allclose(exact, _fd_hessian(s.model, theta, F, y), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "model, data, kwargs",
    [
        ("mlp", "circles", {"hidden": (4, 2)}),
        ("mlp", "sine", {"hidden": (6,), "l2": 0.001}),
        ("nextword", "rhymes", {}),
    ],
)
def test_top_curvature_from_products_matches_the_full_hessian(model, data, kwargs):
    s = session_for(model, data, seed=1, **kwargs)
    F, y = _features(s)
    theta = s.params
    with pytest.raises(TypeError):
        curvature.hessian(s.model, theta, F, y)
    expected = np.linalg.eigvalsh(_fd_hessian(s.model, theta, F, y))[-1]
    assert curvature.top_curvature(s.model, theta, F, y) == pytest.approx(expected, rel=1e-3)


def test_the_largest_signed_eigenvalue_is_found_next_to_a_larger_negative_one():
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.standard_normal((12, 12)))
    eigenvalues = np.array([-9.0, -2.0, 0.1, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.2, 3.9, 4.0])
    A = Q @ np.diag(eigenvalues) @ Q.T
    assert curvature._lanczos_top(lambda v: A @ v, rng.standard_normal(12)) == pytest.approx(4.0)


def test_a_flat_loss_has_no_unsafe_learning_rate():
    # all x equal: the slope does nothing, but the intercept still curves the error
    d = dataset_from_arrays("flat", "regression", np.zeros(20), np.ones(20))
    s = session_for("line", d)
    F, y = _features(s)
    assert math.isfinite(curvature.safe_learning_rate(s.model, s.params, F, y))
    assert curvature._lanczos_top(lambda v: 0.0 * v, np.ones(3)) == 0.0


def _run_gd(session: Session, lr: float, steps: int) -> tuple[float, float]:
    session.set_optimizer("gd", lr=lr)
    start = session.train_loss
    report = session.step(steps)
    end = math.inf if report.diverged else session.train_loss
    return start, end


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("model, degree", [("line", 1), ("poly", 3), ("poly", 7)])
def test_safe_learning_rate_predicts_where_gradient_descent_blows_up(model, degree, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 60))
    scale = float(rng.uniform(0.2, 3.0))
    x = rng.uniform(-scale, scale, n)
    y = rng.normal(0.0, rng.uniform(0.1, 5.0), n) + rng.uniform(-3, 3) * x
    data = dataset_from_arrays(f"random{seed}", "regression", x, y, seed=seed)
    s = session_for(model, data, degree=degree, seed=seed)
    F, yt = _features(s)
    safe = curvature.safe_learning_rate(s.model, s.params, F, yt)
    assert math.isfinite(safe) and safe > 0

    start, end = _run_gd(s, 0.9 * safe, 400)
    assert end <= start, "0.9x the safe rate should not blow up"

    above = session_for(model, data, degree=degree, seed=seed)
    start, end = _run_gd(above, 1.1 * safe, 400)
    assert end > 1e3 * max(start, 1e-9), "1.1x the safe rate should blow up"


@pytest.mark.parametrize(
    "model, data, kwargs", [("poly", "sine", {"degree": 3}), ("mlp", "circles", {"hidden": (4,)})]
)
def test_the_pair_hessian_is_the_two_knob_block(model, data, kwargs):
    s = session_for(model, data, seed=1, **kwargs)
    F, y = _features(s)
    full = _fd_hessian(s.model, s.params, F, y)
    H2 = curvature.pair_hessian(s.model, s.params, F, y, 2, 0)
    np.testing.assert_allclose(H2, full[np.ix_([2, 0], [2, 0])], rtol=1e-4, atol=1e-6)


def test_the_bowl_outline_is_a_level_set_within_the_span():
    H2 = np.array([[8.0, 1.5], [1.5, 1.0]])
    pts = curvature.bowl_outline(H2, (0.5, 2.0))
    q = np.einsum("ni,ij,nj->n", pts, H2, pts)
    assert np.allclose(q, q[0]) and q[0] > 0
    assert np.abs(pts[:, 0]).max() <= 0.5 + 1e-12 and np.abs(pts[:, 1]).max() <= 2.0 + 1e-12
    assert np.isclose(np.abs(pts[:, 0]).max(), 0.5) or np.isclose(np.abs(pts[:, 1]).max(), 2.0)
    assert np.array_equal(pts[0], pts[-1])
    # narrow across the steep way: the steep knob (8) moves less than the flat one (1)
    assert np.abs(pts[:, 0]).max() < np.abs(pts[:, 1]).max()
    assert curvature.bowl_outline(np.array([[1.0, 0.0], [0.0, -1.0]]), (1, 1)) is None
    assert curvature.bowl_outline(np.array([[np.nan, 0.0], [0.0, 1.0]]), (1, 1)) is None
