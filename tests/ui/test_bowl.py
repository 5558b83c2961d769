"""The bowl ring on the landscape: the shape of the error's curvature at the knobs,
narrow across the steep way; it follows a hand, and the audit catches a wrong one."""

from __future__ import annotations

import numpy as np
from hands import drag_slider_to

from knobsim.core.data.catalog import session_for


def _ring(plot) -> np.ndarray:
    xs, _ = plot.bowl.getData()
    return np.zeros(0) if xs is None else np.asarray(xs, float).copy()


def test_the_ring_sits_at_the_marker_and_is_narrow_the_steep_way(open_window, qtbot):
    win = open_window(session_for("line", "linear"))
    plot = win.landscape_plot
    qtbot.wait(350)
    xs, ys = plot.bowl.getData()
    assert len(xs) > 10
    w, b = win.controller.params
    assert np.isclose(np.mean(xs[:-1]), w) and np.isclose(np.mean(ys[:-1]), b)
    assert win.audit() == []
    # a lie about the ring is caught
    plot.bowl.setData(xs[:-1] * 1.0 + 0.01 * np.cos(np.arange(len(xs) - 1)), ys[:-1])
    assert any("bowl ring" in f for f in win.audit())


def test_the_ring_follows_a_hand_on_a_network(open_window, qtbot):
    win = open_window(session_for("mlp", "circles", hidden=(4,), seed=2))
    plot = win.landscape_plot
    qtbot.wait(350)
    before = _ring(plot)
    i = plot.pair[0]
    knob = win.knob_panel.knobs[i]
    drag_slider_to(knob.slider, knob.slider.maximum() * 0.8, qtbot=qtbot)
    qtbot.wait(350)
    after = _ring(plot)
    assert after.shape != before.shape or not np.allclose(after, before)
    assert win.audit() == []
