"""Small reusable Qt pieces: a log-scale float control, a read-out that changes without a
relayout, a throttle for read-outs while training, a wheel that needs the focus, a named
button. No maths beyond the axis map."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QDoubleValidator,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QTextDocument,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QWidget,
)

_TICKS = 1000
#: the colour of a slider's mark (the edge of a danger zone), readable on light and dark
MARK_COLOUR = "#d62728"


class LogFloatControl(QWidget):
    """A slider on a log scale plus an editable read-out, for values like a learning rate.

    ``value()`` / ``setValue(float)`` work in real units. ``setValue`` from code acts as
    a person would (emits ``valueChanged``); ``show_value`` updates silently.
    """

    valueChanged = Signal(float)

    def __init__(
        self,
        low: float,
        high: float,
        value: float,
        *,
        allow_zero: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._lo, self._hi = math.log10(low), math.log10(high)
        self._allow_zero = allow_zero
        self._mark: float | None = None
        self._value = float(value)
        self.slider = MarkedSlider(self)
        self.slider.setRange(0 if not allow_zero else -1, _TICKS)
        self.slider.setSingleStep(_TICKS // 100)
        self.slider.setPageStep(_TICKS // 10)
        self.edit = QLineEdit(self)
        self.edit.setFixedWidth(72)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        validator = QDoubleValidator(0.0 if allow_zero else low, high, 8, self.edit)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.edit.setValidator(validator)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.edit)
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self.edit.editingFinished.connect(self._on_edit_editing_finished)
        self.edit.installEventFilter(self)
        self.setFocusProxy(self.slider)
        self.show_value(value)

    @property
    def minimum(self) -> float:
        return 0.0 if self._allow_zero else 10**self._lo

    @property
    def maximum(self) -> float:
        return 10**self._hi

    def value(self) -> float:
        return self._value

    def mark(self) -> float | None:
        """The value marked on the slider (the edge of a safe zone), or None."""
        return None if self.slider.mark_tick is None else self._mark

    def set_mark(self, value: float | None) -> None:
        """Mark ``value`` on the slider; the part above it is tinted (None: no mark)."""
        self._mark = value
        tick = None
        if value is not None and math.isfinite(value) and value > 0:
            tick = min(max(self._to_tick(value), self.slider.minimum()), self.slider.maximum())
        self.slider.set_mark_tick(tick)

    def setValue(self, value: float) -> None:  # noqa: N802 - Qt naming
        value = self._clamp(value)
        if value is None or value == self._value:
            self.show_value(self._value)
            return
        self.show_value(value)
        self.valueChanged.emit(self._value)

    def show_value(self, value: float) -> None:
        """Update without emitting (model-to-widget direction)."""
        value = self._clamp(value)
        if value is None:
            return
        self._value = value
        with QSignalBlocker(self.slider):
            self.slider.setValue(self._to_tick(value))
        self.edit.setText(_format(value))

    def _clamp(self, value: float) -> float | None:
        value = float(value)
        if math.isnan(value):
            return None
        if self._allow_zero and value <= 0:
            return 0.0
        return min(max(value, self.minimum if not self._allow_zero else 10**self._lo), self.maximum)

    def _to_tick(self, value: float) -> int:
        if value <= 0:
            return -1
        return round((math.log10(value) - self._lo) / (self._hi - self._lo) * _TICKS)

    def _from_tick(self, tick: int) -> float:
        if tick < 0:
            return 0.0
        v = 10 ** (self._lo + tick / _TICKS * (self._hi - self._lo))
        return float(f"{v:.3g}")  # tidy numbers: 0.0316, not 0.031622776

    def _on_slider_value_changed(self, tick: int) -> None:
        value = self._from_tick(tick)
        if value != self._value:
            self._value = value
            self.edit.setText(_format(value))
            self.valueChanged.emit(value)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        # the validator keeps editingFinished from firing on text out of range ("1e308"):
        # leaving the box then puts the current value back, so the read-out never lies
        if (
            watched is self.edit
            and event.type() == QEvent.Type.FocusOut
            and not self.edit.hasAcceptableInput()
        ):
            self.show_value(self._value)
        return super().eventFilter(watched, event)

    def _on_edit_editing_finished(self) -> None:
        try:
            value = float(self.edit.text())
        except ValueError:
            self.show_value(self._value)
            return
        self.setValue(value)


def handle_centre_x(slider: QSlider, fraction: float) -> float:
    """Where a horizontal slider's handle centre sits at ``fraction`` (0..1) of its range,
    in the slider's pixels, as its style draws it."""
    groove, handle = _groove_and_handle(slider)
    span = max(groove.width() - handle.width(), 1)
    return groove.x() + handle.width() / 2 + fraction * span


def handle_centre(slider: QSlider, fraction: float) -> float:
    """Where the handle centre of ``slider`` sits at ``fraction`` (0..1) of its range,
    along its length, in its own pixels (a vertical slider's maximum is at the top)."""
    if slider.orientation() == Qt.Orientation.Horizontal:
        return handle_centre_x(slider, fraction)
    groove, handle = _groove_and_handle(slider)
    span = max(groove.height() - handle.height(), 1)
    return groove.y() + handle.height() / 2 + (1.0 - fraction) * span


def _groove_and_handle(slider: QSlider):
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    style = slider.style()
    groove = style.subControlRect(
        QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderGroove, slider
    )
    handle = style.subControlRect(
        QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle, slider
    )
    return groove, handle


class MarkedSlider(QSlider):
    """A horizontal slider with one marked tick: a red line there, and the groove above
    it tinted red (e.g. learning rates where training blows up)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.mark_tick: int | None = None

    def set_mark_tick(self, tick: int | None) -> None:
        if tick != self.mark_tick:
            self.mark_tick = tick
            self.update()

    def mark_x(self) -> float | None:
        """Where the mark is drawn, in the slider's pixels (the handle's centre there)."""
        if self.mark_tick is None:
            return None
        span = (self.maximum() - self.minimum()) or 1
        return handle_centre_x(self, (self.mark_tick - self.minimum()) / span)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        x = self.mark_x()
        if x is not None:
            painter = QPainter(self)
            danger = QColor(MARK_COLOUR)
            danger.setAlpha(50)
            painter.fillRect(QRectF(x, 2, self.width() - x, self.height() - 4), danger)
            painter.end()
        super().paintEvent(event)
        if x is not None:
            painter = QPainter(self)
            painter.setPen(QPen(QColor(MARK_COLOUR), 2))
            painter.drawLine(QPointF(x, 1), QPointF(x, self.height() - 1))
            painter.end()


def named_button(text: str, name: str, tip: str = "", *, spoken: str = "") -> QPushButton:
    """A push button that people and tests can find: ``objectName`` ``name``, tool tip
    ``tip``, read aloud as ``spoken`` (default: its text)."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(spoken or text.rstrip("…›").strip())
    if tip:
        button.setToolTip(tip)
    return button


def _format(value: float) -> str:
    if value == 0:
        return "0"
    return f"{value:.3g}"


class Throttle(QObject):
    """Calls ``fn`` at once, or, while ``busy()`` (training), at most every ``interval_ms``.

    For read-outs that a person reads rather than watches: numbers that change sixty
    times a second cannot be read, and each change costs a repaint. While busy, a change
    soon after the last call is skipped rather than put off to a timer: the next change
    comes within a frame anyway, and a timer would fire in the middle of one, where the
    work delays the next frame. The owner refreshes when ``busy`` ends (the exact values
    on pause).
    """

    def __init__(
        self,
        fn: Callable[[], None],
        interval_ms: int,
        busy: Callable[[], bool],
        parent: QObject,
        defer: Callable[[object, Callable[[], None]], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._fn = fn
        self._busy = busy
        self._defer = defer  # while busy, hands the call to a scheduler (one a frame)
        self._interval = interval_ms / 1000.0
        self._last = -math.inf

    def set_interval_ms(self, interval_ms: float) -> None:
        self._interval = interval_ms / 1000.0

    def __call__(self) -> None:
        if not self._busy():
            self._run()
        elif time.monotonic() - self._last >= self._interval:
            if self._defer is not None:
                self._defer(self, self._run)
            else:
                self._run()

    def _run(self) -> None:
        self._last = time.monotonic()
        self._fn()


class ReadoutLabel(QLabel):
    """A label whose text can change many times a second without a relayout.

    ``QLabel.setText`` asks the layout to measure again on every call (a layout request
    that climbs to the window when nothing on the way stops it: the whole window laid out
    again each frame), and the column it sits in repaints around it. Here ``setText`` only
    repaints the label (its size stays what the first text made it); the text reaches
    ``QLabel`` itself (layouts, screen readers) once it has stayed put for ``SETTLE_MS``.
    Rich text by default; with ``setTextFormat(Qt.TextFormat.PlainText)`` one line drawn
    as it is.
    """

    SETTLE_MS = 250

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        # one document for the label's life, laid out again only when the text changed
        # (a new document per text, parented here, was never freed: issue 12)
        self._doc = QTextDocument(self)
        self._doc.setDocumentMargin(0)
        self._doc.setUndoRedoEnabled(False)
        self._doc_text: str | None = None
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(self.SETTLE_MS)
        self._settle.timeout.connect(self._on_settle_timeout)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        if text == self._text:
            return
        first = not self._text
        self._text = text
        if first:
            QLabel.setText(self, text)  # the first text sizes the label
        else:
            self.update()
            self._settle.start()

    def text(self) -> str:
        return self._text

    def _on_settle_timeout(self) -> None:
        if QLabel.text(self) != self._text:
            QLabel.setText(self, self._text)

    def paintEvent(self, ev: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        if QLabel.text(self) == self._text:
            super().paintEvent(ev)
            return
        painter = QPainter(self)
        self.drawFrame(painter)
        m = self.margin()
        rect = self.contentsRect().adjusted(m, m, -m, -m)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        if self.textFormat() == Qt.TextFormat.PlainText:
            painter.drawText(rect, int(self.alignment().value), self._text)
            painter.end()
            return
        if self._doc_text != self._text or self._doc.defaultFont() != self.font():
            self._doc.setDefaultFont(self.font())
            self._doc.setHtml(self._text)
            self._doc_text = self._text
        self._doc.setTextWidth(rect.width())
        painter.translate(rect.topLeft())
        self._doc.drawContents(painter, QRectF(0, 0, rect.width(), rect.height()))
        painter.end()


class WheelGuard(QObject):
    """A wheel turns a setting only when that control has the keyboard focus.

    Over an unfocused combo box, spin box or slider the wheel scrolls the column the
    control sits in (:func:`scroll_instead`), instead of changing every setting that
    passes under the pointer. Install it with :func:`guard_wheels`.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        focus = QApplication.focusWidget()
        if focus is not None and (focus is watched or watched.isAncestorOf(focus)):
            return False  # the control has the keyboard: the wheel turns it
        scroll_instead(watched, event)
        return True


def scroll_instead(widget: QWidget, event: QEvent) -> None:
    """Hand a wheel ``event`` over ``widget`` to the scroll area ``widget`` sits in.

    Done here rather than by ignoring the event: Qt passes an ignored wheel event on to
    the parents only when it came from the device, and a column should scroll the same
    whoever turns the wheel. With no scroll area around, the event is left ignored.
    """
    area = widget.parentWidget()
    while area is not None and not isinstance(area, QAbstractScrollArea):
        area = area.parentWidget()
    if area is None or not isinstance(event, QWheelEvent):
        event.ignore()
        return
    viewport = area.viewport()
    glob = event.globalPosition()
    passed = QWheelEvent(
        viewport.mapFromGlobal(glob), glob, event.pixelDelta(), event.angleDelta(),
        event.buttons(), event.modifiers(), event.phase(), event.inverted(),
    )  # fmt: skip
    QApplication.sendEvent(viewport, passed)
    event.accept()


_wheel_guard: WheelGuard | None = None

#: the controls whose value a wheel turns (a scroll bar is a slider too, and must scroll)
WHEEL_CONTROLS = (QComboBox, QAbstractSpinBox, QSlider)


def guard_wheels(root: QWidget) -> list[QWidget]:
    """Make every combo box, spin box and slider in ``root`` (and ``root``) turn by wheel
    only with the focus; returns the controls guarded.

    Each gets :class:`WheelGuard` and a focus policy a wheel cannot take (Qt's
    ``WheelFocus`` would give the control the focus on the first notch, and the wheel
    would turn it after all). A control whose class says ``wheel_needs_focus = True``
    (the knobs' slider) does this itself and is left alone. Safe to call again.
    """
    global _wheel_guard
    if _wheel_guard is None:
        _wheel_guard = WheelGuard()
    guarded = []
    for w in (root, *root.findChildren(QWidget)):
        if not isinstance(w, WHEEL_CONTROLS) or getattr(w, "wheel_needs_focus", False):
            continue
        if w.focusPolicy() == Qt.FocusPolicy.WheelFocus:
            w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        w.removeEventFilter(_wheel_guard)  # never twice
        w.installEventFilter(_wheel_guard)
        guarded.append(w)
    return guarded
