"""How sharply the training error curves at the current knobs, and the largest learning
rate full-batch gradient descent can take there without blowing up. Nothing here imports Qt.

Near the knobs ``theta`` the error is close to a bowl whose steepest wall has curvature
``lam`` (the largest eigenvalue of the loss's Hessian). A gradient-descent step of size
``lr`` multiplies the distance to the bottom along that wall by ``1 - lr * lam``: the steps
shrink while ``lr < 2 / lam`` and grow (the run blows up) above it. That bound is the safe
learning rate. It is exact for the line and the polynomial (their error *is* a bowl), a
local figure for the others.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from knobsim.core.models.machines import Logistic, Model, _Linear
from knobsim.core.training.session import Session

Array = NDArray[np.float64]

#: the Hessian-vector search stops when the estimate changes by less than this fraction
KRYLOV_TOL = 1e-6
#: and after at most this many products (each costs two gradients)
KRYLOV_MAX = 60


def hessian(model: Model, theta: Array, F: NDArray, y: NDArray) -> Array:
    """The exact Hessian (n_params, n_params) of the training loss, for the models whose
    second derivatives are one line of algebra: the line and the polynomial (mean squared
    error: ``2/n F^T F``) and logistic regression (mean cross-entropy:
    ``F^T diag(p (1 - p)) F / n``), plus ``2 * l2 * I`` for the L2 penalty.

    Parameters
    ----------
    model : Model
        A line, polynomial or logistic model.
    theta : ndarray (n_params,)
        The knobs.
    F, y : ndarray
        ``model.features(X_train)`` and the targets.

    Raises
    ------
    TypeError
        For a model without a closed form (use :func:`top_curvature`).
    """
    F = np.asarray(F, dtype=float)
    n = F.shape[0]
    if not has_closed_form(model):
        raise TypeError(f"No closed-form Hessian for the {model.name} model.")
    if isinstance(model, _Linear):
        H = (2.0 / n) * (F.T @ F)
    else:
        p = 1.0 / (1.0 + np.exp(-(F @ np.asarray(theta, dtype=float))))
        H = (F.T * (p * (1.0 - p))) @ F / n
    H[np.diag_indices_from(H)] += 2.0 * model.l2
    return H


def has_closed_form(model: Model) -> bool:
    """True when :func:`hessian` works for ``model`` (and the curvature costs next to
    nothing: one small eigenvalue problem)."""
    return isinstance(model, (_Linear, Logistic))


def hessian_vector_product(
    model: Model, theta: Array, F: NDArray, y: NDArray, v: Array, eps: float = 1e-5
) -> Array:
    """``H v`` by a central difference of the gradient along ``v`` (two gradients).

    The error of the difference is O(eps^2) times the third derivative; ``eps`` is scaled
    to the size of ``theta`` so the knobs move by a relative 1e-5.
    """
    theta = np.asarray(theta, dtype=float)
    norm = float(np.linalg.norm(v))
    if norm == 0.0:
        return np.zeros_like(theta)
    h = eps * max(1.0, float(np.linalg.norm(theta))) / norm
    _, g_plus = model.loss_and_grad_features(theta + h * v, F, y)
    _, g_minus = model.loss_and_grad_features(theta - h * v, F, y)
    return (g_plus - g_minus) / (2.0 * h)


def top_curvature(model: Model, theta: Array, F: NDArray, y: NDArray, *, seed: int = 0) -> float:
    """The largest eigenvalue of the training loss's Hessian at ``theta``.

    Exact (``numpy.linalg.eigvalsh``) where :func:`hessian` has a closed form; otherwise
    from Hessian-vector products: power iteration with memory (Lanczos). Each product
    extends the space spanned by the power-iteration vectors ``v, Hv, H^2 v, ...``; the
    largest eigenvalue of ``H`` restricted to that space converges faster than the power
    iteration's own estimate, and it is the largest *signed* eigenvalue (the one that
    limits gradient descent) even where a negative one is larger in size (a saddle).
    """
    theta = np.asarray(theta, dtype=float)
    try:
        return float(np.linalg.eigvalsh(hessian(model, theta, F, y))[-1])
    except TypeError:
        pass
    rng = np.random.default_rng(seed)
    return _lanczos_top(
        lambda v: hessian_vector_product(model, theta, F, y, v), rng.standard_normal(theta.size)
    )


def safe_learning_rate(model: Model, theta: Array, F: NDArray, y: NDArray) -> float:
    """``2 / lam`` with ``lam`` the :func:`top_curvature` at ``theta``: full-batch gradient
    descent steps shrink below it and grow above it. ``inf`` where the loss does not curve
    upwards at all (no step size is too large there, locally)."""
    lam = top_curvature(model, theta, F, y)
    return 2.0 / lam if lam > 0.0 and math.isfinite(lam) else math.inf


def _lanczos_top(product, v: Array) -> float:
    """The largest eigenvalue of the symmetric operator ``product`` (n, n), from at most
    ``KRYLOV_MAX`` products (fewer once the estimate settles to ``KRYLOV_TOL``)."""
    n = v.size
    basis = [v / np.linalg.norm(v)]
    images: list[Array] = []
    top = -math.inf
    for k in range(min(n, KRYLOV_MAX)):
        w = product(basis[k])
        if not np.all(np.isfinite(w)):
            break
        images.append(w)
        Q = np.array(basis)
        T = Q @ np.array(images).T  # the operator restricted to the space, (k+1, k+1)
        new = float(np.linalg.eigvalsh(0.5 * (T + T.T))[-1])
        settled = abs(new - top) <= KRYLOV_TOL * max(abs(new), 1e-12)
        top = new
        if settled or k + 1 == n:
            break
        w = w - Q.T @ (Q @ w)  # orthogonal to the space so far (twice: rounding)
        w = w - Q.T @ (Q @ w)
        size = float(np.linalg.norm(w))
        if size <= 1e-12 * max(1.0, abs(top)):
            break  # the space holds an invariant subspace: the estimate is exact
        basis.append(w / size)
    return top if math.isfinite(top) else 0.0


def pair_hessian(model: Model, theta: Array, F: NDArray, y: NDArray, i: int, j: int) -> Array:
    """The 2x2 Hessian of the loss in knobs ``i`` and ``j``, the others held: the curvature
    of the two-knob slice a loss landscape draws."""
    theta = np.asarray(theta, dtype=float)
    if has_closed_form(model):
        return hessian(model, theta, F, y)[np.ix_([i, j], [i, j])]
    cols = []
    for k in (i, j):
        e = np.zeros_like(theta)
        e[k] = 1.0
        cols.append(hessian_vector_product(model, theta, F, y, e)[[i, j]])
    H = np.column_stack(cols)
    return 0.5 * (H + H.T)


def bowl_outline(H2: Array, span: tuple[float, float], n: int = 49) -> Array | None:
    """The outline of the bowl a 2x2 Hessian describes: an ellipse ``d^T H2 d = const``
    around the origin, (n, 2) points (closed: the last is the first), scaled so that it
    reaches ``span[0]`` across or ``span[1]`` up, whichever comes first. Its narrow axis
    is the steep way. None where the error does not curve up both ways (a saddle or a
    trough has no bowl)."""
    H2 = np.asarray(H2, dtype=float)
    if not np.all(np.isfinite(H2)):
        return None
    lam, vec = np.linalg.eigh(0.5 * (H2 + H2.T))
    if lam[0] <= 1e-12 * max(abs(lam[1]), 1e-300):
        return None
    t = np.linspace(0.0, 2.0 * np.pi, n)
    # d = V diag(1/sqrt(lam)) (cos t, sin t): then d^T H2 d = 1
    pts = (vec * (1.0 / np.sqrt(lam))) @ np.vstack([np.cos(t), np.sin(t)])  # (2, n)
    reach = np.abs(pts).max(axis=1)
    scale = min(span[0] / reach[0], span[1] / reach[1])
    pts = (pts * scale).T
    pts[-1] = pts[0]
    return pts


def session_safe_lr(session: Session) -> float:
    """:func:`safe_learning_rate` at a session's knobs, on its training data."""
    return safe_learning_rate(session.model, session.params, *session.train_features())
