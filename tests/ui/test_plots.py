"""The live plots: what they draw is what the session holds, and they never throw."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QLabel, QWidget  # noqa: E402

from knobsim.core.data.corpus import builtin_corpus  # noqa: E402
from knobsim.core.data.datasets import make_dataset  # noqa: E402
from knobsim.core.models.landscape import grid_axes, loss_grid  # noqa: E402
from knobsim.core.models.machines import make_model  # noqa: E402
from knobsim.core.training.session import Session  # noqa: E402
from knobsim.ui.controller.session_controller import SessionController  # noqa: E402
from knobsim.ui.plots.fit_plot import FitPlot  # noqa: E402
from knobsim.ui.plots.landscape_plot import LandscapePlot  # noqa: E402
from knobsim.ui.plots.loss_plot import LossPlot  # noqa: E402
from knobsim.ui.window.audit import Views, audit_views  # noqa: E402


def make_controller(model: str, data: str, **kwargs) -> SessionController:
    dataset = make_dataset(data)
    return SessionController(Session(make_model(model, dataset, **kwargs), dataset))


def show(qtbot, widget, size=(520, 400)):
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def screen_is_true(qtbot, controller: SessionController, **views) -> None:
    """Let deferred redraws run, then audit the given plots against the session."""
    qtbot.wait(350)
    assert audit_views(controller, Views(**views)) == []


# -- FitPlot -----------------------------------------------------------------------------


def test_fit_plot_regression_curve_follows_the_knob(qtbot):
    controller = make_controller("line", "linear")
    plot = show(qtbot, FitPlot(controller))
    assert plot.objectName() == "fit_plot"
    controller.set_param("w", 1.7)
    x, y = plot.curve.getData()
    assert x.shape == (FitPlot.GRID_POINTS,)
    model, theta = controller.session.model, controller.session.params
    assert theta[0] == 1.7
    np.testing.assert_allclose(y, model.predict(theta, x[:, None]))
    d = controller.session.dataset
    tx, ty = plot.train_scatter.getData()
    np.testing.assert_array_equal(tx, d.X_train[:, 0])
    np.testing.assert_array_equal(ty, d.y_train)
    assert len(plot.test_scatter.getData()[0]) == d.n_test
    # the curve spans the data
    assert x[0] < d.X_train[:, 0].min() and x[-1] > d.X_train[:, 0].max()
    screen_is_true(qtbot, controller, fit_plot=plot)


def test_fit_plot_mlp_regression(qtbot):
    controller = make_controller("mlp", "sine", hidden=(16,))
    plot = show(qtbot, FitPlot(controller))
    controller.step_once()
    x, y = plot.curve.getData()
    s = controller.session
    np.testing.assert_allclose(y, s.model.predict(s.params, x[:, None]))
    screen_is_true(qtbot, controller, fit_plot=plot)


def test_fit_plot_weights_only_update_the_curve(qtbot, monkeypatch):
    controller = make_controller("poly", "sine", degree=9)
    plot = show(qtbot, FitPlot(controller))
    rebuilds = []
    monkeypatch.setattr(plot, "_rebuild", lambda: rebuilds.append(1))
    before = plot.plot_item.viewRange()
    items = list(plot.plot_item.items)
    controller.set_param("c3", 0.1)
    controller.step_once()
    assert plot.plot_item.viewRange() == before  # a curve near the data moves no axis
    controller.set_param("c3", 3.0)  # one that leaves the data grows the y range only
    assert plot.plot_item.viewRange()[0] == before[0]
    assert plot.plot_item.items == items and not rebuilds
    screen_is_true(qtbot, controller, fit_plot=plot)


@pytest.mark.parametrize(
    ("model", "data", "kwargs"),
    [
        ("logistic", "blobs", {}),
        ("mlp", "circles", {"hidden": (4, 2)}),
    ],
)
def test_fit_plot_classification_heatmap_and_boundary(qtbot, model, data, kwargs):
    controller = make_controller(model, data, **kwargs)
    plot = show(qtbot, FitPlot(controller))
    for _ in range(30):
        controller.step_once()
    image = plot.heatmap.image
    n = FitPlot.HEATMAP_SIZE
    assert image.shape == (n, n)
    assert image.dtype == np.float32
    assert image.min() >= 0.0 and image.max() <= 1.0
    assert plot.heatmap.isVisible() and not plot.curve.isVisible()

    # pixel (r, c) shows P(class 1) at its centre: rows go up x2, columns along x1
    s = controller.session
    rect = plot.heatmap.mapRectToParent(plot.heatmap.boundingRect())
    r, c = 17, 71
    centre = np.array(
        [[rect.x() + (c + 0.5) * rect.width() / n, rect.y() + (r + 0.5) * rect.height() / n]]
    )
    assert image[r, c] == pytest.approx(s.model.predict(s.params, centre)[0], abs=1e-6)

    # the boundary sits where the model says 0.5
    bx, by = plot.boundary.getData()
    assert bx is not None and len(bx) > 10
    p = s.model.predict(s.params, np.column_stack([bx, by]))
    assert np.all(np.abs(p - 0.5) < 0.05)

    d = s.dataset
    assert len(plot.train_scatter.getData()[0]) == d.n_train
    assert len(plot.test_scatter.getData()[0]) == d.n_test
    screen_is_true(qtbot, controller, fit_plot=plot)


def test_fit_plot_nextword_table(qtbot):
    dataset = builtin_corpus("rhymes").to_dataset()
    session = Session(make_model("nextword", dataset), dataset)
    controller = SessionController(session)
    plot = show(qtbot, FitPlot(controller))
    controller.step_once()
    model = session.model
    table = plot.table_image.image
    assert table.shape == (model.n_rows, model.V)
    np.testing.assert_allclose(table, model.probabilities(session.params), atol=1e-6)
    np.testing.assert_allclose(table.sum(axis=1), 1.0, atol=1e-5)
    ticks = plot.plot_item.getAxis("bottom")._tickLevels[0]
    assert [word for _, word in ticks] == list(model.vocab)
    assert not plot.curve.isVisible() and not plot.heatmap.isVisible()
    screen_is_true(qtbot, controller, fit_plot=plot)


def test_fit_plot_switches_task_on_a_new_session(qtbot):
    controller = make_controller("line", "linear")
    plot = show(qtbot, FitPlot(controller))
    dataset = make_dataset("xor")
    controller.replace_session(Session(make_model("logistic", dataset), dataset))
    assert plot.heatmap.isVisible() and not plot.curve.isVisible()
    assert len(plot.train_scatter.getData()[0]) == dataset.n_train
    screen_is_true(qtbot, controller, fit_plot=plot)


# -- LossPlot ------------------------------------------------------------------------------


def test_loss_plot_shows_the_history(qtbot):
    controller = make_controller("line", "linear")
    plot = show(qtbot, LossPlot(controller))
    assert plot.objectName() == "loss_plot"
    for _ in range(3):
        controller.step_once()
    h = controller.session.history
    np.testing.assert_array_equal(plot.train_curve.xData, h.steps)
    np.testing.assert_array_equal(plot.train_curve.yData, h.train)
    np.testing.assert_array_equal(plot.test_curve.yData, h.test)
    # log scale is on by default: the drawn data is log10 of the error
    assert plot.log_scale.isChecked()
    np.testing.assert_allclose(plot.train_curve.getData()[1], np.log10(h.train))
    # the plot holds copies: the history rewriting its buffers cannot change the curve
    assert not np.shares_memory(plot.train_curve.yData, h.train)
    screen_is_true(qtbot, controller, loss_plot=plot)


def test_loss_plot_log_toggle(qtbot):
    controller = make_controller("line", "linear")
    plot = show(qtbot, LossPlot(controller))
    controller.step_once()
    toggle = plot.findChild(type(plot.log_scale), "loss_log_scale")
    assert toggle is plot.log_scale
    toggle.setChecked(False)
    assert not plot.plot_item.getAxis("left").logMode
    np.testing.assert_allclose(plot.train_curve.getData()[1], controller.session.history.train)
    toggle.setChecked(True)
    assert plot.plot_item.getAxis("left").logMode
    screen_is_true(qtbot, controller, loss_plot=plot)


def test_loss_plot_marks_hand_moves(qtbot):
    controller = make_controller("line", "linear")
    plot = show(qtbot, LossPlot(controller))
    controller.step_once()
    controller.step_once()
    assert plot.marks.xData is None or len(plot.marks.xData) == 0
    controller.set_param("w", 1.0)
    s = controller.session
    assert len(plot.marks.xData) == 1
    assert plot.marks.xData[0] == s.step_count
    assert plot.marks.yData[0] == pytest.approx(s.train_loss)
    screen_is_true(qtbot, controller, loss_plot=plot)


def test_loss_plot_follows_the_run_until_the_view_is_moved_by_hand(qtbot):
    controller = make_controller("line", "linear")
    plot = show(qtbot, LossPlot(controller))
    for _ in range(30):
        controller.step_once()
    (x0, x1), (y0, y1) = plot.plot_item.viewRange()
    h = controller.session.history
    assert x0 <= 0 and x1 >= h.steps[-1]
    assert y0 <= np.log10(h.train.min()) and y1 >= np.log10(h.test.max())
    plot.plot_item.getViewBox().sigRangeChangedManually.emit([True, True])  # a hand zoom
    plot.plot_item.setXRange(0, 5, padding=0)
    controller.historyChanged.emit()
    assert plot.plot_item.viewRange()[0] == [0, 5]  # holds while the run stands still...
    for _ in range(30):
        controller.step_once()
    assert plot.plot_item.viewRange()[0][1] >= 60  # ...and follows it again when it moves on
    plot.plot_item.getViewBox().sigRangeChangedManually.emit([True, True])
    plot.plot_item.setXRange(0, 5, padding=0)
    plot.plot_item.autoBtn.clicked.emit(plot.plot_item.autoBtn)  # the "A" button
    assert plot.plot_item.viewRange()[0][1] >= controller.session.history.steps[-1]
    screen_is_true(qtbot, controller, loss_plot=plot)


def test_loss_plot_keeps_every_point_and_frames_the_ones_its_axis_can_show(qtbot):
    """Errors of zero, below zero, infinite and NaN: the curves keep every point (a gap
    where there is no value), and the axes frame the errors the scale can place: the
    positive finite ones on the log axis, every finite one on the linear axis."""
    controller = make_controller("line", "linear")
    plot = show(qtbot, LossPlot(controller))
    h = controller.session.history
    start = {"train": float(h.train[0]), "test": float(h.test[0])}
    values = [1.0, 0.0, -1.0, np.inf, np.nan, 0.5]
    for k, v in enumerate(values):
        h.append(k + 1, v, v)
    for log in (True, False):
        plot.log_scale.setChecked(log)
        controller.historyChanged.emit()
        plot.plot_widget.grab()
        for which, curve in (("train", plot.train_curve), ("test", plot.test_curve)):
            np.testing.assert_array_equal(curve.xData, np.arange(len(values) + 1))
            np.testing.assert_array_equal(curve.yData, [start[which], *values])
        (x0, x1), (y0, y1) = plot.plot_item.viewRange()
        assert np.all(np.isfinite([x0, x1, y0, y1])), (log, x0, x1, y0, y1)
        assert x0 <= 0 and x1 >= len(values)
        framed = [*start.values(), 1.0, 0.5] if log else [*start.values(), 1.0, 0.0, -1.0, 0.5]
        framed = np.log10(framed) if log else np.array(framed)
        assert y0 <= framed.min() and y1 >= framed.max(), (log, y0, y1)


# -- LandscapePlot ---------------------------------------------------------------------------


def landscape_for(qtbot, model="poly", data="cubic", **kwargs):
    controller = make_controller(model, data, **kwargs)
    plot = show(qtbot, LandscapePlot(controller))
    plot.compute_now()
    return controller, plot


def expected_grid(controller, plot):
    s = controller.session
    i, j = plot.pair
    a, b = grid_axes(s.model, i, j, plot.GRID_N)
    d = s.dataset
    return np.log10(loss_grid(s.model, s.params, i, j, d.X_train, d.y_train, a, b))


def test_landscape_image_is_log_loss_over_the_pair(qtbot):
    controller, plot = landscape_for(qtbot, "line", "linear")
    assert plot.objectName() == "landscape_plot"
    assert plot.pair == (0, 1)
    assert not plot.is_stale
    np.testing.assert_allclose(plot.grid, expected_grid(controller, plot))
    np.testing.assert_allclose(plot.image.image, plot.grid, rtol=1e-5)
    s = controller.session
    mx, my = plot.marker.getData()
    assert (mx[0], my[0]) == (s.params[0], s.params[1])


def test_landscape_moving_one_of_the_pair_only_moves_the_marker(qtbot):
    controller, plot = landscape_for(qtbot)
    i, j = plot.pair
    count = plot.compute_count
    grid = plot.grid
    value = 0.5 * controller.session.model.param_range(i)[1]  # inside its range
    controller.set_param(i, value)
    assert not plot.is_stale
    qtbot.wait(50)  # let any (wrongly) scheduled work run
    assert plot.compute_count == count and plot.grid is grid
    mx, my = plot.marker.getData()
    assert (mx[0], my[0]) == (value, controller.session.params[j])
    screen_is_true(qtbot, controller, landscape_plot=plot)


def test_landscape_follows_a_hand_coarse_at_once_then_in_full(qtbot):
    controller, plot = landscape_for(qtbot)
    count = plot.compute_count
    third = next(k for k in range(controller.session.n_params) if k not in plot.pair)
    controller.set_param(third, 2.5)
    # cheap here: the coarse grid (every other row and column) shows the new weights at once
    assert plot.is_coarse and not plot.is_stale and not plot.is_settled
    assert plot.compute_count == count + 1
    full = expected_grid(controller, plot)
    np.testing.assert_allclose(plot.grid[::2, ::2], full[::2, ::2])
    # when the hand rests, the full grid follows
    qtbot.waitUntil(lambda: plot.is_settled, timeout=2000)
    assert plot.compute_count == count + 2
    np.testing.assert_allclose(plot.grid, full)
    screen_is_true(qtbot, controller, landscape_plot=plot)


def test_landscape_recomputes_progressively_where_a_coarse_grid_is_dear(qtbot):
    controller, plot = landscape_for(qtbot)
    plot.schedule.coarse_ms = {plot._key(): 1000.0}  # as if even the coarse grid took a second
    count = plot.compute_count
    third = next(k for k in range(controller.session.n_params) if k not in plot.pair)
    controller.set_param(third, 2.5)
    assert plot.is_stale and not plot.is_coarse
    qtbot.waitUntil(lambda: not plot.is_stale, timeout=2000)
    assert plot.compute_count == count + 1 and plot.is_settled
    np.testing.assert_allclose(plot.grid, expected_grid(controller, plot))


def test_landscape_keeps_up_while_training(qtbot):
    # a grid that takes many event-loop turns, and weights that change every tick: the
    # throttled recomputation must still finish, again and again
    controller, plot = landscape_for(qtbot, "mlp", "circles", hidden=(4, 2))
    count = plot.compute_count
    controller.set_training(True)
    try:
        qtbot.waitUntil(lambda: plot.compute_count >= count + 2, timeout=4000)
    finally:
        controller.set_training(False)


def test_landscape_hidden_waits_until_shown(qtbot):
    controller, plot = landscape_for(qtbot)
    plot.hide()
    count = plot.compute_count
    third = next(k for k in range(controller.session.n_params) if k not in plot.pair)
    controller.set_param(third, -2.0)
    qtbot.wait(30)
    assert plot.is_stale and plot.compute_count == count
    plot.show()
    qtbot.waitUntil(lambda: plot.is_settled, timeout=2000)
    np.testing.assert_allclose(plot.grid, expected_grid(controller, plot))


def test_landscape_combo_picks_the_pair_and_labels_the_axes(qtbot):
    controller, plot = landscape_for(qtbot)
    names = controller.session.param_names
    combo_x = plot.findChild(type(plot.x_combo), "landscape_x")
    combo_y = plot.findChild(type(plot.y_combo), "landscape_y")
    assert [combo_x.itemText(k) for k in range(combo_x.count())] == names
    combo_x.setCurrentIndex(3)
    assert plot.pair[0] == 3
    assert plot.plot_item.getAxis("bottom").labelText == names[3]
    assert plot.plot_item.getAxis("left").labelText == names[plot.pair[1]]
    # the same knob twice is not a landscape: the other combo takes the old knob
    old = plot.pair
    combo_y.setCurrentIndex(old[0])
    assert plot.pair == (old[1], old[0])
    assert combo_x.currentIndex() == old[1]
    plot.compute_now()
    np.testing.assert_allclose(plot.grid, expected_grid(controller, plot))
    screen_is_true(qtbot, controller, landscape_plot=plot)


def viewport_pos(plot, a, b) -> QPoint:
    scene = plot.view.mapViewToScene(QPointF(a, b))
    return plot.plot_widget.mapFromScene(scene)


def test_landscape_click_sets_both_knobs(qtbot):
    controller, plot = landscape_for(qtbot, "line", "linear")
    i, j = plot.pair
    lo_hi = controller.session.model.param_ranges()
    a = lo_hi[i, 0] + 0.3 * (lo_hi[i, 1] - lo_hi[i, 0])
    b = lo_hi[j, 0] + 0.8 * (lo_hi[j, 1] - lo_hi[j, 0])
    range_before = plot.view.viewRange()
    qtbot.mouseClick(
        plot.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=viewport_pos(plot, a, b)
    )
    theta = controller.session.params
    pixel = (lo_hi[:, 1] - lo_hi[:, 0]) / 100  # the plot is a few hundred pixels across
    assert theta[i] == pytest.approx(a, abs=pixel[i])
    assert theta[j] == pytest.approx(b, abs=pixel[j])
    assert plot.view.viewRange() == range_before
    assert controller.undo_stack.count() == 1
    screen_is_true(qtbot, controller, landscape_plot=plot)


def test_landscape_drag_is_one_undo_step_and_does_not_pan(qtbot):
    controller, plot = landscape_for(qtbot, "line", "linear")
    i, j = plot.pair
    start = controller.session.params.copy()
    lo_hi = controller.session.model.param_ranges()
    path = [lo_hi[:, 0] + f * (lo_hi[:, 1] - lo_hi[:, 0]) for f in (0.2, 0.35, 0.5, 0.65, 0.7)]
    viewport = plot.plot_widget.viewport()
    range_before = plot.view.viewRange()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=viewport_pos(plot, *path[0]))
    for point in path[1:]:
        qtbot.wait(15)  # pyqtgraph drops moves closer together than its rate limit
        QTest.mouseMove(viewport, viewport_pos(plot, *point))
    qtbot.wait(15)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=viewport_pos(plot, *path[-1]))
    theta = controller.session.params
    pixel = (lo_hi[:, 1] - lo_hi[:, 0]) / 100
    assert theta[i] == pytest.approx(path[-1][0], abs=pixel[i])
    assert theta[j] == pytest.approx(path[-1][1], abs=pixel[j])
    assert plot.view.viewRange() == range_before
    assert controller.undo_stack.count() == 1
    controller.undo_stack.undo()
    np.testing.assert_array_equal(controller.session.params, start)
    screen_is_true(qtbot, controller, landscape_plot=plot)


def test_landscape_follows_a_new_model(qtbot):
    controller, plot = landscape_for(qtbot, "line", "linear")
    dataset = make_dataset("circles")
    controller.replace_session(Session(make_model("mlp", dataset, hidden=(4, 2)), dataset))
    names = controller.session.param_names
    assert plot.x_combo.count() == len(names)
    assert plot.plot_item.getAxis("bottom").labelText == names[plot.pair[0]]
    qtbot.waitUntil(lambda: plot.is_settled, timeout=2000)
    np.testing.assert_allclose(plot.grid, expected_grid(controller, plot))
    screen_is_true(qtbot, controller, landscape_plot=plot)


def test_landscape_single_knob_model_does_not_throw(qtbot):
    controller = make_controller("poly", "sine", degree=0)
    plot = show(qtbot, LandscapePlot(controller))
    plot.compute_now()
    controller.set_param("c0", 1.0)
    assert not plot.is_stale and not plot.x_combo.isEnabled()
    screen_is_true(qtbot, controller, landscape_plot=plot)


# -- all three --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "data", "kwargs"),
    [
        ("line", "linear", {}),
        ("poly", "sine", {"degree": 9}),
        ("logistic", "blobs", {}),
        ("mlp", "circles", {"hidden": (4, 2)}),
    ],
)
def test_huge_weights_do_not_throw(qtbot, model, data, kwargs):
    controller = make_controller(model, data, **kwargs)
    fit = show(qtbot, FitPlot(controller))
    loss = show(qtbot, LossPlot(controller))
    land = show(qtbot, LandscapePlot(controller))
    n = controller.session.n_params
    # the session's own loss overflows (its warning, not the plots'); the plots must cope
    with np.errstate(over="ignore", invalid="ignore"):
        controller.session.set_params(np.full(n, 1e300) * (-1.0) ** np.arange(n))
        controller.paramsChanged.emit()
        controller.historyChanged.emit()
        controller.set_params_at([0, 1], [-1e300, 1e300])  # the way a hand would
    land.compute_now()
    for widget in (fit, loss.plot_widget, land.plot_widget):
        widget.grab()
    if fit.task == "regression":
        y = fit.curve.getData()[1]
        assert np.all(np.isfinite(y) | np.isnan(y))
    else:
        assert np.all(np.isfinite(fit.heatmap.image))
    screen_is_true(qtbot, controller, fit_plot=fit, loss_plot=loss, landscape_plot=land)


def test_loss_plot_mark_stays_put_while_the_hand_keeps_turning(qtbot):
    controller = make_controller("line", "linear")
    plot = show(qtbot, LossPlot(controller))
    controller.step_once()
    controller.set_param("w", 1.0)
    first = controller.session.train_loss
    for v in (1.2, 1.4, 1.6):
        controller.set_param("w", v)
    assert len(plot.marks.xData) == 1
    assert plot.marks.yData[0] == pytest.approx(first)
    # the curve itself follows the hand: its last point is the error now
    assert plot.train_curve.yData[-1] == pytest.approx(controller.session.train_loss)
    screen_is_true(qtbot, controller, loss_plot=plot)


def test_log_axis_labels_decades_without_crowding(qtbot):
    controller = make_controller("line", "linear")
    plot = show(qtbot, LossPlot(controller), size=(520, 300))
    axis = plot.plot_item.getAxis("left")
    for size in (axis.height(), 60.0):
        major, minor = axis.tickValues(-3, 0, size)
        labels = axis.tickStrings(major[1], 1, major[0])
        assert {"0.001", "1"} <= set(labels) <= {f"{k * 10.0**e:g}" for e in (-3, -2, -1, 0)
                                                 for k in (1, 2, 5)}  # fmt: skip
        gap = np.diff(major[1]).min() * size / 3
        assert gap >= plot.fontMetrics().height()
        assert set(axis.tickStrings(minor[1], 1, minor[0])) == {""}
    major, _ = axis.tickValues(-1, 0, axis.height())  # one decade: 2 and 5 get numbers too
    assert {"0.1", "0.2", "0.5", "1"} <= set(axis.tickStrings(major[1], 1, major[0]))


def test_loss_plot_key_sits_under_the_plot(qtbot):
    controller = make_controller("line", "linear")
    plot = show(qtbot, LossPlot(controller))
    key = plot.findChild(QLabel, "loss_key")
    assert "train" in key.text() and "test" in key.text() and "hand" in key.text()
    assert plot.plot_item.legend is None  # nothing drawn over the curves


def test_landscape_refine_after_a_switch_to_one_knob_does_not_throw(open_window, qtbot):
    """Monkey seed 12: a hand moves a knob off the landscape's pair (a coarse grid, the
    full one due in REFINE_MS); before it comes, the model shrinks to a single knob. The
    refine timer then asked for a grid over knobs (0, 1) of a one-knob model."""
    from hands import drag_slider_to

    data = make_dataset("quadratic", n_points=40, seed=0)
    window = open_window(Session(make_model("poly", data, degree=2), data, seed=0))
    plot = window.landscape_plot
    qtbot.waitUntil(lambda: plot.is_settled, timeout=3000)
    off_pair = next(
        n for k, n in enumerate(window.controller.session.param_names) if k not in plot.pair
    )
    drag_slider_to(window.findChild(QWidget, f"slider:{off_pair}"), 0.5)
    assert plot.is_coarse  # the full grid is on its way
    degree = window.degree_spin
    QTest.mouseClick(degree, Qt.MouseButton.LeftButton)
    QTest.keyClick(degree, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(degree, "0")
    QTest.keyClick(degree, Qt.Key.Key_Return)
    assert window.controller.session.n_params == 1
    # the refine timer has fired (an error fails the test)
    qtbot.wait(plot.schedule.REFINE_MS + 200)
    assert not plot.is_coarse
    assert window.audit() == []


def test_a_knob_pushed_past_its_range_widens_the_map_with_it(qtbot):
    controller, plot = landscape_for(qtbot)
    i, j = plot.pair
    hi = controller.session.model.param_range(i)[1]
    controller.set_param(i, 2 * hi)  # past the end: its range widens, and the map's axis
    qtbot.waitUntil(lambda: plot.is_settled, timeout=3000)
    a, b = grid_axes(controller.session.model, i, j, plot.GRID_N)
    assert a[-1] >= 2 * hi and plot.view.viewRange()[0][1] >= a[-1]
    np.testing.assert_allclose(plot.grid, expected_grid(controller, plot))
    screen_is_true(qtbot, controller, landscape_plot=plot)
