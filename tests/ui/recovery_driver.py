"""A person's knobsim session for tests/ui/test_recovery.py, run in its own process.

Starts knobsim as the ``knobsim`` command does (``knobsim.app.start``), drags two knobs and
trains a little with the mouse, pauses, waits for the autosave, prints what the session
holds as one JSON line, then runs the event loop until the test kills it with SIGKILL.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # hands.py

from hands import drag_slider_to  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from knobsim.app import ensure_app, start  # noqa: E402


def fingerprint(session) -> dict:
    """What must come back bit for bit: knobs, data and history (shared with the test)."""
    d = session.dataset
    data = hashlib.sha256()
    for a in (d.X_train, d.y_train, d.X_test, d.y_test):
        data.update(a.tobytes())
    h = session.history
    return {
        "model": session.model.name,
        "params": [float(x).hex() for x in session.params],
        "data": data.hexdigest(),
        "steps": [int(s) for s in h.steps],
        "train": [float(x).hex() for x in h.train],
        "test": [float(x).hex() for x in h.test],
        "marks": [[int(step), label] for step, label in h.marks],
        "step_count": session.step_count,
    }


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the driver waited too long")
        QTest.qWait(20)


def main() -> None:
    app = ensure_app()
    window = start()
    QTest.qWaitForWindowExposed(window)
    QTest.qWait(100)
    panel = window.knob_panel
    for name, value in (("b", 0.8), ("w", -1.3)):
        drag_slider_to(panel.knob(name).slider, value)
        QTest.qWait(20)
    # train a moment with the Train button, as a person clicks it, then pause
    window.speed_slider.setValue(window.speed_slider.maximum())  # Max: a quick run
    train = window.train_button
    QTest.mouseClick(train, Qt.MouseButton.LeftButton)
    wait_until(lambda: window.controller.session.step_count >= 200)
    if window.controller.is_training:  # (it may have stopped by itself, converged)
        QTest.mouseClick(train, Qt.MouseButton.LeftButton)
    wait_until(lambda: not window.controller.is_training)
    drag_slider_to(panel.knob("b").slider, -0.6)  # the last move is by hand, well away
    wait_until(lambda: not window.autosave.pending)
    out = fingerprint(window.controller.session)
    out["autosave"] = str(window.autosave.path)
    print(json.dumps(out), flush=True)
    app.exec()  # until killed


if __name__ == "__main__":
    main()
