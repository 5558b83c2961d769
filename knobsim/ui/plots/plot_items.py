"""Plot pieces the fit, loss and landscape views share: fast image and scatter items, a
fixed-size marker, plain axes. Presentation only; nothing here computes the model.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem

Array = NDArray[np.float64]


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


def place_image(item: pg.ImageItem, shape: tuple[int, int], rect: QRectF, fill: float) -> None:
    """Give ``item`` a placeholder image of ``shape`` and stretch it over ``rect``.

    ``ImageItem.setRect`` scales by the current image's size, so it needs the image first.
    """
    item.setImage(np.full(shape, fill, dtype=np.float32), autoLevels=False)
    item.setRect(rect)


def plain_axes(plot_item: pg.PlotItem) -> None:
    """Axis numbers as they are: pyqtgraph rescales an axis whose values all lie within
    (-1, 1) and writes "x (x0.001)" (with a label but no unit, whenever the view is that
    small: data in [-0.9, 0.9], or five points). No context menu either: its transforms
    (log x, FFT, dy/dx) and downsampling put a plot in states nothing here knows about."""
    for name in ("bottom", "left"):
        plot_item.getAxis(name).enableAutoSIPrefix(False)
    plot_item.setMenuEnabled(False)


def outline_pen(color: str, width: float = 1.0) -> pg.QtGui.QPen:
    pen = pg.mkPen(color, width=width)
    pen.setCosmetic(True)
    return pen


# -- an axis whose numbers never collide -----------------------------------------------


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


#: on a log step axis, step 0 is drawn where step 0.5 would be (log10(0) is nowhere)
LOG_STEP_FLOOR = 0.5


def compact_count(n: float) -> str:
    """A step count as people write it on an axis: 950, 1k, 2.5k, 10k, 1M, 1.5B."""
    n = float(n)
    if not math.isfinite(n):
        return ""
    n = float(f"{n:.3g}")  # rounded first: 999,999 is 1M, not 1000k
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= size:
            return f"{n / size:.3g}{suffix}"
    return f"{n:.3g}" if n != int(n) else str(int(n))


class PlainAxis(pg.AxisItem):
    """An axis whose numbers never run into each other, at any size and over any range.

    pyqtgraph always draws its first level of numbers, however crowded: on a log axis
    zoomed to within a decade that is "10¹ 9 8 7 6 5 4 3 2" in a short plot. Here a log
    axis picks the densest set of labels whose neighbours stay a line of text apart (see
    ``_log_label_sets``), and on any axis a number that would overlap one already placed
    is left out.
    """

    def __init__(self, orientation: str, *, counts: bool = False) -> None:
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)
        self.counts = counts  # numbers are counts of things (steps): 1k, 10k, 1M
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
        if self.counts and self.orientation in ("top", "bottom"):
            # steps: 1k, 10k, 1M; on a log axis the values are powers of ten
            if self.logMode:
                return [compact_count(round(10.0**v)) if spacing else "" for v in values]
            return [compact_count(v) for v in values]
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
