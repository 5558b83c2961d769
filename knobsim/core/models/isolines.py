"""Isolines of a sampled surface (marching squares), for the decision boundary. No Qt."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def isoline_segments(Z: Array, level: float, xs: Array, ys: Array) -> tuple[Array, Array]:
    """Line segments where ``Z`` crosses ``level`` (vectorised marching squares).

    Parameters
    ----------
    Z : array, shape (ny, nx)
        Values sampled at ``(xs[c], ys[r])``.
    xs, ys : arrays, shapes (nx,), (ny,)

    Returns
    -------
    x, y : arrays, shape (2 * n_segments,)
        Segment end points in pairs, for a curve drawn with ``connect="pairs"``.
    """
    Z = np.asarray(Z, dtype=np.float64)
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    above = np.greater_equal(Z, level)  # (ny, nx)
    h_cut = above[:, :-1] != above[:, 1:]  # edge (r, c)-(r, c+1) is crossed, (ny, nx-1)
    v_cut = above[:-1, :] != above[1:, :]  # edge (r, c)-(r+1, c) is crossed, (ny-1, nx)
    # the edges of cell (r, c) in the order bottom, right, top, left: (ny-1, nx-1, 4)
    cut = np.stack([h_cut[:-1], v_cut[:, 1:], h_cut[1:], v_cut[:, :-1]], axis=-1)
    r, c = np.nonzero(cut.any(axis=-1))  # only the few cells the line passes through
    cut = cut[r, c]  # (m, 4)
    z00, z01, z10, z11 = Z[r, c], Z[r, c + 1], Z[r + 1, c], Z[r + 1, c + 1]
    x0, x1, y0, y1 = xs[c], xs[c + 1], ys[r], ys[r + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ex = np.stack(
            [x0 + (level - z00) / (z01 - z00) * (x1 - x0), x1,
             x0 + (level - z10) / (z11 - z10) * (x1 - x0), x0],
            axis=-1,
        )  # fmt: skip
        ey = np.stack(
            [y0, y0 + (level - z01) / (z11 - z01) * (y1 - y0),
             y1, y0 + (level - z00) / (z10 - z00) * (y1 - y0)],
            axis=-1,
        )  # fmt: skip
    n_cut = cut.sum(axis=-1)

    two = n_cut == 2
    order = np.argsort(~cut[two], axis=-1, kind="stable")[:, :2]  # the two crossed edges
    px = [np.take_along_axis(ex[two], order, axis=-1)]  # (m2, 2)
    py = [np.take_along_axis(ey[two], order, axis=-1)]

    # saddles: two segments; the cell centre decides which corners they cut off
    four = n_cut == 4
    if four.any():
        centre = (z00 + z01 + z10 + z11)[four] / 4 >= level
        joins = (centre == above[r, c][four])[:, None]  # bottom-left joins top-right
        for pair in (np.where(joins, [0, 1], [0, 3]), np.where(joins, [2, 3], [2, 1])):
            px.append(np.take_along_axis(ex[four], pair, axis=-1))
            py.append(np.take_along_axis(ey[four], pair, axis=-1))
    px, py = np.concatenate(px), np.concatenate(py)
    ok = np.isfinite(px).all(axis=1) & np.isfinite(py).all(axis=1)
    return px[ok].reshape(-1), py[ok].reshape(-1)
