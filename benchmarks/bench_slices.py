"""What the loss slices in the knobs cost: one refresh of every slice in view, in the
real window at 1280x800 (after a training step, so every slice is computed again), and
the hint, which slices the steepest knobs finely.

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_slices.py``. Prints p50 and p95
in ms over 60 refreshes per model, with the number of knobs sliced. The slices refresh
after the paint of a change (never inside a hand's move) and at most every 0.1 s while
training, so the figure to compare with is the 16.7 ms of a frame.
"""

from __future__ import annotations

import json
import platform
import sys
import time

import numpy as np
from PySide6.QtWidgets import QApplication

from knobsim.app import create_window
from knobsim.core.data.catalog import session_for
from knobsim.core.lessons.hints import knob_hints

REPEATS = 60
CASES = [
    ("line on linear", "line", "linear", {}),
    ("poly 9 on sine", "poly", "sine", {"degree": 9}),
    ("logistic on moons", "logistic", "moons", {}),
    ("mlp 2-4-2-1 on circles (250 pts)", "mlp", "circles", {"hidden": (4, 2), "points": 250}),
    ("mlp 1-16-1 on sine (200 pts)", "mlp", "sine", {"hidden": (16,), "points": 200}),
    ("nextword, 2 words of context", "nextword", "rhymes", {"context": 2}),
]


def _percentiles(times: list[float]) -> tuple[float, float]:
    a = np.array(times)
    return float(np.percentile(a, 50)), float(np.percentile(a, 95))


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    rows = []
    for label, model, data, kwargs in CASES:
        win = create_window(session_for(model, data, seed=0, **kwargs), restore=False)
        win.resize(1280, 800)
        win.show()
        for _ in range(20):
            app.processEvents()
        panel, session = win.knob_panel, win.controller.session
        slices, hints = [], []
        for _ in range(REPEATS):
            session.step(1)
            t0 = time.perf_counter()
            panel.update_slices()
            slices.append((time.perf_counter() - t0) * 1000.0)
            t0 = time.perf_counter()
            knob_hints(session)
            hints.append((time.perf_counter() - t0) * 1000.0)
        sliced = sum(k.slider.slice is not None for k in panel.knobs)
        s50, s95 = _percentiles(slices)
        h50, h95 = _percentiles(hints)
        rows.append(
            {"case": label, "knobs": session.n_params, "sliced": sliced, "slices_p50": s50,
             "slices_p95": s95, "hint_p50": h50, "hint_p95": h95}
        )  # fmt: skip
        win.close()
    print("| case | knobs | sliced (in view) | slices p50 | p95 | hint p50 | p95 |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['case']} | {r['knobs']} | {r['sliced']} | {r['slices_p50']:.2f} | "
            f"{r['slices_p95']:.2f} | {r['hint_p50']:.2f} | {r['hint_p95']:.2f} |"
        )
    env = {"python": platform.python_version(), "numpy": np.__version__}
    print(json.dumps(env))


if __name__ == "__main__":
    main()
