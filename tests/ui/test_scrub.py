"""Time travel with a hand on the scrub bar: look back, branch, come back, replay."""

from __future__ import annotations

import numpy as np
import pytest
from hands import drag_slider_to, key, point_for_value, press, release
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton, QSlider

from knobsim.core.training import pace


def click(button: QPushButton) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def trained(window, steps: int = 400):
    c = window.controller
    c.step_many(steps)
    return c


def bar(window) -> QSlider:
    return window.findChild(QSlider, "scrubBar")


def test_dragging_the_scrub_bar_shows_a_past_step_everywhere_and_changes_nothing(window, qtbot):
    c = trained(window)
    before, now = c.session.params.copy(), c.session.step_count
    version = c.session.version
    slider = bar(window)
    assert slider.value() == slider.maximum()  # the present
    drag_slider_to(slider, slider.maximum() // 4, qtbot=qtbot)
    qtbot.wait(350)
    steps = c.session.timeline.steps
    step = c.scrub_step
    assert step is not None and 0 < step < now and step == steps[slider.value()]
    assert np.array_equal(c.shown.params, c.session.timeline.at(step)[1])
    assert not np.array_equal(c.shown.params, before)
    # the session is untouched: the present is still there
    assert np.array_equal(c.session.params, before) and c.session.step_count == now
    assert c.session.version == version
    assert not window.knob_panel.isEnabled()
    assert window.scrub_bar.line.isVisible() and window.scrub_bar.line.step == step
    assert window.scrub_bar.step_label.text() == f"step {step:,}"
    assert window.audit() == []
    # the first step of all, and back to the present at the right end
    drag_slider_to(slider, 0, qtbot=qtbot)
    assert c.scrub_step == 0 and np.array_equal(c.shown.params, c.session.timeline.at(0)[1])
    qtbot.wait(350)
    assert window.audit() == []
    drag_slider_to(slider, slider.maximum(), qtbot=qtbot)
    qtbot.wait(350)
    assert c.scrub_step is None and c.shown is c.session and window.knob_panel.isEnabled()
    assert window.audit() == []


def test_continue_from_here_branches_and_undo_brings_the_run_back(window, qtbot):
    c = trained(window)
    before, now = c.session.params.copy(), c.session.step_count
    slider = bar(window)
    drag_slider_to(slider, slider.maximum() // 2, qtbot=qtbot)
    step = c.scrub_step
    theta = c.shown.params.copy()
    click(window.findChild(QPushButton, "continueFromHere"))
    qtbot.wait(350)
    assert c.scrub_step is None
    assert c.session.step_count == step and np.array_equal(c.session.params, theta)
    assert c.session.history.last()[0] == step and c.session.timeline.last_step == step
    assert window.knob_panel.isEnabled()
    assert window.audit() == []
    c.step_once()  # the branch trains on from there
    assert c.session.step_count == step + 1
    window.activateWindow()
    window.knob_panel.setFocus()
    key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the step is not undone...
    key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(350)
    # ...the branch is: the whole run is back
    assert c.session.step_count == now and np.array_equal(c.session.params, before)
    assert c.session.timeline.last_step == now
    assert window.audit() == []


def test_back_to_now_and_train_both_return_to_the_present(window, qtbot):
    c = trained(window)
    now = c.session.step_count
    slider = bar(window)
    drag_slider_to(slider, slider.maximum() // 3, qtbot=qtbot)
    assert c.scrub_step is not None
    click(window.findChild(QPushButton, "backToNow"))
    qtbot.wait(350)
    assert c.scrub_step is None and slider.value() == slider.maximum()
    assert window.audit() == []
    drag_slider_to(slider, slider.maximum() // 3, qtbot=qtbot)
    c.set_speed(5)  # 30 steps a second, in this thread
    with qtbot.waitSignal(c.messageRaised) as said:
        click(window.train_button)  # Train carries on from the present, not from the past
    assert f"Training goes on from now (step {now:,})" in said.args[0]
    qtbot.waitUntil(lambda: c.session.step_count > now, timeout=5000)
    assert c.scrub_step is None
    click(window.train_button)
    qtbot.wait(350)
    assert window.audit() == []


def test_a_hand_move_while_looking_back_is_refused_with_a_way_on(window, qtbot):
    c = trained(window)
    before = c.session.params.copy()
    slider = bar(window)
    drag_slider_to(slider, slider.maximum() // 3, qtbot=qtbot)
    knob = window.knob_panel.knobs[0].slider
    press(knob, point_for_value(knob, knob.maximum()))  # a disabled slider takes no hand
    release(knob, point_for_value(knob, knob.maximum()))
    with qtbot.waitSignal(c.messageRaised) as said:
        c.set_param(0, 1.5)  # the network view and the landscape come this way
    assert "Continue from here" in said.args[0]
    assert np.array_equal(c.session.params, before) and c.scrub_step is not None
    qtbot.wait(350)
    assert window.audit() == []


def test_replay_plays_the_run_to_the_end_and_esc_stops_it(window, qtbot, monkeypatch):
    # the Watch pace, sped up for the test: a replay of the run takes under a second
    real = pace.START_CHANGE, pace.MIN_STEPS
    monkeypatch.setattr(pace, "START_CHANGE", 0.05)
    monkeypatch.setattr(pace, "MIN_STEPS", 2.0)
    c = trained(window)
    replay = window.findChild(QPushButton, "replayRun")
    shown: list[int] = []
    c.scrubChanged.connect(lambda: shown.append(c.scrub_step))
    click(replay)
    assert window.scrub_bar.replaying and replay.text() == "Stop"
    qtbot.waitUntil(lambda: not window.scrub_bar.replaying, timeout=5000)
    visited = [s for s in shown if s is not None]
    assert visited[0] == 0 and len(visited) > 10 and visited == sorted(visited)
    assert c.scrub_step is None and replay.text() == "Replay"  # it ends at the present
    qtbot.wait(350)
    assert window.audit() == []
    pace.START_CHANGE, pace.MIN_STEPS = real  # the real pace: seconds
    click(replay)
    qtbot.wait(200)
    key(Qt.Key.Key_Escape)
    assert not window.scrub_bar.replaying
    step = c.scrub_step
    assert step is not None and 0 < step < c.session.step_count  # stopped where it stood
    qtbot.wait(350)
    assert c.scrub_step == step and window.audit() == []


def test_a_run_trained_in_the_training_process_can_be_scrubbed_from_its_first_step(window, qtbot):
    c = window.controller
    if not c.use_process:
        pytest.skip("training in a second process is turned off")
    c.prewarm()
    qtbot.waitUntil(lambda: c.process_ready, timeout=30_000)
    assert c.speed is None  # Max
    click(window.train_button)
    qtbot.waitUntil(lambda: c.trains_in_process and c.session.step_count > 5_000, timeout=10_000)
    click(window.train_button)
    qtbot.wait(350)
    steps = c.session.timeline.steps
    assert steps[:50].tolist() == list(range(50)) and steps[-1] == c.session.step_count
    slider = bar(window)
    drag_slider_to(slider, 3, qtbot=qtbot)
    assert c.scrub_step == steps[slider.value()] < 50
    qtbot.wait(350)
    assert window.audit() == []


@pytest.mark.parametrize(
    ("model", "dataset"),
    [("poly", "sine"), ("logistic", "blobs"), ("mlp", "moons"), ("nextword", "rhymes")],
)
def test_every_model_shows_the_step_looked_back_at_in_every_view(
    open_window, qtbot, model, dataset
):
    from knobsim.core.data.catalog import session_for

    window = open_window(session_for(model, dataset))
    c = window.controller
    c.step_many(300)
    qtbot.wait(350)
    slider = bar(window)
    drag_slider_to(slider, slider.maximum() // 5, qtbot=qtbot)
    qtbot.wait(350)
    assert c.scrub_step is not None
    assert window.audit() == []
    # and a point added to the data by hand returns to the present, with the new data
    if model != "nextword":
        c.apply_data(c.session.dataset)
        assert c.scrub_step is None


def test_looking_back_leaves_a_saved_session_saved(window, qtbot, tmp_path, monkeypatch):
    from knobsim.ui.window.autosave import Autosave

    c, f = trained(window), window.files
    auto = Autosave(c, tmp_path / "auto")
    monkeypatch.setattr(f, "ask_save_path", lambda *a: str(tmp_path / "run"))
    assert f.save() and not f.dirty
    auto.save_now()
    qtbot.waitUntil(lambda: not auto.pending)
    slider = bar(window)
    drag_slider_to(slider, slider.maximum() // 2, qtbot=qtbot)
    click(window.findChild(QPushButton, "backToNow"))
    assert not f.dirty and "*" not in window.windowTitle()  # nothing changed
    assert not auto.pending
    drag_slider_to(slider, slider.maximum() // 2, qtbot=qtbot)
    click(window.findChild(QPushButton, "continueFromHere"))
    assert f.dirty and auto.pending  # a branch is a change


def test_looking_back_past_a_capacity_change_stops_at_it(open_window, qtbot):
    from knobsim.core.data.catalog import session_for

    window = open_window(session_for("poly", "sine"))
    c = window.controller
    c.step_many(20)
    c.set_capacity(5)  # a new model: its timeline starts at step 20
    c.step_many(20)
    c.scrub_to(3)  # before the change: the earliest step of this model's run
    assert c.scrub_step == 20 == c.session.timeline.start
    slider = bar(window)
    drag_slider_to(slider, 0, qtbot=qtbot)
    qtbot.wait(350)
    assert c.scrub_step == 20 and window.audit() == []


def test_the_scrub_bar_spans_the_loss_plot_at_a_laptop_size_with_the_lessons_open(
    open_window, qtbot
):
    """Every pixel of the bar is a stretch of the run: it takes the loss plot's width (it
    was squeezed to 40 px beside its label and a button, at 1280x800 with the dock open)."""
    win = open_window(size=(1280, 800))
    win.lessons.show_start_page()
    qtbot.wait(350)
    plot = win.loss_plot.width()
    assert bar(win).width() >= 0.8 * plot


@pytest.mark.parametrize("change", ["learning rate", "lock"])
def test_a_setting_changed_while_looking_back_brings_every_view_to_the_present(
    window, qtbot, change
):
    """Found by the monkey test: looking back, then dragging the learning rate, ended the
    look back but left the knobs, the fit and the read-out at the step looked back at."""
    c = trained(window)
    slider = bar(window)
    drag_slider_to(slider, 0, qtbot=qtbot)  # back to the first step
    qtbot.wait(350)
    assert c.scrub_step is not None
    if change == "learning rate":
        lr = window.lr_control.slider
        drag_slider_to(lr, lr.minimum() + (lr.maximum() - lr.minimum()) // 3, qtbot=qtbot)
    else:
        c.set_locked(0, True)  # (the knob panel is greyed while looking back)
    qtbot.wait(350)
    assert c.scrub_step is None
    assert window.audit() == []


def test_training_does_not_lay_the_window_out_again_every_frame(window, qtbot):
    # the step under the bar changes every frame while training; a QLabel's setText asks
    # every layout up to the window to measure again (the whole window, 60 times a second)
    from PySide6.QtCore import QEvent, QObject

    class Count(QObject):
        n = 0

        def eventFilter(self, obj, ev):  # noqa: N802 - Qt's name
            if ev.type() == QEvent.Type.LayoutRequest:
                Count.n += 1
            return False

    counter = Count()
    window.installEventFilter(counter)
    c = window.controller
    c.set_speed(300)
    c.set_stop_when_converged(False)
    c.set_training(True)
    qtbot.wait(150)
    Count.n = 0
    label = window.scrub_bar.step_label
    first = label.text()
    qtbot.wait(600)
    assert label.text() != first  # the step moved on, on screen
    assert Count.n <= 3, Count.n  # (was one a frame)
    c.set_training(False)
    qtbot.wait(350)
    assert label.text() == f"step {c.session.step_count:,}"
    assert window.audit() == []
