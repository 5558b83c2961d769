"""The fit: the data and the model's output, redrawn on every change of the weights.

The numbers come from ``model.predict``; nothing here computes the model. Items are
created once and updated with ``setData`` / ``setImage``.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtWidgets import QWidget

from knobsim.core.data.datasets import DataError, with_point, without_point
from knobsim.core.models.isolines import isoline_segments
from knobsim.ui import theme
from knobsim.ui.controller.session_controller import SessionController
from knobsim.ui.plots.plot_items import (
    FastImage,
    Scatter,
    cache_pixels,
    outline_pen,
    place_image,
    plain_axes,
)

Array = NDArray[np.float64]

#: finite values further than this many view heights outside the view are clipped, so
#: Qt never strokes a path with coordinates near 1e300 (the visible part is unchanged)
_CLIP_SPANS = 1000.0


def _finite_or_nan(y: Array, lo: float, hi: float) -> Array:
    """Non-finite -> NaN (a gap in a ``connect="finite"`` curve); far-away values clipped."""
    y = np.array(y, dtype=np.float64)  # (n,), a copy the plot may keep
    bad = ~np.isfinite(y)
    if bad.any():
        y[bad] = np.nan
    span = max(hi - lo, 1e-12)
    np.clip(y, lo - _CLIP_SPANS * span, hi + _CLIP_SPANS * span, out=y)  # NaN stays NaN
    return y


def _padded(lo: float, hi: float, margin: float) -> tuple[float, float]:
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return -1.0, 1.0
    span = hi - lo
    if span <= 0:
        span = max(abs(lo), 1.0)
    return lo - margin * span, hi + margin * span


class _PointsViewBox(pg.ViewBox):
    """The fit plot's view box: the left button adds and drags points, the right button
    on a point removes it (elsewhere it opens pyqtgraph's menu, as before)."""

    owner: FitPlot

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph's name
        at = self.mapSceneToView(ev.scenePos())
        if ev.button() == Qt.MouseButton.LeftButton and self.owner.edits_points():
            ev.accept()
            self.owner.click_point(at, ev.modifiers())
        elif ev.button() == Qt.MouseButton.RightButton and self.owner.point_at(at) is not None:
            ev.accept()
            self.owner.remove_point(at)
        else:
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 - pyqtgraph's name
        if ev.button() != Qt.MouseButton.LeftButton or not self.owner.edits_points():
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        phase = "start" if ev.isStart() else "finish" if ev.isFinish() else "move"
        start = self.mapSceneToView(ev.buttonDownScenePos())
        self.owner.drag_point(start, self.mapSceneToView(ev.scenePos()), phase)


class FitPlot(pg.PlotWidget):
    """The data and the model's output, redrawn on every change of the weights.

    Regression: training points (filled), test points (hollow) and the prediction curve
    ``curve`` over ``GRID_POINTS`` x values. Classification: P(class 1) as ``heatmap``
    over a ``HEATMAP_SIZE`` square grid, the 0.5 ``boundary``, points coloured by class.
    Next word: the table P(next | context) as ``table_image``.

    Your own points: a click adds a training point (for classes, orange; with Shift,
    blue), a drag moves a point, a right-click on a point removes it; each is undoable
    and the model's error follows at once. While a point is dragged the view holds still.

    The regression view covers the data and the curve: it grows (in quarter steps of the
    data's height, so it moves rarely) to take in the curve up to ``BAND`` data heights
    beyond the data on each side; what lies further is cut off, so a wild curve does not
    squash the points. A curve wholly beyond that still shows its nearest part (up to
    ``FAR`` heights away): the model's output is never off the plot.
    """

    GRID_POINTS = 200
    BAND = 2.0
    FAR = 25.0
    HEATMAP_SIZE = 100
    MARGIN_X = 0.05
    MARGIN_Y = 0.15
    POINT_SIZE = 8
    #: a press this many pixels from a point takes the point
    PICK_PX = 9

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        theme.apply_pyqtgraph_theme()
        view = _PointsViewBox()
        super().__init__(parent=parent, viewBox=view)
        view.owner = self
        self.setObjectName("fit_plot")
        self.setToolTip(
            "Your own points: click to add one (for two classes: orange; Shift+click: "
            "blue), drag one to move it, right-click one to remove it. Ctrl+Z undoes."
        )
        self._controller = controller
        self._held: tuple[str, int, object] | None = None  # the point a drag holds
        self.plot_item: pg.PlotItem = self.getPlotItem()
        self.plot_item.disableAutoRange()
        self.plot_item.hideButtons()  # ranges are fixed per dataset...
        self.plot_item.setMouseEnabled(x=False, y=False)  # ...so no pan or zoom to undo
        plain_axes(self.plot_item)
        self.task = ""

        self.heatmap = FastImage(axisOrder="row-major")
        self.heatmap.setLookupTable(theme.probability_lut())
        self.heatmap.setLevels((0.0, 1.0))
        self.heatmap.setZValue(-20)
        self.table_image = FastImage(axisOrder="row-major")
        self.table_image.setLookupTable(theme.table_lut())
        self.table_image.setLevels((0.0, 1.0))
        self.table_image.setZValue(-20)
        # bare curve items: a hand move sets the curve or the boundary every frame, and a
        # PlotDataItem's setData costs five times a curve's (symbols, downsampling, logs)
        self.boundary = pg.PlotCurveItem(
            pen=pg.mkPen(theme.BOUNDARY_COLOR, width=1), connect="pairs", skipFiniteCheck=True
        )
        self.boundary.setZValue(-10)
        self.curve = pg.PlotCurveItem(
            pen=pg.mkPen(theme.CURVE_COLOR, width=1), connect="finite", skipFiniteCheck=True
        )
        # the guess of Predict: the ghost knobs' curve or boundary, dashed (hidden otherwise)
        self.ghost = pg.PlotCurveItem(
            pen=pg.mkPen(theme.GHOST_COLOR, width=2, style=Qt.PenStyle.DashLine),
            connect="finite",
            skipFiniteCheck=True,
        )
        self.ghost.setVisible(False)
        self._ghost_theta: Array | None = None
        self.train_scatter = Scatter(size=self.POINT_SIZE)
        self.test_scatter = Scatter(size=self.POINT_SIZE)
        for item in (
            self.heatmap,
            self.table_image,
            self.boundary,
            self.curve,
            self.ghost,
            self.train_scatter,
            self.test_scatter,
        ):
            self.plot_item.addItem(item)
        cache_pixels(self.train_scatter, self.test_scatter)

        self._x_grid: Array = np.zeros((0, 1))  # model inputs of the curve / heatmap
        self._xs: Array = np.zeros(0)  # heatmap column centres
        self._ys: Array = np.zeros(0)  # heatmap row centres
        self._y_view = (-1.0, 1.0)  # the y range shown
        self._y_data = (-1.0, 1.0)  # the data's y range, padded

        controller.modelChanged.connect(self._on_structure_changed)
        controller.dataChanged.connect(self._on_structure_changed)
        controller.paramsChanged.connect(self._on_params_changed)
        self._rebuild()

    # -- slots ---------------------------------------------------------------------------
    def changeEvent(self, ev: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(ev)
        curve = self.__dict__.get("curve")  # (a palette change comes while building too)
        if ev.type() == QEvent.Type.PaletteChange and curve is not None:
            curve.setPen(pg.mkPen(theme.CURVE_COLOR, width=1))  # light <-> dark (View › Theme)

    def _on_structure_changed(self) -> None:
        self._rebuild()

    def _on_params_changed(self) -> None:
        self.update_plot()

    # -- building (on a new model or new data) ------------------------------------------
    def _rebuild(self) -> None:
        session = self._controller.shown
        model, data = session.model, session.dataset
        self.task = model.task
        regression = self.task == "regression"
        classification = self.task == "classification"
        nextword = self.task == "nextword"
        self.curve.setVisible(regression)
        self.heatmap.setVisible(classification)
        self.boundary.setVisible(classification)
        self.table_image.setVisible(nextword)
        self.train_scatter.setVisible(not nextword)
        self.test_scatter.setVisible(not nextword)
        view = self.plot_item.getViewBox()
        view.invertY(nextword)
        for name in ("bottom", "left"):
            self.plot_item.getAxis(name).setTicks(None)
        if regression:
            self._build_regression(data)
        elif classification:
            self._build_classification(data)
        else:
            self._build_nextword(model)
        self.update_plot()
        self._draw_ghost()

    def _build_regression(self, data) -> None:
        x_all = np.concatenate([data.X_train[:, 0], data.X_test[:, 0]]).astype(np.float64)
        y_all = np.concatenate([data.y_train, data.y_test]).astype(np.float64)
        x0, x1 = _padded(np.nanmin(x_all), np.nanmax(x_all), self.MARGIN_X)
        y0, y1 = _padded(np.nanmin(y_all), np.nanmax(y_all), self.MARGIN_Y)
        holding = self._held is not None and self._x_grid.shape[1] == 1
        if not holding:  # a dragged point moves; the view under the hand holds still
            self._x_grid = np.linspace(x0, x1, self.GRID_POINTS)[:, None]  # (200, 1)
            self._y_view = self._y_data = (y0, y1)
        self.plot_item.setLabel("bottom", "x")
        self.plot_item.setLabel("left", "y")
        self.train_scatter.setData(
            x=np.asarray(data.X_train[:, 0], float),
            y=np.asarray(data.y_train, float),
            pen=outline_pen("w", 0.8),
            brush=pg.mkBrush(theme.TRAIN_COLOR),
            symbol="o",
        )
        self.test_scatter.setData(
            x=np.asarray(data.X_test[:, 0], float),
            y=np.asarray(data.y_test, float),
            pen=outline_pen(theme.TEST_COLOR, 1.5),
            brush=pg.mkBrush(None),
            symbol="o",
        )
        if not holding:
            self.plot_item.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _build_classification(self, data) -> None:
        X_all = np.concatenate([data.X_train, data.X_test]).astype(np.float64)
        x0, x1 = _padded(np.nanmin(X_all[:, 0]), np.nanmax(X_all[:, 0]), self.MARGIN_X)
        y0, y1 = _padded(np.nanmin(X_all[:, 1]), np.nanmax(X_all[:, 1]), self.MARGIN_X)
        n = self.HEATMAP_SIZE
        holding = self._held is not None and self._x_grid.shape[1] == 2
        if not holding:  # a dragged point moves; the view under the hand holds still
            # pixel centres: pixel c spans [x0 + c dx, x0 + (c+1) dx]
            self._xs = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n
            self._ys = y0 + (np.arange(n) + 0.5) * (y1 - y0) / n
            gx, gy = np.meshgrid(self._xs, self._ys)  # (n, n): rows follow y
            self._x_grid = np.column_stack([gx.ravel(), gy.ravel()])  # (n*n, 2)
            place_image(self.heatmap, (n, n), QRectF(x0, y0, x1 - x0, y1 - y0), 0.5)
        self.plot_item.setLabel("bottom", "x1")
        self.plot_item.setLabel("left", "x2")
        brushes = [pg.mkBrush(c) for c in theme.CLASS_COLORS]
        pens = [outline_pen(c, 2.0) for c in theme.CLASS_COLORS]
        edge = outline_pen("k", 0.8)
        y_train = np.asarray(data.y_train) >= 0.5
        y_test = np.asarray(data.y_test) >= 0.5
        self.train_scatter.setData(
            x=np.asarray(data.X_train[:, 0], float),
            y=np.asarray(data.X_train[:, 1], float),
            pen=edge,
            brush=[brushes[k] for k in y_train.astype(int)],
            symbol="o",
        )
        self.test_scatter.setData(
            x=np.asarray(data.X_test[:, 0], float),
            y=np.asarray(data.X_test[:, 1], float),
            pen=[pens[k] for k in y_test.astype(int)],
            brush=pg.mkBrush(None),
            symbol="o",
        )
        if not holding:
            self.plot_item.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _build_nextword(self, model) -> None:
        V, rows = model.V, model.n_rows
        self.train_scatter.setData(x=[], y=[])
        self.test_scatter.setData(x=[], y=[])
        place_image(self.table_image, (rows, V), QRectF(0, 0, V, rows), 0.0)
        bottom = [(c + 0.5, word) for c, word in enumerate(model.vocab)]
        left = [(r + 0.5, model.context_label(r)) for r in range(rows)]
        self.plot_item.getAxis("bottom").setTicks([bottom])
        self.plot_item.getAxis("left").setTicks([left])
        self.plot_item.setLabel("bottom", "next word")
        self.plot_item.setLabel("left", "after")
        self.plot_item.setRange(xRange=(0, V), yRange=(0, rows), padding=0)

    # -- updating (on every change of the weights) -----------------------------------------
    def update_plot(self) -> None:
        """Pull the weights and redraw the model's output (setData/setImage only)."""
        session = self._controller.shown
        model, theta = session.model, session.params
        if self.task != model.task:  # a model swap whose modelChanged is still on its way
            return
        with np.errstate(all="ignore"):
            if self.task == "regression":
                y = model.predict(theta, self._x_grid)  # (200,)
                view = self._y_range_for(y)
                if view != self._y_view:
                    self._y_view = view
                    self.plot_item.setYRange(*view, padding=0)
                    self._draw_ghost()  # clipped to the view
                y = _finite_or_nan(y, *view)
                self.curve.setData(self._x_grid[:, 0], y)
            elif self.task == "classification":
                p = model.predict(theta, self._x_grid)  # (n*n,) P(class 1)
                n = self.HEATMAP_SIZE
                P = np.nan_to_num(p, nan=0.5, posinf=1.0, neginf=0.0).reshape(n, n)
                self.heatmap.setImage(P.astype(np.float32), autoLevels=False)
                bx, by = isoline_segments(P, 0.5, self._xs, self._ys)
                self.boundary.setData(bx, by)
            else:
                P = model.probabilities(theta)  # (contexts, V)
                P = np.nan_to_num(P, nan=0.0, posinf=1.0, neginf=0.0)
                self.table_image.setImage(P.astype(np.float32), autoLevels=False)

    def show_ghost(self, theta: Array | None) -> None:
        """Draw the model at the ghost knobs ``theta`` (dashed), or hide it with None; the
        next-word table has no ghost here (its guess is read off the ghost knobs)."""
        self._ghost_theta = None if theta is None else np.array(theta, float)
        self._draw_ghost()

    def _draw_ghost(self) -> None:
        theta, model = self._ghost_theta, self._controller.shown.model
        if theta is None or self.task == "nextword" or theta.shape != (model.n_params,):
            self.ghost.setVisible(False)
            return
        with np.errstate(all="ignore"):
            if self.task == "regression":
                y = model.predict(theta, self._x_grid)  # (200,)
                x = self._x_grid[:, 0]
                self.ghost.setData(x, _finite_or_nan(y, *self._y_view), connect="finite")
            else:
                p = model.predict(theta, self._x_grid)
                n = self.HEATMAP_SIZE
                P = np.nan_to_num(p, nan=0.5, posinf=1.0, neginf=0.0).reshape(n, n)
                bx, by = isoline_segments(P, 0.5, self._xs, self._ys)
                self.ghost.setData(bx, by, connect="pairs")
        self.ghost.setVisible(True)

    def _y_range_for(self, y: Array) -> tuple[float, float]:
        """The y range that shows the data and the curve ``y`` (see the class notes)."""
        y0, y1 = self._y_data
        h = y1 - y0
        y = np.asarray(y, dtype=np.float64)
        y = y[np.isfinite(y)]
        near = y[(y >= y0 - self.BAND * h) & (y <= y1 + self.BAND * h)]
        if near.size:
            lo, hi = float(near.min()), float(near.max())
        elif y.size:  # all of it beyond the band: its nearest point, and a little more
            k = int(np.argmin(np.maximum(y0 - y, y - y1)))
            v = float(np.clip(y[k], y0 - self.FAR * h, y1 + self.FAR * h))
            lo, hi = (v - 0.05 * h, v) if v < y0 else (v, v + 0.05 * h)
        else:
            return y0, y1
        q = h / 4
        if lo < y0:
            y0 -= math.ceil((y0 - lo) / q) * q
        if hi > y1:
            y1 += math.ceil((hi - y1) / q) * q
        return y0, y1

    # -- your own points ---------------------------------------------------------------------
    def edits_points(self) -> bool:
        """True for data a hand can edit (points in a plane; not a next-word table)."""
        return self.task in ("regression", "classification")

    def point_at(self, at: QPointF) -> tuple[str, int] | None:
        """The drawn point within ``PICK_PX`` pixels of ``at`` (view units), nearest first:
        ``(split, index)``, or None."""
        if not self.edits_points():
            return None
        data = self._controller.session.dataset
        px, py = self.plot_item.getViewBox().viewPixelSize()
        best = None
        for split in ("train", "test"):
            xs, ys = self.drawn_points(data, split)
            if not len(xs):
                continue
            d2 = ((xs - at.x()) / px) ** 2 + ((ys - at.y()) / py) ** 2
            k = int(np.argmin(d2))
            if d2[k] <= self.PICK_PX**2 and (best is None or d2[k] < best[0]):
                best = (float(d2[k]), split, k)
        return None if best is None else (best[1], best[2])

    def click_point(self, at: QPointF, modifiers) -> None:
        """A left click: on empty ground, a new training point there."""
        if self.point_at(at) is not None:
            return
        label = 0.0 if modifiers & Qt.KeyboardModifier.ShiftModifier else 1.0
        self._edit(lambda d: with_point(d, *self._place(d, at, label)), "add a point")

    def remove_point(self, at: QPointF) -> None:
        """A right click on a point: the point goes."""
        found = self.point_at(at)
        if found is not None:
            split, k = found
            self._edit(lambda d: without_point(d, k, split=split), "remove a point")

    def drag_point(self, start: QPointF, at: QPointF, phase: str) -> None:
        """A left drag that began on a point moves it (one undo step for the drag)."""
        if phase == "start":
            found = self.point_at(start)
            self._held = None if found is None else (*found, object())
        if self._held is None:
            return
        split, k, gesture = self._held
        data = self._controller.session.dataset
        label = float(getattr(data, f"y_{split}")[k])

        def moved(d):
            return with_point(d, *self._place(d, at, label), index=k, split=split)

        self._edit(moved, "move a point", gesture)
        if phase == "finish":
            self._held = None
            self._rebuild()  # the view takes in the point where the hand left it

    def _place(self, data, at: QPointF, label: float) -> tuple[list[float], float]:
        """(inputs, target) of a point at ``at``: (x) and y, or (x1, x2) and the class."""
        if data.task == "regression":
            return [at.x()], at.y()
        return [at.x(), at.y()], label

    def _edit(self, make, text: str, gesture: object | None = None) -> None:
        try:
            new = make(self._controller.session.dataset)
        except DataError as exc:
            self._controller.messageRaised.emit(str(exc))
            return
        self._controller.edit_data(new, text, gesture)

    @staticmethod
    def drawn_points(data, split: str) -> tuple[Array, Array]:
        """The (x, y) on the plot of the points of ``split``."""
        X, y = getattr(data, f"X_{split}"), getattr(data, f"y_{split}")
        if data.task == "regression":
            return np.asarray(X[:, 0], float), np.asarray(y, float)
        return np.asarray(X[:, 0], float), np.asarray(X[:, 1], float)

    @property
    def plot_widget(self) -> pg.PlotWidget:
        """The widget whose viewport draws the plot (itself; the same name as the others)."""
        return self
