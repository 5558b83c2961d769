"""How low can a knob drag go? The drag of ``bench_window`` with views left out.

Issue 13 asks for every drag row at most twice its reference (the numpy work of the update
plus a bare repaint of the same views). This measures the drag as ``bench_window`` does
(``knob.setValue`` then every view's ``viewport().repaint()``, one move every 1/60 s) with
the window whole, and again with every view but the fit plot and the knob panel cut off
from the change (the landscape, the loss plot and scrub bar, the network diagram, the
verdict and the error read-out keep showing the old weights). The second figure is a floor
for this design: no work on those views at all, a screen that lies. Run from the
repository::

    PYTHONPATH=. QT_QPA_PLATFORM=offscreen python benchmarks/bench_drag_floor.py

About a minute. Each row: p50/p95 whole and floor, the reference's p95 (as in
``bench_window``), and the floor's p95 against it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_window as bw  # noqa: E402  (sets the offscreen platform, finds knobsim)
from PySide6.QtWidgets import QGraphicsView, QWidget  # noqa: E402

from knobsim.ui.teaching.capacity import CapacityPanel  # noqa: E402

MOVES = 200


def cut_off(window) -> None:
    """Every view but the fit plot and the knob panel stops following the weights."""
    c = window.controller
    c.paramsChanged.disconnect(window.landscape_plot._on_params_changed)
    c.historyChanged.disconnect(window.loss_plot._on_history_changed)
    c.historyChanged.disconnect(window.scrub_bar.refresh)
    c.paramsChanged.disconnect(window._error_throttle)
    c.paramsChanged.disconnect(window.findChild(CapacityPanel)._verdict_throttle)
    network = window.findChild(QGraphicsView, "network_view")
    if network is not None:
        c.paramsChanged.disconnect(network._on_controller_params_changed)


def drag(app, case: bw.Case, floor: bool) -> tuple[list[float], list[float]]:
    session = case.session()
    window = bw.open_window(app, session)
    vs = bw.views(window)
    if floor:
        cut_off(window)
    knob = window.findChild(QWidget, f"knob:{case.drag}")
    times = []
    for v in bw.knob_values(knob, MOVES):
        t0 = time.perf_counter()
        knob.setValue(v)
        bw.repaint(vs)
        times.append((time.perf_counter() - t0) * 1000.0)
        bw.pump(app, max(0.0, bw.FRAME_S - (time.perf_counter() - t0)))
    ref, _ = bw.drag_reference(window, vs, MOVES // 4)
    bw.close_window(app, window)
    return times[20:], ref


def main() -> None:
    app = bw.ensure_app()
    rows = []
    for case in (*bw.DRAG_CASES, bw.LOGISTIC):
        whole, ref = drag(app, case, floor=False)
        floor, ref2 = drag(app, case, floor=True)
        ref_p95 = bw.median([bw.pct(ref, 95), bw.pct(ref2, 95)])
        rows.append([
            case.label, bw.f(bw.pct(whole, 50)), bw.f(bw.pct(whole, 95)),
            bw.f(bw.pct(floor, 50)), bw.f(bw.pct(floor, 95)), bw.f(ref_p95),
            bw.f(bw.pct(floor, 95) / ref_p95),
        ])  # fmt: skip
    print("command: PYTHONPATH=. QT_QPA_PLATFORM=offscreen python benchmarks/bench_drag_floor.py")
    print(bw.table(
        ["model", "whole p50", "whole p95", "floor p50", "floor p95", "ref p95", "floor/ref"],
        rows,
    ))  # fmt: skip


if __name__ == "__main__":
    main()
