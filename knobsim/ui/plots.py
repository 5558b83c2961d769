"""The live plots: the fit, the error over time, and the loss landscape.

Each widget listens to the ``SessionController`` and pulls arrays from its session. The
numbers come from ``model.predict`` and ``core.landscape``; nothing here computes the
model. Items are created once and updated with ``setData`` / ``setImage``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from knobsim.core.history import peak_decimate
from knobsim.core.landscape import grid_axes, loss_grid, loss_grid_rows
from knobsim.core.models import nice_ceil
from knobsim.ui import theme
from knobsim.ui.controller import SessionController

Array = NDArray[np.float64]

__all__ = ["FitPlot", "LandscapePlot", "LossPlot", "isoline_segments"]

#: finite values further than this many view heights outside the view are clipped, so
#: Qt never strokes a path with coordinates near 1e300 (the visible part is unchanged)
_CLIP_SPANS = 1000.0


# -- small helpers (geometry and presentation only) --------------------------------------


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


def isoline_segments(Z: Array, level: float, xs: Array, ys: Array) -> tuple[Array, Array]:
    """Line segments where ``Z`` crosses ``level`` (vectorised marching squares).

    Parameters
    ----------
    Z : array, shape (ny, nx)
        Values sampled at ``(xs[c], ys[r])``.
    xs, ys : arrays, shapes (nx,), (ny,)

    Returns
    -------
    x, y : arrays, shape (2 * n_segments,)
        Segment end points in pairs, for a curve drawn with ``connect="pairs"``.
    """
    Z = np.asarray(Z, dtype=np.float64)
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    above = np.greater_equal(Z, level)  # (ny, nx)
    h_cut = above[:, :-1] != above[:, 1:]  # edge (r, c)-(r, c+1) is crossed, (ny, nx-1)
    v_cut = above[:-1, :] != above[1:, :]  # edge (r, c)-(r+1, c) is crossed, (ny-1, nx)
    # the edges of cell (r, c) in the order bottom, right, top, left: (ny-1, nx-1, 4)
    cut = np.stack([h_cut[:-1], v_cut[:, 1:], h_cut[1:], v_cut[:, :-1]], axis=-1)
    r, c = np.nonzero(cut.any(axis=-1))  # only the few cells the line passes through
    cut = cut[r, c]  # (m, 4)
    z00, z01, z10, z11 = Z[r, c], Z[r, c + 1], Z[r + 1, c], Z[r + 1, c + 1]
    x0, x1, y0, y1 = xs[c], xs[c + 1], ys[r], ys[r + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ex = np.stack(
            [x0 + (level - z00) / (z01 - z00) * (x1 - x0), x1,
             x0 + (level - z10) / (z11 - z10) * (x1 - x0), x0],
            axis=-1,
        )  # fmt: skip
        ey = np.stack(
            [y0, y0 + (level - z01) / (z11 - z01) * (y1 - y0),
             y1, y0 + (level - z00) / (z10 - z00) * (y1 - y0)],
            axis=-1,
        )  # fmt: skip
    n_cut = cut.sum(axis=-1)

    two = n_cut == 2
    order = np.argsort(~cut[two], axis=-1, kind="stable")[:, :2]  # the two crossed edges
    px = [np.take_along_axis(ex[two], order, axis=-1)]  # (m2, 2)
    py = [np.take_along_axis(ey[two], order, axis=-1)]

    # saddles: two segments; the cell centre decides which corners they cut off
    four = n_cut == 4
    if four.any():
        centre = (z00 + z01 + z10 + z11)[four] / 4 >= level
        joins = (centre == above[r, c][four])[:, None]  # bottom-left joins top-right
        for pair in (np.where(joins, [0, 1], [0, 3]), np.where(joins, [2, 3], [2, 1])):
            px.append(np.take_along_axis(ex[four], pair, axis=-1))
            py.append(np.take_along_axis(ey[four], pair, axis=-1))
    px, py = np.concatenate(px), np.concatenate(py)
    ok = np.isfinite(px).all(axis=1) & np.isfinite(py).all(axis=1)
    return px[ok].reshape(-1), py[ok].reshape(-1)


class FastImage(pg.ImageItem):
    """An ``ImageItem`` kept in the pixel format the screen draws fastest.

    pyqtgraph renders a lookup-table image as 8-bit indexed colours, which Qt converts
    to 32-bit pixels on every paint (0.6 ms for the 100x100 decision map); converting
    once per new image makes each repaint a plain scaled copy.
    """

    def render(self) -> None:
        super().render()
        q = self.qimage
        if q is not None and q.format() != QImage.Format.Format_ARGB32_Premultiplied:
            self.qimage = q.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


class Scatter(pg.ScatterPlotItem):
    """A ``ScatterPlotItem`` that remembers its bounding rectangle.

    Qt asks an item for it several times a repaint, and pyqtgraph works it out again in
    Python each time (0.05 ms a call); it changes only when pyqtgraph resets its cached
    data bounds (a new list: new data, new symbols, a new view transform).
    """

    _rect_for: list | None = None
    _rect = QRectF()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        if self._rect_for is not self.bounds or self._rect_width != self._maxSpotPxWidth:
            self._rect = super().boundingRect()
            self._rect_for, self._rect_width = self.bounds, self._maxSpotPxWidth
        return self._rect


class PointMarker(QGraphicsEllipseItem):
    """One round marker of a fixed size in pixels, placed in view coordinates.

    A plain Qt item, painted without a Python call (a one-point ``ScatterPlotItem``
    cost 0.3-0.5 ms a repaint). ``setData``/``getData`` as on pyqtgraph's items.
    """

    def __init__(self, size: float, color: str) -> None:
        super().__init__(-size / 2, -size / 2, size, size)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        pen = QPen(QColor("black"), 1.5)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setBrush(QColor(color))
        self._xy: tuple[Array, Array] = (np.zeros(0), np.zeros(0))
        self.hide()

    def setData(self, x, y) -> None:  # noqa: N802 - pyqtgraph's name
        x, y = np.asarray(x, dtype=float).reshape(-1), np.asarray(y, dtype=float).reshape(-1)
        self._xy = (x, y)
        ok = x.size > 0 and np.isfinite(x[0]) and np.isfinite(y[0])
        if ok:
            self.setPos(float(x[0]), float(y[0]))
        self.setVisible(bool(ok))

    def getData(self) -> tuple[Array, Array]:  # noqa: N802 - pyqtgraph's name
        return self._xy


def cache_pixels(*items: QGraphicsItem) -> None:
    """Paint these items once into a pixmap and reuse it until they change.

    For what stays put while the knobs turn (the data points, a finished landscape, a
    legend): a repaint then copies pixels rather than drawing every symbol again.
    """
    for item in items:
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def _place(item: pg.ImageItem, shape: tuple[int, int], rect: QRectF, fill: float) -> None:
    """Give ``item`` a placeholder image of ``shape`` and stretch it over ``rect``.

    ``ImageItem.setRect`` scales by the current image's size, so it needs the image first.
    """
    item.setImage(np.full(shape, fill, dtype=np.float32), autoLevels=False)
    item.setRect(rect)


def _plain_axes(plot_item: pg.PlotItem) -> None:
    """Axis numbers as they are: pyqtgraph rescales an axis whose values all lie within
    (-1, 1) and writes "x (x0.001)" (with a label but no unit, whenever the view is that
    small: data in [-0.9, 0.9], or five points). No context menu either: its transforms
    (log x, FFT, dy/dx) and downsampling put a plot in states nothing here knows about."""
    for name in ("bottom", "left"):
        plot_item.getAxis(name).enableAutoSIPrefix(False)
    plot_item.setMenuEnabled(False)


def _outline_pen(color: str, width: float = 1.0) -> pg.QtGui.QPen:
    pen = pg.mkPen(color, width=width)
    pen.setCosmetic(True)
    return pen


# -- the fit -------------------------------------------------------------------------------


class FitPlot(pg.PlotWidget):
    """The data and the model's output, redrawn on every change of the weights.

    Regression: training points (filled), test points (hollow) and the prediction curve
    ``curve`` over ``GRID_POINTS`` x values. Classification: P(class 1) as ``heatmap``
    over a ``HEATMAP_SIZE`` square grid, the 0.5 ``boundary``, points coloured by class.
    Next word: the table P(next | context) as ``table_image``.

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

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        theme.apply_pyqtgraph_theme()
        super().__init__(parent=parent)
        self.setObjectName("fit_plot")
        self._controller = controller
        self.plot_item: pg.PlotItem = self.getPlotItem()
        self.plot_item.disableAutoRange()
        self.plot_item.hideButtons()  # ranges are fixed per dataset...
        self.plot_item.setMouseEnabled(x=False, y=False)  # ...so no pan or zoom to undo
        _plain_axes(self.plot_item)
        self.task = ""

        self.heatmap = FastImage(axisOrder="row-major")
        self.heatmap.setLookupTable(theme.probability_lut())
        self.heatmap.setLevels((0.0, 1.0))
        self.heatmap.setZValue(-20)
        self.table_image = FastImage(axisOrder="row-major")
        self.table_image.setLookupTable(theme.table_lut())
        self.table_image.setLevels((0.0, 1.0))
        self.table_image.setZValue(-20)
        self.boundary = pg.PlotDataItem(
            pen=pg.mkPen(theme.BOUNDARY_COLOR, width=1), connect="pairs", skipFiniteCheck=True
        )
        self.boundary.setZValue(-10)
        self.curve = pg.PlotDataItem(
            pen=pg.mkPen(theme.CURVE_COLOR, width=1), connect="finite", skipFiniteCheck=True
        )
        self.train_scatter = Scatter(size=self.POINT_SIZE)
        self.test_scatter = Scatter(size=self.POINT_SIZE)
        for item in (
            self.heatmap,
            self.table_image,
            self.boundary,
            self.curve,
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
    def _on_structure_changed(self) -> None:
        self._rebuild()

    def _on_params_changed(self) -> None:
        self.update_plot()

    # -- building (on a new model or new data) ------------------------------------------
    def _rebuild(self) -> None:
        session = self._controller.session
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

    def _build_regression(self, data) -> None:
        x_all = np.concatenate([data.X_train[:, 0], data.X_test[:, 0]]).astype(np.float64)
        y_all = np.concatenate([data.y_train, data.y_test]).astype(np.float64)
        x0, x1 = _padded(np.nanmin(x_all), np.nanmax(x_all), self.MARGIN_X)
        y0, y1 = _padded(np.nanmin(y_all), np.nanmax(y_all), self.MARGIN_Y)
        self._x_grid = np.linspace(x0, x1, self.GRID_POINTS)[:, None]  # (200, 1)
        self._y_view = self._y_data = (y0, y1)
        self.plot_item.setLabel("bottom", "x")
        self.plot_item.setLabel("left", "y")
        self.train_scatter.setData(
            x=np.asarray(data.X_train[:, 0], float),
            y=np.asarray(data.y_train, float),
            pen=_outline_pen("w", 0.8),
            brush=pg.mkBrush(theme.TRAIN_COLOR),
            symbol="o",
        )
        self.test_scatter.setData(
            x=np.asarray(data.X_test[:, 0], float),
            y=np.asarray(data.y_test, float),
            pen=_outline_pen(theme.TEST_COLOR, 1.5),
            brush=pg.mkBrush(None),
            symbol="o",
        )
        self.plot_item.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _build_classification(self, data) -> None:
        X_all = np.concatenate([data.X_train, data.X_test]).astype(np.float64)
        x0, x1 = _padded(np.nanmin(X_all[:, 0]), np.nanmax(X_all[:, 0]), self.MARGIN_X)
        y0, y1 = _padded(np.nanmin(X_all[:, 1]), np.nanmax(X_all[:, 1]), self.MARGIN_X)
        n = self.HEATMAP_SIZE
        # pixel centres: pixel c spans [x0 + c dx, x0 + (c+1) dx]
        self._xs = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n
        self._ys = y0 + (np.arange(n) + 0.5) * (y1 - y0) / n
        gx, gy = np.meshgrid(self._xs, self._ys)  # (n, n): rows follow y
        self._x_grid = np.column_stack([gx.ravel(), gy.ravel()])  # (n*n, 2)
        _place(self.heatmap, (n, n), QRectF(x0, y0, x1 - x0, y1 - y0), 0.5)
        self.plot_item.setLabel("bottom", "x1")
        self.plot_item.setLabel("left", "x2")
        brushes = [pg.mkBrush(c) for c in theme.CLASS_COLORS]
        pens = [_outline_pen(c, 2.0) for c in theme.CLASS_COLORS]
        edge = _outline_pen("k", 0.8)
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
        self.plot_item.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _build_nextword(self, model) -> None:
        V, rows = model.V, model.n_rows
        self.train_scatter.setData(x=[], y=[])
        self.test_scatter.setData(x=[], y=[])
        _place(self.table_image, (rows, V), QRectF(0, 0, V, rows), 0.0)
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
        session = self._controller.session
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

    @property
    def plot_widget(self) -> pg.PlotWidget:
        """The widget whose viewport draws the plot (itself; the same name as the others)."""
        return self


# -- the error over time -------------------------------------------------------------------


def _log_label_sets(lo: float, hi: float) -> list[Array]:
    """Candidate labelled ticks for a log10 axis over exponents ``lo``..``hi``, each a
    sorted array of positions (exponents): whole decades every 1, 2, 5, 10 ... decades,
    1-2-5 and 1..9 times each decade, and for views inside a decade or two, even steps
    of the error itself (0.62, 0.64 ...)."""
    sets = []  # decades; 1-2-5; 1..9 (the order tickValues relies on); then the rest
    e0, e1 = math.floor(lo), math.ceil(hi)
    if e1 - e0 > 5000:  # not a range an error takes; keep the arrays small
        e0, e1 = max(e0, math.floor(hi) - 5000), min(e1, e0 + 5000)
    decades = np.arange(e0, e1 + 1, dtype=np.float64)
    for ks in ((1,), (1, 2, 5), tuple(range(1, 10))):
        sets.append((decades[:, None] + np.log10(ks)[None, :]).ravel())
    for stride in (m * 10**k for k in range(5) for m in (1, 2, 3, 4, 5)):
        if stride > 1:
            sets.append(decades[decades % stride == 0])
            if sets[-1].size <= 1:
                break
    marks = sets[2][(sets[2] >= lo) & (sets[2] <= hi)]
    if marks.size:  # one number, when there is room for no more
        sets.append(marks[[np.argmin(np.abs(marks - (lo + hi) / 2))]])
    if hi - lo < 0.999:  # inside a decade: even steps of the error (0.62, 0.64 ...)
        vlo, vhi = 10.0**lo, 10.0**hi
        p = math.floor(math.log10(vhi - vlo)) - 1
        for q in (p + 1, p, p - 1):
            for m in (5, 2, 1):
                step = m * 10.0**q
                n = (vhi - vlo) / step
                if 1 <= n <= 60:
                    v = (math.ceil(vlo / step) + np.arange(int(n) + 1)) * step
                    sets.append(np.log10(v[(v > 0) & (v <= vhi)]))
    return [np.unique(np.round(t, 12)) for t in sets]


def _log_label(position: float) -> str:
    v = float(f"{10.0**position:.12g}")
    return f"{v:g}"


class PlainAxis(pg.AxisItem):
    """An axis whose numbers never run into each other, at any size and over any range.

    pyqtgraph always draws its first level of numbers, however crowded: on a log axis
    zoomed to within a decade that is "10¹ 9 8 7 6 5 4 3 2" in a short plot. Here a log
    axis picks the densest set of labels whose neighbours stay a line of text apart (see
    ``_log_label_sets``), and on any axis a number that would overlap one already placed
    is left out.
    """

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)
        self._labels: dict[float, str] = {}

    def _text_px(self) -> float:
        metrics = pg.QtGui.QFontMetricsF(self.style["tickFont"] or self.font())
        return metrics.height() if self.orientation in ("left", "right") else 0.0

    def tickValues(self, minVal: float, maxVal: float, size: float):  # noqa: N802
        if not self.logMode or self.orientation not in ("left", "right"):
            return super().tickValues(minVal, maxVal, size)
        lo, hi = sorted((float(minVal), float(maxVal)))
        if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo or size <= 0:
            return []
        need = 1.25 * self._text_px() + 2.0  # pixels from one number to the next
        best = np.zeros(0)
        for n, pos in enumerate(_log_label_sets(lo, hi)):
            pos = pos[(pos >= lo) & (pos <= hi)]
            # the set, then every 2nd, 3rd ... of it: only of 1-2-5 within a decade or two
            # (whole decades read better than 10, 2, 0.5 ...; every other even step starts
            # anywhere: 0.00135, 0.0016 ...)
            thin = n == 1 and hi - lo < 2
            for k in (1, 2, 3, 4, 5) if thin else (1,):
                sub = pos[::k]
                if sub.size <= best.size:
                    break
                if sub.size < 2 or np.diff(sub).min() * size / (hi - lo) >= need:
                    best = sub
                    break
        self._labels = {float(p): _log_label(p) for p in best}
        # plain marks: each decade, and 2..9 within them while they stay 3 pixels apart
        marks = np.zeros(0)
        for pos in _log_label_sets(lo, hi)[:3][::-1]:  # 1..9, 1-2-5, decades
            pos = pos[(pos >= lo) & (pos <= hi)]
            if pos.size < 2 or np.diff(pos).min() * size / (hi - lo) >= 3:
                marks = pos
                break
        marks = np.setdiff1d(marks, best)
        return [(1.0, best.tolist()), (0.0, marks.tolist())]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        if not self.logMode or self.orientation not in ("left", "right"):
            return super().tickStrings(values, scale, spacing)
        return [self._labels.get(float(v), "") if spacing else "" for v in values]

    def generateDrawSpecs(self, p):  # noqa: N802
        specs = super().generateDrawSpecs(p)
        if specs is None:
            return None
        axis, ticks, texts = specs
        kept: list[QRectF] = []
        for rect, _flags, text in texts:  # the first level comes first: it wins
            if not text:
                continue
            room = rect.adjusted(-1, -1, 1, 1)
            if not any(room.intersects(other) for other in kept):
                kept.append(rect)
        keep = {id(r) for r in kept}
        return axis, ticks, [t for t in texts if id(t[0]) in keep]


class LossPlot(QWidget):
    """Training and test error against the step, with hand moves marked on the curve.

    The axes follow the run in coarse jumps (x up to the next 1-2-5 step count, y to
    whole decades on the log axis), so most redraws move no axis at all. Panning or
    zooming by hand picks the steps shown, within the run (no view beyond it, where no
    curve is), and stops the following; the error axis then fits the curve over those
    steps. Following starts again with the "A" button, when the run starts over, or
    when training carries the newest point past the view's right edge.
    """

    PADDING = 0.02

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        theme.apply_pyqtgraph_theme()
        super().__init__(parent)
        self.setObjectName("loss_plot")
        self._controller = controller

        axes = {name: PlainAxis(name) for name in ("left", "bottom")}
        self.plot_widget = pg.PlotWidget(self, axisItems=axes)
        self.plot_widget.setObjectName("loss_plot_view")
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot_item.setLabel("bottom", "step")
        self.plot_item.setLabel("left", "error")
        _plain_axes(self.plot_item)
        self.train_curve = self.plot_item.plot(
            pen=pg.mkPen(theme.TRAIN_COLOR, width=1), name="train"
        )
        self.test_curve = self.plot_item.plot(pen=pg.mkPen(theme.TEST_COLOR, width=1), name="test")
        self.marks = self.plot_item.plot(
            pen=None,
            symbol="t",
            symbolSize=10,
            symbolBrush=theme.MARK_COLOR,
            symbolPen=pg.mkPen("k", width=0.8),
            name="hand move",
        )
        self.plot_item.disableAutoRange()  # the ranges below are cheaper and calmer
        self.plot_item.setMouseEnabled(x=True, y=False)  # a hand picks steps; y fits them
        self._follow = True
        self._range: tuple[float, float, float, float] | None = None
        self._head: float | None = None  # the newest step drawn
        self._marks_shown: tuple[Array, Array] = (np.zeros(0), np.zeros(0))
        self.plot_item.getViewBox().sigRangeChangedManually.connect(self._on_range_changed_by_hand)
        self.plot_item.getViewBox().sigResized.connect(self._on_history_changed)
        self.plot_item.autoBtn.clicked.connect(self._on_auto_button_clicked)

        self.log_scale = QCheckBox("Log scale", self)
        self.log_scale.setObjectName("loss_log_scale")
        self.log_scale.setToolTip("A logarithmic error axis keeps small errors visible")
        self.log_scale.setChecked(True)
        self.plot_item.setLogMode(y=True)
        self.log_scale.toggled.connect(self._on_log_scale_toggled)

        # the key sits under the plot, not on the curves
        self.key = QLabel(
            f"<span style='color:{theme.TRAIN_COLOR}'>━</span> train&nbsp;&nbsp; "
            f"<span style='color:{theme.TEST_COLOR}'>━</span> test&nbsp;&nbsp; "
            f"<span style='color:{theme.MARK_COLOR}'>▼</span> hand move",
            self,
        )
        self.key.setObjectName("loss_key")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.key)
        row.addStretch(1)
        row.addWidget(self.log_scale)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.plot_widget, 1)
        layout.addLayout(row)

        controller.historyChanged.connect(self._on_history_changed)
        self.update_plot()

    def _on_log_scale_toggled(self, on: bool) -> None:
        self.plot_item.setLogMode(y=bool(on))
        self._follow = True
        self._range = None
        self._marks_shown = (np.zeros(0), np.zeros(0))  # drop marks at errors <= 0 or bring back
        self.update_plot()

    def _on_range_changed_by_hand(self, *_) -> None:
        if self._follow and self._shows_whole_run():
            return
        self._follow = False
        self.update_plot()  # every stored point, for a closer look; y fitted to them

    def _shows_whole_run(self) -> bool:
        """Is the view still the whole run (a wheel turned out against the limits)?"""
        if self._range is None:
            return False
        (x0, x1), (y0, y1) = self.plot_item.viewRange()
        a0, a1, b0, b1 = self._range
        tol_x, tol_y = 0.03 * (a1 - a0), 0.03 * (b1 - b0)
        return x0 <= a0 + tol_x and x1 >= a1 - tol_x and y0 <= b0 + tol_y and y1 >= b1 - tol_y

    def _on_auto_button_clicked(self) -> None:
        # pyqtgraph has just switched its own auto-range on; follow the run our way instead
        self.plot_item.disableAutoRange()
        self._follow = True
        self._range = None
        self.update_plot()

    def _on_history_changed(self) -> None:
        self.update_plot()

    def update_plot(self) -> None:
        """Redraw both curves and the marks from the session's history."""
        history = self._controller.session.history
        # views of buffers the history rewrites in place: what the plot keeps are copies
        steps, train, test = history.steps, history.train, history.test
        head = float(steps[-1]) if steps.size else 0.0
        if self._head is not None and not self._follow:
            # a hand's view holds until the run starts over or training carries it past
            beyond = head > self._head and head > self.plot_item.viewRange()[0][1]
            if head < self._head or beyond:
                self._follow, self._range = True, None
        self._head = head
        # the whole run in view: two points a pixel are all a screen can show (a hand
        # zoom, which stops the following, gets every stored point)
        width = self.plot_item.getViewBox().width() if self._follow else 0
        if width > 0 and steps.size > 2 * math.ceil(width):
            xs, (ys_train, ys_test) = peak_decimate(steps, [train, test], math.ceil(width))
        else:
            xs = np.array(steps, dtype=np.float64)
            ys_train = np.array(train, dtype=np.float64)
            ys_test = np.array(test, dtype=np.float64)
        self.train_curve.setData(xs, ys_train)
        self.test_curve.setData(xs, ys_test)
        marks = history.marks
        mark_x = mark_y = np.zeros(0)
        if marks and steps.size:
            mark_steps = np.array([s for s, _ in marks], dtype=np.float64)
            # the error just after the first move at that step: the point after the first
            # one there (the error before the hand came), so a mark stays put while the
            # hand keeps turning, and the curve draws the hand's path up and down
            first = np.searchsorted(steps, mark_steps, side="left")
            last = np.searchsorted(steps, mark_steps, side="right") - 1
            k = np.clip(np.minimum(first + 1, last), 0, steps.size - 1)
            y = train[k]
            # a mark needs a place on the axis: a finite error (and a positive one on a log axis)
            ok = np.isfinite(y) & ((y > 0) | (not self.log_scale.isChecked()))
            mark_x, mark_y = mark_steps[ok], y[ok]
        # marks rarely move, and re-setting a symbol item is the costliest part of a redraw
        old_x, old_y = self._marks_shown
        if not (np.array_equal(mark_x, old_x) and np.array_equal(mark_y, old_y)):
            self.marks.setData(mark_x, mark_y)
            self._marks_shown = (mark_x, mark_y)
        self._follow_run(xs, ys_train, ys_test)  # thinned, the extremes kept

    def _y_span(self, values: Array) -> tuple[float, float]:
        """The y range (view coordinates) for these errors: whole decades on a log axis."""
        log = self.log_scale.isChecked()
        values = values[np.isfinite(values) & ((values > 0) if log else True)]
        if not values.size:
            return (-1.0, 1.0) if log else (0.0, 1.0)
        if log:  # view coordinates are log10(error)
            y_lo = float(np.floor(np.log10(values.min())))
            return y_lo, max(float(np.ceil(np.log10(values.max()))), y_lo + 1.0)
        lo, hi = float(values.min()), float(values.max())
        return (0.0 if lo >= 0 else -nice_ceil(-lo)), (nice_ceil(hi) if hi > 0 else 1.0)

    def _fit_y_to_hand_view(self, steps: Array, train: Array, test: Array) -> None:
        """A hand picks the steps (the wheel and drags move x only); y takes in the curve
        over them, so a hand's view always shows the curve."""
        (x0, x1), (v0, v1) = self.plot_item.viewRange()
        # and the points either side: a segment across the view counts too
        i0 = max(0, int(np.searchsorted(steps, x0, side="left")) - 1)
        i1 = min(steps.size, int(np.searchsorted(steps, x1, side="right")) + 1)
        y_lo, y_hi = self._y_span(np.concatenate([train[i0:i1], test[i0:i1]]))
        pad = self.PADDING * (y_hi - y_lo)
        if not (math.isclose(v0, y_lo - pad) and math.isclose(v1, y_hi + pad)):
            self.plot_item.setYRange(y_lo, y_hi, padding=self.PADDING)

    def _follow_run(self, steps: Array, train: Array, test: Array) -> None:
        """Keep a hand's view within the whole run; when following, show the whole run,
        moving an axis only when the run outgrows it."""
        x_hi = nice_ceil(steps[-1]) if steps.size and steps[-1] > 0 else 1.0
        y_lo, y_hi = self._y_span(np.concatenate([train, test]))
        new = (0.0, x_hi, y_lo, y_hi)
        if new != self._range:
            self._range = new
            pad_x, pad_y = self.PADDING * x_hi, self.PADDING * (y_hi - y_lo)
            view = self.plot_item.getViewBox()
            view.setLimits(
                xMin=-pad_x, xMax=x_hi + pad_x, yMin=y_lo - pad_y, yMax=y_hi + pad_y
            )  # a hand zooms within the run
            if self._follow:
                self.plot_item.setRange(xRange=new[:2], yRange=new[2:], padding=self.PADDING)
        if not self._follow:
            self._fit_y_to_hand_view(steps, train, test)


# -- the loss landscape -------------------------------------------------------------------


class _PickViewBox(pg.ViewBox):
    """A view box where the left button picks a point instead of panning."""

    def __init__(self, owner: LandscapePlot) -> None:
        super().__init__(enableMenu=False)
        self._owner = owner

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph's name
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseClickEvent(ev)
            return
        ev.accept()
        self._owner._pick(self.mapSceneToView(ev.scenePos()), "click")

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 - pyqtgraph's name
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        phase = "start" if ev.isStart() else "finish" if ev.isFinish() else "move"
        self._owner._pick(self.mapSceneToView(ev.scenePos()), phase)


def _grid_pieces(
    model, theta: Array, i: int, j: int, X, y, a: Array, b: Array, piece_s: float
) -> Iterator[tuple[slice, slice, Array]]:
    """The landscape in pieces of about ``piece_s`` seconds: (rows, columns, losses).

    Learns the cost of one parameter vector as it goes and sizes the next piece to it:
    several rows at once for a small model, a few cells of one row for big data, so one
    piece never blocks the event loop for long.
    """
    na, nb = a.size, b.size
    cost = None  # seconds per parameter vector (running estimate)
    r = c = 0
    while r < nb:
        want = 1 if cost is None else max(1, int(piece_s / cost))  # vectors in this piece
        t0 = time.perf_counter()
        if c == 0 and want >= na:
            n_rows = min(nb - r, want // na)
            rows, cols = slice(r, r + n_rows), slice(0, na)
            r += n_rows
        else:
            n_cols = min(na - c, want)
            rows, cols = slice(r, r + 1), slice(c, c + n_cols)
            c += n_cols
            if c == na:
                r, c = r + 1, 0
        values = loss_grid(model, theta, i, j, X, y, a[cols], b[rows])
        per = (time.perf_counter() - t0) / values.size
        cost = per if cost is None else 0.5 * (cost + per)
        yield rows, cols, values


@dataclass
class _GridJob:
    """One landscape computation in progress."""

    key: tuple
    theta: Array
    i: int
    j: int
    a: Array
    b: Array
    pieces: Iterator[tuple[slice, slice, Array]]
    Z: Array
    fresh: bool  # draw rows as they come (the old picture means nothing any more)
    spent: float = 0.0  # seconds of computing so far
    full: bool = True  # the full grid (not the coarse one)
    remote: int = 0  # the request id when the training process computes it


class LandscapePlot(QWidget):
    """The error over two chosen knobs, every other knob held where it is now.

    The grid is recomputed only when a knob other than the two changes (moving one of
    the two just moves ``marker``). A hand move first gets a coarse grid
    (``COARSE_N`` x ``COARSE_N``) computed at once where that costs under
    ``COARSE_BUDGET_MS``, so the picture follows the hand within its frame; when the
    hand rests for ``REFINE_MS`` (and while training, or where even the coarse grid is
    dear) the full grid comes progressively on a zero-interval timer within
    ``BUDGET_MS`` per event-loop turn, at most every ``MIN_INTERVAL_MS``.
    Clicking or dragging on the picture sets both knobs.
    """

    GRID_N = 41
    COARSE_N = 21  # every other row and column of the full grid
    COARSE_BUDGET_MS = 6.0
    REFINE_MS = 150
    BUDGET_MS = 4.0
    MIN_INTERVAL_MS = 125.0  # at most 8 fresh grids a second after hand moves
    TRAINING_INTERVAL_MS = 250.0  # and 4 a second while training (the frames come first)
    PIECE_MS = 1.0  # the progressive computation works in pieces of about this long

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        theme.apply_pyqtgraph_theme()
        super().__init__(parent)
        self.setObjectName("landscape_plot")
        self._controller = controller

        self.x_combo = QComboBox(self)
        self.x_combo.setObjectName("landscape_x")
        self.x_combo.setToolTip("The knob along the horizontal axis")
        self.y_combo = QComboBox(self)
        self.y_combo.setObjectName("landscape_y")
        self.y_combo.setToolTip("The knob along the vertical axis")
        for combo in (self.x_combo, self.y_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMaxVisibleItems(20)

        self.view = _PickViewBox(self)
        self.plot_widget = pg.PlotWidget(self, viewBox=self.view)
        self.plot_widget.setObjectName("landscape_view")
        self.plot_widget.setToolTip("Click or drag to set both knobs")
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot_item.hideButtons()
        _plain_axes(self.plot_item)
        self.view.disableAutoRange()
        self.view.setMouseEnabled(x=False, y=False)  # no wheel zoom: the view is the grid

        self.image = FastImage(axisOrder="row-major")
        self.image.setLookupTable(theme.landscape_lut())
        self.image.setZValue(-20)
        # width-1 lines: Qt strokes them several times faster than wider ones
        self.path = pg.PlotDataItem(
            pen=pg.mkPen(theme.PATH_COLOR, width=1), connect="finite", skipFiniteCheck=True
        )
        self.marker = PointMarker(12, theme.MARKER_COLOR)
        for item in (self.image, self.path, self.marker):
            self.plot_item.addItem(item)
        cache_pixels(self.image)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("across:", self))
        top.addWidget(self.x_combo)
        top.addWidget(QLabel("up:", self))
        top.addWidget(self.y_combo)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.plot_widget, 1)

        #: how many grids have been completed (tests and benchmarks read it)
        self.compute_count = 0
        self.grid: Array | None = None  # log10(loss), (GRID_N, GRID_N), rows follow y
        self._grid_key: tuple | None = None
        self._grid_theta: Array | None = None
        self._job: _GridJob | None = None
        self._stale_since: float | None = None
        self._last_start = -np.inf
        self._pair = (0, 1)
        self._active = True  # False for a model with a single knob
        self._drag_macro = False

        self._coarse = False  # the grid shown is the coarse one
        self._coarse_ms: dict[tuple, float] = {}  # what a coarse grid costs, per landscape
        self._refine = QTimer(self)
        self._refine.setSingleShot(True)
        self._refine.setInterval(self.REFINE_MS)
        self._refine.timeout.connect(self._on_refine_timeout)
        self._work = QTimer(self)  # zero interval: one slice of the grid per event-loop turn
        self._work.setInterval(0)
        self._work.timeout.connect(self._on_work_timeout)
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.timeout.connect(self._on_throttle_timeout)

        self.x_combo.currentIndexChanged.connect(self._on_x_combo_changed)
        self.y_combo.currentIndexChanged.connect(self._on_y_combo_changed)
        controller.modelChanged.connect(self._on_model_changed)
        controller.dataChanged.connect(self._on_data_changed)
        controller.paramsChanged.connect(self._on_params_changed)
        controller.gridReady.connect(self._on_controller_grid_ready)
        controller.trainingToggled.connect(self._on_controller_training_toggled)
        self._on_model_changed()

    # -- public ------------------------------------------------------------------------
    @property
    def pair(self) -> tuple[int, int]:
        """Indices (i, j) of the knobs across and up."""
        return self._pair

    def set_pair(self, i: int, j: int) -> None:
        """Show the landscape over knobs ``i`` (across) and ``j`` (up)."""
        n = self._controller.session.n_params
        i, j = int(i), int(j)
        if not (0 <= i < n and 0 <= j < n) or i == j:
            raise ValueError(f"Pick two different knobs between 0 and {n - 1}, not {i} and {j}.")
        self._pair = (i, j)
        for combo, k in ((self.x_combo, i), (self.y_combo, j)):
            combo.blockSignals(True)
            combo.setCurrentIndex(k)
            combo.blockSignals(False)
        self._on_pair_changed()

    @property
    def is_stale(self) -> bool:
        """True while the picture does not show the current weights' landscape (a coarse
        grid of them counts: it shows them, at half the resolution)."""
        return not self._grid_matches() or (self._job is not None and not self._coarse)

    @property
    def is_settled(self) -> bool:
        """True when the picture is the full-resolution landscape of the current weights."""
        return self._job is None and self._grid_matches() and not self._coarse

    @property
    def is_coarse(self) -> bool:
        """True while the picture is the quick coarse grid of a hand move."""
        return self._coarse

    def compute_now(self) -> None:
        """Compute the whole grid at once (tests, screenshots)."""
        if not self._active:
            return
        self._throttle.stop()
        self._start_job(fresh=self.grid is None or self._grid_key != self._key())
        job = self._job
        d = self._controller.session.dataset
        model = self._controller.session.model
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):  # the fast, all-at-once chunks of core.landscape
            pieces = loss_grid_rows(
                model, job.theta, job.i, job.j, d.X_train, d.y_train, job.a, job.b
            )
            for rows, values in pieces:
                job.Z[rows] = values
        job.spent = time.perf_counter() - t0
        self._finish(job)

    # -- slots ---------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._grid_matches() and not self._job_matches():
            self._request()

    def _on_model_changed(self) -> None:
        model = self._controller.session.model
        names = model.param_names
        for combo in (self.x_combo, self.y_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            combo.blockSignals(False)
        self._cancel_job()
        # a refine or throttled start pending for the old model's pair has nothing to do
        self._refine.stop()
        self._throttle.stop()
        self._coarse = False
        self.grid = None
        self._grid_key = None
        self._active = model.n_params >= 2
        self.x_combo.setEnabled(self._active)
        self.y_combo.setEnabled(self._active)
        if self._active:
            self.plot_item.setTitle(None)
            self.set_pair(*self._default_pair(model))
            return
        # a single knob has no two-dimensional landscape
        self.plot_item.setTitle("The landscape needs a model with two or more knobs")
        self.image.clear()
        self.marker.setData([], [])
        self.path.setData([], [])

    def _on_data_changed(self) -> None:
        self._update_overlay()
        if self._active:
            self._request()

    def _on_params_changed(self) -> None:
        self._update_overlay()
        if not self._grid_matches() and not self._job_matches():
            self._request()

    def _on_x_combo_changed(self, index: int) -> None:
        i, j = index, self._pair[1]
        if index < 0:
            return
        if i == j:  # the same knob twice: swap
            j = self._pair[0]
        self.set_pair(i, j)

    def _on_y_combo_changed(self, index: int) -> None:
        i, j = self._pair[0], index
        if index < 0:
            return
        if i == j:
            i = self._pair[1]
        self.set_pair(i, j)

    def _on_throttle_timeout(self) -> None:
        if self._active and self.isVisible() and not self._grid_matches() and self._job is None:
            self._start_job(fresh=self.grid is None or self._grid_key != self._key())
            self._work.start()

    def _on_controller_grid_ready(self, rid: int, theta: Array, Z: Array) -> None:
        job = self._job
        if job is not None and job.remote == rid and job.key == self._key():
            job.theta, job.Z = np.asarray(theta), np.asarray(Z)
            self._finish(job)

    def _on_controller_training_toggled(self, on: bool) -> None:
        job = self._job
        if not on and job is not None and job.remote:
            self._cancel_job()  # the process will not send it now: compute it here
            if not self._grid_matches():
                self._request()

    def _on_refine_timeout(self) -> None:
        if self._coarse and self._grid_matches() and self._job is None and self.isVisible():
            self._start_job(fresh=False)
            self._work.start()

    def _on_work_timeout(self) -> None:
        job = self._job
        if job is None or job.remote:
            self._work.stop()
            return
        t0 = time.perf_counter()
        budget = self.BUDGET_MS / 1000.0
        while time.perf_counter() - t0 < budget:
            try:
                with np.errstate(all="ignore"):  # huge weights overflow to inf: drawn as worst
                    rows, cols, values = next(job.pieces)
            except StopIteration:
                job.spent += time.perf_counter() - t0
                self._finish(job)
                return
            job.Z[rows, cols] = values
        job.spent += time.perf_counter() - t0
        if job.fresh:
            with np.errstate(all="ignore"):
                self._show(np.log10(job.Z))  # the rows so far; NaN rows are transparent

    # -- the grid ------------------------------------------------------------------------
    @staticmethod
    def _default_pair(model) -> tuple[int, int]:
        if model.name == "poly":
            return (1, 0)  # slope across, offset up, as for the line's (w, b)
        return (0, 1)  # line (w, b), logistic (w1, w2), MLP's first two input weights

    def _key(self) -> tuple:
        """What the grid depends on besides the weights (objects, not ids: ids get reused)."""
        s = self._controller.session
        return (s.model, s.dataset, s.model.l2, self._pair)

    def _grid_matches(self) -> bool:
        """Does the grid hold this landscape? Only knobs i and j may differ."""
        if not self._active:
            return True
        if self.grid is None or self._grid_key != self._key():
            return False
        return self._same_others(self._grid_theta)

    def _job_matches(self) -> bool:
        """Is the running computation for this landscape?"""
        job = self._job
        return job is not None and job.key == self._key() and self._same_others(job.theta)

    def _same_others(self, theta_ref: Array) -> bool:
        """Are all knobs but i and j where they were in ``theta_ref``?"""
        theta = self._controller.session.params
        keep = np.ones(theta.size, dtype=bool)
        keep[list(self._pair)] = False
        return np.array_equal(theta[keep], theta_ref[keep])

    def _on_pair_changed(self) -> None:
        i, j = self._pair
        names = self._controller.session.param_names
        self.plot_item.setLabel("bottom", names[i])
        self.plot_item.setLabel("left", names[j])
        a, b = self._axes()
        da, db = self._step(a), self._step(b)
        rect = QRectF(a[0] - da / 2, b[0] - db / 2, a[-1] - a[0] + da, b[-1] - b[0] + db)
        _place(self.image, (b.size, a.size), rect, np.nan)  # the old picture means nothing now
        self.view.setRange(rect=rect, padding=0)
        self._cancel_job()
        self._stale_since = None
        self._update_overlay()
        self._request()

    def _axes(self) -> tuple[Array, Array]:
        i, j = self._pair
        return grid_axes(self._controller.session.model, i, j, self.GRID_N)

    @staticmethod
    def _step(values: Array) -> float:
        return float(values[1] - values[0]) if values.size > 1 else 1.0

    def _request(self) -> None:
        """The grid is stale: (re)start a computation, throttled."""
        if self.isVisible() and not self._controller.is_training and self._show_coarse():
            return
        now = time.perf_counter()
        if self._stale_since is None:
            self._stale_since = now
        if not self.isVisible():
            return  # nobody is looking; showEvent asks again
        fresh = self.grid is None or self._grid_key != self._key()
        if self._job is not None:
            # another pair/model/data: the job is useless. New weights: restart only early
            # on, so a steady stream of training ticks cannot starve a long job; later
            # changes wait for it to finish, which asks again
            young = (now - self._stale_since) * 1000.0 < self._min_interval_ms()
            if self._job.key != self._key() or young:
                self._cancel_job()
            else:
                return
        if self._throttle.isActive():
            return
        wait = self._min_interval_ms() - (now - self._last_start) * 1000.0
        if fresh or wait <= 0:
            self._start_job(fresh)
            self._work.start()
        else:
            self._throttle.start(int(np.ceil(wait)))

    def _min_interval_ms(self) -> float:
        training = self._controller.is_training
        return self.TRAINING_INTERVAL_MS if training else self.MIN_INTERVAL_MS

    def _time_coarse(self, job: _GridJob) -> None:
        """Learn what a coarse grid of this landscape costs, once, while nothing moves."""
        if job.spent * 1000.0 > 40 * self.COARSE_BUDGET_MS:
            self._coarse_ms[job.key] = job.spent * 1000.0  # far too dear whatever it is
            return
        s = self._controller.session
        d = s.dataset
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):
            loss_grid(
                s.model, job.theta, job.i, job.j, d.X_train, d.y_train, job.a[::2], job.b[::2]
            )
        self._coarse_ms[job.key] = (time.perf_counter() - t0) * 1000.0

    def _show_coarse(self) -> bool:
        """Compute and show the coarse grid now if it is cheap; False if it is not."""
        key = self._key()
        s = self._controller.session
        i, j = self._pair
        a, b = self._axes()
        theta = s.params.copy()
        d = s.dataset
        # what it costs: measured last time, or a quarter of the full grid's time; not
        # known before one of them was computed (that one comes progressively)
        cost = self._coarse_ms.get(key)
        if cost is None or cost > self.COARSE_BUDGET_MS:
            return False
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):
            Zc = loss_grid(s.model, theta, i, j, d.X_train, d.y_train, a[::2], b[::2])
        self._coarse_ms[key] = (time.perf_counter() - t0) * 1000.0
        # each coarse value stands for the full grid's cells around it
        near = (np.arange(self.GRID_N) + 1) // 2
        Z = Zc[np.ix_(near, near)]
        self._cancel_job()
        self._throttle.stop()
        self._finish(_GridJob(key, theta, i, j, a, b, iter(()), Z, False, full=False))
        self._coarse = True
        self._refine.start()
        return True

    def _start_job(self, fresh: bool) -> None:
        self._cancel_job()
        s = self._controller.session
        i, j = self._pair
        a, b = self._axes()
        theta = s.params.copy()
        d = s.dataset
        # while the training process runs, it computes the grid (at its newest weights)
        rid = None if fresh else self._controller.request_grid(i, j, a, b)
        if rid is not None:
            Z = np.full((b.size, a.size), np.nan)
            self._job = _GridJob(self._key(), theta, i, j, a, b, iter(()), Z, False, remote=rid)
            self._last_start = time.perf_counter()
            return
        pieces = _grid_pieces(
            s.model, theta, i, j, d.X_train, d.y_train, a, b, self.PIECE_MS / 1000.0
        )
        Z = np.full((b.size, a.size), np.nan)
        self._job = _GridJob(self._key(), theta, i, j, a, b, pieces, Z, fresh)
        self._last_start = time.perf_counter()

    def _cancel_job(self) -> None:
        self._job = None
        self._work.stop()

    def _finish(self, job: _GridJob) -> None:
        self._job = None
        self._work.stop()
        self._coarse = False
        if job.full and job.key not in self._coarse_ms:
            self._time_coarse(job)
        with np.errstate(all="ignore"):
            logZ = np.log10(job.Z)  # loss >= 0; log 0 = -inf is cleaned below
        self.grid = logZ
        self._grid_key = job.key
        self._grid_theta = job.theta
        self.compute_count += 1
        self._show(logZ)
        self._stale_since = None
        if not self._grid_matches():  # the weights moved on while we computed
            self._request()

    def _show(self, logZ: Array) -> None:
        finite = logZ[np.isfinite(logZ)]
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
        else:
            lo, hi = 0.0, 1.0
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        img = logZ.astype(np.float32)
        img[np.isposinf(img)] = hi  # an overflowed loss: the worst colour
        img[np.isneginf(img)] = lo  # a perfect fit
        self.image.setImage(img, levels=(lo, hi), autoLevels=False)

    def _update_overlay(self) -> None:
        """Move the marker and the training path (cheap; no grid work)."""
        s = self._controller.session
        i, j = self._pair
        if not self._active or max(i, j) >= s.n_params:
            return
        theta = s.params
        self.marker.setData([float(theta[i])], [float(theta[j])])
        trail = s.trail  # (m, n_params), oldest first
        self.path.setData(trail[:, i].copy(), trail[:, j].copy())

    # -- picking ---------------------------------------------------------------------
    def _pick(self, pos, phase: str) -> None:
        """A click or a drag at view position ``pos`` sets knobs i and j."""
        controller = self._controller
        if not self._active:
            return
        i, j = self._pair
        ranges = controller.session.model.param_ranges()
        a = float(np.clip(pos.x(), *ranges[i]))
        b = float(np.clip(pos.y(), *ranges[j]))
        theta = controller.session.params
        stack = controller.undo_stack
        if phase != "click" and not self._drag_macro and (theta[i], theta[j]) != (a, b):
            # a whole drag is one undo step, however long it pauses on the way
            names = controller.session.param_names
            stack.beginMacro(f"drag {names[i]} and {names[j]} on the landscape")
            self._drag_macro = True
        controller.set_params_at([i, j], [a, b])
        if phase == "finish" and self._drag_macro:
            stack.endMacro()
            self._drag_macro = False
