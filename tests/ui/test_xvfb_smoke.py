"""One smoke test on a real X server: the installed app opens a window and it paints."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication
    from knobsim.app import create_window, ensure_app

    app = ensure_app()
    assert QGuiApplication.platformName() == "xcb", QGuiApplication.platformName()
    window = create_window(restore=False)
    window.files.ask_unsaved = lambda: "discard"  # no modal question at the end
    window.show()

    def shoot():
        window.controller.step_once()
        app.processEvents()
        image = QGuiApplication.primaryScreen().grabWindow(window.winId()).toImage()
        image.save(sys.argv[1], "PNG")
        colours = {image.pixel(x, y) for x in range(0, image.width(), 37)
                   for y in range(0, image.height(), 37)}
        print("size", image.width(), image.height(), "colours", len(colours))
        window.close()
        app.quit()

    QTimer.singleShot(1500, shoot)
    sys.exit(app.exec())
    """
)


@pytest.mark.xvfb
def test_real_window_opens_and_paints_on_xvfb(xvfb_display, tmp_path):
    out = tmp_path / "window.png"
    env = dict(os.environ, DISPLAY=xvfb_display, QT_QPA_PLATFORM="xcb")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Fatal" not in proc.stderr
    words = proc.stdout.split()
    width, height, colours = int(words[1]), int(words[2]), int(words[4])
    assert width >= 640 and height >= 420
    assert colours > 20, "the window looks blank"
    assert out.stat().st_size > 10_000
