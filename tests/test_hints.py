"""Hints: the named knob, turned the named way to the named value, lowers the error, and
no other single knob lowers it more."""

from __future__ import annotations

import numpy as np
import pytest

from knobsim.core.data.catalog import session_for
from knobsim.core.lessons.hints import SECOND_FROM, hint_text, knob_hints

CASES = [
    ("line", "linear", {}),
    ("poly", "sine", {"degree": 5}),
    ("logistic", "moons", {}),
    ("mlp", "circles", {"hidden": (4, 2)}),
    ("nextword", "rhymes", {}),
]


@pytest.mark.parametrize("model, data, kwargs", CASES)
def test_the_hinted_move_lowers_the_error_most(model, data, kwargs):
    s = session_for(model, data, seed=2, **kwargs)
    ranges = s.model.param_ranges()  # the hint looks within these (a turn to an end widens them)
    hints = knob_hints(s)
    assert hints, "a fresh, untrained model always has a knob worth turning"
    best = hints[0]
    theta = s.params
    # a small turn the named way lowers the error (the gradient agrees with the words)
    assert np.sign(-s.grad()[best.index]) == best.direction
    # turning it to the named value gives the named error
    s.set_param(best.index, best.target)
    assert s.train_loss == pytest.approx(best.after, rel=1e-9)
    assert best.after < best.before
    # brute force: no knob, turned alone anywhere in its range, does better
    s.set_params(theta)
    steep = np.argsort(-np.abs(s.grad()) * (ranges[:, 1] - ranges[:, 0]))[:8]
    for i in steep:
        for v in np.linspace(ranges[i, 0], ranges[i, 1], 61):
            s.set_param(int(i), v)
            assert s.train_loss >= best.after - 1e-9 * abs(best.after)
        s.set_params(theta)


def test_locked_knobs_are_never_hinted_and_all_locked_says_so():
    s = session_for("poly", "cubic", seed=1)
    first = knob_hints(s)[0]
    s.set_locked(first.index, True)
    assert all(h.index != first.index for h in knob_hints(s))
    for name in s.param_names:
        s.set_locked(name, True)
    assert knob_hints(s) == []
    assert "locked" in hint_text([], 1, all_locked=True)


def test_at_the_bottom_there_is_nothing_to_turn():
    s = session_for("line", "linear", seed=0)
    s.step(3000)
    hints = knob_hints(s)
    assert hints == []
    assert "No single knob" in hint_text(hints, 1)


def test_words_name_the_knob_the_way_and_later_the_second_best():
    s = session_for("poly", "cubic", seed=4)
    hints = knob_hints(s)
    assert len(hints) >= 2
    first = hint_text(hints, 1)
    way = "up" if hints[0].direction > 0 else "down"
    assert f"turn {hints[0].name} {way}" in first and hints[1].name + " " not in first
    later = hint_text(hints, SECOND_FROM)
    assert f"Next best: turn {hints[1].name}" in later
