"""Loss slices against the loss computed one knob setting at a time."""

from __future__ import annotations

import numpy as np
import pytest

from knobsim.core.data.catalog import session_for
from knobsim.core.models.slices import loss_slices, refine_lowest

CASES = [
    ("line", "linear", {}),
    ("poly", "sine", {"degree": 5, "l2": 0.01}),
    ("logistic", "moons", {}),
    ("mlp", "spiral", {"hidden": (6, 3)}),
    ("nextword", "rhymes", {"context": 2}),
]


@pytest.mark.parametrize("model, data, kwargs", CASES)
def test_each_slice_is_the_loss_with_one_knob_changed(model, data, kwargs):
    s = session_for(model, data, seed=5, **kwargs)
    m, theta, d = s.model, s.params, s.dataset
    rng = np.random.default_rng(0)
    indices = rng.choice(m.n_params, size=min(4, m.n_params), replace=False).tolist()[::-1]
    sl = loss_slices(m, theta, d.X_train, d.y_train, indices, m.param_ranges(), n=9)
    assert sl.values.shape == sl.losses.shape == (len(indices), 9)
    assert sl.current == pytest.approx(np.full(len(indices), s.train_loss))
    for r, i in enumerate(indices):
        for v, loss in zip(sl.values[r], sl.losses[r], strict=True):
            probe = theta.copy()
            probe[i] = v
            assert loss == pytest.approx(m.loss(probe, d.X_train, d.y_train), rel=1e-9)


def test_a_range_that_misses_the_knob_is_widened_to_reach_it():
    s = session_for("line", "linear")
    s.set_param("b", 9.0)
    d = s.dataset
    ranges = np.array([[-5.0, 5.0], [-1.0, 1.0]])
    sl = loss_slices(s.model, s.params, d.X_train, d.y_train, [1], ranges, 5)
    assert sl.values[0, 0] == -1.0 and sl.values[0, -1] == 9.0
    fixed = loss_slices(
        s.model, s.params, d.X_train, d.y_train, [1], ranges, 5,
        reach_current=False,
    )  # fmt: skip
    assert fixed.values[0, -1] == 1.0


def test_the_refined_lowest_point_is_the_one_knob_minimum():
    s = session_for("line", "linear", seed=1)
    m, theta, d = s.model, s.params, s.dataset
    sl = loss_slices(m, theta, d.X_train, d.y_train, [1], m.param_ranges(), n=21)
    b, loss = refine_lowest(m, theta, d.X_train, d.y_train, sl, 0)
    # for a line, the best intercept with the slope held is the mean residual
    F = m.features(d.X_train)
    w_part = F[:, 0] * theta[0]
    exact = float(np.mean(d.y_train - w_part))
    assert b == pytest.approx(exact, abs=(m.param_ranges()[1, 1] - m.param_ranges()[1, 0]) / 800)
    assert loss <= sl.losses[0].min()


def test_no_knobs_no_slices():
    s = session_for("line", "linear")
    sl = loss_slices(s.model, s.params, s.dataset.X_train, s.dataset.y_train, [], np.zeros((2, 2)))
    assert sl.values.shape == (0, 41)
