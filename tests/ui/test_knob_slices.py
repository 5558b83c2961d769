"""A loss slice in every knob: the error along that knob with the others held, drawn
behind its slider. Checked against the loss computed directly, followed by a hand, and a
wrong one caught by the display audit."""

from __future__ import annotations

import numpy as np
import pytest
from hands import drag_slider_to

from knobsim.core.data.catalog import session_for


def _settle(qtbot) -> None:
    qtbot.wait(350)  # the slices follow in the idle time after a paint


@pytest.mark.parametrize(
    "model, data, kwargs",
    [("poly", "sine", {"degree": 5}), ("mlp", "circles", {"hidden": (3,)})],
)
def test_each_slice_is_the_error_along_its_knob(open_window, qtbot, model, data, kwargs):
    win = open_window(session_for(model, data, seed=4, **kwargs))
    _settle(qtbot)
    s = win.controller.session
    knobs = [k for k in win.knob_panel.knobs if k.isVisible()][:8]
    assert knobs
    for knob in knobs:
        i = s.param_names.index(knob.name)
        values, losses, current = knob.slider.slice
        assert values[0] == knob.slider.minimum() and values[-1] == knob.slider.maximum()
        for v, loss in zip(values[::5], losses[::5], strict=True):
            probe = s.params.copy()
            probe[i] = v
            assert loss == pytest.approx(s.model.loss(probe, s.dataset.X_train, s.dataset.y_train))
        assert current == pytest.approx(s.train_loss)
    assert win.audit() == []


def test_dragging_a_knob_to_its_slice_minimum_lowers_the_error_to_it(open_window, qtbot):
    win = open_window(session_for("poly", "sine", degree=3, seed=1))
    _settle(qtbot)
    c = win.controller
    knob = win.knob_panel.knob("c1")
    values, losses, _ = knob.slider.slice
    best = float(values[int(np.argmin(losses))])
    before = c.session.train_loss
    drag_slider_to(knob.slider, best, qtbot=qtbot)
    _settle(qtbot)
    assert c.session.train_loss < before
    assert c.session.train_loss == pytest.approx(losses.min(), rel=0.05)
    # now c1 sits at the bottom of its own slice: the lowest tick is under the handle
    slider = knob.slider
    assert abs(slider.slice_lowest() - slider._value_x(slider.value())) <= 3
    assert win.audit() == []


def test_a_stale_slice_is_caught(open_window, qtbot):
    win = open_window(session_for("line", "linear"))
    _settle(qtbot)
    slider = win.knob_panel.knob("w").slider
    values, losses, current = slider.slice
    slider.set_slice(values, losses * 1.1, current, slider.slice_key)
    assert any("loss slice" in f for f in win.audit())


def _slice_pixels(slider):
    """The slider as painted: the slice picture is part of it."""
    return slider.grab().toImage()


def test_the_slice_picture_is_drawn_again_only_when_what_it_shows_changed(open_window, qtbot):
    win = open_window(session_for("poly", "sine", degree=3, seed=1))
    _settle(qtbot)
    slider = win.knob_panel.knob("c1").slider
    first = slider._slice_picture()
    assert first is not None
    slider.repaint()
    assert slider._slice_picture() is first  # the same slice, size and range: a blit
    # a new slice (the knobs moved): drawn again, and the pixels follow
    before = _slice_pixels(slider)
    values, losses, current = slider.slice
    slider.set_slice(values, losses * 4.0, current, slider.slice_key)
    assert slider._slice_picture() is not first
    assert _slice_pixels(slider) != before
    # a new size (a wider panel, a zoom) too
    second = slider._slice_picture()
    slider.resize(slider.width() - 20, slider.height())
    assert slider._slice_picture() is not second


def test_a_new_slice_is_drawn_when_it_arrives_not_in_the_next_paint(open_window, qtbot):
    win = open_window(session_for("poly", "sine", degree=3, seed=1))
    _settle(qtbot)
    sliders = [k.slider for k in win.knob_panel.knobs if k.isVisible()]
    pictures = [s._slice_picture() for s in sliders]
    win.knob_panel.knob("c0").setValue(0.7)  # every other knob's slice changes with it
    win.knob_panel.update_gradients()
    for slider, old in zip(sliders, pictures, strict=True):
        assert slider._slice_drawn[0] is slider.slice  # already drawn, before any paint
        assert slider._slice_pixmap is not None and slider._slice_pixmap is not old
    assert win.audit() == []


def test_while_training_the_knobs_in_view_take_turns_and_all_follow(open_window, qtbot):
    from knobsim.ui.controller.session_controller import MAX_SPEED
    from knobsim.ui.knobs import panel as knobs_module

    win = open_window(session_for("mlp", "sine", hidden=(16,), seed=0))
    _settle(qtbot)
    c = win.controller
    panel = win.knob_panel
    in_view = [k for k in panel.knobs if k.isVisible() and not k.visibleRegion().isEmpty()]
    assert len(in_view) > 6
    # a turn smaller than the knobs in view, as on a slow machine
    panel._slice_ms = knobs_module.SLICES_BUDGET_MS / 3
    start = c.session.version
    c.set_speed(MAX_SPEED)
    c.set_training(True)
    qtbot.waitUntil(lambda: all(k.slider.slice_key[1] > start for k in in_view), timeout=10_000)
    c.set_training(False)
    _settle(qtbot)
    assert win.audit() == []  # paused: every slice in view is the error at these knobs
