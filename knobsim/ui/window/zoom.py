"""Projector zoom: View › Zoom in / Zoom out / Actual size (Ctrl+plus, Ctrl+minus, Ctrl+0)
scales every text of the window (the controls, the knobs, the plots' numbers and labels,
the network's captions, the lessons) from 100% to 200%, saved between runs.

How: the application font is the base size times the zoom, which every widget that
inherits its font follows; widgets and plot texts that set a size of their own (a bold
title, the knobs' monospaced numbers, an axis label) are scaled by the same ratio. Then
the window measures again what it measured once from the font: the knobs' value boxes,
the control column's width, the share of the width between columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QWidget,
)

from knobsim.ui import theme

if TYPE_CHECKING:
    from knobsim.ui.window.main_window import MainWindow

#: the zoom levels, in order
LEVELS = (1.0, 1.25, 1.5, 1.75, 2.0)
SETTING = "view/zoom"
#: ``QFont.resolveMask()``'s bit for a size set on the font itself (Qt's SizeResolved)
_SIZE_SET = 0x2


def _scaled(font: QFont, ratio: float) -> QFont:
    out = QFont(font)
    if font.pointSizeF() > 0:
        out.setPointSizeF(font.pointSizeF() * ratio)
    elif font.pixelSize() > 0:
        out.setPixelSize(max(1, round(font.pixelSize() * ratio)))
    return out


#: the application font before any zoom (captured by the first window)
_base: QFont | None = None


class Zoom:
    """The window's zoom (``factor``, one of ``LEVELS``)."""

    def __init__(self, window: MainWindow) -> None:
        global _base
        self.window = window
        #: the zoom and the window's size before the last change (a zoom that does not
        #: fit the screen goes back)
        self.previous = 1.0
        self.size_before = window.size()
        app = QApplication.instance()
        font = QFont(app.font()) if app is not None else QFont()
        if _base is None:
            _base = font  # the application's own size: 100%
        self._base = _base
        # one window per process, but the font is the application's: start from its zoom
        size, base = font.pointSizeF(), _base.pointSizeF()
        self.factor = min(LEVELS, key=lambda z: abs(z - size / base)) if base > 0 else 1.0

    def restore(self) -> None:
        """The zoom saved by the last run (100% when none or unreadable)."""
        try:
            saved = float(QSettings().value(SETTING, 1.0))
        except (TypeError, ValueError):
            saved = 1.0
        if saved in LEVELS and saved != self.factor:
            self.set(saved, save=False)

    def zoom_in(self) -> None:
        self.set(next((z for z in LEVELS if z > self.factor), LEVELS[-1]))

    def zoom_out(self) -> None:
        self.set(next((z for z in reversed(LEVELS) if z < self.factor), LEVELS[0]))

    def reset(self) -> None:
        self.set(1.0)

    def set(self, factor: float, *, save: bool = True) -> None:
        """Zoom to ``factor`` (the nearest of ``LEVELS``)."""
        factor = min(LEVELS, key=lambda z: abs(z - float(factor)))
        if factor == self.factor:
            return
        ratio = factor / self.factor
        self.previous, self.factor = self.factor, factor
        self.size_before = self.window.size()
        app = QApplication.instance()
        # the fonts a widget set itself: scaled by the ratio (read before the app font
        # changes: a widget that inherits it has no size of its own to scale)
        own = [
            w
            for w in [self.window, *self.window.findChildren(QWidget)]
            if w.font().resolveMask() & _SIZE_SET
        ]
        if app is not None:
            app.setFont(_scaled(self._base, factor))
        for w in own:
            w.setFont(_scaled(w.font(), ratio))
        theme.repolish_styled(self.window)
        for view in self.window.findChildren(QGraphicsView):
            scene = view.scene()
            if scene is None or view is self.window.network_view:
                continue  # the network lays its captions out from its font (FontChange)
            for item in scene.items():
                if isinstance(item, QGraphicsTextItem | QGraphicsSimpleTextItem):
                    item.setFont(_scaled(item.font(), ratio))
        self.window.after_zoom()
        if save:
            QSettings().setValue(SETTING, factor)

    @property
    def percent(self) -> int:
        return round(self.factor * 100)
