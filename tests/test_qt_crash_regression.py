"""PySide6 6.12.0 on CPython < 3.12 aborts the interpreter after a few hundred signal emits.

Measured here: "Fatal Python error: bool_dealloc" after 587 emits of a ``Signal(float)``
and "none_dealloc" after about 1,770 ``repaint()`` calls; the same wheel on 3.12 survives
100,000 of each. pyproject.toml excludes that pair; these tests prove the Qt we run on
survives a long session's worth of traffic, in a child process so an abort cannot take
the test runner down with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

N_EMITS = 20_000
N_REPAINTS = 10_000
MARKER = "KNOBSIM-QT-SURVIVED"

STRESS_SCRIPT = textwrap.dedent(
    f"""
    import sys

    from PySide6.QtCore import QObject, Signal
    from PySide6.QtGui import QColor, QPainter
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QWidget


    class Emitter(QObject):
        valueChanged = Signal(float)


    class Canvas(QWidget):
        n_paints = 0

        def paintEvent(self, event):
            self.n_paints += 1
            p = QPainter(self)
            p.fillRect(self.rect(), QColor(255, 255, 255))
            p.setPen(QColor(200, 30, 30))
            for x in range(0, self.width(), 10):
                p.drawLine(x, 0, self.width() - x, self.height())
            p.drawText(8, 16, str(self.n_paints))
            p.end()


    app = QApplication([])

    received = []
    emitter = Emitter()
    emitter.valueChanged.connect(lambda value: received.append(value))
    for i in range({N_EMITS}):
        emitter.valueChanged.emit(i * 0.5)

    canvas = Canvas()
    canvas.resize(160, 120)
    canvas.show()
    if not QTest.qWaitForWindowExposed(canvas):
        sys.exit("the test window was never exposed, so repaint() would not paint")
    canvas.n_paints = 0
    for _ in range({N_REPAINTS}):
        canvas.repaint()

    print("emits", len(received), "last", received[-1], "paints", canvas.n_paints)
    print("{MARKER}", flush=True)
    """
)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:3] if part.isdigit())


def test_qt_survives_many_emits_and_repaints(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", STRESS_SCRIPT],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    detail = f"returncode {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr[-3000:]}"
    assert "Fatal Python error" not in proc.stderr, detail
    assert proc.returncode == 0, detail
    assert MARKER in proc.stdout, detail
    assert f"emits {N_EMITS} last {(N_EMITS - 1) * 0.5} paints {N_REPAINTS}" in proc.stdout, detail


@pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="3.12's immortal True/None hide the 6.12.0 refcount bug"
)
def test_installed_pyside6_is_not_the_crashing_pair():
    import PySide6
    import shiboken6

    for name, version in (("PySide6", PySide6.__version__), ("shiboken6", shiboken6.__version__)):
        assert _version_tuple(version) != (6, 12, 0), (
            f"{name} {version} on Python {sys.version.split()[0]} aborts after a few hundred "
            "signal emits; install PySide6-Essentials!=6.12.0 (pyproject.toml excludes it)"
        )
