"""Can a person watch training? The error read-out a user sees, sampled at 60 Hz after a
real click on Train, in each model's default window.

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_watch.py [--json]``.

For each case it opens the window (1280x800), sets the model as a person would from the
start window (gradient descent at the start window's learning rate), clicks Train with
the mouse, and every 1/60 s reads the train error from the read-out's text until training
stops by itself or 30 s pass. Reported:

* seconds until the read-out shows 95% of the error's whole fall (from the first reading
  to the lowest one);
* visible changes before then: readings that differ by more than 1% from the last one
  counted (what a person sees change, however often the label repaints);
* steps by then, and whether (and at which step) training stopped as converged.

Goal (issue 14): 3 to 15 s and at least 60 visible changes for every default.
"""

from __future__ import annotations

import json
import re
import sys
import time

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from knobsim.app import create_window
from knobsim.core.data.catalog import session_for

FRAME_S = 1.0 / 60.0
LIMIT_S = 30.0
#: (label, model, dataset, options): the five defaults (the start window's settings with
#: the model switched), then a harder case per model
CASES = [
    ("line (default)", "line", "linear", {}),
    ("poly 3 on sine (default)", "poly", "sine", {"degree": 3}),
    ("logistic on blobs (default)", "logistic", "blobs", {}),
    ("mlp 8 on circles (default)", "mlp", "circles", {"hidden": (8,)}),
    ("nextword on rhymes (default)", "nextword", "rhymes", {}),
    ("line, 200 noisy points", "line", "linear", {"points": 200, "noise": 0.5}),
    ("poly 9 on sine", "poly", "sine", {"degree": 9}),
    ("logistic on moons", "logistic", "moons", {}),
    ("mlp 8,8 on spiral", "mlp", "spiral", {"hidden": (8, 8)}),
    ("nextword, 2 words of context", "nextword", "weather", {"context": 2}),
]
_TRAIN = re.compile(r"train <b>([-+0-9.e]+|nan|inf)</b>")


def _reading(window) -> float | None:
    found = _TRAIN.search(window.error_label.text())
    return float(found.group(1)) if found else None


def watch(label: str, model: str, data: str, kwargs: dict, app) -> dict:
    start = create_window(None, restore=False)  # the start window: its optimizer settings
    config = start.controller.config
    start.close()
    window = create_window(session_for(model, data, optimizer=config, **kwargs), restore=False)
    window.resize(1280, 800)
    window.show()
    for _ in range(30):
        app.processEvents()
    c = window.controller
    button = window.train_button
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    readings, t0 = [], time.perf_counter()
    next_sample = t0
    while time.perf_counter() - t0 < LIMIT_S:
        app.processEvents()
        now = time.perf_counter()
        if now >= next_sample:
            readings.append((now - t0, _reading(window), c.session.step_count))
            next_sample += FRAME_S
        if not c.is_training:
            break
        time.sleep(0.001)
    converged = c.converged_at
    c.set_training(False)
    window.files.dirty = False  # a benchmark's run is not the user's work: close without asking
    window.close()
    t = np.array([r[0] for r in readings])
    v = np.array([np.nan if r[1] is None else r[1] for r in readings])
    ok = np.isfinite(v)
    t, v, steps = t[ok], v[ok], np.array([r[2] for r in readings])[ok]
    fall_to = v[0] - 0.95 * (v[0] - v.min())
    k = int(np.argmax(v <= fall_to))
    visible, last = 0, v[0]
    for x in v[1 : k + 1]:
        if abs(x - last) > 0.01 * abs(last):
            visible, last = visible + 1, x
    return {
        "case": label, "from": float(v[0]), "lowest": float(v.min()),
        "seconds_to_95": float(t[k]), "visible_changes": visible, "steps_by_then": int(steps[k]),
        "converged_at": converged, "met": bool(3.0 <= t[k] <= 15.0 and visible >= 60),
    }  # fmt: skip


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    rows = [watch(*case, app) for case in CASES]
    if "--json" in sys.argv:
        print(json.dumps(rows, indent=1))
        return
    print("| case | error from | lowest | s to 95% of fall | visible changes | steps then "
          "| stopped as converged at | met (3-15 s, >= 60) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        stop = "-" if r["converged_at"] is None else f"{r['converged_at']:,}"
        print(
            f"| {r['case']} | {r['from']:.4g} | {r['lowest']:.4g} | {r['seconds_to_95']:.1f} | "
            f"{r['visible_changes']} | {r['steps_by_then']:,} | {stop} | "
            f"{'yes' if r['met'] else 'NO'} |"
        )


if __name__ == "__main__":
    main()
