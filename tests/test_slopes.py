"""The absolute scale of the gradient arrows (core.models.slopes)."""

from __future__ import annotations

import numpy as np
import pytest

from knobsim.core.data.corpus import builtin_corpus
from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.models.slopes import (
    FLAT,
    KEY_STEPS,
    STEEP,
    baseline_loss,
    slope_levels,
    steepness,
)
from knobsim.core.training.session import Session


def test_the_baseline_is_the_error_of_a_guess_that_ignores_the_inputs():
    data = make_dataset("linear", n_points=40, seed=0)
    assert baseline_loss("regression", data) == pytest.approx(np.var(data.y_train))
    blobs = make_dataset("blobs", n_points=40, seed=0)
    p = np.mean(blobs.y_train >= 0.5)
    assert baseline_loss("classification", blobs) == pytest.approx(
        -(p * np.log(p) + (1 - p) * np.log(1 - p))
    )
    words = builtin_corpus("rhymes").to_dataset()
    base = baseline_loss("nextword", words)
    assert 0 < base <= np.log(len(np.unique(words.y_train))) + 1e-12


def test_steepness_is_a_key_steps_change_of_the_error_as_a_share_of_the_baseline():
    s = steepness(np.array([2.0, -0.5, np.nan]), np.array([[-1, 1], [0, 10], [0, 1]]), 0.5)
    assert s[0] == pytest.approx(2.0 * 2 / KEY_STEPS / 0.5)
    assert s[1] == pytest.approx(0.5 * 10 / KEY_STEPS / 0.5)
    assert s[2] == np.inf  # a broken slope shows as steep, not as flat


def test_levels_run_from_a_dot_below_flat_to_full_size_at_steep():
    data = make_dataset("linear", n_points=40, seed=0)
    session = Session(make_model("line", data), data, seed=0)
    assert slope_levels(session, 8).min() >= 6  # the seeded start: far off, steep
    session.step(3000)
    assert slope_levels(session, 8).tolist() == [0, 0]  # the minimum: dots
    assert FLAT < STEEP


def test_levels_do_not_depend_on_the_other_knobs():
    data = make_dataset("linear", n_points=40, seed=0)
    session = Session(make_model("line", data), data, seed=0)
    session.step(3000)
    w, b = session.params
    session.set_params([w, b + 0.05])
    near = slope_levels(session, 8)
    assert 0 < near.max() < 8  # a little off the fit: a middling arrow, none forced full
