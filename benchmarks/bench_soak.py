"""Soak: every model trained for a long run with the window open; memory stays flat and the
event loop keeps turning.

Run from the repository::

    PYTHONPATH=. QT_QPA_PLATFORM=offscreen python benchmarks/bench_soak.py [--quick] [--json F]

The full run trains the MLP (regression) for a million optimizer steps and every other
model for 200,000, a few minutes in all; ``--quick`` does 50,000 and 10,000 in under a
minute. The offscreen platform is used unless another is set.

How: one window per model (``create_window(session, restore=False)``, shown at 1280x800).
The run is driven headless, as a script would: ``controller.step_many(n)`` in chunks of
about 10 ms of steps, each followed by ``app.processEvents()``, so every chunk ends with the
same signals and redraws as a training tick; every 50th chunk a hand turns a knob (an undo
step and a mark on the loss curve). Resident memory is VmRSS from /proc/self/status: when
the window is open, after a warm-up (2% of the run, at least 2,000 steps: first paints,
caches, numpy buffers), and at the end; "growth" is end minus warm-up. The event loop's
gaps are the intervals between ticks of a 1 ms timer, minus 1 ms: a chunk plus whatever the
views do after it. Target (issue 7): a million MLP steps grow the resident memory by less
than 50 MB.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

try:
    import knobsim
except ImportError:  # run from a checkout without PYTHONPATH=.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import knobsim

import numpy as np
from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from knobsim.app import create_window, ensure_app
from knobsim.core.corpus import builtin_corpus
from knobsim.core.datasets import make_dataset
from knobsim.core.models import make_model
from knobsim.core.optimizers import OptimizerConfig
from knobsim.core.session import TRAIL_LENGTH, Session

#: the issue's target: resident memory growth over a million MLP steps, in MB
TARGET_GROWTH_MB = 50.0
#: a chunk of steps takes about this long, like one training tick of the window
CHUNK_MS = 10.0
#: a hand turns a knob every this many chunks
HAND_EVERY = 50


@dataclass(frozen=True)
class Case:
    label: str
    model: str
    data: str
    optimizer: OptimizerConfig
    main: bool = False  # the million-step MLP

    def session(self) -> Session:
        if self.data == "rhymes":
            dataset = builtin_corpus(self.data).to_dataset()
        else:
            dataset = make_dataset(self.data, seed=0)
        return Session(make_model(self.model, dataset), dataset, optimizer=self.optimizer, seed=0)


CASES = [
    Case("mlp (regression)", "mlp", "sine", OptimizerConfig("adam", lr=0.01), main=True),
    Case("line", "line", "linear", OptimizerConfig("adam", lr=0.01)),
    Case("poly", "poly", "sine", OptimizerConfig("adam", lr=0.01)),
    Case("logistic", "logistic", "blobs", OptimizerConfig("adam", lr=0.01)),
    Case("mlp (classification)", "mlp", "circles", OptimizerConfig("sgd", lr=0.03, batch_size=10)),
    Case("nextword", "nextword", "rhymes", OptimizerConfig("adam", lr=0.05)),
]


def rss_mb() -> float:
    """Resident memory of this process, in MB (VmRSS)."""
    return _status_kb("VmRSS") / 1024.0


def peak_rss_mb() -> float:
    """The most resident memory this process has had, in MB (VmHWM)."""
    return _status_kb("VmHWM") / 1024.0


def _status_kb(key: str) -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return float(line.split()[1])
    raise RuntimeError(f"no {key} in /proc/self/status (Linux only)")


class GapMonitor(QObject):
    """Gaps of a 1 ms timer, in a fixed 1 ms histogram (no list that grows with the run)."""

    BINS = 2001  # 0..2000 ms; longer gaps land in the last bin (the max is kept exactly)

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setInterval(1)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._on_timeout)
        self.clock = QElapsedTimer()
        self.counts = np.zeros(self.BINS, dtype=np.int64)
        self.max_ms = 0.0

    def start(self) -> None:
        self.counts[:] = 0
        self.max_ms = 0.0
        self.clock.start()
        self.last = self.clock.nsecsElapsed()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def percentile(self, q: float) -> float:
        total = int(self.counts.sum())
        if not total:
            return 0.0
        return float(np.searchsorted(np.cumsum(self.counts), q / 100.0 * total))

    def _on_timeout(self) -> None:
        now = self.clock.nsecsElapsed()
        gap = max(0.0, (now - self.last) / 1e6 - 1.0)
        self.last = now
        self.counts[min(int(gap), self.BINS - 1)] += 1
        self.max_ms = max(self.max_ms, gap)


@dataclass
class Result:
    label: str
    steps: int
    seconds: float
    chunk: int
    rss_open_mb: float
    rss_start_mb: float
    rss_end_mb: float
    peak_mb: float
    max_gap_ms: float
    p99_gap_ms: float
    history_points: int
    history_limit: int
    trail: int
    marks: int
    undo_steps: int
    diverged: bool
    final_loss: float
    main: bool
    rss_samples: list[tuple[int, float]] = field(default_factory=list)

    @property
    def growth_mb(self) -> float:
        return self.rss_end_mb - self.rss_start_mb

    @property
    def steps_per_s(self) -> float:
        return self.steps / self.seconds if self.seconds else 0.0


def pump(app: QApplication, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.002)


def run_steps(app, controller, steps: int, chunk: int, on_chunk=None) -> tuple[int, bool]:
    """``steps`` optimizer steps in chunks, the event loop turning after each; returns the
    steps done and whether training diverged (the controller then stops, as in the app)."""
    session = controller.session
    start = session.step_count
    while session.step_count - start < steps:
        n = min(chunk, steps - (session.step_count - start))
        controller.step_many(n)
        app.processEvents()
        if on_chunk is not None:
            on_chunk()
        if controller.last_step_diverged:
            return session.step_count - start, True
        session = controller.session
    return session.step_count - start, False


def soak(app: QApplication, case: Case, steps: int, samples: int = 10) -> Result:
    window = create_window(case.session(), restore=False)
    window.resize(1280, 800)
    window.show()
    pump(app, 0.3)
    c = window.controller
    rss_open = rss_mb()

    # calibrate on a copy, outside the window: chunks of about CHUNK_MS of optimizer
    # steps, like one training tick (the redraw after each comes on top)
    probe = copy.deepcopy(c.session)
    t = time.perf_counter()
    probe.step(2000, record_every=500)
    per_step = (time.perf_counter() - t) / 2000
    chunk = int(min(5000, max(50, CHUNK_MS / 1000.0 / per_step)))
    del probe

    knobs = [0, c.session.n_params - 1]
    chunks = 0

    def hand() -> None:
        nonlocal chunks
        chunks += 1
        if chunks % HAND_EVERY == 0:  # a person nudges a knob; alternate two: no merging
            i = knobs[(chunks // HAND_EVERY) % 2]
            c.set_param(i, float(c.session.params[i]) * 0.99)

    warmup = max(2000, steps // 50)
    run_steps(app, c, warmup, chunk, hand)
    pump(app, 0.1)
    rss_start = rss_mb()

    gaps = GapMonitor()
    gaps.start()
    done, diverged = 0, False
    sample_rss: list[tuple[int, float]] = []
    part = max(1, steps // samples)
    t0 = time.perf_counter()
    while done < steps and not diverged:
        n, diverged = run_steps(app, c, min(part, steps - done), chunk, hand)
        done += n
        sample_rss.append((done, rss_mb()))
    seconds = time.perf_counter() - t0
    gaps.stop()
    app.processEvents()
    rss_end = rss_mb()

    s = c.session
    result = Result(
        label=case.label,
        steps=done,
        seconds=seconds,
        chunk=chunk,
        rss_open_mb=rss_open,
        rss_start_mb=rss_start,
        rss_end_mb=rss_end,
        peak_mb=peak_rss_mb(),
        max_gap_ms=gaps.max_ms,
        p99_gap_ms=gaps.percentile(99),
        history_points=len(s.history),
        history_limit=s.history.limit,
        trail=len(s.trail),
        marks=len(s.history.marks),
        undo_steps=c.undo_stack.count(),
        diverged=diverged,
        final_loss=float(s.train_loss),
        main=case.main,
        rss_samples=sample_rss,
    )
    # hide, not close: closing asks (modally) whether to save the changed knobs
    window.hide()
    window.deleteLater()
    # processEvents() alone never runs deferred deletes outside exec(): free the window now
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    pump(app, 0.05)
    return result


def soak_switches(app: QApplication, switches: int, steps: int = 200) -> dict:
    """One window, the model switched ``switches`` times (every case in turn, ``steps``
    steps each): each switch rebuilds the knobs and views and is an undo step holding a
    copy of the session it replaced (the stack keeps the last 200)."""
    window = create_window(CASES[0].session(), restore=False)
    window.resize(1280, 800)
    window.show()
    pump(app, 0.3)
    c = window.controller
    samples = []
    t0 = time.perf_counter()
    for k in range(1, switches + 1):
        c.replace_session(CASES[k % len(CASES)].session())
        c.step_many(steps)
        app.processEvents()
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the old knobs, as exec() would
        if k in (1, 10) or k % 50 == 0 or k == switches:
            samples.append((k, rss_mb(), c.undo_stack.count()))
    seconds = time.perf_counter() - t0
    c.undo_stack.clear()
    app.processEvents()
    after_clear = rss_mb()
    window.hide()
    window.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    pump(app, 0.05)
    return {
        "switches": switches,
        "seconds": seconds,
        "samples": samples,
        "rss_after_undo_clear_mb": after_clear,
    }


def table(results: list[Result]) -> str:
    headers = [
        "model",
        "steps",
        "s",
        "steps/s",
        "chunk",
        "RSS open",
        "RSS start",
        "RSS end",
        "growth MB",
        "max gap ms",
        "p99 gap ms",
        "history",
        "trail",
        "marks",
        "undo",
    ]
    rows = [
        [
            r.label,
            f"{r.steps:,}",
            f"{r.seconds:.1f}",
            f"{r.steps_per_s:,.0f}",
            str(r.chunk),
            f"{r.rss_open_mb:.1f}",
            f"{r.rss_start_mb:.1f}",
            f"{r.rss_end_mb:.1f}",
            f"{r.growth_mb:+.1f}",
            f"{r.max_gap_ms:.1f}",
            f"{r.p99_gap_ms:.0f}",
            f"{r.history_points}/{2 * r.history_limit}",
            f"{r.trail}/{TRAIL_LENGTH}",
            str(r.marks),
            str(r.undo_steps),
        ]
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    return "\n".join([line, rule, *body])


def verdicts(results: list[Result]) -> tuple[list[str], bool]:
    lines, ok = [], True
    for r in results:
        bounded = r.history_points <= 2 * r.history_limit and r.trail <= TRAIL_LENGTH
        ok &= bounded and not r.diverged
        if r.diverged:
            lines.append(f"{r.label}: training diverged after {r.steps:,} steps (unexpected)")
        if not bounded:
            lines.append(f"{r.label}: history or trail over its bound")
        if r.main:
            met = r.growth_mb < TARGET_GROWTH_MB
            ok &= met
            lines.append(
                f"{r.label}, {r.steps:,} steps with the window open: resident memory grew "
                f"{r.growth_mb:+.1f} MB (target < {TARGET_GROWTH_MB:g} MB): "
                f"{'met' if met else 'MISSED'}"
            )
            trend = ", ".join(f"{n // 1000}k: {mb:.1f}" for n, mb in r.rss_samples)
            lines.append(f"  RSS (MB) through the run: {trend}")
    return lines, ok


def environment() -> dict:
    import pyqtgraph
    import PySide6

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "PySide6": PySide6.__version__,
        "pyqtgraph": pyqtgraph.__version__,
        "knobsim": knobsim.__version__,
        "platform": f"{platform.system()} {platform.machine()}",
        "qpa": os.environ.get("QT_QPA_PLATFORM", ""),
        "cpus": os.cpu_count(),
        "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="50,000 MLP steps and 10,000 for the others"
    )
    parser.add_argument("--steps", type=int, help="steps for the MLP (regression) run")
    parser.add_argument("--other-steps", type=int, help="steps for every other model")
    parser.add_argument("--only", help="run only the cases whose label contains this")
    parser.add_argument(
        "--switches",
        type=int,
        help="model switches in one window afterwards (default 300, --quick 60; 0: none)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    main_steps = args.steps or (50_000 if args.quick else 1_000_000)
    other_steps = args.other_steps or (10_000 if args.quick else 200_000)
    if args.switches is None:
        args.switches = 60 if args.quick else 300

    app = ensure_app()
    env = environment()
    print(
        f"knobsim {env['knobsim']} soak: Python {env['python']}, numpy {env['numpy']}, "
        f"PySide6 {env['PySide6']}, pyqtgraph {env['pyqtgraph']}, {env['platform']}, "
        f"QPA {env['qpa']}, {env['cpus']} CPUs, load {env['load']:.2f}",
        flush=True,
    )
    results = []
    for case in CASES:
        if args.only and args.only not in case.label:
            continue
        steps = main_steps if case.main else other_steps
        print(f"  {case.label}: {steps:,} steps ...", end="", flush=True)
        r = soak(app, case, steps)
        print(f" {r.seconds:.1f} s, {r.growth_mb:+.1f} MB", flush=True)
        results.append(r)
    switches = None
    if not args.only and args.switches:
        print(f"  model switches: {args.switches} ...", end="", flush=True)
        switches = soak_switches(app, args.switches)
        print(f" {switches['seconds']:.1f} s", flush=True)
    print()
    print(table(results))
    print()
    lines, ok = verdicts(results)
    print("\n".join(lines))
    if switches is not None:
        trend = ", ".join(f"{k}: {mb:.1f} ({undo} undo)" for k, mb, undo in switches["samples"])
        print(f"Model switches in one window, RSS (MB) after switch k: {trend}; ", end="")
        print(f"undo stack cleared: {switches['rss_after_undo_clear_mb']:.1f}")
    if args.json:
        payload = {
            "environment": env,
            "results": [asdict(r) | {"growth_mb": r.growth_mb} for r in results],
            "switches": switches,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
