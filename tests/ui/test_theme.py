"""The theme: light by default, dark when asked (the system, or KNOBSIM_THEME=dark)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
import pyqtgraph as pg
from PySide6.QtGui import QPalette
from knobsim.app import ensure_app
from knobsim.ui import theme
app = ensure_app()
window = app.palette().color(QPalette.ColorRole.Window)
print(json.dumps({
    "dark": theme.is_dark(),
    "window_lightness": window.lightness(),
    "plot_background": str(pg.getConfigOption("background")),
    "curve": theme.CURVE_COLOR,
    "boundary": theme.BOUNDARY_COLOR,
}))
"""


def probe(theme_name: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KNOBSIM_THEME=theme_name)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", ["light", "dark"])
def test_the_app_is_light_or_dark_as_asked(name):
    got = probe(name)
    dark = name == "dark"
    assert got["dark"] is dark
    assert (got["window_lightness"] < 100) is dark
    assert (got["plot_background"] != "w") is dark
    # the model's curve stands out on the plot background; the boundary stays black on
    # the heatmap's white middle in both themes
    assert (got["curve"] != "#000000") is dark
    assert got["boundary"] == "#000000"


# -- View › Theme: switching while the app runs ---------------------------------------------
@pytest.fixture
def _theme_back(qapp):
    """The theme is the application's: each test leaves it as it found it."""
    import pyqtgraph as pg

    from knobsim.ui import theme

    style, palette = qapp.style().name(), qapp.palette()
    saved = (theme._dark, theme.CURVE_COLOR, pg.getConfigOption("background"),
             pg.getConfigOption("foreground"))  # fmt: skip
    yield
    qapp.setStyle(style)
    qapp.setPalette(palette)
    theme._dark, theme.CURVE_COLOR = saved[0], saved[1]
    pg.setConfigOptions(background=saved[2], foreground=saved[3])


def _lightness(colour) -> int:
    from PySide6.QtGui import QColor

    return QColor(colour).lightness()


def test_the_theme_switches_live_and_every_view_follows(open_window, qtbot, _theme_back):
    import pyqtgraph as pg
    from PySide6.QtGui import QAction, QPalette
    from PySide6.QtWidgets import QApplication

    from knobsim.core.data.catalog import session_for
    from knobsim.ui import theme
    from knobsim.ui.network import diagram as net

    win = open_window(session_for("mlp", "circles"))
    qtbot.wait(100)
    win.findChild(QAction, "theme_dark").trigger()  # View › Theme › Dark
    qtbot.wait(350)
    app = QApplication.instance()
    assert _lightness(app.palette().color(QPalette.ColorRole.Window)) < 80
    for plot in (win.fit_plot, win.loss_plot.plot_widget, win.landscape_plot.plot_widget):
        assert _lightness(plot.backgroundBrush().color()) < 80
    axis = win.fit_plot.plot_item.getAxis("bottom")
    assert _lightness(axis.textPen().color()) > 180  # the numbers read light on dark
    assert win.fit_plot.curve.opts["pen"].color().name() == pg.mkColor(theme.DARK_TEXT).name()
    # the negative wires take a lighter blue, to be seen on the dark background
    assert net._sign_color(-1, net.LEVELS).name() == theme.DARK_THEME_BLUE
    verdict = win.capacity_panel.verdict_label
    assert _lightness(verdict.palette().color(QPalette.ColorRole.WindowText)) > 180
    assert win.audit() == []
    # and back: a styled label (the verdict) takes dark text again, readable on light
    win.findChild(QAction, "theme_light").trigger()
    qtbot.wait(350)
    assert _lightness(app.palette().color(QPalette.ColorRole.Window)) > 200
    assert _lightness(verdict.palette().color(QPalette.ColorRole.WindowText)) < 80
    assert _lightness(win.fit_plot.backgroundBrush().color()) > 200
    assert win.audit() == []


def test_the_theme_chosen_is_there_at_the_next_start(open_window, qtbot, _theme_back):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QApplication

    from knobsim.core.data.catalog import session_for
    from knobsim.ui import theme

    win = open_window(session_for("line", "linear"))
    win.set_theme("dark")
    win.files.dirty = False
    win.close()
    theme.set_theme(QApplication.instance(), "light")  # as a fresh start would be
    assert not theme.is_dark()
    again = open_window(session_for("line", "linear"))  # restores the saved choice
    assert theme.is_dark() and again.findChild(QAction, "theme_dark").isChecked()
