"""The gradient arrows (issue #12, point 8): the steepest knob pointing left gets its
arrow, and an arrow's size says how steep the error is on a scale that holds still, so
every arrow shrinks to a dot at a minimum."""

from __future__ import annotations

import pytest

from knobsim.core.lessons.lesson import build_session, find_lesson, load_lessons
from knobsim.ui.knobs.panel import GRAD_LEVELS

SETTLE_MS = 350


def _lesson_session(lesson_id: str):
    lessons, _ = load_lessons()
    return build_session(find_lesson(lessons, lesson_id).setup)


def _settle(win, qtbot):
    win.controller.set_training(False)
    qtbot.wait(SETTLE_MS)
    return win


def _levels(win) -> list[int]:
    return [
        round(k.grad_indicator.strength * GRAD_LEVELS) if k.grad_indicator.direction else 0
        for k in win.knob_panel.knobs
    ]


@pytest.mark.parametrize("lesson_id", ["train", "step-size"])
def test_at_the_start_of_lessons_2_and_3_the_steepest_knob_pointing_left_has_its_arrow(
    open_window, qtbot, lesson_id
):
    win = _settle(open_window(_lesson_session(lesson_id)), qtbot)
    g = win.controller.session.grad()
    b = win.knob_panel.knob("b").grad_indicator
    assert g[1] > 0 and abs(g[1]) == max(abs(g))  # b is the steepest, downhill is left
    assert b.direction == -1
    assert b.strength == 1.0
    assert b.describe().startswith("Turning b left lowers the error")
    assert win.audit() == []


def test_at_the_minimum_every_arrow_is_a_dot_and_its_tooltip_says_flat(window, qtbot):
    window.controller.step_many(2000)
    _settle(window, qtbot)
    for knob in window.knob_panel.knobs:
        arrow = knob.grad_indicator
        assert arrow.direction == 0, arrow.describe()
        assert "flat spot" in arrow.describe()
        assert "~0" in arrow.describe()
    assert window.audit() == []


def test_the_arrows_shrink_as_gradient_descent_settles_the_line(open_window, qtbot):
    win = _settle(open_window(_lesson_session("train")), qtbot)
    sizes = [max(_levels(win))]
    assert sizes[0] == GRAD_LEVELS
    for _ in range(30):
        win.controller.step_many(5)
        win.knob_panel.update_gradients()
        sizes.append(max(_levels(win)))
    rises = sum(b > a for a, b in zip(sizes, sizes[1:], strict=False))
    assert rises <= 1, sizes  # monotone, give or take a wobble
    assert sizes[-1] == 0, sizes  # a dot at the end
    assert len(set(sizes)) >= 4, sizes  # through several sizes on the way
    _settle(win, qtbot)
    assert win.audit() == []


def test_near_the_fit_no_arrow_is_full_size(window, qtbot):
    """Not relative to the steepest knob (which made one arrow always full size)."""
    window.controller.step_many(60)
    _settle(window, qtbot)
    assert 0 < max(_levels(window)) < GRAD_LEVELS
    assert window.audit() == []


def test_an_arrow_that_points_uphill_is_named_by_the_audit(window, qtbot):
    _settle(window, qtbot)
    arrow = window.knob_panel.knob("b").grad_indicator
    assert arrow.direction != 0
    arrow.set_state(-arrow.direction, arrow.strength)
    findings = window.audit()
    assert any("The arrow of b points" in f for f in findings), findings
    arrow.set_state(-arrow.direction, 0.5 if arrow.strength != 0.5 else 0.25)
    findings = window.audit()
    assert findings and all("The arrow of b is drawn at size" in f for f in findings), findings


def test_an_arrow_is_compared_with_what_it_shows_not_with_a_copy(window, qtbot):
    """The panel used to skip an arrow whose (direction, size) code matched a copy of
    the last code it sent; an arrow changed behind that copy stayed wrong."""
    _settle(window, qtbot)
    arrow = window.knob_panel.knob("b").grad_indicator
    assert arrow.direction != 0
    arrow.set_state(-arrow.direction, arrow.strength)  # behind the panel's back
    w = window.controller.session.value("w")
    window.controller.set_param("w", w + 1e-9)  # b's arrow stays as it was
    _settle(window, qtbot)
    assert window.audit() == []
