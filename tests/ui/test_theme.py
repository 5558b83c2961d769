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
