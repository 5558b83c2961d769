"""A knob a hand can set: one pixel of a drag turns a knob by at most 1/200 of its range,
1/2,000 with Shift, for every model's default knobs at 1280x800, with the lessons dock
open or closed. Measured with real one-pixel mouse moves on the real slider."""

from __future__ import annotations

import pytest
from hands import handle_center, move, press, release
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QScrollArea

from knobsim.core.data.catalog import DEFAULT_DATASET, session_for

SHIFT = Qt.KeyboardModifier.ShiftModifier
MODELS = ["line", "poly", "logistic", "mlp", "nextword"]
#: Qt's slider moves in 1/10,000ths of the range: a pixel's worth may round up by one
TICK = 1e-4


def _pixel_steps(session, knob, mods=Qt.KeyboardModifier.NoModifier, moves=6) -> list[float]:
    """Press the knob's handle, move the mouse one pixel at a time (towards the larger
    value), release; the change of the session's value at each pixel."""
    slider = knob.slider
    one = QPoint(1, 0) if slider.orientation() == Qt.Orientation.Horizontal else QPoint(0, -1)
    pos = handle_center(slider)
    index = session.param_names.index(knob.name)
    press(slider, pos, mods)
    changes = []
    for _ in range(moves):
        before = float(session.params[index])
        pos = pos + one
        move(slider, pos, mods)
        changes.append(abs(float(session.params[index]) - before))
    release(slider, pos, mods)
    return changes


@pytest.mark.parametrize("dock", [False, True], ids=["dock closed", "dock open"])
@pytest.mark.parametrize("model", MODELS)
def test_one_pixel_turns_a_knob_by_at_most_a_200th_of_its_range(open_window, qtbot, model, dock):
    win = open_window(session_for(model, DEFAULT_DATASET[model]), size=(1280, 800))
    if dock:
        win.lessons.show_start_page()
    qtbot.wait(100)
    session = win.controller.session
    for knob in win.knob_panel.knobs[:3]:
        win.knob_panel.focus_knob(knob.name)
        lo, hi = knob.range()
        span = hi - lo
        plain = _pixel_steps(session, knob)
        assert 0 < max(plain) <= span * (1 / 200 + TICK), (knob.name, plain, span)
        assert sum(plain) > 0
        fine = _pixel_steps(session, knob, SHIFT)
        assert 0 < max(fine) <= span * (1 / 2000 + TICK), (knob.name, fine, span)
        qtbot.wait(400)  # the slices and arrows follow a hand at their own pace
        problems = win.audit()
        assert problems == [], problems
    # and a panel of rows shows its knobs whole: it does not scroll sideways (the next-word
    # model's grid of 121 knobs does, as a table does)
    scroll = win.knob_panel.findChild(QScrollArea)
    assert model == "nextword" or not scroll.horizontalScrollBar().isVisible()
