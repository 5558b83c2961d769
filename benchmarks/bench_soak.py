"""Soak: long training runs with the window open, on every path a person trains on; memory
stays flat and the event loop keeps turning.

Run from the repository::

    PYTHONPATH=. QT_QPA_PLATFORM=offscreen python benchmarks/bench_soak.py [--quick] [--json F]

Four parts (``--parts``, default all), one window per model (``create_window(session,
restore=False)``, shown at 1280x800 on the offscreen platform unless another is set):

- ``worker``: the app's default path at full speed. The speed is set to Max and "Stop when
  converged" off (a person leaving training running), Train is clicked, so training runs
  in the training process (``TrainerProcess``, started beforehand as
  ``knobsim`` does a moment after start-up) and the window absorbs a snapshot every
  frame; the real event loop runs (``QEventLoop.exec``), so the views and read-outs get
  their real paint events. The MLP (regression) trains for 600 s, every other model for
  30 s. Resident memory is read for both processes.
- ``thread``: the same with the training process turned off (``use_process = False``):
  the window's own timer ticks train in its thread, as when the process cannot start.
  MLP for 120 s, the others for 20 s.
- ``chunks``: as a script would drive it: ``controller.step_many(n)`` in chunks of about
  10 ms of steps, each followed by ``app.processEvents()`` (which delivers the paints).
  The MLP for a million steps, the others for 200,000.
- ``switches``: the model switched 300 times in one window.

In every run a hand turns a knob now and then (every 50th chunk, or every 5 s): an undo
step and a mark on the loss curve. RSS is VmRSS from /proc/PID/status: when the window
is open, after a warm-up (chunks: 2% of the run, at least 2,000 steps; timed runs: 10% of
the run, at least 10 s: first paints, caches, numpy buffers, the loss history filling up
to its bound), and at the end; "growth" is end minus warm-up. Each run also counts the
paint events of the error read-out and of the view that draws the model's output (the
fit plot, or the next-word bars), and the window's QObjects (all its descendants) after
the warm-up and at the end. The event loop's gaps are the intervals between ticks of a
1 ms timer, minus 1 ms. Target (issue 12): resident memory flat within 5 MB after the
warm-up, for a million MLP steps and for 10 minutes of training in the training process
(both processes). ``--quick`` runs everything short (a few minutes).
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
from PySide6.QtCore import QElapsedTimer, QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QGraphicsView, QPushButton

from knobsim.app import create_window, ensure_app
from knobsim.core.data.corpus import builtin_corpus
from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import TRAIL_LENGTH, Session
from knobsim.ui.controller.session_controller import DEFAULT_SPEED, MAX_SPEED, SPEED_LABELS

#: the issue's target: resident memory growth after the warm-up, in MB
TARGET_GROWTH_MB = 5.0
#: a chunk of steps takes about this long, like one training tick of the window
CHUNK_MS = 10.0
#: a hand turns a knob every this many chunks
HAND_EVERY = 50
#: in the timed runs, a hand turns a knob every this many seconds
HAND_EVERY_S = 5.0
PARTS = ("worker", "thread", "chunks", "switches")


@dataclass(frozen=True)
class Case:
    label: str
    model: str
    data: str
    optimizer: OptimizerConfig
    main: bool = False  # the MLP: a million steps, 10 minutes in the worker

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


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process (this one by default), in MB (VmRSS)."""
    return _status_kb("VmRSS", pid) / 1024.0


def peak_rss_mb() -> float:
    """The most resident memory this process has had, in MB (VmHWM)."""
    return _status_kb("VmHWM") / 1024.0


def _status_kb(key: str, pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return float(line.split()[1])
    raise RuntimeError(f"no {key} in /proc/{pid}/status (Linux only)")


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


class PaintCounter(QObject):
    """Counts the paint events the watched widgets receive."""

    def __init__(self, *widgets) -> None:
        super().__init__()
        self.paints = 0
        for w in widgets:
            w.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


class Watch:
    """What one run reads besides memory: paints of the error read-out and of the view
    that draws the model's output (the fit plot, or the next-word bars), and the
    window's QObjects."""

    def __init__(self, window) -> None:
        self.window = window
        self.readout = PaintCounter(window.error_label)
        if window.controller.model.task == "nextword":
            output = window.findChild(QGraphicsView, "next_word_bars")
        else:
            output = window.fit_plot
        self.output = PaintCounter(output.viewport())

    def objects(self) -> int:
        return len(self.window.findChildren(QObject))


@dataclass
class Result:
    label: str
    part: str  # "chunks", "worker" or "thread"
    trains_in: str  # "process" or "window"
    speed: str
    steps: int
    seconds: float
    rss_open_mb: float
    rss_start_mb: float
    rss_end_mb: float
    peak_mb: float
    max_gap_ms: float
    p99_gap_ms: float
    readout_paints: int
    output_paints: int
    objects_start: int
    objects_end: int
    history_points: int
    history_limit: int
    trail: int
    marks: int
    undo_steps: int
    diverged: bool
    final_loss: float
    main: bool
    chunk: int = 0
    warmup: str = ""
    worker_rss_start_mb: float | None = None
    worker_rss_end_mb: float | None = None
    #: (steps or seconds into the run, window RSS MB, worker RSS MB or None)
    rss_samples: list[tuple[float, float, float | None]] = field(default_factory=list)

    @property
    def growth_mb(self) -> float:
        return self.rss_end_mb - self.rss_start_mb

    @property
    def worker_growth_mb(self) -> float | None:
        if self.worker_rss_start_mb is None or self.worker_rss_end_mb is None:
            return None
        return self.worker_rss_end_mb - self.worker_rss_start_mb

    @property
    def steps_per_s(self) -> float:
        return self.steps / self.seconds if self.seconds else 0.0


def pump(app: QApplication, seconds: float) -> None:
    """Run the real event loop for ``seconds``: timers fire, paints happen, and it sleeps
    when there is nothing to do, as in the app."""
    loop = QEventLoop()
    timer = QTimer()
    timer.setSingleShot(True)
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(loop.quit)
    timer.start(max(0, round(seconds * 1000.0)))
    loop.exec()


def open_window(app: QApplication, case: Case, use_process: bool):
    window = create_window(case.session(), restore=False)
    window.controller.use_process = use_process
    window.resize(1280, 800)
    window.show()
    pump(app, 0.3)
    return window


def close_window(app: QApplication, window) -> None:
    window.controller.shutdown()  # pauses and ends the training process
    # hide, not close: closing asks (modally) whether to save the changed knobs
    window.hide()
    window.deleteLater()
    # deleteLater outside exec() waits for a loop that never comes: free the window now
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    pump(app, 0.05)


def worker_pid(controller) -> int | None:
    """The training process's pid, when it runs."""
    process = getattr(getattr(controller.bridge, "_worker", None), "_process", None)
    return getattr(process, "pid", None)


# -- chunks: step_many as a script drives it -------------------------------------------------
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


def soak_chunks(app: QApplication, case: Case, steps: int, samples: int = 10) -> Result:
    window = open_window(app, case, use_process=False)
    c = window.controller
    rss_open = rss_mb()
    watch = Watch(window)

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
    objects_start = watch.objects()
    readout0, output0 = watch.readout.paints, watch.output.paints

    gaps = GapMonitor()
    gaps.start()
    done, diverged = 0, False
    sample_rss: list[tuple[float, float, float | None]] = []
    part = max(1, steps // samples)
    t0 = time.perf_counter()
    while done < steps and not diverged:
        n, diverged = run_steps(app, c, min(part, steps - done), chunk, hand)
        done += n
        sample_rss.append((done, rss_mb(), None))
    seconds = time.perf_counter() - t0
    gaps.stop()
    pump(app, 0.1)
    rss_end = rss_mb()

    s = c.session
    result = Result(
        label=case.label,
        part="chunks",
        trains_in="window",
        speed="step_many",
        steps=done,
        seconds=seconds,
        chunk=chunk,
        warmup=f"{warmup:,} steps",
        rss_open_mb=rss_open,
        rss_start_mb=rss_start,
        rss_end_mb=rss_end,
        peak_mb=peak_rss_mb(),
        max_gap_ms=gaps.max_ms,
        p99_gap_ms=gaps.percentile(99),
        readout_paints=watch.readout.paints - readout0,
        output_paints=watch.output.paints - output0,
        objects_start=objects_start,
        objects_end=watch.objects(),
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
    close_window(app, window)
    return result


# -- timed: Train clicked, the real event loop ------------------------------------------------
def soak_training(
    app: QApplication,
    case: Case,
    seconds: float,
    use_process: bool,
    warmup: float | None = None,
    samples: int = 10,
) -> Result:
    """Set the speed to Max and "Stop when converged" off, as a person who leaves training
    running does, click Train and let the real event loop run for ``seconds`` after a
    warm-up (``warmup`` s; default 10% of the run, at least 10 s); ``use_process`` as the
    app (the training process) or not (the window's own thread).

    (The default speed is Watch since issue 14: a run a person can follow, which ends
    when the error settles; at it, this soak ended in seconds and measured nothing.)"""
    window = open_window(app, case, use_process)
    c = window.controller
    assert c.speed_index == DEFAULT_SPEED, "the window did not start at the default speed"
    window.speed_slider.setValue(MAX_SPEED)  # the slider's far end, as a hand drags it
    window.stop_converged_box.setChecked(False)
    assert c.speed_index == MAX_SPEED and not c.stop_when_converged
    speed = SPEED_LABELS[c.speed_index]
    if use_process:  # as `knobsim` does a moment after start-up
        c.prewarm()
        end = time.perf_counter() + 20.0
        while not c.process_ready and time.perf_counter() < end:
            pump(app, 0.02)
        if not c.process_ready:
            raise RuntimeError("the training process did not start within 20 s")
    rss_open = rss_mb()
    watch = Watch(window)
    knobs = [0, c.session.n_params - 1]
    hands = 0

    def hand() -> None:  # a person nudges a knob; alternate two: no merging
        nonlocal hands
        hands += 1
        i = knobs[hands % 2]
        c.set_param(i, float(c.session.params[i]) * 0.99)

    def run_for(duration: float, on_sample=None, every: float = 1.0) -> bool:
        """Pump the event loop for ``duration`` s with hand moves; False once diverged."""
        t_end = time.perf_counter() + duration
        next_hand = time.perf_counter() + HAND_EVERY_S
        next_sample = time.perf_counter() + every
        while (now := time.perf_counter()) < t_end:
            pump(app, min(0.25, t_end - now))
            if c.last_step_diverged or not c.is_training:
                return False
            if time.perf_counter() >= next_hand:
                hand()
                next_hand += HAND_EVERY_S
            if on_sample is not None and time.perf_counter() >= next_sample:
                on_sample()
                next_sample += every
        return True

    window.findChild(QPushButton, "train").click()
    if warmup is None:
        warmup = max(10.0, 0.1 * seconds)
    run_for(warmup)
    trains_in = "process" if c.trains_in_process else "window"
    pid = worker_pid(c) if c.trains_in_process else None
    rss_start = rss_mb()
    worker_start = rss_mb(pid) if pid else None
    objects_start = watch.objects()
    readout0, output0 = watch.readout.paints, watch.output.paints
    steps0 = c.session.step_count

    gaps = GapMonitor()
    gaps.start()
    t0 = time.perf_counter()
    sample_rss: list[tuple[float, float, float | None]] = []

    def sample() -> None:
        sample_rss.append((round(time.perf_counter() - t0), rss_mb(), rss_mb(pid) if pid else None))

    ok = run_for(seconds, sample, every=seconds / samples)
    elapsed = time.perf_counter() - t0
    gaps.stop()
    rss_end = rss_mb()
    worker_end = rss_mb(pid) if pid else None
    steps = c.session.step_count - steps0
    objects_end = watch.objects()
    readout_paints = watch.readout.paints - readout0
    output_paints = watch.output.paints - output0
    c.set_training(False)  # brings the worker's last steps and optimizer memory back

    s = c.session
    result = Result(
        label=case.label,
        part="worker" if use_process else "thread",
        trains_in=trains_in,
        speed=speed,
        steps=steps,
        seconds=elapsed,
        warmup=f"{warmup:.0f} s",
        rss_open_mb=rss_open,
        rss_start_mb=rss_start,
        rss_end_mb=rss_end,
        worker_rss_start_mb=worker_start,
        worker_rss_end_mb=worker_end,
        peak_mb=peak_rss_mb(),
        max_gap_ms=gaps.max_ms,
        p99_gap_ms=gaps.percentile(99),
        readout_paints=readout_paints,
        output_paints=output_paints,
        objects_start=objects_start,
        objects_end=objects_end,
        history_points=len(s.history),
        history_limit=s.history.limit,
        trail=len(s.trail),
        marks=len(s.history.marks),
        undo_steps=c.undo_stack.count(),
        diverged=not ok,
        final_loss=float(s.train_loss),
        main=case.main,
        rss_samples=sample_rss,
    )
    close_window(app, window)
    return result


# -- switches --------------------------------------------------------------------------------
def soak_switches(app: QApplication, switches: int, steps: int = 200) -> dict:
    """One window, the model switched ``switches`` times (every case in turn, ``steps``
    steps each): each switch rebuilds the knobs and views and is an undo step holding a
    copy of the session it replaced (the stack keeps the last 200)."""
    window = open_window(app, CASES[0], use_process=False)
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
    close_window(app, window)
    return {
        "switches": switches,
        "seconds": seconds,
        "samples": samples,
        "rss_after_undo_clear_mb": after_clear,
    }


# -- report ----------------------------------------------------------------------------------
def _mb(x: float | None, sign: bool = False) -> str:
    if x is None:
        return "-"
    return f"{x:+.1f}" if sign else f"{x:.1f}"


def table(results: list[Result]) -> str:
    headers = [
        "part",
        "model",
        "trains in",
        "speed",
        "warm-up",
        "steps",
        "s",
        "steps/s",
        "RSS open",
        "RSS start",
        "RSS end",
        "growth MB",
        "worker start",
        "worker end",
        "worker growth MB",
        "read-out paints",
        "output paints",
        "QObjects",
        "max gap ms",
        "p99 gap ms",
        "history",
        "trail",
    ]
    rows = [
        [
            r.part,
            r.label,
            r.trains_in,
            r.speed,
            r.warmup,
            f"{r.steps:,}",
            f"{r.seconds:.0f}",
            f"{r.steps_per_s:,.0f}",
            _mb(r.rss_open_mb),
            _mb(r.rss_start_mb),
            _mb(r.rss_end_mb),
            _mb(r.growth_mb, sign=True),
            _mb(r.worker_rss_start_mb),
            _mb(r.worker_rss_end_mb),
            _mb(r.worker_growth_mb, sign=True),
            f"{r.readout_paints:,}",
            f"{r.output_paints:,}",
            f"{r.objects_start}/{r.objects_end}",
            f"{r.max_gap_ms:.0f}",
            f"{r.p99_gap_ms:.0f}",
            f"{r.history_points}/{2 * r.history_limit}",
            f"{r.trail}/{TRAIL_LENGTH}",
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
        name = f"{r.part}, {r.label}"
        within = r.history_points <= 2 * r.history_limit and r.trail <= TRAIL_LENGTH
        ok &= within and not r.diverged
        if r.diverged:
            lines.append(f"{name}: training stopped (diverged) after {r.steps:,} steps")
        if not within:
            lines.append(f"{name}: history or trail over its bound")
        if r.objects_end > r.objects_start:
            ok = False
            lines.append(f"{name}: the window's QObjects grew {r.objects_start} -> {r.objects_end}")
        if r.readout_paints == 0 or r.output_paints == 0:
            ok = False
            lines.append(f"{name}: the read-out or the output view never painted (run moot)")
        if r.part == "worker" and r.trains_in != "process":
            ok = False
            lines.append(f"{name}: training ran in the window, not in the training process")
        if not r.main:
            continue
        growths = [("window", r.growth_mb)]
        if r.worker_growth_mb is not None:
            growths.append(("training process", r.worker_growth_mb))
        for who, g in growths:
            met = abs(g) <= TARGET_GROWTH_MB
            ok &= met
            what = f"{r.steps:,} steps" if r.part == "chunks" else f"{r.seconds:.0f} s"
            lines.append(
                f"{name}, {what} after a warm-up of {r.warmup}: the {who}'s resident memory "
                f"grew {g:+.1f} MB (target: within {TARGET_GROWTH_MB:g} MB): "
                f"{'met' if met else 'MISSED'}"
            )
        unit = "k steps" if r.part == "chunks" else " s"
        trend = ", ".join(
            f"{n / 1000 if r.part == 'chunks' else n:g}{unit}: {mb:.1f}"
            + (f" / {wmb:.1f}" if wmb is not None else "")
            for n, mb, wmb in r.rss_samples
        )
        who = "window / training process" if r.worker_growth_mb is not None else "window"
        lines.append(f"  RSS (MB, {who}) through the run: {trend}")
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
    parser.add_argument("--quick", action="store_true", help="every part short (a few minutes)")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}"
    )
    parser.add_argument("--steps", type=int, help="chunks: steps for the MLP (regression)")
    parser.add_argument("--other-steps", type=int, help="chunks: steps for every other model")
    parser.add_argument("--worker-seconds", type=float, help="worker: seconds for the MLP")
    parser.add_argument("--thread-seconds", type=float, help="thread: seconds for the MLP")
    parser.add_argument(
        "--other-seconds", type=float, help="worker and thread: seconds for the other models"
    )
    parser.add_argument(
        "--warmup-seconds", type=float, help="worker and thread: warm-up (10%% of the run, >= 10 s)"
    )
    parser.add_argument("--only", help="run only the cases whose label contains this")
    parser.add_argument("--switches", type=int, help="model switches (300, --quick 60)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    q = args.quick
    main_steps = args.steps or (50_000 if q else 1_000_000)
    other_steps = args.other_steps or (10_000 if q else 200_000)
    worker_s = args.worker_seconds or (20.0 if q else 600.0)
    thread_s = args.thread_seconds or (10.0 if q else 120.0)
    other_s = args.other_seconds
    durations = {
        ("worker", True): worker_s,
        ("worker", False): other_s or (5.0 if q else 30.0),
        ("thread", True): thread_s,
        ("thread", False): other_s or (5.0 if q else 20.0),
    }
    warmup_s = args.warmup_seconds or (3.0 if q else None)
    switches = args.switches if args.switches is not None else (60 if q else 300)

    app = ensure_app()
    env = environment()
    print(
        f"knobsim {env['knobsim']} soak: Python {env['python']}, numpy {env['numpy']}, "
        f"PySide6 {env['PySide6']}, pyqtgraph {env['pyqtgraph']}, {env['platform']}, "
        f"QPA {env['qpa']}, {env['cpus']} CPUs, load {env['load']:.2f}",
        flush=True,
    )
    results = []
    cases = [c for c in CASES if not args.only or args.only in c.label]
    for part in ("worker", "thread", "chunks"):
        if part not in parts:
            continue
        for case in cases:
            if part == "chunks":
                steps = main_steps if case.main else other_steps
                print(f"  {part}, {case.label}: {steps:,} steps ...", end="", flush=True)
                r = soak_chunks(app, case, steps)
            else:
                secs = durations[part, case.main]
                print(f"  {part}, {case.label}: {secs:g} s ...", end="", flush=True)
                r = soak_training(app, case, secs, part == "worker", warmup=warmup_s)
            growth = f"{r.growth_mb:+.1f} MB"
            if r.worker_growth_mb is not None:
                growth += f", worker {r.worker_growth_mb:+.1f} MB"
            print(f" {r.steps:,} steps in {r.seconds:.0f} s, {growth}", flush=True)
            results.append(r)
    sw = None
    if "switches" in parts and not args.only and switches:
        print(f"  model switches: {switches} ...", end="", flush=True)
        sw = soak_switches(app, switches)
        print(f" {sw['seconds']:.1f} s", flush=True)
    print()
    if results:
        print(table(results))
        print()
    lines, ok = verdicts(results)
    print("\n".join(lines))
    if sw is not None:
        trend = ", ".join(f"{k}: {mb:.1f} ({undo} undo)" for k, mb, undo in sw["samples"])
        print(f"Model switches in one window, RSS (MB) after switch k: {trend}; ", end="")
        print(f"undo stack cleared: {sw['rss_after_undo_clear_mb']:.1f}")
    print("all checks met" if ok else "SOME CHECKS MISSED")
    if args.json:
        payload = {
            "environment": env,
            "argv": sys.argv[1:] if argv is None else argv,
            "results": [
                asdict(r) | {"growth_mb": r.growth_mb, "worker_growth_mb": r.worker_growth_mb}
                for r in results
            ],
            "switches": sw,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
