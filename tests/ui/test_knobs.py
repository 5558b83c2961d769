"""The knob panel: a hand on a knob moves the session's weight, and nothing echoes back."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QPointF, QSignalBlocker, Qt  # noqa: E402
from PySide6.QtGui import QWheelEvent  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QApplication,
    QLabel,
    QSlider,
    QStyle,
    QStyleOptionSlider,
)

from knobsim.core.data.corpus import builtin_corpus  # noqa: E402
from knobsim.core.data.datasets import make_dataset  # noqa: E402
from knobsim.core.models.machines import make_model  # noqa: E402
from knobsim.core.training.session import Session  # noqa: E402
from knobsim.ui.controller.session_controller import SessionController  # noqa: E402
from knobsim.ui.knobs.panel import Knob, KnobPanel, describe_param, param_groups  # noqa: E402
from knobsim.ui.window.audit import Views, audit_views  # noqa: E402


def make_controller(model: str = "line", data: str = "linear", **kwargs) -> SessionController:
    dataset = make_dataset(data, seed=0)
    return SessionController(Session(make_model(model, dataset, **kwargs), dataset))


def show_panel(qtbot, controller: SessionController, size=(480, 260)) -> KnobPanel:
    panel = KnobPanel(controller)
    qtbot.addWidget(panel)
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    with qtbot.waitActive(panel):  # keyboard focus needs an active window
        panel.activateWindow()
    return panel


def handle_center(slider) -> QPoint:
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    rect = slider.style().subControlRect(
        QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle, slider
    )
    return rect.center()


def best_line(session: Session) -> np.ndarray:
    d = session.dataset
    A = np.column_stack([d.X_train[:, 0], np.ones(d.n_train)])
    return np.linalg.lstsq(A, d.y_train, rcond=None)[0]


def screen_is_true(qtbot, controller: SessionController, panel: KnobPanel) -> None:
    """Let the throttled arrows catch up, then audit every knob against the session."""
    qtbot.wait(350)
    assert audit_views(controller, Views(knob_panel=panel)) == []


# -- one knob per parameter -----------------------------------------------------------------
def test_line_panel_has_a_knob_per_weight_showing_the_session(qtbot):
    controller = make_controller()
    panel = show_panel(qtbot, controller)
    session = controller.session

    assert panel.objectName() == "knob_panel"
    assert panel.findChild(QLabel, "knob_count").text() == "2 knobs"
    assert [k.name for k in panel.knobs] == ["w", "b"]
    ranges = session.model.param_ranges()
    for i, name in enumerate(["w", "b"]):
        knob = panel.findChild(Knob, f"knob:{name}")
        assert knob is panel.knob(name)
        assert knob.value() == session.params[i]
        assert knob.slider.value() == pytest.approx(session.params[i])
        assert (knob.slider.minimum(), knob.slider.maximum()) == tuple(ranges[i])
        assert knob.lock_button.objectName() == f"lock:{name}"
        assert knob.accessibleName() == f"knob {name}"
        assert float(knob.editor.text()) == pytest.approx(session.params[i], abs=1e-3)
    assert "the slope" in panel.knob("w").slider.toolTip()
    with pytest.raises(KeyError, match="no knob 'c0'"):
        panel.knob("c0")
    screen_is_true(qtbot, controller, panel)


def test_dragging_a_slider_turns_the_weight_and_changes_the_error(qtbot):
    controller = make_controller()
    panel = show_panel(qtbot, controller)
    session = controller.session
    slider = panel.knob("w").slider
    w0, loss0 = session.value("w"), session.train_loss
    w_max = session.model.param_ranges()[0, 1]

    start = handle_center(slider)
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=start)
    for x in range(start.x(), slider.width() - 2, 10):
        qtbot.mouseMove(slider, QPoint(x, start.y()))
    qtbot.mouseMove(slider, QPoint(slider.width() - 2, start.y()))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=QPoint(slider.width() - 2, start.y()))

    assert session.value("w") == pytest.approx(w_max)  # dragged to the right end
    # pushed against its end and let go: the range widens, the handle shows w inside it
    assert session.model.param_ranges()[0, 1] > w_max
    assert panel.knob("w").shown_range() == session.model.param_range(0)
    assert session.value("w") > w0
    assert session.train_loss != loss0
    assert panel.knob("w").value() == session.value("w")
    # one drag is one undo step, and undo puts the knob back
    assert controller.undo_stack.count() == 1
    controller.undo_stack.undo()
    assert session.value("w") == w0
    assert panel.knob("w").slider.value() == pytest.approx(w0)
    screen_is_true(qtbot, controller, panel)


def test_arrow_keys_turn_the_focused_knob_by_a_hundredth_of_its_range(qtbot):
    controller = make_controller()
    panel = show_panel(qtbot, controller)
    session = controller.session
    panel.focus_knob("b")
    slider = panel.knob("b").slider
    assert slider.hasFocus()
    lo, hi = session.model.param_ranges()[1]
    b0 = session.value("b")

    qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert session.value("b") == pytest.approx(b0 + (hi - lo) / 100)
    qtbot.keyClick(slider, Qt.Key.Key_PageDown)
    assert session.value("b") == pytest.approx(b0 + (hi - lo) / 100 - (hi - lo) / 10)
    qtbot.keyClick(slider, Qt.Key.Key_Home)
    assert session.value("b") == lo
    assert session.value("w") == panel.knob("w").value()  # the other knob is untouched
    screen_is_true(qtbot, controller, panel)


def test_typing_a_value_sets_the_weight_and_clamps_it_to_the_range(qtbot):
    controller = make_controller()
    panel = show_panel(qtbot, controller)
    session = controller.session
    editor = panel.knob("w").editor
    w_max = session.model.param_ranges()[0, 1]

    def type_into(text: str) -> None:
        editor.setFocus()
        editor.selectAll()
        qtbot.keyClicks(editor, text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)

    type_into("0.5")
    assert session.value("w") == 0.5
    assert panel.knob("w").slider.value() == pytest.approx(0.5)
    type_into(str(10 * w_max))
    assert session.value("w") == w_max
    assert float(editor.text()) == pytest.approx(w_max)
    type_into("-0,25")  # a decimal comma works too
    assert session.value("w") == -0.25
    type_into("twelve")
    assert session.value("w") == -0.25
    assert editor.text() == "-0.250"
    screen_is_true(qtbot, controller, panel)


def test_set_value_from_code_is_a_hand_move(qtbot):
    controller = make_controller()
    panel = show_panel(qtbot, controller)
    knob = panel.knob("b")
    with qtbot.waitSignal(knob.valueChanged) as blocker:
        knob.setValue(0.75)
    assert blocker.args == [0.75]
    assert controller.session.value("b") == 0.75
    assert controller.undo_stack.count() == 1


def test_the_session_moving_a_weight_updates_the_knob_without_echo(qtbot):
    controller = make_controller()
    panel = show_panel(qtbot, controller)
    session = controller.session
    knob = panel.knob("w")
    theta = np.array([0.123, -0.456])

    with qtbot.assertNotEmitted(knob.valueChanged), qtbot.assertNotEmitted(knob.lockToggled):
        session.set_params(theta)
        controller.paramsChanged.emit()
        controller.set_locked(0, True)
    assert knob.value() == 0.123
    assert knob.slider.value() == pytest.approx(0.123)
    assert knob.editor.text() == "0.123"
    assert knob.lock_button.isChecked()
    # nothing echoed back as a hand move; only the lock itself is an undo step
    assert [controller.undo_stack.text(i) for i in range(controller.undo_stack.count())] == [
        "lock w"
    ]
    np.testing.assert_array_equal(session.params, theta)

    # training turns the knobs the same way
    controller.set_locked(0, False)
    with qtbot.assertNotEmitted(knob.valueChanged):
        controller.step_once()
    assert knob.value() == session.value("w") != 0.123
    assert controller.undo_stack.count() == 2  # lock, unlock: training added no step
    screen_is_true(qtbot, controller, panel)


def test_a_knob_keeps_no_value_of_its_own(qtbot):
    controller = make_controller()
    panel = show_panel(qtbot, controller)
    session = controller.session
    knob = panel.knob("b")
    session.set_params([session.value("w"), 0.625], by_hand=False)  # no paramsChanged yet
    assert knob.value() == 0.625  # read from the session, painted or not
    assert not knob.shows_value()
    controller.paramsChanged.emit()
    assert knob.shows_value() and knob.editor.text() == "0.625"
    controller.set_locked(1, True)
    session.set_locked(1, False)  # behind the panel's back: the knob says what is true
    assert not knob.is_locked()
    findings = audit_views(controller, Views(knob_panel=panel))
    assert any("Knob b's lock shows locked" in f for f in findings)
    knob.refresh_lock()
    assert not knob.lock_button.isChecked()
    screen_is_true(qtbot, controller, panel)


def test_a_handle_moved_behind_the_slider_is_put_back_by_the_next_refresh(qtbot):
    controller = make_controller()
    panel = show_panel(qtbot, controller)
    slider = panel.knob("w").slider
    with QSignalBlocker(slider):
        QSlider.setValue(slider, 0)  # the tick moved, no hand, no signal
    assert slider.value() == slider.minimum()  # the float follows the tick it stands on
    assert audit_views(controller, Views(knob_panel=panel)) != []
    controller.paramsChanged.emit()  # any refresh compares with what the slider shows
    assert slider.value() == pytest.approx(controller.session.value("w"))
    screen_is_true(qtbot, controller, panel)


def test_a_weight_beyond_the_knob_range_widens_the_range_and_the_slider_shows_it(qtbot):
    controller = make_controller()
    panel = show_panel(qtbot, controller)
    knob = panel.knob("w")
    lo, hi = knob.range()
    controller.session.set_params([3 * hi, 0.0], by_hand=False)  # training carried it there
    controller.paramsChanged.emit()
    assert knob.range()[1] > 3 * hi and knob.shown_range() == knob.range()
    assert knob.slider.value() == knob.value() == 3 * hi
    assert knob.range_label.text() == f"−{knob.range()[1]:g} … {knob.range()[1]:g}"
    screen_is_true(qtbot, controller, panel)
    # the end of the new range is within reach of the hand
    end = knob.range()[1]
    knob.setValue(end)
    assert controller.session.value("w") == end
    screen_is_true(qtbot, controller, panel)


def test_a_held_knob_keeps_its_range_under_the_hand_until_it_lets_go(qtbot):
    controller = make_controller()
    panel = show_panel(qtbot, controller)
    knob = panel.knob("w")
    slider = knob.slider
    span = knob.range()
    end = QPoint(slider.width() - 2, handle_center(slider).y())
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=handle_center(slider))
    qtbot.mouseMove(slider, end)
    qtbot.wait(20)
    assert controller.session.value("w") == span[1]
    assert knob.range() == knob.shown_range() == span  # no jump under the hand
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=end)
    qtbot.wait(20)
    assert knob.range()[1] > span[1] and knob.shown_range() == knob.range()
    assert slider.value() == span[1]  # the value stays; its handle is inside now
    screen_is_true(qtbot, controller, panel)


def test_the_gradient_arrow_points_the_way_that_lowers_the_error(qtbot):
    controller = make_controller()
    panel = show_panel(qtbot, controller)
    session = controller.session
    w_best, b_best = best_line(session)
    w_max = session.model.param_ranges()[0, 1]
    assert w_max > w_best + 0.5

    controller.set_params_at([0, 1], [w_max, b_best])
    panel.update_gradients()
    arrow = panel.knob("w").grad_indicator
    assert arrow.objectName() == "grad:w"
    assert arrow.direction == -1  # w is too big: turn it left
    assert arrow.strength >= 0.75  # far off the fit: steep
    assert panel.knob("b").grad_indicator.strength < arrow.strength  # b is near its best
    assert arrow.describe().startswith("Turning w left lowers the error (slope of the error: ")
    assert arrow.slope > 0
    # and the arrow is right: a little to the left really is lower
    loss = session.train_loss
    session.set_param("w", w_max - 0.01)
    assert session.train_loss < loss

    # far below the best value: the arrow turns round (throttled, but it arrives)
    controller.set_params_at([0], [-w_max])
    qtbot.waitUntil(lambda: arrow.direction == +1, timeout=1000)
    assert "Turning w right lowers the error" in arrow.describe()
    screen_is_true(qtbot, controller, panel)


def test_lock_button_keeps_training_off_a_knob_but_not_a_hand(qtbot):
    controller = make_controller()
    panel = show_panel(qtbot, controller)
    session = controller.session
    button = panel.findChild(type(panel.knob("w").lock_button), "lock:w")

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert session.is_locked("w")
    assert panel.knob("w").is_locked()
    w, b = session.params
    controller.step_once()
    assert session.value("w") == w
    assert session.value("b") != b
    panel.knob("w").setValue(0.25)  # a locked knob still turns by hand
    assert session.value("w") == 0.25

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not session.is_locked("w")
    assert not button.isChecked()
    screen_is_true(qtbot, controller, panel)


def test_the_wheel_scrolls_past_an_unfocused_knob(qtbot):
    controller = make_controller()
    panel = show_panel(qtbot, controller)
    slider = panel.knob("w").slider
    w = controller.session.value("w")
    pos = QPointF(handle_center(slider))
    wheel = QWheelEvent(
        pos, QPointF(slider.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, -120),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
        False,
    )  # fmt: skip
    QApplication.sendEvent(slider, wheel)
    assert controller.session.value("w") == w
    slider.setFocus()
    QApplication.sendEvent(slider, wheel)
    assert controller.session.value("w") != w
    screen_is_true(qtbot, controller, panel)


# -- a new model, a new panel ------------------------------------------------------------------
def test_a_new_model_rebuilds_the_knobs_and_drops_the_old_bindings(qtbot):
    controller = make_controller()
    panel = show_panel(qtbot, controller)
    old_w = panel.knob("w")
    data = make_dataset("sine")
    poly = Session(make_model("poly", data, degree=5), data)

    controller.replace_session(poly)
    assert [k.name for k in panel.knobs] == [f"c{j}" for j in range(6)]
    assert panel.findChild(QLabel, "knob_count").text() == "6 knobs"
    assert panel.findChild(Knob, "knob:w") is None
    with pytest.raises(KeyError):
        panel.knob("w")
    # the old w knob is unbound: turning it must not reach c0 (index 0) of the new model
    c0 = poly.value("c0")
    old_w.setValue(old_w.range()[0])
    assert poly.value("c0") == c0
    panel.knob("c3").setValue(1.5)
    assert poly.value("c3") == 1.5
    assert "degree-3 wiggle P3(x)" in panel.knob("c3").hint
    screen_is_true(qtbot, controller, panel)


def test_a_big_network_groups_by_layer_and_paints_what_comes_into_view(qtbot):
    controller = make_controller("mlp", "sine", hidden=(16, 16))
    panel = show_panel(qtbot, controller, size=(480, 300))
    session = controller.session

    assert len(panel.knobs) == session.n_params == 321
    assert panel.findChild(QLabel, "knob_count").text() == "321 knobs"
    titles = [label.text() for label in panel.findChildren(QLabel) if
              label.objectName().startswith("knob_group:")]  # fmt: skip
    assert titles == [
        "Layer 1 weights", "Layer 1 biases", "Layer 2 weights", "Layer 2 biases",
        "Layer 3 weights (output)", "Layer 3 bias (output)",
    ]  # fmt: skip

    # training moves every knob; the one at the bottom is out of view and waits
    last = panel.knob("b3[0]")
    controller.step_once()
    assert last.value() == session.value("b3[0]")
    painted = last.slider.value()
    panel.focus_knob("b3[0]")
    assert panel.scroll.verticalScrollBar().value() > 0
    assert last.slider.hasFocus()
    assert last.slider.value() == pytest.approx(session.value("b3[0]"))
    assert painted != last.slider.value()  # it was stale until it came into view
    before = session.value("b3[0]")
    qtbot.keyClick(last.slider, Qt.Key.Key_Right)
    assert session.value("b3[0]") == pytest.approx(before + 0.1)  # 1/100 of -5..5
    screen_is_true(qtbot, controller, panel)


def test_knobs_a_wider_panel_brings_into_view_show_the_session(qtbot):
    dataset = builtin_corpus("rhymes").to_dataset()
    controller = SessionController(Session(make_model("nextword", dataset), dataset))
    panel = show_panel(qtbot, controller, size=(240, 300))  # the grid scrolls sideways
    assert panel.paints_in_view_only
    seen = panel.scroll.viewport().width()
    # a knob of the first row just right of the view: a panel 160 px wider shows it,
    # with the grid still wider than the view (so only the view grows, not the grid)
    last = next(k for k in panel.knobs if seen + 10 < k.x() < seen + 100)
    assert panel.scroll.widget().width() > seen + 200
    controller.step_once()  # every knob moves; the ones out of view wait
    assert not last.shows_value()
    panel.resize(400, 300)  # as a splitter dragged wider does
    qtbot.waitUntil(last.shows_value, timeout=1000)
    screen_is_true(qtbot, controller, panel)


def test_next_word_model_is_a_grid_of_small_knobs(qtbot):
    dataset = builtin_corpus("rhymes").to_dataset()
    session = Session(make_model("nextword", dataset), dataset)
    controller = SessionController(session)
    panel = show_panel(qtbot, controller, size=(640, 400))
    V = len(dataset.vocab)

    assert len(panel.knobs) == V * V
    knob = panel.knob("the→cat")
    assert knob.compact and knob.name_label is None
    assert knob.hint == "the→cat: how strongly 'cat' is predicted after 'the'"
    assert panel.findChild(QLabel, "knob_row:the") is not None
    assert panel.findChild(QLabel, "knob_col:cat") is not None
    # the grid puts a row's knobs side by side and its columns one above the other
    assert panel.knob("the→sat").x() > knob.x()
    assert panel.knob("cat→cat").y() > knob.y()
    panel.focus_knob("the→cat")
    qtbot.keyClick(knob.slider, Qt.Key.Key_Up)
    assert session.value("the→cat") == pytest.approx(knob.value())
    assert knob.grad_indicator.orientation == Qt.Orientation.Vertical
    screen_is_true(qtbot, controller, panel)


# -- the words on the knobs -----------------------------------------------------------------
def test_describe_param_says_what_each_knob_does():
    line_data, blobs = make_dataset("linear"), make_dataset("blobs")
    line = make_model("line", line_data)
    assert describe_param(line, 0) == "w: the slope — how much y rises per unit of x"
    assert describe_param(line, 1) == "b: the intercept — where the line crosses x = 0"
    poly = make_model("poly", line_data, degree=3)
    assert describe_param(poly, 3) == "c3: how much of the degree-3 wiggle P3(x) the curve holds"
    logistic = make_model("logistic", blobs)
    assert describe_param(logistic, 2).startswith("b: the bias")
    mlp = make_model("mlp", line_data, hidden=(8,))
    i = mlp.param_index("W1[0,2]")
    assert describe_param(mlp, i) == "W1[0,2]: weight from input 0 to hidden unit 2 of layer 1"
    assert describe_param(mlp, mlp.param_index("b1[2]")) == "b1[2]: bias of hidden unit 2"
    assert describe_param(mlp, mlp.param_index("W2[3,0]")).endswith(
        "from hidden unit 3 of layer 1 to the output"
    )
    deep = make_model("mlp", blobs, hidden=(4, 3))
    assert describe_param(deep, deep.param_index("b2[1]")) == (
        "b2[1]: bias of hidden unit 1 of layer 2"
    )
    groups = param_groups(deep)
    assert sum(len(idx) for _, idx in groups) == deep.n_params
    words = make_model("nextword", builtin_corpus("rhymes").to_dataset())
    assert describe_param(words, words.param_index(".→the")) == (
        ".→the: how strongly 'the' is predicted at the start of a sentence"
    )
    assert describe_param(words, words.param_index("mat→.")) == (
        "mat→.: how strongly the sentence is predicted to end after 'mat'"
    )
