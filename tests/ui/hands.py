"""Real input for UI tests: a mouse pressed, moved and released on the real widget, keys
sent to whatever has the focus, a wheel turned over a widget, a named button clicked; and
what a test looks with: ``find`` (a widget by its objectName), ``PaintCounter``.

``setValue`` is not a hand. These helpers send the events a person's mouse and keyboard
send, through ``QTest`` (mouse buttons and keys) or ``QApplication.sendEvent`` (mouse moves
with a button held and wheel turns, which ``QTest`` cannot send), so every event filter,
focus rule and slot that a person's input meets is met here too.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QWidget,
)

LEFT = Qt.MouseButton.LeftButton


def handle_rect(slider: QSlider):
    """The slider's handle, in the slider's own coordinates (as the style draws it)."""
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    return slider.style().subControlRect(
        QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle, slider
    )


def handle_center(slider: QSlider) -> QPoint:
    return handle_rect(slider).center()


def point_for_value(slider: QSlider, value: float) -> QPoint:
    """Where the handle's centre sits when the slider shows ``value`` (a float slider's
    units when it has ``minimum()``/``maximum()`` in floats)."""
    lo, hi = float(slider.minimum()), float(slider.maximum())
    frac = (min(hi, max(lo, float(value))) - lo) / ((hi - lo) or 1.0)
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    style = slider.style()
    groove = style.subControlRect(
        QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderGroove, slider
    )
    handle = handle_rect(slider)
    if slider.orientation() == Qt.Orientation.Horizontal:
        span = groove.width() - handle.width()
        x = groove.x() + round(frac * span) + handle.width() // 2
        return QPoint(x, handle.center().y())
    span = groove.height() - handle.height()
    if not slider.invertedAppearance():
        frac = 1.0 - frac  # up is the maximum on a vertical slider
    y = groove.y() + round(frac * span) + handle.height() // 2
    return QPoint(handle.center().x(), y)


def _mouse(
    widget: QWidget, kind, pos: QPoint, button, buttons, mods=Qt.KeyboardModifier.NoModifier
):
    local = QPointF(pos)
    glob = QPointF(widget.mapToGlobal(pos))
    ev = QMouseEvent(kind, local, local, glob, button, buttons, mods)
    QApplication.sendEvent(widget, ev)


def press(widget: QWidget, pos: QPoint, mods=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.mousePress(widget, LEFT, mods, pos)


def move(widget: QWidget, pos: QPoint, mods=Qt.KeyboardModifier.NoModifier) -> None:
    """A mouse move with the left button held."""
    _mouse(widget, QMouseEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton, LEFT, mods)


def release(widget: QWidget, pos: QPoint, mods=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.mouseRelease(widget, LEFT, mods, pos)


def drag(widget: QWidget, start: QPoint, end: QPoint, *, steps: int = 8, mods=None, qtbot=None):
    """Press at ``start``, move in ``steps`` even moves to ``end``, release there.

    With ``qtbot``, the event loop runs a little between moves, as it does under a hand.
    """
    mods = mods if mods is not None else Qt.KeyboardModifier.NoModifier
    press(widget, start, mods)
    for k in range(1, steps + 1):
        p = QPoint(
            round(start.x() + (end.x() - start.x()) * k / steps),
            round(start.y() + (end.y() - start.y()) * k / steps),
        )
        move(widget, p, mods)
        if qtbot is not None:
            qtbot.wait(5)
    release(widget, end, mods)


def drag_slider_to(slider: QSlider, value: float, *, steps: int = 8, qtbot=None) -> None:
    """Grab the slider's handle and drag it to where ``value`` sits, then let go."""
    drag(slider, handle_center(slider), point_for_value(slider, value), steps=steps, qtbot=qtbot)


def drag_ghost(ghost: QWidget, value: float, *, steps: int = 8, qtbot=None) -> None:
    """Grab a knob's ghost handle (Predict) where it is drawn and carry it along its
    slider (around a dial's arc) to ``value``; each move is where the hand is now, in the
    ghost's own (moving) coordinates, as Qt gives them to the widget that holds the mouse."""
    from knobsim.ui.knobs.panel import Dial, dials

    slider = ghost.parentWidget()
    start = ghost.geometry().center()
    if isinstance(slider, Dial):
        lo, hi = ghost.knob.range()
        a, b = ghost.fraction(), min(1.0, max(0.0, (value - lo) / (hi - lo)))
        path = [
            dials.point_at(slider.width(), a + (b - a) * k / steps).toPoint()
            for k in range(1, steps + 1)
        ]
    else:
        end = point_for_value(slider, value)
        path = [
            QPoint(
                round(start.x() + (end.x() - start.x()) * k / steps),
                round(start.y() + (end.y() - start.y()) * k / steps),
            )
            for k in range(1, steps + 1)
        ]
    assert slider.childAt(start) is ghost, "a hand there would not meet the ghost"
    press(ghost, ghost.mapFrom(slider, start))
    for at in path:
        move(ghost, ghost.mapFrom(slider, at))
        if qtbot is not None:
            qtbot.wait(5)
    release(ghost, ghost.mapFrom(slider, path[-1]))


def wheel(widget: QWidget, notches: int = 1, pos: QPoint | None = None, mods=None) -> None:
    """Turn the mouse wheel over ``widget`` (``notches`` > 0: away from the user)."""
    mods = mods if mods is not None else Qt.KeyboardModifier.NoModifier
    pos = pos if pos is not None else widget.rect().center()
    local = QPointF(pos)
    glob = QPointF(widget.mapToGlobal(pos))
    ev = QWheelEvent(
        local, glob, QPoint(0, 0), QPoint(0, 120 * notches), Qt.MouseButton.NoButton, mods,
        Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(widget, ev)


def key(key: Qt.Key, mods=Qt.KeyboardModifier.NoModifier, widget: QWidget | None = None) -> None:
    """Press and release a key where the focus is (or on ``widget``), as a keyboard does:
    shortcuts first, then the focused widget."""
    target = widget or QApplication.focusWidget() or QApplication.activeWindow()
    QTest.keyClick(target, key, mods)


def find(root: QWidget, name: str, cls: type = QWidget) -> QWidget:
    """The child of ``root`` named ``name`` (a widget's objectName), as a test looks for it."""
    widget = root.findChild(cls, name)
    assert widget is not None, f"no {cls.__name__} named {name!r}"
    return widget


def click(qtbot, root: QWidget, name: str) -> None:
    """Click the button named ``name`` with the left mouse button."""
    qtbot.mouseClick(find(root, name, QAbstractButton), Qt.MouseButton.LeftButton)


class PaintCounter(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.paints = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def choose(qtbot, combo, row: int) -> None:
    """Open a combo box's list with the mouse and click item ``row``, as a hand does."""
    arrow = combo.rect().center()
    arrow.setX(combo.width() - 8)  # the arrow: an editable box opens its list only there
    QTest.mouseClick(combo, Qt.MouseButton.LeftButton, pos=arrow)
    qtbot.waitUntil(lambda: combo.view().isVisible())
    qtbot.wait(50)
    list_view = combo.view()
    list_view.scrollTo(combo.model().index(row, 0))  # the wheel would bring it into view
    item = list_view.visualRect(combo.model().index(row, 0)).center()
    QTest.mouseMove(list_view.viewport(), item)  # the pointer passes over the item first
    QTest.mouseClick(list_view.viewport(), Qt.MouseButton.LeftButton, pos=item)
