"""What dials cost against sliders: building the knob panel in each style (View > Knob
style, also a new model or a zoom) and repainting what of it is in view.

    PYTHONPATH=. QT_QPA_PLATFORM=offscreen python benchmarks/bench_dials.py [--reps N]

For every model on its usual data (the next-word model with 2 words of context: 1,331
knobs) in a 1280x800 window: the median time of ``knob_panel.set_knob_style(style)``
(the panel built afresh, laid out and painted) and of one ``grab()`` of the panel's
viewport (every knob in view painted). The sliders are the reference: a ratio travels
between machines, a time does not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from knobsim.app import create_window, ensure_app  # noqa: E402
from knobsim.core.data.catalog import session_for  # noqa: E402

MODELS = {
    "line": ("line", "linear", {}),
    "poly": ("poly", "cubic", {}),
    "logistic": ("logistic", "blobs", {}),
    "mlp": ("mlp", "circles", {}),
    "nextword": ("nextword", "rhymes", {"context": 2}),
}


def settle(app) -> None:
    for _ in range(5):
        app.processEvents()


def measure(app, window, style: str, reps: int) -> tuple[float, float]:
    """Median ms to switch the panel to ``style`` (from the other) and to repaint it."""
    other = "sliders" if style == "dials" else "dials"
    builds, paints = [], []
    panel = window.knob_panel
    for _ in range(reps):
        panel.set_knob_style(other)
        settle(app)
        t = time.perf_counter()
        panel.set_knob_style(style)
        panel.scroll.viewport().grab()
        builds.append(time.perf_counter() - t)
        settle(app)
        for _ in range(3):
            t = time.perf_counter()
            panel.scroll.viewport().grab()
            paints.append(time.perf_counter() - t)
    return 1000 * statistics.median(builds), 1000 * statistics.median(paints)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    app = ensure_app()
    print(f"{'model':10} {'knobs':>6} {'build sliders':>14} {'build dials':>12} {'ratio':>6} "
          f"{'paint sliders':>14} {'paint dials':>12} {'ratio':>6}")  # fmt: skip
    for name, (model, data, extra) in MODELS.items():
        window = create_window(session_for(model, data, **extra), restore=False)
        window.resize(1280, 800)
        window.show()
        settle(app)
        bs, ps = measure(app, window, "sliders", args.reps)
        bd, pd = measure(app, window, "dials", args.reps)
        n = window.controller.model.n_params
        print(f"{name:10} {n:>6} {bs:>12.1f}ms {bd:>10.1f}ms {bd / bs:>6.2f} "
              f"{ps:>12.2f}ms {pd:>10.2f}ms {pd / ps:>6.2f}")  # fmt: skip
        window.files.dirty = False
        window.close()
        settle(app)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
