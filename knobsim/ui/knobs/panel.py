"""The knobs: one float slider per model parameter, bound to the session controller.

Widgets only. Every value shown here is read from ``SessionController`` and every hand
move goes back through ``controller.set_param``; no widget keeps the weights or does maths.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from functools import cache

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import (
    QEvent,
    QObject,
    QPointF,
    QRectF,
    QSettings,
    QSignalBlocker,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QIcon,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractSlider,
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from knobsim.core.data.corpus import BOUNDARY
from knobsim.core.models.machines import MLP, Line, Logistic, Model, NextWord, Polynomial
from knobsim.core.models.slices import loss_slices
from knobsim.core.models.slopes import slope_levels
from knobsim.ui import theme
from knobsim.ui.controller.session_controller import SessionController
from knobsim.ui.knobs import dials
from knobsim.ui.widgets import handle_centre_x, scroll_instead

#: arrow colours for the descent direction (ColorBrewer RdBu ends, colour-blind safe):
#: blue = turn the knob up / right, orange-red = turn it down / left
GRAD_COLOURS: dict[int, str] = {+1: "#2166ac", -1: "#d6604d"}


def grad_colour(direction: int) -> QColor:
    """An arrow's colour; on the dark theme the blue is a lighter step, to be seen."""
    if direction > 0 and theme.is_dark():
        return QColor(theme.DARK_THEME_BLUE)
    return QColor(GRAD_COLOURS[direction])


#: arrow strength is shown in this many steps (finer changes do not repaint)
GRAD_LEVELS = 8
#: gradient arrows redraw at most this often while training (values redraw every tick)
GRAD_INTERVAL_S = 0.1
#: how often the knobs follow the weights while training runs (seconds)
TRAINING_INTERVAL_S = 0.05
#: while training, the loss slices computed in one frame take about this long (ms): the
#: knobs in view take turns (a 49-knob network's twenty slices in view took 5-8 ms at once,
#: and the frames around them missed a display's refresh)
SLICES_BUDGET_MS = 2.0
#: arrow keys turn a knob by 1/STEPS of its range, Page Up/Down by 1/PAGES
STEPS = 100
PAGES = 10
#: a loss slice in a knob spans this many factors of ten of the error, half of them above
#: the error at the knobs as they are and half below
SLICE_DECADES = 2
#: a knob's slider is at least this tall, for the slice drawn behind it
SLIDER_MIN_HEIGHT_PX = 26
#: Shift makes a drag, a wheel notch and an arrow key this many times finer
FINE = 10
#: panels with more knobs than this repaint only the knobs in view (the rest on scroll)
DEFER_ABOVE = 24
#: the shortest a knob's slider gets (pixels): a narrower panel scrolls instead; a
#: next-word grid's vertical sliders have their own fixed length, COMPACT_SLIDER_PX
SLIDER_MIN_PX = 120
COMPACT_SLIDER_PX = 56
#: a plain drag turns a knob by at most 1/RESOLUTION_PX of its range a pixel (a Shift
#: drag 1/(FINE * RESOLUTION_PX)): a row's slider is at least this long where the window
#: allows; on a shorter one (a grid cell) the drag is relative, like a dial's
RESOLUTION_PX = 200
#: the narrowest the knob panel gets (pixels); narrower than its knobs, it scrolls sideways
PANEL_MIN_PX = 200
#: a knob's face: a slider or a dial (View > Knob style), kept in QSettings under
#: KNOB_STYLE_SETTING
KNOB_STYLES = ("sliders", "dials")
KNOB_STYLE_SETTING = "view/knob_style"
#: what the knob panel's arrows are, for each style
LEGENDS = {
    "sliders": "arrows: the way to turn a knob to lower the error",
    "dials": "marks on the rims: the way to turn a dial to lower the error",
}
#: a dial's size across, in lines of the application's text (so it grows with View >
#: Zoom): big for a model of a row of knobs or fewer, smaller in a next-word grid's cells;
#: never less than DIAL_MIN_PX
DIAL_LINES = 4.0
BIG_DIAL_LINES = 6.0
COMPACT_DIAL_LINES = 3.5
DIAL_MIN_PX = 48
#: at most this many dials side by side in a group (a layer's weights, its biases)
DIAL_COLUMNS = 4
LOCKED_GLYPH = "\N{LOCK}"
UNLOCKED_GLYPH = "\N{OPEN LOCK}"


# -- presentation text ----------------------------------------------------------------------
def _word(w: str) -> str:
    return "the sentence boundary '.'" if w == BOUNDARY else f"'{w}'"


def describe_param(model: Model, i: int) -> str:
    """What knob ``i`` of ``model`` does, in one line a learner can read.

    Parameters
    ----------
    model : Model
    i : int
        Parameter index, ``0 <= i < model.n_params``.

    Returns
    -------
    str
        ``"<name>: <what it does>"``, e.g. ``"w: the slope — how much y rises per unit of x"``.
    """
    name = model.param_names[i]
    if isinstance(model, Line):
        text = {
            "w": "the slope — how much y rises per unit of x",
            "b": "the intercept — where the line crosses x = 0",
        }[name]
    elif isinstance(model, Polynomial):
        text = f"how much of the degree-{i} wiggle P{i}(x) the curve holds"
        if i == 0:
            text += " (a constant: it lifts the whole curve)"
        elif i == 1:
            text += " (a straight tilt)"
    elif isinstance(model, Logistic):
        text = {
            "w1": "how strongly input x1 pushes a point towards class 1 (turns the boundary)",
            "w2": "how strongly input x2 pushes a point towards class 1 (turns the boundary)",
            "b": "the bias — slides the boundary without turning it",
        }[name]
    elif isinstance(model, MLP):
        text = _describe_mlp_param(model, i)
    elif isinstance(model, NextWord):
        row, col = divmod(i, model.V)
        ctx = model.context_label(row)
        after = "at the start of a sentence" if set(ctx.split()) == {BOUNDARY} else f"after '{ctx}'"
        nxt = model.vocab[col]
        if nxt == BOUNDARY:
            text = f"how strongly the sentence is predicted to end {after}"
        else:
            text = f"how strongly '{nxt}' is predicted {after}"
    else:
        text = f"a parameter of the {model.name} model"
    return f"{name}: {text}"


def _describe_mlp_param(model: MLP, i: int) -> str:
    n_layers = len(model.layer_slices)
    for layer, (w, (_, n_out), b) in enumerate(model.layer_slices, 1):
        is_output = layer == n_layers
        if w.start <= i < w.stop:
            src, dst = divmod(i - w.start, n_out)
            source = f"input {src}" if layer == 1 else f"hidden unit {src} of layer {layer - 1}"
            target = "the output" if is_output else f"hidden unit {dst} of layer {layer}"
            return f"weight from {source} to {target}"
        if b.start <= i < b.stop:
            if is_output:
                return "bias of the output"
            where = f" of layer {layer}" if n_layers > 2 else ""
            return f"bias of hidden unit {i - b.start}{where}"
    raise IndexError(f"{model.describe()} has no parameter {i}.")


def param_groups(model: Model) -> list[tuple[str, list[int]]]:
    """How the knob panel groups the knobs: ``[(title, indices), ...]`` in order.

    MLPs group by layer (weights, then biases); other models form one untitled group.
    """
    if not isinstance(model, MLP):
        return [("", list(range(model.n_params)))]
    groups = []
    n_layers = len(model.layer_slices)
    for layer, (w, _, b) in enumerate(model.layer_slices, 1):
        out = " (output)" if layer == n_layers else ""
        groups.append((f"Layer {layer} weights{out}", list(range(w.start, w.stop))))
        bias = "bias" if b.stop - b.start == 1 else "biases"
        groups.append((f"Layer {layer} {bias}{out}", list(range(b.start, b.stop))))
    return groups


def value_decimals(lo: float, hi: float) -> int:
    """Decimals for a read-out over [lo, hi]: three for a range of a few units."""
    span = max(abs(lo), abs(hi))
    if not math.isfinite(span) or span <= 0:
        return 3
    return min(6, max(0, 3 - math.floor(math.log10(span))))


def format_value(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text  # no "-0.000"


def parse_value(text: str) -> float | None:
    """A typed number (``"1.5"``, ``"1,5"``, ``"−2"``), or None when it is not one."""
    text = text.strip().replace("\N{MINUS SIGN}", "-").replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _mono_font() -> QFont:
    """The system's fixed-width font at the application font's size (which zooms)."""
    return QFont(_mono_font_at(QApplication.font().pointSizeF()))


@cache
def _mono_font_at(size: float) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if size > 0:
        font.setPointSizeF(size)
    return font


def saved_knob_style() -> str:
    """The knob style chosen last (View > Knob style), kept in QSettings; "sliders" at
    first."""
    style = QSettings().value(KNOB_STYLE_SETTING, "sliders")
    return style if style in KNOB_STYLES else "sliders"


@cache
def _lock_icon(open_colour: str, shut_colour: str) -> QIcon:
    """A painted padlock, open (Off) and shut (On): no emoji font needed."""
    icon = QIcon()
    for state, shut in ((QIcon.State.Off, False), (QIcon.State.On, True)):
        colour = QColor(shut_colour if shut else open_colour)
        pixmap = QPixmap(32, 32)
        pixmap.fill(Qt.GlobalColor.transparent)
        p = QPainter(pixmap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(colour, 3.0))
        # the shackle: shut, both legs reach the body; open, it lifts and only the
        # right leg stays in
        if shut:
            p.drawArc(QRectF(9, 3, 14, 16), 0, 180 * 16)
            p.drawLine(QPointF(9, 11), QPointF(9, 15))
            p.drawLine(QPointF(23, 11), QPointF(23, 15))
        else:
            p.drawArc(QRectF(15, 1, 14, 14), 0, 180 * 16)
            p.drawLine(QPointF(29, 8), QPointF(29, 12))
            p.drawLine(QPointF(15, 8), QPointF(15, 15))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawRoundedRect(QRectF(4 if shut else 2, 15, 20, 14), 3, 3)
        p.end()
        icon.addPixmap(pixmap, QIcon.Mode.Normal, state)
    return icon


# -- the pieces of a knob --------------------------------------------------------------------
class FloatSlider(QSlider):
    """A ``QSlider`` in floating point, with the keyboard, and a wheel that leaves
    scrolling alone.

    ``value()``, ``setValue(float)``, ``minimum()``, ``maximum()``, ``singleStep()`` and
    ``pageStep()`` work in the parameter's own units and ``floatValueChanged`` carries the
    float; underneath, Qt's integer slider spans ``TICKS`` positions. This is the one
    place that scaling lives. (superqt's float slider did the same, but its import was a
    third of knobsim's start-up and it paints in Python, several times slower than Qt.)
    The float is exact only while the tick is the one it was set at: whatever moves the
    tick (a hand, or code behind the slider's back) moves ``value()`` with it. Keys step
    the float value through ``setValue``, so a key press takes a drag's path. A new tick
    repaints only when it moves the handle by a pixel from where it was last painted.
    """

    TICKS = 10_000
    #: ``widgets.guard_wheels`` leaves it alone: ``wheelEvent`` below does the same
    wheel_needs_focus = True

    floatValueChanged = Signal(float)
    #: a mouse button took hold of the slider (True) or let go of it (False)
    heldChanged = Signal(bool)
    #: a double-click: the person wants to type the value
    typeRequested = Signal()
    #: called before a hand starts moving the slider (the knob brings it up to date)
    before_hand_move: Callable[[], None] | None = None

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # no focus by wheel
        self._low, self._high = 0.0, 1.0
        self._exact = (0.0, 0)  # (the float set, the tick it was set at)
        self._single, self._page = 0.01, 0.1
        self._painted_tick: int | None = None
        #: the error along this knob, the others held (``set_slice``), and the session
        #: state it was computed at
        self.slice: tuple[NDArray[np.float64], NDArray[np.float64], float] | None = None
        self.slice_key: object = None
        #: the slice as last drawn, and what it was drawn from (``_slice_picture``): a
        #: handle moving over an unchanged slice (most frames while training) is a blit
        self._slice_pixmap: QPixmap | None = None
        self._slice_drawn: tuple | None = None
        self._held = False  # a mouse button is down on it
        self._last_pos: float | None = None  # the mouse along the slider at the last event
        #: a fine (or after-fine) drag: (mouse along the slider, value, fine) at its start
        self._fine_anchor: tuple[float, float, bool] | None = None
        QSlider.setRange(self, 0, self.TICKS)
        self.valueChanged.connect(self._on_tick_changed)

    # -- the loss slice ---------------------------------------------------------------------
    def set_slice(
        self, values: NDArray[np.float64], losses: NDArray[np.float64], current: float, key
    ) -> None:
        """Draw the error along the knob (``losses`` at ``values``) behind the groove; the
        error at the knobs as they are (``current``) sits at half the slider's height, so
        slices of different knobs compare: flat ones stay level, steep ones leave."""
        self.slice = (values, losses, current)
        self.slice_key = key
        if self.isVisible():
            # drawn now, in the idle time the slices are computed in, not in the paint:
            # new slices arrive for every knob in view at once, and drawn at paint time
            # they made the first frame after them (the one a hand's next move is shown
            # in) several milliseconds longer, ten times a second
            self._slice_picture()
        self.update()

    def clear_slice(self) -> None:
        if self.slice is not None:
            self.slice = self.slice_key = None
            self.update()

    def slice_points(self) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
        """Where the slice is drawn: x and y in the slider's pixels (None: not drawn)."""
        if self.slice is None or self.orientation() != Qt.Orientation.Horizontal:
            return None
        values, losses, current = self.slice
        if not math.isfinite(current):
            return None  # an exploded run: nothing to compare with
        frac = (np.asarray(values) - self._low) / self._span()
        keep = (frac >= -1e-9) & (frac <= 1 + 1e-9)
        x0, x1 = self._value_x(self._low), self._value_x(self._high)
        x = x0 + frac[keep] * (x1 - x0)
        # the error at the knobs as they are at half height; each factor of ten up or down
        # is a quarter of the height (log: small and large errors both read)
        with np.errstate(all="ignore"):
            ratio = np.asarray(losses)[keep] / max(current, 1e-300)
            up = np.where(ratio > 0, np.log10(ratio), -np.inf) / (2 * SLICE_DECADES)
        height = max(self.height() - 2, 0)
        y = 1 + height * (1.0 - np.clip(0.5 + up, 0.0, 1.0))
        # Qt's painter must never get a NaN coordinate (it can crash on one)
        ok = np.isfinite(x) & np.isfinite(y)
        return x[ok], y[ok]

    def _paint_slice(self) -> None:
        picture = self._slice_picture()
        if picture is not None:
            p = QPainter(self)
            p.drawPixmap(0, 0, picture)
            p.end()

    def _slice_picture(self) -> QPixmap | None:
        """The slice drawn on a transparent pixmap the slider's size; drawn again only when
        what it shows changed: the slice, the size, the range or the colour."""
        if self.slice is None or self.orientation() != Qt.Orientation.Horizontal:
            return None
        line = self.palette().color(QPalette.ColorRole.Highlight)
        ratio = self.devicePixelRatioF()
        # (the slice itself by identity: set_slice always brings a new tuple)
        key = (self.slice, self.size(), ratio, self._low, self._high, line.rgba())
        drawn = self._slice_drawn
        if drawn is not None and drawn[0] is self.slice and drawn[1:] == key[1:]:
            return self._slice_pixmap
        self._slice_drawn, self._slice_pixmap = key, None
        points = self.slice_points()
        if points is None or len(points[0]) < 2:
            return None
        x, y = points
        pixmap = QPixmap(self.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        line.setAlpha(220)
        fill = QColor(line)
        fill.setAlpha(35)
        bottom = float(self.height() - 1)
        outline = QPolygonF([QPointF(a, b) for a, b in zip(x.tolist(), y.tolist(), strict=True)])
        area = QPolygonF(outline)
        area.append(QPointF(float(x[-1]), bottom))
        area.append(QPointF(float(x[0]), bottom))
        p = QPainter(pixmap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(fill)
        p.drawPolygon(area)
        p.setPen(QPen(line, 1.5))
        p.drawPolyline(outline)
        # the slice's lowest point: a small tick on the bottom edge
        k = self.slice_lowest()
        p.setPen(QPen(line, 2))
        p.drawLine(QPointF(k, bottom - 5), QPointF(k, bottom))
        p.end()
        self._slice_pixmap = pixmap
        return pixmap

    def slice_lowest(self) -> float:
        """Where the slice's lowest error is drawn: x in the slider's pixels."""
        values, losses, _ = self.slice  # (inf where not finite: never the lowest)
        return self._value_x(float(values[int(np.argmin(losses))]))

    def _value_x(self, value: float) -> float:
        return handle_centre_x(self, (value - self._low) / self._span())

    def setRange(self, low: float, high: float) -> None:  # noqa: N802 - Qt's name
        value = self.value()
        self._low, self._high = float(low), float(high)
        self.setValue(value)

    def minimum(self) -> float:
        return self._low

    def maximum(self) -> float:
        return self._high

    def value(self) -> float:
        value, tick = self._exact
        if tick == QSlider.value(self):
            return value
        return self._from_tick(QSlider.value(self))

    def singleStep(self) -> float:  # noqa: N802 - Qt's name
        return self._single

    def pageStep(self) -> float:  # noqa: N802 - Qt's name
        return self._page

    def setSingleStep(self, step: float) -> None:  # noqa: N802 - Qt's name
        self._single = float(step)
        QSlider.setSingleStep(self, max(1, round(self._single / self._span() * self.TICKS)))

    def setPageStep(self, step: float) -> None:  # noqa: N802 - Qt's name
        self._page = float(step)
        QSlider.setPageStep(self, max(1, round(self._page / self._span() * self.TICKS)))

    def setValue(self, value: float) -> None:  # noqa: N802 - Qt's name
        value = min(self._high, max(self._low, float(value)))  # pinned to the range
        changed = value != self.value()
        tick = round((value - self._low) / self._span() * self.TICKS)
        self._exact = (value, tick)
        QSlider.setValue(self, tick)  # -> _on_tick_changed: the float is already exact
        if changed:
            self.floatValueChanged.emit(value)

    def _span(self) -> float:
        return (self._high - self._low) or 1.0

    def _from_tick(self, tick: int) -> float:
        return self._low + tick / self.TICKS * self._span()

    def _on_tick_changed(self, tick: int) -> None:
        if tick == self._exact[1]:
            return  # setValue moved the handle; the float is already exact
        self._exact = (self._from_tick(tick), tick)
        self.floatValueChanged.emit(self._exact[0])

    # -- painting --------------------------------------------------------------------------
    def _pixel(self, tick: int) -> int:
        length = self.width() if self.orientation() == Qt.Orientation.Horizontal else self.height()
        return round(tick / self.TICKS * length)

    def sliderChange(self, change: QAbstractSlider.SliderChange) -> None:  # noqa: N802
        # a repaint costs more than anything else in the knob panel: a new tick within
        # a pixel of the handle as last painted is left unpainted (keyed by that tick)
        painted = self._painted_tick
        if (
            change == QAbstractSlider.SliderChange.SliderValueChange
            and painted is not None
            and self._pixel(self.sliderPosition()) == self._pixel(painted)
        ):
            return
        super().sliderChange(change)

    def paintEvent(self, ev: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        self._painted_tick = self.sliderPosition()
        self._paint_slice()
        super().paintEvent(ev)

    # -- hands -----------------------------------------------------------------------------
    def _hand(self) -> None:
        if self.before_hand_move is not None:
            self.before_hand_move()

    def keyPressEvent(self, ev: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key = Qt.Key(ev.key())
        single, page = self.singleStep(), self.pageStep()
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            single /= FINE  # Shift+arrow: a fine step
        steps = {
            Qt.Key.Key_Right: single, Qt.Key.Key_Up: single,
            Qt.Key.Key_Left: -single, Qt.Key.Key_Down: -single,
            Qt.Key.Key_PageUp: page, Qt.Key.Key_PageDown: -page,
        }  # fmt: skip
        if key in steps:
            self._hand()
            delta = -steps[key] if self.invertedControls() else steps[key]
            self.setValue(self.value() + delta)
        elif key in (Qt.Key.Key_Home, Qt.Key.Key_End):
            self._hand()
            self.setValue(self.minimum() if key == Qt.Key.Key_Home else self.maximum())
        else:
            super().keyPressEvent(ev)
            return
        ev.accept()

    def mousePressEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        self._take_hold()
        super().mousePressEvent(ev)
        self._last_pos = self._along(ev)

    def _take_hold(self) -> None:
        self._hand()
        if not self._held:
            self._held = True
            self.heldChanged.emit(True)  # before the press moves it: training lets go
        self._fine_anchor = None

    def _let_go(self, ev: QMouseEvent) -> None:
        self._fine_anchor = None
        if self._held and not ev.buttons():
            self._held = False
            self.heldChanged.emit(False)

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        # a held handle moves the value by the mouse's motion from where the value is
        # (not to the pixel under the mouse: no jump of a pixel's rounding at the first
        # move): at the handle's own rate, so it stays under the mouse; with Shift at
        # 1/FINE of it (letting go of Shift never jumps). On a slider shorter than
        # RESOLUTION_PX (a grid cell, a squeezed panel) at 1/RESOLUTION_PX of the range
        # a pixel, as a dial turns
        pos = self._along(ev)
        last, self._last_pos = self._last_pos, pos
        fine = bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        pixels = self._pixels()
        if not self.isSliderDown():
            super().mouseMoveEvent(ev)
            return
        if self._fine_anchor is None or self._fine_anchor[2] != fine:
            self._fine_anchor = (last if last is not None else pos, self.value(), fine)
        start, value, _ = self._fine_anchor
        rate = self._span() / max(pixels, RESOLUTION_PX) / (FINE if fine else 1)
        self.setValue(value + (pos - start) * rate)
        ev.accept()

    def _along(self, ev: QMouseEvent) -> float:
        """The mouse along the slider, growing towards the maximum."""
        p = ev.position()
        horizontal = self.orientation() == Qt.Orientation.Horizontal
        along = p.x() if horizontal else -p.y()
        return -along if self.invertedAppearance() else along

    def _pixels(self) -> int:
        """How far the handle's centre travels from minimum to maximum, in pixels."""
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        style = self.style()
        cc, sc = QStyle.ComplexControl.CC_Slider, QStyle.SubControl
        groove = style.subControlRect(cc, opt, sc.SC_SliderGroove, self)
        handle = style.subControlRect(cc, opt, sc.SC_SliderHandle, self)
        if self.orientation() == Qt.Orientation.Horizontal:
            return max(1, groove.width() - handle.width())
        return max(1, groove.height() - handle.height())

    def mouseDoubleClickEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        super().mouseDoubleClickEvent(ev)  # a press, as the first click was
        self.typeRequested.emit()

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        self._fine_anchor = None
        super().mouseReleaseEvent(ev)
        self._let_go(ev)

    def wheelEvent(self, ev: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        # a wheel over a column of knobs scrolls the panel; it turns only a focused knob
        if not self.hasFocus():
            scroll_instead(self, ev)
            return
        delta = ev.angleDelta()
        notches = (delta.y() or delta.x()) / 120.0  # some systems turn Shift+wheel sideways
        if notches == 0:
            ev.ignore()
            return
        self._hand()
        fine = bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        step = self.singleStep() / (FINE if fine else 1)  # a notch, or a fine notch
        sign = -1 if self.invertedControls() else 1
        self.setValue(self.value() + sign * notches * step)
        ev.accept()


class GradientArrow(QWidget):
    """Which way to turn a knob to lower the error, and how strongly (painted arrow).

    ``direction`` is +1 (turn it up / right), -1 (down / left) or 0 (a flat spot: a dot);
    ``strength`` in (0, 1] is how steep the error is on the absolute scale of
    ``knobsim.core.models.slopes.slope_levels`` (it does not depend on the other knobs);
    ``slope`` is the error's slope dL/dθ itself.
    """

    def __init__(
        self, name: str, orientation: Qt.Orientation, size: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.orientation = orientation
        self.direction = 0
        self.strength = 0.0
        self.slope = 0.0
        self.locked = False
        self.setObjectName(f"grad:{name}")
        self.setFixedSize(size, size)
        self.setAccessibleName(f"error slope for {name}")

    def set_state(self, direction: int, strength: float) -> None:
        """Show a new arrow; repaints only when the arrow looks different."""
        if direction != self.direction or strength != self.strength:
            self.direction = int(direction)
            self.strength = float(strength)
            self.update()

    def describe(self) -> str:
        """The tooltip: which way lowers the error, and the slope of the error."""
        if self.direction == 0:
            # a dot: the slope is too small to show, whatever its last digits say
            slope = f"slope of the error ~0: {self.slope:.2g}"
            text = f"{self.name} sits at a flat spot: turning it barely changes the error ({slope})"
        else:
            slope = f"slope of the error: {self.slope:.2g}"
            horizontal = self.orientation == Qt.Orientation.Horizontal
            way = (
                ("right" if horizontal else "up")
                if self.direction > 0
                else ("left" if horizontal else "down")
            )
            text = f"Turning {self.name} {way} lowers the error ({slope})"
        if self.locked:
            text += "; it is locked, so Train leaves it alone"
        return text

    def event(self, ev: QEvent) -> bool:
        if ev.type() == QEvent.Type.ToolTip:
            # built when asked: the slope changes every training tick
            self.setToolTip(self.describe())
        return super().event(ev)

    def paintEvent(self, ev: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        cx, cy = w / 2, h / 2
        if self.direction == 0:
            p.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            p.drawEllipse(QPointF(cx, cy), 2.0, 2.0)
            return
        colour = grad_colour(self.direction)
        colour.setAlphaF(0.3 + 0.7 * self.strength)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        r = min(w, h) / 2 * (0.45 + 0.55 * self.strength)
        d = float(self.direction)
        if self.orientation == Qt.Orientation.Horizontal:
            pts = [(cx + d * r, cy), (cx - d * r, cy - r), (cx - d * r, cy + r)]
        else:  # up is +1, and screen y grows downwards
            pts = [(cx, cy - d * r), (cx - r, cy + d * r), (cx + r, cy + d * r)]
        p.drawPolygon(QPolygonF([QPointF(x, y) for x, y in pts]))


class Dial(FloatSlider):
    """A knob's rotary face: the same float slider underneath (its range, ticks, keys,
    wheel, Shift-fine and held hand), painted as a dial (``knobsim.ui.knobs.dials``).

    A vertical drag turns it, up for more, relative to where it is: the whole range in
    ``RESOLUTION_PX`` pixels, ten times finer with Shift; a press never jumps it. It is
    vertical for the keys (Up and Right turn it up) and draws no loss slice.
    """

    def __init__(self, size: int, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setFixedSize(size, size)
        #: the session locks this knob (the knob sets it; the dial shows a padlock)
        self.locked = False
        #: the rim mark (the knob's gradient arrow), painted over the dial
        self.rim: RimArrow | None = None

    def set_locked(self, locked: bool) -> None:
        if locked != self.locked:
            self.locked = locked
            self.update()

    def painted_fraction(self) -> float | None:
        """The share of the range the dial drew at its last paint (None: never painted)."""
        tick = self._painted_tick
        return None if tick is None else tick / self.TICKS

    def _pixel(self, tick: int) -> int:
        # along the value arc: a new tick within a pixel of the arc's end is not repainted
        arc = math.radians(dials.SWEEP_DEG) * dials.track_radius(self.width())
        return round(tick / self.TICKS * arc)

    def _pixels(self) -> int:
        return 1  # a drag turns it at 1/RESOLUTION_PX of the range a pixel

    def paintEvent(self, ev: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        self._painted_tick = tick = self.sliderPosition()
        span = self._span()
        zero = -self.minimum() / span
        p = QPainter(self)
        rect = QRectF(self.rect())
        dials.paint_dial(
            p,
            rect,
            tick / self.TICKS,
            self.palette(),
            zero=zero,
            focused=self.hasFocus(),
            dpr=self.devicePixelRatioF(),
        )
        if self.locked:
            palette = self.palette()
            icon = _lock_icon(
                palette.color(QPalette.ColorRole.PlaceholderText).name(QColor.NameFormat.HexArgb),
                palette.color(QPalette.ColorRole.ButtonText).name(QColor.NameFormat.HexArgb),
            )
            side = round(self.width() * 0.24)
            box = QRectF(0, 0, side, side)
            box.moveCenter(rect.center())
            icon.paint(p, box.toRect(), Qt.AlignmentFlag.AlignCenter, state=QIcon.State.On)
        p.end()

    def mousePressEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()  # a right click: the knob's menu
            return
        self._take_hold()
        self.setSliderDown(True)  # grabbed where it is: the press does not move it
        self._last_pos = self._along(ev)
        ev.accept()

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if ev.button() == Qt.MouseButton.LeftButton:
            self.setSliderDown(False)
        self._let_go(ev)
        ev.accept()

    def event(self, ev: QEvent) -> bool:
        if ev.type() == QEvent.Type.ToolTip and self.rim is not None:
            # the way to turn it, built when asked: the slope changes every training tick
            QToolTip.showText(ev.globalPos(), f"{self.rim.describe()}\n{self.toolTip()}", self)
            return True
        return super().event(ev)


class RimArrow(GradientArrow):
    """A dial's gradient arrow: the mark on its rim, just ahead of the value, pointing
    the way to turn the dial that lowers the error (``dials.paint_rim_mark``)."""

    def __init__(self, name: str, dial: Dial) -> None:
        super().__init__(name, Qt.Orientation.Vertical, dial.width(), dial)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._dial = dial
        dial.rim = self

    def paintEvent(self, ev: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        fraction = self._dial.painted_fraction()  # the dial paints first, under it
        if fraction is None:
            return
        colour = (
            grad_colour(self.direction)
            if self.direction
            else self.palette().color(QPalette.ColorRole.PlaceholderText)
        )
        p = QPainter(self)
        dials.paint_rim_mark(
            p, QRectF(self.rect()), fraction, self.direction, self.strength, colour
        )
        p.end()


class RangeLabel(QLabel):
    """A knob's range as quiet text ("−1.5 … 1.5"), which gives way to the knob's other
    parts in a narrow row: it shrinks to nothing, eliding its text, rather than push
    the row wider than the panel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(0, super().minimumSizeHint().height())

    def paintEvent(self, ev: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setPen(self.palette().color(self.foregroundRole()))
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.width())
        p.drawText(
            self.rect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text
        )
        p.end()


class Knob(QWidget):
    """One parameter: name, float slider, editable read-out, gradient arrow, lock.

    With ``dial_px`` its face is a ``Dial`` that many pixels across (``slider`` is then
    the dial, a float slider underneath) with the arrow as a mark on its rim
    (``RimArrow``), the name and value under it; everything else (reading the session,
    a hand's moves, holding, typing, the lock) is the same knob.

    Values are in the parameter's own units. The knob keeps no value of its own: bound
    to a session parameter (``bind_knob``), ``value()`` and ``is_locked()`` read the
    session, and ``refresh`` / ``refresh_lock`` make the slider, the read-out and the
    lock show it (each compared with what it shows, so an unchanged one is not touched).
    ``setValue`` acts like a hand on the knob (it emits ``valueChanged``). A value
    outside the slider's range pins the slider at its end while the read-out shows the
    true value.

    Signals
    -------
    valueChanged(float)
        A hand (mouse, keys, typing, or ``setValue``) turned the knob.
    lockToggled(bool)
        The lock button was clicked (True = locked).
    """

    valueChanged = Signal(float)
    lockToggled = Signal(bool)
    heldChanged = Signal(bool)

    def __init__(
        self,
        name: str,
        low: float,
        high: float,
        *,
        hint: str = "",
        compact: bool = False,
        dial_px: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        low, high = float(low), float(high)
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"Knob {name!r} needs a range low < high, not {low}..{high}.")
        self.name = name
        self.compact = compact
        self.hint = hint or name
        self._low, self._high = low, high
        # the session parameter shown (set by bind_knob): (controller, its model, index)
        self._source: tuple[SessionController, Model, int] | None = None
        self.decimals = 0  # set with the range (_show_range)
        self.setObjectName(f"knob:{name}")
        self.setAccessibleName(f"knob {name}")
        self.setAccessibleDescription(self.hint)
        orientation = Qt.Orientation.Vertical if compact else Qt.Orientation.Horizontal

        if dial_px is not None:
            self.slider: FloatSlider = Dial(dial_px, self)
            self.slider.setObjectName(f"dial:{name}")
        else:
            self.slider = FloatSlider(orientation, self)
            self.slider.setObjectName(f"slider:{name}")
        self.slider.before_hand_move = self.refresh
        self.slider.setAccessibleName(f"knob {name}")
        self.slider.setAccessibleDescription(self.hint)
        #: the range's ends, as text (rows only: a grid cell has no room; see tooltip)
        self.range_label = RangeLabel(self)
        self.range_label.setObjectName(f"range:{name}")
        self.range_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.range_label.setToolTip(
            "The knob's range: where its slider ends. It widens when you (or training)\n"
            "push the knob against an end."
        )

        self.editor = QLineEdit(self)
        self.editor.setObjectName(f"value:{name}")
        self.editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        font = QFont(_mono_font())
        if compact:
            font.setPointSizeF(max(6.0, font.pointSizeF() - 1.5))
            self.editor.setFrame(False)
        self.editor.setFont(font)
        self.editor.setAccessibleName(f"value of {name}")
        self.editor.setToolTip(f"{self.hint}\nType a value and press Enter.")
        self.editor.editingFinished.connect(self._on_editor_editing_finished)
        self.editor.textChanged.connect(self._on_editor_text_changed)
        self.editor.textEdited.connect(self._on_editor_text_edited)

        if isinstance(self.slider, Dial):
            self.grad_indicator: GradientArrow = RimArrow(name, self.slider)
        else:
            self.grad_indicator = GradientArrow(name, orientation, 12 if compact else 16, self)

        self.lock_button = QToolButton(self)
        self.lock_button.setObjectName(f"lock:{name}")
        self.lock_button.setCheckable(True)
        self.lock_button.setAutoRaise(True)
        self.lock_button.setText(UNLOCKED_GLYPH)  # for screen readers; the icon shows
        self._set_lock_icon()
        self.lock_button.setAccessibleName(f"lock {name}")
        self.lock_button.setToolTip(f"Lock {name}: Train leaves it alone; your hand still can.")
        self.lock_button.toggled.connect(self._on_lock_button_toggled)

        self.name_label: QLabel | None = None
        self._show_range(low, high)
        if dial_px is not None:
            self.range_label.hide()  # in the tooltip
            self._lay_out_dial()
        elif compact:
            self.range_label.hide()
            self._lay_out_compact()
        else:
            self._lay_out_row()
        self._set_text(self.slider.value())
        # a hand's move: straight on (the read-out follows from the session, on refresh)
        self.slider.floatValueChanged.connect(self.valueChanged)
        self.slider.heldChanged.connect(self._on_slider_held)
        self.slider.typeRequested.connect(self.start_typing)
        self.editor.installEventFilter(self)  # a double-click there selects the whole value
        self._holders: set[str] = set()  # "slider", "editor": what holds it now

    def _lay_out_row(self) -> None:
        self.name_label = QLabel(self.name, self)
        self.name_label.setFont(_mono_font())
        self.name_label.setToolTip(self.hint)
        self.name_label.setBuddy(self.slider)
        # two lines: the name, the range, the value, the arrow and the lock over a slider
        # as long as the row (a handle's pixel is worth 1/200 of the range or less)
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 2, 2, 2)
        column.setSpacing(0)
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self.name_label)
        row.addWidget(self.range_label, 1)
        row.addWidget(self.editor)
        row.addWidget(self.grad_indicator)
        row.addWidget(self.lock_button)
        column.addLayout(row)
        column.addWidget(self.slider)
        self.slider.setMinimumWidth(SLIDER_MIN_PX)
        self.slider.setMinimumHeight(SLIDER_MIN_HEIGHT_PX)
        self.lock_button.setFixedSize(22, 22)
        self.lock_button.setIconSize(QSize(14, 14))

    def _lay_out_compact(self) -> None:
        # a cell of a grid: the arrow (and the lock, when locked) over a short
        # vertical slider over the read-out; the name lives in the tooltip
        self.setToolTip(self.hint)
        self.slider.setFixedHeight(COMPACT_SLIDER_PX)
        self.lock_button.setFixedSize(14, 14)
        self.lock_button.setIconSize(QSize(11, 11))
        self.lock_button.setVisible(False)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(1)
        top.addStretch(1)
        top.addWidget(self.grad_indicator)
        top.addWidget(self.lock_button)
        top.addStretch(1)
        col = QVBoxLayout(self)
        col.setContentsMargins(1, 1, 1, 1)
        col.setSpacing(1)
        col.addLayout(top)
        col.addWidget(self.slider, 0, Qt.AlignmentFlag.AlignHCenter)
        col.addWidget(self.editor, 0, Qt.AlignmentFlag.AlignHCenter)

    def _lay_out_dial(self) -> None:
        # the dial over its name and the lock (a grid cell: the headers name it, and the
        # dial's padlock shows the lock) over the read-out
        col = QVBoxLayout(self)
        col.setContentsMargins(1, 1, 1, 1)
        col.setSpacing(0)
        col.addWidget(self.slider, 0, Qt.AlignmentFlag.AlignHCenter)
        if self.compact:
            self.setToolTip(self.hint)
            self.lock_button.hide()
        else:
            self.name_label = QLabel(self.name, self)
            self.name_label.setFont(_mono_font())
            self.name_label.setToolTip(self.hint)
            self.name_label.setBuddy(self.slider)
            self.lock_button.setFixedSize(16, 16)
            self.lock_button.setIconSize(QSize(11, 11))
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(2)
            row.addStretch(1)
            row.addWidget(self.name_label)
            row.addWidget(self.lock_button)
            row.addStretch(1)
            col.addLayout(row)
        col.addWidget(self.editor, 0, Qt.AlignmentFlag.AlignHCenter)

    def _set_lock_icon(self) -> None:
        # open: muted, so a column of unlocked knobs stays quiet; shut: full strength
        palette = self.palette()
        self.lock_button.setIcon(
            _lock_icon(
                palette.color(QPalette.ColorRole.PlaceholderText).name(QColor.NameFormat.HexArgb),
                palette.color(QPalette.ColorRole.ButtonText).name(QColor.NameFormat.HexArgb),
            )
        )

    def changeEvent(self, ev: QEvent) -> None:  # noqa: N802 - Qt's name
        if ev.type() == QEvent.Type.PaletteChange:
            self._set_lock_icon()  # a new (dark or light) theme: repaint the padlock
            if self._shows_locked():
                self._grey_groove(True)
        super().changeEvent(ev)

    # -- reading -----------------------------------------------------------------------
    def value(self) -> float:
        """The session's value of this knob's parameter (shown or not yet); unbound, the
        slider's."""
        source = self._source
        if source is not None:
            controller, model, index = source
            session = controller.shown
            if session.model is model:
                return float(session.params[index])
        return self.slider.value()

    def range(self) -> tuple[float, float]:  # noqa: A003 - reads like the maths
        """The parameter's range now (the model's; it widens), unbound the one shown."""
        source = self._source
        if source is not None:
            controller, model, index = source
            if controller.shown.model is model:
                return model.param_range(index)
        return self._low, self._high

    def shown_range(self) -> tuple[float, float]:
        """The range the slider spans now."""
        return self._low, self._high

    def _show_range(self, low: float, high: float) -> None:
        """Span ``low``..``high``: the slider, its key steps, the read-out's width and
        decimals, the range's text and the tooltip."""
        self._low, self._high = low, high
        self.decimals = max(0, value_decimals(low, high) - (1 if self.compact else 0))
        with QSignalBlocker(self.slider):  # showing a range is no hand's move
            self.slider.setRange(low, high)
        self.slider.setSingleStep((high - low) / STEPS)
        self.slider.setPageStep((high - low) / PAGES)
        ends = f"{low:g} … {high:g}".replace("-", "−")  # a true minus sign
        self.range_label.setText(ends)
        drag = "Drag up or down" if isinstance(self.slider, Dial) else "Drag"
        keys = (
            f"{drag}, wheel (when focused) or arrow keys; hold Shift for 10x finer.\n"
            "Double-click to type a value.\n"
            "Arrow keys turn it by 1/100 of its range, Page Up/Down by 1/10.\n"
            f"Range {low:g} to {high:g} (it widens when the knob is pushed past an end)."
        )
        self.slider.setToolTip(f"{self.hint}\n{keys}")
        digits = len(format_value(-max(abs(low), abs(high)), self.decimals))
        self.editor.setFixedWidth(self.editor.fontMetrics().horizontalAdvance("8" * digits) + 10)

    def is_locked(self) -> bool:
        """Whether the session locks this knob; unbound, whether the button shows it."""
        source = self._source
        if source is not None:
            controller, model, index = source
            session = controller.shown
            if session.model is model:
                return session.is_locked(index)
        return self.lock_button.isChecked()

    def shows_value(self) -> bool:
        """True when the slider and the read-out show ``value()`` (False: a big panel has
        not painted it yet, scrolled out of view; or a person is typing here)."""
        value = self.value()
        return self.slider.value() == self._pinned(value) and self.editor.text() == (
            format_value(value, self.decimals)
        )

    # -- a hand ------------------------------------------------------------------------
    def setValue(self, value: float) -> None:  # noqa: N802 - Qt-style API
        """Turn the knob as a hand would: clamps to the range and emits ``valueChanged``."""
        value = float(value)
        if not math.isfinite(value):
            return
        value = self._pinned(value)
        if value == self.value():
            return
        self.refresh()  # a hand starts from the value shown
        if self.slider.value() == value:
            self.valueChanged.emit(value)  # slider already there (pinned)
        else:
            self.slider.setValue(value)  # -> floatValueChanged -> valueChanged

    def start_typing(self) -> None:
        """Put the cursor in the value box with the value selected, ready to type over."""
        self.editor.setFocus(Qt.FocusReason.MouseFocusReason)
        self.editor.selectAll()

    def eventFilter(self, watched: QObject, ev: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.editor and ev.type() == QEvent.Type.MouseButtonDblClick:
            self.start_typing()  # the whole number, not the word under the mouse
            return True
        return super().eventFilter(watched, ev)

    def is_held(self) -> bool:
        """A hand holds it: a mouse button down on the slider, or typing in the box."""
        return bool(self._holders)

    def _hold(self, holder: str, held: bool) -> None:
        was = bool(self._holders)
        (self._holders.add if held else self._holders.discard)(holder)
        if bool(self._holders) != was:
            self.heldChanged.emit(not was)

    def _on_slider_held(self, held: bool) -> None:
        self._hold("slider", held)

    def _on_editor_text_edited(self, _text: str) -> None:
        self._hold("editor", True)  # typing: training leaves the knob until Enter

    def _on_editor_editing_finished(self) -> None:
        if not self.editor.isModified():
            self._hold("editor", False)
            return
        typed = parse_value(self.editor.text())
        if typed is not None:
            self.setValue(typed)  # out-of-range typing is clamped to the range
        self._set_text(self.value(), force=True)
        self._hold("editor", False)

    def _on_editor_text_changed(self, _text: str) -> None:
        # an undo in the box can take the typing back to a text shown before the knob
        # moved on (training): once nothing typed is left, the box shows the knob again
        if not self.editor.isModified():
            self._set_text(self.value())

    def _on_lock_button_toggled(self, locked: bool) -> None:
        self.lockToggled.emit(locked)
        self.refresh_lock()  # shows what the session made of it

    def contextMenuEvent(self, ev: QContextMenuEvent) -> None:  # noqa: N802 - Qt's name
        menu = QMenu(self)
        locked = self.is_locked()
        action = menu.addAction(f"Unlock {self.name}" if locked else f"Lock {self.name}")
        action.triggered.connect(lambda: self.lock_button.setChecked(not locked))
        menu.exec(ev.globalPos())

    # -- the session -------------------------------------------------------------------
    def refresh(self) -> None:
        """Show ``value()``: the slider moves and the read-out changes only where they
        show something else (no signal)."""
        span = self.range()
        if span != (self._low, self._high) and not self.slider.isSliderDown():
            self._show_range(*span)  # widened (never under a hand: it would jump)
            self._set_text(self.value(), force=not self.editor.isModified())
        value = self.value()
        if self.slider.value() != self._pinned(value):
            with QSignalBlocker(self.slider):
                self.slider.setValue(value)  # the slider pins values beyond its range
        self._set_text(value)

    def refresh_lock(self) -> None:
        """Show ``is_locked()`` on the button and the row, without emitting ``lockToggled``."""
        locked = self.is_locked()
        if self.lock_button.isChecked() != locked:
            with QSignalBlocker(self.lock_button):
                self.lock_button.setChecked(locked)
        if self._shows_locked() != locked:
            self._show_lock(locked)

    def set_name_width(self, width: int) -> None:
        """Line up the sliders of a column of knobs."""
        if self.name_label is not None:
            self.name_label.setFixedWidth(width)

    def _pinned(self, value: float) -> float:
        return min(self._high, max(self._low, value))

    def _set_text(self, value: float, *, force: bool = False) -> None:
        if not force and self.editor.hasFocus() and self.editor.isModified():
            return  # a person is typing here
        text = format_value(value, self.decimals)
        if text != self.editor.text():
            self.editor.setText(text)

    def _shows_locked(self) -> bool:
        return self.lock_button.text() == LOCKED_GLYPH

    def _show_lock(self, locked: bool) -> None:
        self.grad_indicator.locked = locked
        self.lock_button.setText(LOCKED_GLYPH if locked else UNLOCKED_GLYPH)
        if isinstance(self.slider, Dial):
            self.slider.set_locked(locked)
        elif self.compact:
            self.lock_button.setVisible(locked)
        # a greyed groove on a tinted row says "Train leaves this one alone"; palette
        # roles, not fixed colours, so a dark theme stays readable
        self.setAutoFillBackground(locked)
        self.setBackgroundRole(
            QPalette.ColorRole.AlternateBase if locked else QPalette.ColorRole.Window
        )
        self._grey_groove(locked)

    def _grey_groove(self, locked: bool) -> None:
        groove = QPalette()  # sets only the role below; the rest follows the theme
        if locked:
            groove.setColor(
                QPalette.ColorRole.Highlight, self.palette().color(QPalette.ColorRole.Mid)
            )
        self.slider.setPalette(groove)


def bind_knob(knob: Knob, controller: SessionController, index: int) -> Callable[[], None]:
    """Show parameter ``index`` of the controller's session on ``knob`` and send the knob's
    hand moves and lock clicks to the controller; returns the disconnect.

    The knob reads the session when refreshed; when to refresh is the panel's job
    (``Knob.refresh``), and a refresh emits nothing, so nothing echoes back.
    """
    knob._source = (controller, controller.session.model, index)
    knob.refresh()
    knob.refresh_lock()

    def on_value_changed(value: float) -> None:
        controller.set_params_at([index], [value])

    def on_lock_toggled(locked: bool) -> None:
        controller.set_locked(index, locked)

    def on_held_changed(held: bool) -> None:
        controller.hold(index, held)

    knob.valueChanged.connect(on_value_changed)
    knob.lockToggled.connect(on_lock_toggled)
    knob.heldChanged.connect(on_held_changed)
    model = controller.session.model

    def disconnect() -> None:
        knob._source = None
        if controller.session.model is model:
            controller.hold(index, False)  # a knob that goes away lets go
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # already gone: nothing to do
            try:
                knob.valueChanged.disconnect(on_value_changed)
                knob.lockToggled.disconnect(on_lock_toggled)
                knob.heldChanged.disconnect(on_held_changed)
            except (RuntimeError, TypeError):
                pass

    return disconnect


# -- the panel ----------------------------------------------------------------------------------
class KnobPanel(QWidget):
    """Every knob of the session's model, in a scroll area, bound to the controller.

    Rebuilds on ``modelChanged``; on ``paramsChanged`` refreshes the knobs from the
    session (in big panels only those in view, the rest when scrolled to) and, at most
    every ``GRAD_INTERVAL_S``, the gradient arrows. It keeps no copy of the weights: each
    knob compares the session's value with what it shows.
    """

    #: the knob widgets were built afresh (a new model, a zoom, the knob style): whatever
    #: sits on a knob (Predict's ghosts) moves onto the new ones
    rebuilt = Signal()

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("knob_panel")
        self._controller = controller
        self._knobs: list[Knob] = []
        self._by_name: dict[str, Knob] = {}
        self._unbind: list[Callable[[], None]] = []
        self._model: Model | None = None
        self._grad_key: tuple[int, int] | None = None
        self._grad_last = -math.inf
        self._slice_turn = 0  # while training: where the next turn of slices begins
        self._slice_ms = 0.5  # what one knob's slice costs (ms), smoothed
        self._rects: NDArray[np.int64] | None = None  # knob geometry, for "in view"
        self._retired: QWidget | None = None
        self._need = 0  # the width the knobs ask for (pixels)
        #: the knobs' face: "sliders" or "dials" (``set_knob_style``)
        self.knob_style = "sliders"

        self.count_label = QLabel(self)
        self.count_label.setObjectName("knob_count")
        font = self.count_label.font()
        font.setWeight(QFont.Weight.DemiBold)
        self.count_label.setFont(font)
        self.legend = legend = QLabel(LEGENDS["sliders"], self)
        legend.setObjectName("knob_legend")
        legend.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        legend.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        legend.setWordWrap(True)  # a narrow panel wraps it rather than growing
        header = QHBoxLayout()
        header.setContentsMargins(6, 2, 6, 2)
        header.addWidget(self.count_label)
        header.addStretch(1)
        header.addWidget(legend)

        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("knob_scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.scroll, 1)

        self._grad_timer = QTimer(self)
        self._grad_timer.setSingleShot(True)
        self._grad_timer.timeout.connect(self.update_gradients)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)
        for bar in (self.scroll.verticalScrollBar(), self.scroll.horizontalScrollBar()):
            bar.valueChanged.connect(self._on_scroll_bar_value_changed)
        self.scroll.viewport().installEventFilter(self)

        # while training, the knobs follow at TRAINING_INTERVAL_S: sliders are the costliest
        # thing the window paints, and the eye cannot follow 60 slider moves a second anyway
        self._values_last = 0.0

        controller.modelChanged.connect(self._on_controller_model_changed)
        controller.paramsChanged.connect(self._on_controller_params_changed)
        controller.lockChanged.connect(self._on_controller_lock_changed)
        controller.trainingToggled.connect(self._on_controller_training_toggled)
        self.rebuild()

    # -- lookup --------------------------------------------------------------------------
    @property
    def knobs(self) -> list[Knob]:
        """The knobs, in parameter order."""
        return list(self._knobs)

    def knob(self, name: str) -> Knob:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"There is no knob {name!r} for this model.") from None

    def focus_knob(self, name: str) -> None:
        """Scroll ``name`` into view and give its slider the keyboard."""
        knob = self.knob(name)
        self.scroll.ensureWidgetVisible(knob, 8, 8)
        knob.refresh()
        knob.slider.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- building ------------------------------------------------------------------------
    def set_knob_style(self, style: str) -> None:
        """Show every knob as a slider or a dial (``KNOB_STYLES``): the knobs are built
        afresh on the same session, so values, locks and undo stay."""
        if style not in KNOB_STYLES:
            raise ValueError(f"A knob style is one of {', '.join(KNOB_STYLES)}, not {style!r}.")
        if style != self.knob_style:
            self.knob_style = style
            self.legend.setText(LEGENDS[style])
            self.rebuild()

    def _on_controller_model_changed(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        """Build the knobs of the session's model afresh (a new model, or a zoom)."""
        for unbind in self._unbind:
            unbind()
        self._unbind.clear()
        old = self.scroll.takeWidget()
        if old is not None:
            old.hide()
            old.deleteLater()
        self._retired = old  # held until Qt deletes it

        session = self._controller.shown
        model = session.model
        ranges = model.param_ranges()
        compact = isinstance(model, NextWord)
        dial = self.knob_style == "dials"
        dial_px = None
        if dial:
            few = model.n_params <= DIAL_COLUMNS
            lines = COMPACT_DIAL_LINES if compact else BIG_DIAL_LINES if few else DIAL_LINES
            line = QFontMetrics(QApplication.font()).height()
            dial_px = max(DIAL_MIN_PX, round(lines * line))
        container = QWidget()
        container.setObjectName("knob_container")
        container.setUpdatesEnabled(False)
        self._knobs = [
            Knob(
                name,
                ranges[i, 0],
                ranges[i, 1],
                hint=describe_param(model, i),
                compact=compact,
                dial_px=dial_px,
                parent=container,
            )
            for i, name in enumerate(model.param_names)
        ]
        self._by_name = {k.name: k for k in self._knobs}
        for i, knob in enumerate(self._knobs):
            self._unbind.append(bind_knob(knob, self._controller, i))
        if compact:
            self._lay_out_grid(container, model)
        elif dial:
            self._lay_out_dials(container, model)
        else:
            self._lay_out_groups(container, model)
        container.setUpdatesEnabled(True)
        container.installEventFilter(self)
        self.scroll.setWidget(container)
        self._fit_width(container, compact)

        n = model.n_params
        self.count_label.setText(f"{n} knob" if n == 1 else f"{n} knobs")
        self.count_label.setToolTip(model.describe())
        self._model = model
        self._rects = None
        self._grad_key = None
        self.update_gradients()
        self.rebuilt.emit()

    def _fit_width(self, container: QWidget, compact: bool) -> None:
        # the knobs keep their size (sliders of SLIDER_MIN_PX): a panel narrower than
        # they need scrolls sideways; the panel asks for their width (sizeHint)
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        frame = bar + 2 * self.scroll.frameWidth()
        self._need = container.minimumSizeHint().width() + frame
        self.scroll.setMinimumWidth(min(self._need, PANEL_MIN_PX))
        if not compact and self.knob_style == "sliders" and self._knobs:
            # and rows whose sliders give a pixel at most 1/RESOLUTION_PX of the range: the
            # handle's travel plus its own length, the row's and the column's margins
            slider = self._knobs[0].slider
            handle = slider.style().pixelMetric(QStyle.PixelMetric.PM_SliderLength, None, slider)
            row = self._knobs[0].layout().contentsMargins()
            column = container.layout().contentsMargins()
            margins = row.left() + row.right() + column.left() + column.right()
            self._need = max(self._need, RESOLUTION_PX + handle + margins + frame + 2)
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """Wide enough for every knob's row (a grid: at most PANEL_MIN_PX * 2)."""
        hint = super().sizeHint()
        need = self._need if not self._compact() else min(self._need, 2 * PANEL_MIN_PX)
        return QSize(max(hint.width(), need), hint.height())

    def _compact(self) -> bool:
        return bool(self._knobs) and self._knobs[0].compact

    def _lay_out_groups(self, container: QWidget, model: Model) -> None:
        column = QVBoxLayout(container)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(0)
        metrics = QFontMetrics(_mono_font())
        width = max(metrics.horizontalAdvance(k.name) for k in self._knobs) + 6
        for title, indices in param_groups(model):
            if title:
                header = QLabel(title, container)
                header.setObjectName(f"knob_group:{title}")
                font = header.font()
                font.setWeight(QFont.Weight.DemiBold)
                header.setFont(font)
                header.setContentsMargins(4, 10 if column.count() else 2, 0, 2)
                column.addWidget(header)
            for i in indices:
                self._knobs[i].set_name_width(width)
                column.addWidget(self._knobs[i])
        column.addStretch(1)

    def _lay_out_dials(self, container: QWidget, model: Model) -> None:
        # a grid: each group (a layer's weights, its biases) in rows of DIAL_COLUMNS
        # under its title, so the layers read top to bottom as in the network
        groups = param_groups(model)
        columns = min(DIAL_COLUMNS, max(len(indices) for _, indices in groups))
        grid = QGridLayout(container)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(6)
        row = 0
        for title, indices in groups:
            if title:
                header = QLabel(title, container)
                header.setObjectName(f"knob_group:{title}")
                font = header.font()
                font.setWeight(QFont.Weight.DemiBold)
                header.setFont(font)
                header.setContentsMargins(4, 6 if row else 0, 0, 0)
                grid.addWidget(header, row, 0, 1, columns)
                row += 1
            for k, i in enumerate(indices):
                r, c = divmod(k, columns)
                grid.addWidget(self._knobs[i], row + r, c, Qt.AlignmentFlag.AlignHCenter)
            row += math.ceil(len(indices) / columns)
        grid.setRowStretch(row, 1)
        grid.setColumnStretch(columns, 1)

    def _lay_out_grid(self, container: QWidget, model: NextWord) -> None:
        # rows: the context (the word(s) so far); columns: the next word
        grid = QGridLayout(container)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setHorizontalSpacing(2)
        grid.setVerticalSpacing(4)
        corner = QLabel("after ↓  next →", container)
        corner.setObjectName("knob_grid_corner")
        corner.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        grid.addWidget(corner, 0, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        mono = _mono_font()
        for j, word in enumerate(model.vocab):
            label = QLabel(word, container)
            label.setObjectName(f"knob_col:{word}")
            label.setFont(mono)
            label.setToolTip(f"next word: {_word(word)}")
            grid.addWidget(label, 0, j + 1, Qt.AlignmentFlag.AlignHCenter)
        for r in range(model.n_rows):
            ctx = model.context_label(r)
            label = QLabel(ctx, container)
            label.setObjectName(f"knob_row:{ctx}")
            label.setFont(mono)
            label.setToolTip(f"after {' '.join(_word(w) for w in ctx.split())}")
            grid.addWidget(label, r + 1, 0, Qt.AlignmentFlag.AlignRight)
            for j in range(model.V):
                grid.addWidget(self._knobs[r * model.V + j], r + 1, j + 1)
        grid.setRowStretch(model.n_rows + 1, 1)
        grid.setColumnStretch(model.V + 1, 1)

    # -- the model to the knobs ----------------------------------------------------------
    def _on_controller_training_toggled(self, on: bool) -> None:
        if not on:
            self._show_params()  # paused: every knob shows the exact weight at once
            self.update_gradients()

    def _on_controller_params_changed(self) -> None:
        if not self._controller.is_training:
            self._show_params()
        elif time.monotonic() - self._values_last >= TRAINING_INTERVAL_S:
            # in a tick of its own (no timer: it would fire in the middle of a frame and
            # delay the next); a pause shows the exact weights
            self._controller.refresh_later(self, self._show_params)

    def _show_params(self) -> None:
        self._values_last = time.monotonic()
        session = self._controller.shown
        if session.model is not self._model:
            self.rebuild()  # a new model arrived without modelChanged
            return
        self._refresh_visible()
        self._schedule_gradients()

    def _on_controller_lock_changed(self, index: int, locked: bool) -> None:
        if 0 <= index < len(self._knobs):
            self._knobs[index].refresh_lock()

    def _schedule_gradients(self) -> None:
        if self._grad_timer.isActive():
            return
        wait = GRAD_INTERVAL_S - (time.monotonic() - self._grad_last)
        if not self._controller.is_training:
            # after the paint of the change, never inside a hand's move: the knob and
            # the plots show the move first, the arrows follow in the same frame's idle
            self._grad_timer.start(max(0, math.ceil(wait * 1000)))
        elif wait <= 0:  # (training: the refresh is a tick of its own already)
            self.update_gradients()

    def update_gradients(self) -> None:
        """Point every arrow down the error's slope, now (the panel throttles calls).

        An arrow's size says how steep the error is on a scale that holds still while
        the knobs settle (``knobsim.core.models.slopes``): how much one arrow-key step of the
        knob (1/100 of its range) changes the error, as a share of the error of the best
        guess that ignores the inputs (the data's variance for a curve). A step worth
        all of that or more is full size; each size below is a factor of ~3 less; at
        0.01% or less the arrow is a dot, and its tooltip says the slope is ~0. So
        arrows shrink as training settles and vanish at a minimum, however the knobs
        compare with each other.
        """
        self._grad_timer.stop()
        self._grad_last = time.monotonic()
        session = self._controller.shown
        key = (id(session), session.version)
        if session.model is not self._model:
            return
        self.update_slices()
        if key == self._grad_key:
            return
        self._grad_key = key
        g = np.asarray(session.grad(), dtype=float)
        # sizes on an absolute scale (core.models.slopes): at a minimum every arrow is a dot
        level = slope_levels(session, GRAD_LEVELS)
        direction = np.where(level > 0, -np.sign(np.nan_to_num(g)), 0).astype(np.int64)
        # each arrow compares with what it shows itself and repaints only on a change: no
        # copy of the last state here that could drift from the arrows
        strength = level / GRAD_LEVELS
        for knob, slope, d, f in zip(
            self._knobs, g.tolist(), direction.tolist(), strength.tolist(), strict=True
        ):
            arrow = knob.grad_indicator
            arrow.slope = slope
            arrow.set_state(d, f)

    def update_slices(self) -> None:
        """Draw in each knob in view the error along it, the others held (one vectorised
        call for them all); a knob whose slice was drawn for this session state and this
        range keeps it."""
        session = self._controller.shown
        if session.model is not self._model:
            return
        visible = self._visible_mask()
        knobs = self._knobs
        todo = []
        for i in range(len(knobs)) if visible is None else np.flatnonzero(visible).tolist():
            slider = knobs[i].slider
            if slider.orientation() != Qt.Orientation.Horizontal:
                continue
            key = (id(session), session.version, slider.minimum(), slider.maximum())
            if slider.slice_key != key:
                todo.append((i, key))
        if not todo:
            return
        if self._controller.is_training:  # the knobs in view take turns (SLICES_BUDGET_MS)
            turn = max(1, int(SLICES_BUDGET_MS / self._slice_ms))
            if len(todo) > turn:
                start = self._slice_turn % len(todo)
                todo = (todo[start:] + todo[:start])[:turn]
                self._slice_turn = start + turn
        indices = [i for i, _ in todo]
        ranges = np.zeros((session.n_params, 2))
        for i in indices:
            ranges[i] = knobs[i].slider.minimum(), knobs[i].slider.maximum()
        d = session.dataset
        t0 = time.perf_counter()
        slices = loss_slices(
            session.model, session.params, d.X_train, d.y_train, indices, ranges,
            reach_current=False,
        )  # fmt: skip
        per_knob = (time.perf_counter() - t0) * 1000.0 / len(indices)
        self._slice_ms = 0.7 * self._slice_ms + 0.3 * per_knob
        for r, (i, key) in enumerate(todo):
            knobs[i].slider.set_slice(slices.values[r], slices.losses[r], slices.current[r], key)

    def _on_scroll_bar_value_changed(self) -> None:
        self._refresh_visible()  # the values at once
        self._refresh_timer.start()  # the slices when the scrolling rests

    def _on_refresh_timer_timeout(self) -> None:
        self._refresh_visible()
        self.update_slices()  # knobs scrolled into view

    # -- painting only what is in view ---------------------------------------------------
    def _visible_mask(self) -> NDArray[np.bool_] | None:
        """Which knobs are in view (None: paint them all, the panel is small)."""
        if not self.paints_in_view_only:
            return None
        container = self.scroll.widget()
        if container is None or not self.isVisible():
            return np.zeros(len(self._knobs), dtype=bool)
        view = container.visibleRegion().boundingRect()
        if view.isEmpty():
            return np.zeros(len(self._knobs), dtype=bool)
        if self._rects is None:
            self._rects = np.array(
                [
                    (g.left(), g.top(), g.right(), g.bottom())
                    for g in (k.geometry() for k in self._knobs)
                ],
                dtype=np.int64,
            )
        r = self._rects
        return (
            (r[:, 2] >= view.left()) & (r[:, 0] <= view.right())
            & (r[:, 3] >= view.top()) & (r[:, 1] <= view.bottom())
        )  # fmt: skip

    def _refresh_visible(self) -> None:
        """Refresh the knobs in view (all of a small panel) from the session."""
        visible = self._visible_mask()
        knobs = self._knobs
        for i in range(len(knobs)) if visible is None else np.flatnonzero(visible).tolist():
            knobs[i].refresh()

    @property
    def paints_in_view_only(self) -> bool:
        """True for a big panel: knobs out of view show the session when scrolled to."""
        return len(self._knobs) > DEFER_ABOVE

    def eventFilter(self, watched: QObject, ev: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.scroll.widget() and ev.type() in (
            QEvent.Type.Resize,
            QEvent.Type.LayoutRequest,
            QEvent.Type.Show,
        ):
            self._rects = None  # knobs moved: measure again, and paint what came into view
            self._refresh_timer.start()
        elif watched is self.scroll.viewport() and ev.type() == QEvent.Type.Resize:
            self._refresh_timer.start()  # a wider or taller view shows knobs not painted yet
        return super().eventFilter(watched, ev)

    def showEvent(self, ev: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(ev)
        self._refresh_timer.start()


__all__ = [
    "Dial",
    "FloatSlider",
    "GradientArrow",
    "Knob",
    "KnobPanel",
    "RimArrow",
    "bind_knob",
    "describe_param",
    "param_groups",
    "saved_knob_style",
]
