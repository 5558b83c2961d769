"""Time travel: the timeline's memory after a million steps, its cost per step, and a move
of the scrub bar to repainted views beside a knob drag. Run from the repository::

    PYTHONPATH=. QT_QPA_PLATFORM=offscreen python benchmarks/bench_timeline.py [--quick]

1. memory: the largest MLP the app offers (2 inputs, 16 and 16 hidden units: 337 knobs).
   By default its timeline takes a million steps' weights the way ``Session.step`` hands
   them over (a fresh array a step, appended, settled every ``settle_mask + 1`` steps),
   which is what the memory depends on; ``--train`` trains the real session a million
   steps instead (some minutes). Reported: the kept entries, their bytes, what
   ``tracemalloc`` sees the timeline hold at the end (arrays, lists, headers) and the
   most it held on the way.
2. cost: nanoseconds a step spent keeping the timeline, and the share of a step of the
   line (the fastest model) and of that MLP, from ``Session.step`` in 0.2 s chunks.
3. scrub: the window (1280x800) on each drag case of ``bench_window`` after 3,000 steps;
   the scrub slider moves one tick every 1/60 s (``slider.setValue``, as the drag rows use
   ``knob.setValue``) with the views repainted (``viewport().repaint()``), p50/p95, beside
   the same window's knob drag measured in the same run.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_window as bw  # noqa: E402  (sets the offscreen platform, finds knobsim)

from knobsim.core.data.datasets import make_dataset  # noqa: E402
from knobsim.core.models.machines import make_model  # noqa: E402
from knobsim.core.training.session import Session  # noqa: E402
from knobsim.core.training.timeline import BUDGET_BYTES, Timeline  # noqa: E402

MB = 1e6


def biggest_mlp() -> Session:
    data = make_dataset("spiral", seed=0)
    return Session(make_model("mlp", data, hidden=(16, 16)), data, optimizer="adam", seed=0)


# -- 1. memory -------------------------------------------------------------------------------
def bench_memory(steps: int, train: bool) -> dict:
    s = biggest_mlp()
    tracemalloc.start()
    t0 = time.perf_counter()
    if train:
        while s.step_count < steps:
            s.step(steps - s.step_count, record_every=4096, max_seconds=0.5)
        tl = s.timeline
    else:
        tl = Timeline(s.n_params)
        tl.put(0, s.params)
        theta = s.params.copy()
        done = 0
        while done < steps:
            k = min(tl.settle_mask + 1, steps - done)
            keep = tl.pending(done + 1).append
            for _ in range(k):
                keep(theta + 0.0)  # a fresh array a step, as update() returns
            done += k
        tl.settle()
    seconds = time.perf_counter() - t0
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "n_params": s.n_params,
        "steps": steps,
        "how": "Session.step" if train else "Timeline fed as Session.step does",
        "entries": len(tl),
        "dense": tl.dense,
        "weights_mb": tl.nbytes / MB,
        "held_mb": held / MB,
        "peak_mb": peak / MB,
        "budget_mb": BUDGET_BYTES / MB,
        "seconds": seconds,
    }


# -- 2. cost per step --------------------------------------------------------------------------
def bench_cost(seconds: float) -> list[dict]:
    out = []
    line_data = make_dataset("linear", n_points=200, seed=0)
    for label, session in (
        ("line", Session(make_model("line", line_data), line_data, optimizer="gd", seed=0)),
        ("mlp 2-16-16-1", biggest_mlp()),
    ):
        # the step rate as it is
        n, t = 0, 0.0
        while t < seconds:
            t0 = time.perf_counter()
            n += session.step(10**9, record_every=10**9, max_seconds=0.2).steps
            t += time.perf_counter() - t0
        per_step_ns = t / n * 1e9
        # the timeline's part of it: append a step's array, settle a chunk's worth
        theta = session.params.copy()
        arrays = [theta + k for k in range(4096)]
        tl = Timeline(session.n_params)
        reps, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds / 4:
            keep = tl.pending(reps * 4096 + 1).append
            for a in arrays:
                keep(a)
            tl.settle()
            reps += 1
        timeline_ns = (time.perf_counter() - t0) / (reps * 4096) * 1e9
        out.append(
            {
                "case": label,
                "step_ns": per_step_ns,
                "timeline_ns": timeline_ns,
                "share": timeline_ns / per_step_ns,
            }
        )
    return out


# -- 3. scrubbing ------------------------------------------------------------------------------
def bench_scrub(app, case: bw.Case, moves: int) -> dict:
    session = case.session()
    window = bw.open_window(app, session)
    window.controller.step_many(3000)
    bw.pump(app, 0.3)
    vs = bw.views(window)
    slider = window.scrub_bar.slider
    n = slider.maximum() + 1
    ticks = [round((n - 2) * (0.5 + 0.45 * math.sin(2 * math.pi * k / 37.0))) for k in range(moves)]
    scrub_ms = []
    for tick in ticks:
        t0 = time.perf_counter()
        slider.setValue(tick)
        bw.repaint(vs)
        scrub_ms.append((time.perf_counter() - t0) * 1000.0)
        bw.pump(app, max(0.0, bw.FRAME_S - (time.perf_counter() - t0)))
    shown = window.controller.scrub_step
    window.controller.back_to_now()
    bw.pump(app, 0.3)
    audit = window.audit()
    bw.close_window(app, window)
    drag = bw.bench_drag(app, case, moves, 0)
    return {
        "case": case.label,
        "entries": n,
        "scrub_p50_ms": bw.pct(scrub_ms, 50),
        "scrub_p95_ms": bw.pct(scrub_ms, 95),
        "drag_p95_ms": drag["drag_p95_ms"],
        "ratio_p95": bw.pct(scrub_ms, 95) / drag["drag_p95_ms"],
        "looked_back": shown is not None,
        "audit_after": audit,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer moves, shorter timings")
    parser.add_argument("--train", action="store_true", help="train the real MLP 1M steps")
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--memory-only", action="store_true", help="only the memory figure")
    args = parser.parse_args()
    print("command:", "PYTHONPATH=. QT_QPA_PLATFORM=offscreen python", " ".join(sys.argv))

    m = bench_memory(args.steps, args.train)
    print(
        f"\n1. memory after {m['steps']:,} steps of the {m['n_params']}-knob MLP ({m['how']}, "
        f"{m['seconds']:.1f} s): {m['entries']:,} entries (dense ends {m['dense']}), weights "
        f"{m['weights_mb']:.1f} MB, held {m['held_mb']:.1f} MB, at most {m['peak_mb']:.1f} MB "
        "on the way (goal: at most 20 MB)"
    )
    if args.memory_only:
        return
    print("\n2. cost per optimizer step")
    print(bw.table(
        ["case", "step (ns)", "timeline (ns)", "share"],
        [[r["case"], f"{r['step_ns']:,.0f}", f"{r['timeline_ns']:,.0f}", f"{r['share']:.1%}"]
         for r in bench_cost(0.5 if args.quick else 2.0)],
    ))  # fmt: skip
    app = bw.ensure_app()
    moves = 60 if args.quick else 180
    rows = []
    for case in bw.DRAG_CASES:
        r = bench_scrub(app, case, moves)
        rows.append([
            r["case"], r["entries"], bw.f(r["scrub_p50_ms"]), bw.f(r["scrub_p95_ms"]),
            bw.f(r["drag_p95_ms"]), bw.f(r["ratio_p95"]),
            "ok" if r["looked_back"] and not r["audit_after"] else f"NO {r['audit_after']}",
        ])  # fmt: skip
    print(f"\n3. a scrub-bar move to repainted views ({moves} moves, 1/60 s apart)")
    print(bw.table(
        ["case", "entries", "scrub p50 ms", "scrub p95 ms", "drag p95 ms", "scrub/drag", "check"],
        rows,
    ))  # fmt: skip


if __name__ == "__main__":
    main()
