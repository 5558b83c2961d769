"""Exports of what is on screen: plots to PNG and SVG, a training run to an animated GIF.

Rendering only; the numbers come from the session. SVG goes through ``QSvgGenerator``
because pyqtgraph's own SVG exporter fails with Qt 6.11 and later.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QPoint, QRect
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QGraphicsView, QWidget


class ExportError(Exception):
    """An export that could not be written; the message is for people."""


def _render(widget: QWidget, painter: QPainter) -> None:
    """Paint ``widget`` and its children; a graphics view paints its scene as vectors."""
    if isinstance(widget, QGraphicsView):
        widget.render(painter)
    else:
        QWidget.render(widget, painter, QPoint())


def export_png(widget: QWidget, path: str | os.PathLike[str], *, scale: float = 2.0) -> Path:
    """Render ``widget`` at ``scale`` times its size (crisp on high-DPI) into a PNG."""
    path = Path(path)
    size = widget.size()
    image = QImage(
        int(size.width() * scale), int(size.height() * scale), QImage.Format.Format_ARGB32
    )
    image.setDevicePixelRatio(scale)
    image.fill(widget.palette().window().color())
    painter = QPainter(image)
    try:
        _render(widget, painter)
    finally:
        painter.end()
    if not image.save(str(path), "PNG"):
        raise ExportError(f"Could not write {path.name}; check the folder and its permissions.")
    return path


def export_svg(widget: QWidget, path: str | os.PathLike[str], *, title: str = "") -> Path:
    """Render ``widget`` as vector graphics into an SVG file."""
    path = Path(path)
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(widget.size())
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    generator.setTitle(title or "knobsim")
    generator.setDescription("Exported from knobsim")
    painter = QPainter()
    if not painter.begin(generator):
        raise ExportError(f"Could not write {path.name}; check the folder and its permissions.")
    try:
        _render(widget, painter)
    finally:
        painter.end()
    if not path.exists() or path.stat().st_size == 0:
        raise ExportError(f"Could not write {path.name}.")
    return path


def grab_frame(widget: QWidget, max_width: int = 640):
    """The widget as a Pillow image, scaled down to at most ``max_width`` pixels."""
    from PIL import Image

    pixmap = widget.grab()
    if pixmap.width() > max_width:
        pixmap = pixmap.scaledToWidth(max_width)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    pixmap.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGB")


def record_gif(
    widget: QWidget,
    advance: Callable[[], bool],
    path: str | os.PathLike[str],
    *,
    frames: int = 60,
    frame_ms: int = 80,
    max_width: int = 640,
    progress: Callable[[int, int], bool] | None = None,
) -> Path:
    """Record an animated GIF: call ``advance()`` (one chunk of training), grab, repeat.

    ``advance`` returns False to stop early (training exploded); ``progress(i, n)``
    returns False to cancel. Uses Pillow, with one shared palette so colours stay put.
    """
    path = Path(path)
    images = []
    for i in range(frames):
        if progress is not None and progress(i, frames) is False:
            break
        QApplication.processEvents()
        images.append(grab_frame(widget, max_width))
        if not advance():
            break
    if not images:
        raise ExportError("Nothing was recorded.")
    first = images[0].quantize(colors=255)
    rest = [im.quantize(palette=first) for im in images[1:]]
    try:
        first.save(
            path, save_all=True, append_images=rest, duration=frame_ms, loop=0, optimize=False
        )
    except OSError as exc:
        raise ExportError(f"Could not write {path.name}: {exc.strerror or exc}.") from None
    return path
