"""Marching squares: the isoline of a sampled surface."""

from __future__ import annotations

import numpy as np

from knobsim.core.models.isolines import isoline_segments


def test_isoline_segments_trace_a_circle():
    xs = ys = np.linspace(-1, 1, 81)
    X, Y = np.meshgrid(xs, ys)
    x, y = isoline_segments(X**2 + Y**2, 0.5**2, xs, ys)
    assert x.size % 2 == 0 and x.size > 50
    np.testing.assert_allclose(np.hypot(x, y), 0.5, atol=0.01)
    # a saddle cell gives two segments
    x, y = isoline_segments(np.array([[1.0, 0.0], [0.0, 1.0]]), 0.5, [0, 1], [0, 1])
    assert x.size == 4
