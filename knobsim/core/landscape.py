"""The loss landscape: error over a grid of two knobs, the others held. Nothing here imports Qt.

Vectorised: the grid's parameter vectors are stacked and evaluated by the model's
``loss_many`` in a few large chunks, never in a Python loop over cells.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from knobsim.core.models import Model

Array = NDArray[np.float64]

#: float64 elements one chunk may hold in its widest temporary (about 16 MB)
CHUNK_ELEMENTS = 2_000_000


def grid_axes(model: Model, i: int, j: int, n: int = 41) -> tuple[Array, Array]:
    """Evenly spaced values over the slider ranges of parameters ``i`` and ``j``."""
    ranges = model.param_ranges()
    return np.linspace(*ranges[i], n), np.linspace(*ranges[j], n)


def _work_per_theta(model: Model, n_samples: int) -> int:
    """Rough size of the widest per-parameter-vector temporary of ``loss_many``."""
    width = max(getattr(model, "hidden", (1,)) or (1,))
    if model.task == "nextword":
        return model.n_params
    return max(n_samples * width, model.n_params)


def loss_grid_rows(
    model: Model,
    theta: Array,
    i: int,
    j: int,
    X: NDArray,
    y: NDArray,
    a_values: Array,
    b_values: Array,
    *,
    chunk_elements: int = CHUNK_ELEMENTS,
) -> Iterator[tuple[slice, Array]]:
    """Yield (row slice, losses) pieces of the grid, for progressive drawing.

    Rows follow ``b_values`` (parameter ``j``), columns ``a_values`` (parameter ``i``).
    """
    if i == j:
        raise ValueError("Pick two different knobs for the landscape.")
    theta = np.asarray(theta, dtype=float)
    a_values = np.asarray(a_values, dtype=float)
    b_values = np.asarray(b_values, dtype=float)
    na, nb = a_values.size, b_values.size
    per_theta = _work_per_theta(model, len(X))
    rows_per_chunk = max(1, chunk_elements // max(1, per_theta * na))
    for r0 in range(0, nb, rows_per_chunk):
        r1 = min(nb, r0 + rows_per_chunk)
        k = (r1 - r0) * na
        thetas = np.broadcast_to(theta, (k, theta.size)).copy()  # (k, n_params)
        thetas[:, i] = np.tile(a_values, r1 - r0)
        thetas[:, j] = np.repeat(b_values[r0:r1], na)
        yield slice(r0, r1), model.loss_many(thetas, X, y).reshape(r1 - r0, na)


def loss_grid(
    model: Model,
    theta: Array,
    i: int,
    j: int,
    X: NDArray,
    y: NDArray,
    a_values: Array,
    b_values: Array,
) -> Array:
    """Loss with parameter ``i`` set to each of ``a_values`` and ``j`` to each of ``b_values``.

    Returns
    -------
    ndarray, shape (len(b_values), len(a_values))
        ``Z[r, c]`` is the loss at ``theta[i] = a_values[c]``, ``theta[j] = b_values[r]``,
        every other parameter as in ``theta``.
    """
    Z = np.empty((len(b_values), len(a_values)))
    for rows, values in loss_grid_rows(model, theta, i, j, X, y, a_values, b_values):
        Z[rows] = values
    return Z
