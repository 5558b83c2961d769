"""Shared colours and pyqtgraph settings, so every plot speaks the same visual language.

Colour-blind safe throughout: a blue-white-orange diverging palette (ColorBrewer RdBu's
blue end, PuOr's orange end) for every signed or probability heatmap, viridis for the
loss landscape, Okabe-Ito colours for train/test. No maths here.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray

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
MARKER_COLOR = "#ffffff"  # where the weights are now, on the landscape

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
    """White background, dark foreground, antialiased lines.

    Idempotent: only the first call sets the options, so the plot widgets may call it
    too without undoing a later, deliberate change. The app calls it before any plot.
    """
    global _applied
    if _applied:
        return
    pg.setConfigOptions(background="w", foreground="k", antialias=True)
    _applied = True
