"""Shared colours and pyqtgraph settings, so every plot speaks the same visual language.

Colour-blind safe throughout: a blue-white-orange diverging palette (ColorBrewer RdBu's
blue end, PuOr's orange end) for every signed or probability heatmap, viridis for the
loss landscape, Okabe-Ito colours for train/test. No maths here.
"""

from __future__ import annotations

import os

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

# -- the diverging palette: class 0 (blue) - white at 0.5 - class 1 (orange) ---------------
DIVERGING_STOPS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
DIVERGING_COLORS: tuple[str, ...] = ("#2166ac", "#92c5de", "#ffffff", "#fdb863", "#e66101")
#: the colour of each class's points, the two ends of the diverging palette
CLASS_COLORS: tuple[str, str] = (DIVERGING_COLORS[0], DIVERGING_COLORS[-1])
#: how far the probability heatmap is faded toward white, so points stay visible on it
HEATMAP_FADE = 0.35

# -- train / test / the model ---------------------------------------------------------------
TRAIN_COLOR = "#0072B2"  # Okabe-Ito blue
TEST_COLOR = "#D55E00"  # Okabe-Ito vermillion
CURVE_COLOR = "#000000"  # the model's prediction
BOUNDARY_COLOR = "#000000"  # the 0.5 decision boundary
MARK_COLOR = "#009E73"  # Okabe-Ito bluish green: a hand on a knob
PATH_COLOR = "#ffffff"  # the training path over the (dark-ish) landscape
CONVERGED_COLOR = "#009E73"  # Okabe-Ito green: where training stopped by itself
MARKER_COLOR = "#ffffff"  # where the weights are now, on the landscape
GHOST_COLOR = "#CC79A7"  # Okabe-Ito reddish purple: a guess (ghost knobs, ghost curve)

LUT_SIZE = 256

_applied = False


def diverging_colormap() -> pg.ColorMap:
    """Blue (0) - white (0.5) - orange (1)."""
    return pg.ColorMap(pos=np.array(DIVERGING_STOPS), color=list(DIVERGING_COLORS))


def sequential_colormap() -> pg.ColorMap:
    """Viridis, for the loss landscape (dark = low error)."""
    return pg.colormap.get("viridis")


def _fade(lut: NDArray[np.uint8], amount: float) -> NDArray[np.uint8]:
    rgb = lut[:, :3].astype(np.float64)
    return np.round(rgb + amount * (255.0 - rgb)).astype(np.uint8)


def probability_lut() -> NDArray[np.uint8]:
    """(256, 3) uint8 LUT for P(class 1) in [0, 1]; faded so the points on top stand out."""
    lut = diverging_colormap().getLookupTable(0.0, 1.0, LUT_SIZE, alpha=False)
    return _fade(np.asarray(lut), HEATMAP_FADE)


def table_lut() -> NDArray[np.uint8]:
    """(256, 3) uint8 LUT for a probability table: the palette's white-to-orange half.

    A softmax row spreads its mass over many words, so 0 must read as "nothing"
    (white) rather than as the opposite class; the same palette, from its midpoint.
    """
    lut = diverging_colormap().getLookupTable(0.5, 1.0, LUT_SIZE, alpha=False)
    return np.asarray(lut, dtype=np.uint8)


def landscape_lut() -> NDArray[np.uint8]:
    """(256, 3) uint8 viridis LUT for log10(loss)."""
    lut = sequential_colormap().getLookupTable(0.0, 1.0, LUT_SIZE, alpha=False)
    return np.asarray(lut, dtype=np.uint8)


def apply_pyqtgraph_theme() -> None:
    """White background and dark foreground (the reverse when dark), antialiased lines.

    Idempotent: only the first call sets the options, so the plot widgets may call it
    too without undoing a later, deliberate change. The app calls it before any plot.
    """
    global _applied
    if _applied:
        return
    background, foreground = (DARK_BASE, DARK_TEXT) if _dark else ("w", "k")
    pg.setConfigOptions(background=background, foreground=foreground, antialias=True)
    _applied = True


# -- light by default, dark when the system is dark -------------------------------------------
#: ``KNOBSIM_THEME=light`` or ``=dark`` overrides the system (also for ``knobsim screenshot``)
THEME_ENV = "KNOBSIM_THEME"
DARK_WINDOW = "#2b2d31"
DARK_BASE = "#1e1f22"
DARK_TEXT = "#e3e3e3"
DARK_MUTED = "#9a9da3"
DARK_HIGHLIGHT = "#3d7fd6"
#: the negative wires' blue on the dark theme (RdBu's next step from its dark end)
DARK_THEME_BLUE = "#4393c3"
_dark = False


def system_is_dark() -> bool:
    """True when ``KNOBSIM_THEME=dark``, or when it is unset and the desktop is dark."""
    forced = os.environ.get(THEME_ENV, "").strip().lower()
    if forced in ("light", "dark"):
        return forced == "dark"
    app = QGuiApplication.instance()
    if app is None:
        return False
    hints = app.styleHints()
    scheme = getattr(hints, "colorScheme", None)  # Qt 6.5+; older Qt: light
    return scheme is not None and scheme() == Qt.ColorScheme.Dark


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style (used where the platform does not darken Qt)."""
    p = QPalette()
    roles = QPalette.ColorRole
    for role, color in (
        (roles.Window, DARK_WINDOW),
        (roles.WindowText, DARK_TEXT),
        (roles.Base, DARK_BASE),
        (roles.AlternateBase, "#26282c"),
        (roles.ToolTipBase, DARK_WINDOW),
        (roles.ToolTipText, DARK_TEXT),
        (roles.PlaceholderText, DARK_MUTED),
        (roles.Text, DARK_TEXT),
        (roles.Button, "#35373c"),
        (roles.ButtonText, DARK_TEXT),
        (roles.BrightText, "#ffffff"),
        (roles.Light, "#4a4d53"),
        (roles.Midlight, "#3e4046"),
        (roles.Mid, "#5c5f66"),
        (roles.Dark, "#18191c"),
        (roles.Shadow, "#000000"),
        (roles.Highlight, DARK_HIGHLIGHT),
        (roles.HighlightedText, "#ffffff"),
        (roles.Link, "#7aa7e6"),
    ):
        p.setColor(role, QColor(color))
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#75787e"))
    return p


def apply_app_theme(app: QGuiApplication) -> bool:
    """Light by default; dark when the system is dark. Call once, before any widget.

    A platform that darkens Qt itself keeps its own look; elsewhere the app switches to
    the Fusion style with ``dark_palette()``. The model's curve, drawn on the plot's
    background, turns light; the decision boundary stays black, since it runs along the
    heatmap's white middle in either theme. Returns True if dark.
    """
    global _dark, CURVE_COLOR
    _dark = system_is_dark()
    window = app.palette().color(QPalette.ColorRole.Window)
    if _dark and window.lightness() > 128:
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    elif not _dark and window.lightness() <= 128:
        app.setStyle("Fusion")  # light by request on a dark desktop
        app.setPalette(app.style().standardPalette())
    if _dark:
        CURVE_COLOR = DARK_TEXT
    return _dark


def is_dark() -> bool:
    """Whether ``apply_app_theme`` chose dark (widgets pick contrasting colours by it)."""
    return _dark


# -- switching while the app runs (View › Theme) -------------------------------------------
#: "system" follows the desktop (or ``KNOBSIM_THEME``); the others force one
THEMES: tuple[str, ...] = ("system", "light", "dark")
THEME_SETTING = "view/theme"


def _plot_colours(dark: bool) -> tuple[str, str]:
    """(background, foreground) of the plots."""
    return (DARK_BASE, DARK_TEXT) if dark else ("#ffffff", "#000000")


def set_theme(app: QGuiApplication, choice: str) -> bool:
    """Switch to ``choice`` (one of ``THEMES``) while the app runs: the Fusion style with a
    light or a dark palette (every widget repaints from it), the model's curve and the
    plots' colours for plots made from now on. ``restyle_plots`` repaints the plots
    already on screen. Returns True if dark."""
    global _dark, CURVE_COLOR
    if choice not in THEMES:
        raise ValueError(f"Unknown theme {choice!r}; choose one of {', '.join(THEMES)}.")
    dark = system_is_dark() if choice == "system" else choice == "dark"
    _dark = dark
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if dark else app.style().standardPalette())
    CURVE_COLOR = DARK_TEXT if dark else "#000000"
    background, foreground = _plot_colours(dark)
    pg.setConfigOptions(background=background, foreground=foreground)
    return dark


def restyle_plots(views: list[pg.GraphicsView], old_foreground) -> None:
    """Give plots already on screen the theme's background and foreground: axes, their
    numbers and labels, and text items drawn in the old foreground (value labels)."""
    background, foreground = _plot_colours(_dark)
    old = pg.mkColor(old_foreground).name()
    for view in views:
        view.setBackground(background)
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                item.setPen(pg.mkPen(foreground))
                item.setTextPen(pg.mkPen(foreground))  # numbers and the label's colour
            elif isinstance(item, pg.TextItem) and item.color.name() == old:
                item.setColor(foreground)


def repolish_styled(root) -> None:
    """Widgets under ``root`` with a style sheet of their own took their font and palette
    when first polished: set the sheet again so they take the new ones (a zoom, a theme)."""
    from PySide6.QtWidgets import QWidget

    for w in [root, *root.findChildren(QWidget)]:
        if w.styleSheet():
            w.setStyleSheet(w.styleSheet())
