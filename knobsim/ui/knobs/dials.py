"""How a dial looks: the geometry and painting of a knob's rotary face.

Painting only, with QPainter in floating point (crisp at any device pixel ratio). The
dial widget (``knobs.Dial``) keeps no value: it hands in the fraction of its range it
shows; the display audit reads ``angle_at`` to check what a dial drew.
"""

from __future__ import annotations

import math
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen, QPixmap, QPolygonF, QRadialGradient

#: where the range starts (degrees, counter-clockwise from 3 o'clock: 7:30 on a clock
#: face) and how far it turns clockwise to its end (4:30)
START_DEG = 225.0
SWEEP_DEG = 270.0
#: the track's radius and width, the body's radius and the rim mark's radius and half
#: size, as shares of the dial's radius
TRACK_R, TRACK_W = 0.70, 0.16
BODY_R = 0.50
MARK_R, MARK_HALF = 0.86, 0.17
#: how far ahead of the value the rim mark sits (degrees)
MARK_AHEAD_DEG = 16.0
SOLID, FLAT = Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap


def angle_at(fraction: float) -> float:
    """The angle (degrees, counter-clockwise from 3 o'clock) that shows ``fraction`` of
    the range (0: its start, 1: its end); outside [0, 1] pinned to the ends."""
    return START_DEG - SWEEP_DEG * min(1.0, max(0.0, fraction))


def track_radius(size: float) -> float:
    """The value arc's radius on a dial ``size`` pixels across."""
    return size / 2 * TRACK_R


def point_at(size: float, fraction: float) -> QPointF:
    """Where ``fraction`` of the range sits on the value arc of a dial ``size`` pixels
    across, in the dial's pixels."""
    return _point(QPointF(size / 2, size / 2), track_radius(size), angle_at(fraction))


def fraction_toward(dx: float, dy: float) -> float:
    """The share of the range whose angle points from the dial's centre toward
    ``(dx, dy)`` (pixels, y down); in the gap at the bottom, the nearer end."""
    degrees = math.degrees(math.atan2(-dy, dx))  # counter-clockwise from 3 o'clock
    turned = (START_DEG - degrees) % 360.0  # clockwise from the range's start
    if turned <= SWEEP_DEG:
        return turned / SWEEP_DEG
    return 1.0 if turned < SWEEP_DEG + (360.0 - SWEEP_DEG) / 2 else 0.0


def _point(centre: QPointF, radius: float, degrees: float) -> QPointF:
    a = math.radians(degrees)
    return QPointF(centre.x() + radius * math.cos(a), centre.y() - radius * math.sin(a))


def paint_dial(
    p: QPainter,
    rect: QRectF,
    fraction: float,
    palette: QPalette,
    *,
    zero: float | None = None,
    focused: bool = False,
    dpr: float = 1.0,
) -> None:
    """The track and the body (one pixmap per look, at device pixel ratio ``dpr``), the
    value arc from the range's start to ``fraction``, a tick at ``zero`` (the fraction
    where the value is 0, when in range) and the body's pointer notch; a focused dial's
    body has a ring in the highlight colour."""
    size = min(rect.width(), rect.height())
    r = size / 2
    centre = rect.center()
    role = QPalette.ColorRole
    ring = palette.color(role.Highlight if focused else role.Mid)
    face = _face(
        round(size),
        dpr,
        palette.color(role.Mid).rgba(),
        palette.color(role.Button).rgba(),
        ring.rgba(),
        focused,
    )
    p.drawPixmap(QPointF(centre.x() - size / 2, centre.y() - size / 2), face)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    tr = r * TRACK_R
    width = max(2.0, r * TRACK_W)
    angle = angle_at(fraction)
    p.setPen(QPen(palette.color(role.Highlight), width, SOLID, FLAT))
    arc = QRectF(centre.x() - tr, centre.y() - tr, 2 * tr, 2 * tr)
    p.drawArc(arc, round(START_DEG * 16), round((angle - START_DEG) * 16))
    if zero is not None and 0.0 < zero < 1.0:
        z = angle_at(zero)
        p.setPen(QPen(palette.color(role.WindowText), max(1.0, r * 0.05)))
        p.drawLine(_point(centre, tr - width / 2, z), _point(centre, tr + width / 2, z))
    br = r * BODY_R
    pointer = palette.color(role.ButtonText)
    p.setPen(QPen(pointer, max(1.5, r * 0.1), SOLID, Qt.PenCapStyle.RoundCap))
    p.drawLine(_point(centre, br * 0.58, angle), _point(centre, br * 0.92, angle))


@lru_cache(maxsize=64)
def _face(size: int, dpr: float, mid: int, button: int, ring: int, focused: bool) -> QPixmap:
    """The parts of a dial that do not move: the track and the body, lit from the top
    left (keyed by everything drawn: size, pixel ratio, colours, focus)."""
    pixmap = QPixmap(round(size * dpr), round(size * dpr))
    pixmap.setDevicePixelRatio(dpr)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    r = size / 2
    centre = QPointF(r, r)
    tr = r * TRACK_R
    track = QColor.fromRgba(mid)
    track.setAlpha(110)
    p.setPen(QPen(track, max(2.0, r * TRACK_W), SOLID, FLAT))
    p.drawArc(QRectF(r - tr, r - tr, 2 * tr, 2 * tr), round(START_DEG * 16), round(-SWEEP_DEG * 16))
    br = r * BODY_R
    p.setPen(QPen(QColor.fromRgba(ring), 2.0 if focused else 1.0))
    colour = QColor.fromRgba(button)
    light = QRadialGradient(QPointF(r - br / 2, r - br / 2), 2 * br)
    light.setColorAt(0.0, colour.lighter(112))
    light.setColorAt(1.0, colour.darker(112))
    p.setBrush(light)
    p.drawEllipse(centre, br, br)
    p.end()
    return pixmap


def paint_rim_mark(
    p: QPainter, rect: QRectF, fraction: float, direction: int, strength: float, colour: QColor
) -> None:
    """Which way to turn the dial to lower the error: a triangle on the rim just ahead of
    the value, pointing clockwise (``direction`` +1: turn it up) or back (-1), bigger and
    stronger with ``strength`` in (0, 1]; at a flat spot (0) a small dot."""
    size = min(rect.width(), rect.height())
    r = size / 2
    centre = rect.center()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    angle = angle_at(fraction)
    if direction == 0:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawEllipse(_point(centre, r * MARK_R, angle), 1.5, 1.5)
        return
    at = angle - direction * MARK_AHEAD_DEG  # clockwise is a falling angle
    tip = _point(centre, r * MARK_R, at)
    a = math.radians(at)
    # the clockwise tangent on screen (y grows downwards), and the outward normal
    tx, ty = direction * math.sin(a), direction * math.cos(a)
    nx, ny = math.cos(a), -math.sin(a)
    half = r * MARK_HALF * (0.6 + 0.4 * strength)
    colour = QColor(colour)
    colour.setAlphaF(0.45 + 0.55 * strength)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    front = QPointF(tip.x() + tx * half, tip.y() + ty * half)
    back = QPointF(tip.x() - tx * half, tip.y() - ty * half)
    p.drawPolygon(
        QPolygonF(
            [
                front,
                QPointF(back.x() + nx * half, back.y() + ny * half),
                QPointF(back.x() - nx * half, back.y() - ny * half),
            ]
        )
    )
