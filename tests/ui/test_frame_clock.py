"""The frame clock's pacing: ticks on a fixed grid, and a held tick's paint at a steady
moment of its frame, however long the tick's own work took."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtWidgets import QWidget

from knobsim.ui.controller import frame_clock
from knobsim.ui.controller.frame_clock import FrameClock


def run_clock(qtbot, work_ms: list[float], *, hold: bool) -> tuple[np.ndarray, np.ndarray]:
    """Tick through ``work_ms`` (one tick each, busy for that long), painting a widget
    after each; returns each tick's deadline and its paint's time (seconds)."""
    widget = QWidget()
    widget.resize(40, 40)
    widget.show()
    qtbot.waitExposed(widget)
    paints: list[float] = []
    widget.paintEvent = lambda ev: paints.append(time.perf_counter())
    deadlines: list[float] = []
    clock: FrameClock

    def tick() -> None:
        deadlines.append(clock._deadline)
        end = time.perf_counter() + work_ms[len(deadlines) - 1] / 1000.0
        while time.perf_counter() < end:
            pass
        widget.update()
        if hold:
            clock.hold_paint()
        if len(deadlines) == len(work_ms):
            clock.stop()

    clock = FrameClock(tick)
    clock.start()
    qtbot.waitUntil(lambda: not clock.running, timeout=5000)
    qtbot.wait(30)
    # each tick's paint: the first one after its deadline
    d = np.array(deadlines)
    p = np.array(paints)
    firsts = np.searchsorted(p, d)
    ok = firsts < p.size
    return d[ok], p[firsts[ok]]


def test_a_held_tick_paints_at_its_usual_length_not_when_its_work_ends(qtbot):
    # work that takes 0.5 ms in most ticks and 3 ms in every fifth: the usual length
    # (the 90th percentile) is 3 ms, and every paint comes about that long after its tick
    work = [3.0 if k % 5 == 0 else 0.5 for k in range(40)]
    deadlines, paints = run_clock(qtbot, work, hold=True)
    # once the clock has seen a few ticks; the last one stops the clock (no hold)
    after = (paints - deadlines)[10:-1] * 1000.0
    long_work = np.array([w > 1.0 for w in work])[: len(paints)][10:-1]
    # steady: a paint comes as long after a short tick as after a long one (unheld, the
    # tick's work alone puts them 2.5 ms apart). Compared tick kind with tick kind, not as
    # one spread: a machine that slows during the run lengthens every hold alike
    gap = np.median(after[long_work]) - np.median(after[~long_work])
    assert abs(gap) < 1.0, after
    assert np.percentile(after, 10) > 2.5, after


def test_an_unheld_tick_paints_as_soon_as_its_work_is_done(qtbot):
    work = [3.0 if k % 5 == 0 else 0.5 for k in range(20)]
    deadlines, paints = run_clock(qtbot, work, hold=False)
    after = (paints - deadlines) * 1000.0
    quick = after[[k for k in range(len(after)) if work[k] < 1.0]]
    assert np.median(quick) < 2.0, after


def test_the_hold_is_bounded(qtbot, monkeypatch):
    # a long tick now and then must not hold every paint for long
    monkeypatch.setattr(frame_clock, "HOLD_MAX_S", 0.002)
    work = [8.0 if k % 2 == 0 else 0.2 for k in range(20)]
    deadlines, paints = run_clock(qtbot, work, hold=True)
    after = (paints - deadlines) * 1000.0
    short = after[[k for k in range(len(after)) if work[k] < 1.0]]
    assert np.median(short) < 4.5, after
