"""An uncaught error in a slot is logged and shown, and the app keeps running."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal

from knobsim.ui.window import errors
from knobsim.ui.window.errors import ErrorHandler


class _Emitter(QObject):
    fired = Signal()


def test_error_in_a_slot_is_logged_shown_and_survived(qtbot, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(errors, "show", lambda box: shown.append(box))
    handler = ErrorHandler(log_path=tmp_path / "errors.log").install()
    try:
        emitter = _Emitter()

        def broken_slot():
            raise RuntimeError("a bug in a slot")

        emitter.fired.connect(broken_slot)
        with qtbot.capture_exceptions() as captured:
            emitter.fired.emit()
        # pytest-qt captured it before our hook; replay it through the handler
        for exc_info in captured:
            handler(*exc_info)
        assert handler.count == 1
        assert "a bug in a slot" in (tmp_path / "errors.log").read_text()
        assert len(shown) == 1
        assert "a bug in a slot" in shown[0].text()
        assert "RuntimeError" in shown[0].detailedText()
        assert "nothing you made was lost" in shown[0].text()
        # the event loop carries on afterwards
        ticks = []
        QTimer.singleShot(10, lambda: ticks.append(1))
        qtbot.waitUntil(lambda: ticks == [1], timeout=1000)
    finally:
        handler.uninstall()
    assert sys.excepthook is not handler


def test_handler_survives_an_unwritable_log(tmp_path, monkeypatch, qapp):
    shown = []
    monkeypatch.setattr(errors, "show", lambda box: shown.append(box))
    handler = ErrorHandler(log_path=tmp_path / "missing-folder" / "errors.log")
    try:
        raise ValueError("boom")
    except ValueError:
        handler(*sys.exc_info())
    assert "could not be saved" in shown[0].text()


def test_slot_errors_reach_the_handler_in_a_real_app(tmp_path):
    """Without pytest-qt in the way: PySide6 routes a slot's exception to our hook."""
    import os
    import subprocess
    import textwrap

    script = textwrap.dedent(
        f"""
        import sys
        from PySide6.QtCore import QTimer
        from knobsim.app import ensure_app
        from knobsim.ui.window import errors
        from knobsim.ui.window.errors import ErrorHandler

        errors.show = lambda box: print("DIALOG", box.text().splitlines()[0])
        app = ensure_app()
        handler = ErrorHandler(log_path={str(tmp_path / "e.log")!r}).install()

        def broken():
            raise RuntimeError("slot bug")

        QTimer.singleShot(0, broken)
        QTimer.singleShot(50, lambda: (print("STILL RUNNING"), app.quit()))
        app.exec()
        print("COUNT", handler.count)
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "DIALOG Something went wrong: slot bug" in proc.stdout
    assert "STILL RUNNING" in proc.stdout and "COUNT 1" in proc.stdout
    assert "slot bug" in (tmp_path / "e.log").read_text()
