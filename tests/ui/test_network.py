"""The network view: one wire per weight, one mark per bias, and every one of them a knob."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QHelpEvent, QMouseEvent, QWheelEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QHBoxLayout, QToolTip, QWidget  # noqa: E402

from knobsim.core.data.corpus import builtin_corpus  # noqa: E402
from knobsim.core.data.datasets import make_dataset  # noqa: E402
from knobsim.core.models.machines import make_model  # noqa: E402
from knobsim.core.training.optimizers import OptimizerConfig  # noqa: E402
from knobsim.core.training.session import Session  # noqa: E402
from knobsim.ui.controller.session_controller import SessionController  # noqa: E402
from knobsim.ui.knobs.panel import KnobPanel  # noqa: E402
from knobsim.ui.network.diagram import NetworkView, network_graph  # noqa: E402
from knobsim.ui.window.audit import Views, audit_views  # noqa: E402


def make_controller(model: str = "mlp", data: str = "circles", **kwargs) -> SessionController:
    dataset = make_dataset(data, seed=0)
    net = make_model(model, dataset, **kwargs)
    return SessionController(Session(net, dataset, optimizer=OptimizerConfig("adam", lr=0.05)))


def show_view(qtbot, controller, size=(360, 380)) -> NetworkView:
    """A network view alone in a window of ``size``."""
    view = NetworkView(controller)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return view


def show_with_panel(qtbot, controller) -> tuple[NetworkView, KnobPanel, QWidget]:
    """A network view beside its knob panel, in one active window (focus needs one).

    Returns the window too: the caller must hold it, or it goes with its children.
    """
    host = QWidget()
    qtbot.addWidget(host)
    panel = KnobPanel(controller)
    view = NetworkView(controller, knob_panel=panel)
    row = QHBoxLayout(host)
    row.addWidget(view, 1)
    row.addWidget(panel, 1)
    host.resize(760, 420)
    host.show()
    qtbot.waitExposed(host)
    with qtbot.waitActive(host):
        host.activateWindow()
    return view, panel, host


def viewport_pos(view: NetworkView, name: str) -> QPoint:
    pos = view.mapFromScene(view.item(name).midpoint())
    assert view.knob_at(pos) is view.item(name), f"{name} is not the item under its midpoint"
    return pos


def wheel(view: NetworkView, pos: QPoint, notches: int) -> None:
    event = QWheelEvent(
        QPointF(pos), QPointF(view.viewport().mapToGlobal(pos)), QPoint(0, 0),
        QPoint(0, 120 * notches), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(view.viewport(), event)


def mouse(
    view: NetworkView, kind: QEvent.Type, pos: QPoint, buttons, mods=Qt.KeyboardModifier.NoModifier
) -> None:
    global_pos = QPointF(view.viewport().mapToGlobal(pos))
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, QPointF(pos), global_pos, button, buttons, mods)
    QApplication.sendEvent(view.viewport(), event)


def focused_knob() -> str | None:
    widget = QApplication.focusWidget()
    while widget is not None:
        if widget.objectName().startswith("knob:"):
            return widget.objectName()[len("knob:") :]
        widget = widget.parentWidget()
    return None


def screen_is_true(qtbot, controller, view: NetworkView, panel: KnobPanel | None = None) -> None:
    """Let the throttled redraws run, then audit every wire (and knob) against the session."""
    qtbot.wait(350)
    assert audit_views(controller, Views(network_view=view, knob_panel=panel)) == []


# -- one wire per weight, one mark per bias ------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "data", "kwargs", "weights", "biases"),
    [
        ("line", "linear", {}, {"w"}, {"b"}),
        ("logistic", "blobs", {}, {"w1", "w2"}, {"b"}),
        ("mlp", "sine", {"hidden": (3,)}, None, None),
        ("mlp", "circles", {"hidden": (4, 2)}, None, None),
    ],
)
def test_one_wire_per_weight_and_one_mark_per_bias(qtbot, model, data, kwargs, weights, biases):
    controller = make_controller(model, data, **kwargs)
    view = show_view(qtbot, controller)
    names = controller.model.param_names
    if weights is None:  # an MLP: W<layer>[i,j] weights, b<layer>[j] biases
        weights = {n for n in names if n.startswith("W")}
        biases = {n for n in names if n.startswith("b")}
    assert set(view.wires) == weights
    assert set(view.bias_marks) == biases
    assert len(view.wires) + len(view.bias_marks) == controller.model.n_params
    for wire in view.wires.values():
        assert not wire.path().isEmpty()


def test_mlp_wires_join_the_units_their_weight_joins(qtbot):
    controller = make_controller("mlp", "circles", hidden=(4, 2))
    view = show_view(qtbot, controller)
    graph = network_graph(controller.model)
    assert [len(c) for c in graph.columns] == [2, 4, 2, 1]
    # W2[3,1]: from hidden unit 3 of layer 1 to unit 1 of layer 2
    wire = view.wires["W2[3,1]"]
    start, end = wire.path().pointAtPercent(0), wire.path().pointAtPercent(1)
    src, dst = view.thumbnails["h1[3]"], view.thumbnails["h2[1]"]
    assert src.sceneBoundingRect().right() == pytest.approx(start.x(), abs=1)
    assert src.sceneBoundingRect().center().y() == pytest.approx(start.y(), abs=1)
    assert dst.sceneBoundingRect().left() == pytest.approx(end.x(), abs=1)
    assert dst.sceneBoundingRect().center().y() == pytest.approx(end.y(), abs=1)
    # the bias mark b2[1] sits on unit 1 of layer 2
    mark = view.bias_marks["b2[1]"].sceneBoundingRect()
    assert mark.intersects(dst.sceneBoundingRect().adjusted(-mark.width() - 4, 0, 0, 0))


def test_polynomial_is_a_sum_of_wiggles_with_one_wire_per_coefficient(qtbot):
    controller = make_controller("poly", "sine", degree=4)
    view = show_view(qtbot, controller)
    assert set(view.wires) == {f"c{j}" for j in range(5)}
    assert view.bias_marks == {}
    assert {f"P{j}" for j in range(5)} <= set(view.thumbnails)


# -- the knob's value is the wire's look ---------------------------------------------------------
def test_turning_a_knob_sets_its_wire_thickness_and_colour(qtbot):
    controller = make_controller("mlp", "circles", hidden=(4, 2))
    view = show_view(qtbot, controller)
    wire = view.wires["W1[0,0]"]

    controller.set_param("W1[0,0]", 3.0)
    strong = wire.pen()
    controller.set_param("W1[0,0]", 1.0)
    weak = wire.pen()
    controller.set_param("W1[0,0]", -3.0)
    negative = wire.pen()

    assert weak.widthF() < strong.widthF()
    assert negative.widthF() == pytest.approx(strong.widthF())
    pos, neg = strong.color(), negative.color()
    assert pos.red() > pos.blue()  # positive: the palette's orange end
    assert neg.blue() > neg.red()  # negative: its blue end
    assert weak.color().alphaF() < strong.color().alphaF()
    screen_is_true(qtbot, controller, view)


def test_turning_a_bias_recolours_its_mark(qtbot):
    controller = make_controller("mlp", "circles", hidden=(4, 2))
    view = show_view(qtbot, controller)
    mark = view.bias_marks["b1[2]"]
    controller.set_param("b1[2]", 2.0)
    up = mark.brush().color()
    controller.set_param("b1[2]", -2.0)
    down = mark.brush().color()
    assert up.red() > up.blue() and down.blue() > down.red()
    screen_is_true(qtbot, controller, view)


def test_a_locked_knob_has_a_dashed_wire(qtbot):
    controller = make_controller("logistic", "blobs")
    view = show_view(qtbot, controller)
    assert view.wires["w2"].pen().style() == Qt.PenStyle.SolidLine
    controller.set_locked(1, True)
    assert view.wires["w2"].pen().style() == Qt.PenStyle.DashLine
    assert "locked" in view.describe("w2")
    screen_is_true(qtbot, controller, view)


def test_hovering_a_wire_describes_its_knob(qtbot):
    controller = make_controller("line", "linear")
    view = show_view(qtbot, controller)
    controller.set_param("w", 0.5)
    pos = viewport_pos(view, "w")
    help_event = QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), help_event)
    text = QToolTip.text()
    assert text.startswith("w = +0.500")
    assert "slope" in text
    QToolTip.hideText()


# -- the wires are knobs --------------------------------------------------------------------------
def test_clicking_a_wire_focuses_its_knob(qtbot):
    controller = make_controller("mlp", "circles", hidden=(4, 2))
    view, panel, _host = show_with_panel(qtbot, controller)
    for name in ("W1[0,0]", "b2[1]", "W3[1,0]"):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=viewport_pos(view, name))
        assert focused_knob() == name
        assert view.highlighted == name
    screen_is_true(qtbot, controller, view, panel)


def test_focusing_a_knob_highlights_its_wire(qtbot):
    controller = make_controller("mlp", "circles", hidden=(4, 2))
    view, panel, _host = show_with_panel(qtbot, controller)
    assert view.highlighted is None
    panel.knob("W2[1,0]").slider.setFocus()
    qtbot.waitUntil(lambda: view.highlighted == "W2[1,0]", timeout=1000)
    assert view.halo.isVisible()
    assert view.halo.path().boundingRect() == view.wires["W2[1,0]"].path().boundingRect()
    panel.knob("b1[3]").editor.setFocus()  # the read-out is part of the knob too
    qtbot.waitUntil(lambda: view.highlighted == "b1[3]", timeout=1000)
    assert view.halo.sceneBoundingRect().contains(view.bias_marks["b1[3]"].sceneBoundingRect())


def test_a_wheel_step_on_a_wire_turns_that_weight(qtbot):
    controller = make_controller("mlp", "circles", hidden=(4, 2))
    view = show_view(qtbot, controller)
    i = controller.model.param_index("W1[0,0]")
    before = controller.params.copy()
    lo, hi = controller.model.param_ranges()[i]

    wheel(view, viewport_pos(view, "W1[0,0]"), +1)

    after = controller.params
    assert after[i] == pytest.approx(before[i] + (hi - lo) / 100)
    others = np.arange(len(before)) != i
    assert np.array_equal(after[others], before[others])
    controller.undo_stack.undo()  # the hand path: one undoable move
    assert controller.params[i] == before[i]
    screen_is_true(qtbot, controller, view)


def test_dragging_a_wire_up_turns_it_up(qtbot):
    controller = make_controller("logistic", "blobs")
    view = show_view(qtbot, controller)
    start = controller.session.value("w1")
    pos = viewport_pos(view, "w1")
    left = Qt.MouseButton.LeftButton
    mouse(view, QEvent.Type.MouseButtonPress, pos, left)
    mouse(view, QEvent.Type.MouseMove, pos + QPoint(0, -30), left)
    mouse(view, QEvent.Type.MouseButtonRelease, pos + QPoint(0, -30), Qt.MouseButton.NoButton)
    assert controller.session.value("w1") > start
    assert controller.session.value("w2") == pytest.approx(controller.params[1])
    screen_is_true(qtbot, controller, view)


def test_a_wire_held_by_the_mouse_is_left_alone_by_steps_until_let_go(qtbot):
    controller = make_controller("logistic", "blobs")
    view = show_view(qtbot, controller)
    pos = viewport_pos(view, "w1")
    left = Qt.MouseButton.LeftButton
    mouse(view, QEvent.Type.MouseButtonPress, pos, left)
    mouse(view, QEvent.Type.MouseMove, pos + QPoint(0, -30), left)
    held = controller.session.value("w1")
    controller.step_many(20)  # training while the hand holds the wire
    assert controller.session.value("w1") == held
    mouse(view, QEvent.Type.MouseButtonRelease, pos + QPoint(0, -30), Qt.MouseButton.NoButton)
    controller.step_many(20)  # let go: training takes it from there
    assert controller.session.value("w1") != held
    screen_is_true(qtbot, controller, view)


def test_a_wheel_away_from_any_wire_turns_nothing(qtbot):
    controller = make_controller("line", "linear")
    view = show_view(qtbot, controller)
    before = controller.params.copy()
    wheel(view, QPoint(2, 2), +1)
    assert np.array_equal(controller.params, before)


# -- thumbnails ---------------------------------------------------------------------------------
def test_thumbnails_change_after_a_step(qtbot):
    controller = make_controller("mlp", "circles", hidden=(4, 2))
    view = show_view(qtbot, controller)
    units = [k for k in view.thumbnails if k.startswith("h") or k == "out"]
    assert len(units) == 4 + 2 + 1
    before = {k: view.thumbnails[k].image.copy() for k in units}
    controller.step_once()
    qtbot.waitUntil(
        lambda: all(not np.array_equal(view.thumbnails[k].image, before[k]) for k in units),
        timeout=1000,
    )
    # what they show is what the model computes
    model, theta = controller.model, controller.params
    side = view.thumbnails["out"].image.shape[0]
    out = model.hidden_outputs(theta, view._grid)[-1].reshape(side, side)
    assert np.allclose(view.thumbnails["out"].image, out)
    screen_is_true(qtbot, controller, view)


def test_regression_thumbnails_are_curves_that_follow_the_knobs(qtbot):
    controller = make_controller("mlp", "sine", hidden=(3,))
    view = show_view(qtbot, controller)
    thumb = view.thumbnails["h1[0]"]
    x, y = thumb.curve
    assert thumb.image is None and len(x) == len(y) > 10
    controller.set_param("W1[0,0]", -controller.params[0] - 1.0)
    qtbot.waitUntil(lambda: not np.array_equal(view.thumbnails["h1[0]"].curve[1], y), timeout=1000)


# -- next word: a grid of knobs -----------------------------------------------------------------
def test_nextword_is_a_grid_of_knob_cells(qtbot):
    dataset = builtin_corpus("rhymes").to_dataset()
    controller = SessionController(Session(make_model("nextword", dataset), dataset))
    view = show_view(qtbot, controller)
    assert set(view.cells) == set(controller.model.param_names)
    assert view.wires == {} and view.bias_marks == {}
    name = controller.model.param_names[5]
    controller.set_param(name, 5.0)
    hot = view.cells[name].brush().color()
    assert hot.red() > hot.blue()
    before = controller.session.value(name)
    wheel(view, viewport_pos(view, name), -2)
    assert controller.session.value(name) < before
    screen_is_true(qtbot, controller, view)


# -- a new model, a new drawing -----------------------------------------------------------------
def test_a_new_model_rebuilds_the_wires(qtbot):
    controller = make_controller("mlp", "circles", hidden=(4, 2))
    view = show_view(qtbot, controller)
    old = view.wires["W1[0,0]"]
    dataset = make_dataset("circles", seed=0)
    controller.replace_session(Session(make_model("logistic", dataset), dataset))
    assert set(view.wires) == {"w1", "w2"}
    assert old.scene() is None
    controller.set_param("w1", 4.0)
    assert view.wires["w1"].pen().color().red() > view.wires["w1"].pen().color().blue()
    screen_is_true(qtbot, controller, view)


# -- in the window --------------------------------------------------------------------------------
def test_the_window_shows_the_network_and_remembers_its_split(qtbot, tmp_settings):
    from knobsim.app import create_window

    def open_window():
        data = make_dataset("circles", seed=0)
        win = create_window(Session(make_model("mlp", data, hidden=(4, 2)), data))
        qtbot.addWidget(win)
        win.resize(780, 700)  # inside the offscreen screen, so the geometry comes back as is
        win.show()
        qtbot.waitExposed(win)
        return win

    win = open_window()
    view = win.findChild(NetworkView, "network_view")
    assert view is not None and view.isVisible() and view.width() >= 150
    assert view.knob_panel is win.knob_panel
    assert len(view.wires) == 2 * 4 + 4 * 2 + 2 * 1
    total = sum(win.top.sizes())
    win.top.setSizes([0, total])  # the network as narrow as it goes (never to nothing)
    narrow = win.top.sizes()
    assert 150 <= narrow[0] < total // 2 + 20  # the network at (about) its narrowest
    win.close()  # saves the layout
    again = open_window()
    assert again.top.sizes() == narrow
    qtbot.wait(350)
    assert again.audit() == []  # the network collapsed away: the rest still tells the truth


def test_a_shift_wire_drag_turns_ten_times_finer(qtbot):
    controller = make_controller("logistic", "blobs")
    view = show_view(qtbot, controller)
    pos = viewport_pos(view, "w1")
    left, shift = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier
    turned = []
    for mods in (Qt.KeyboardModifier.NoModifier, shift):
        start = controller.session.value("w1")
        mouse(view, QEvent.Type.MouseButtonPress, pos, left, mods)
        mouse(view, QEvent.Type.MouseMove, pos + QPoint(0, -30), left, mods)
        mouse(view, QEvent.Type.MouseButtonRelease, pos + QPoint(0, -30), Qt.MouseButton.NoButton)
        turned.append(controller.session.value("w1") - start)
    assert turned[1] == pytest.approx(turned[0] / 10)
    screen_is_true(qtbot, controller, view)
