"""The frame clock: one training tick a frame, each with a time budget for optimizer
steps, and the views' slower refreshes spread one per tick. It knows nothing of the
session: the controller says what a tick does. No maths here.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer

#: a frame at 60 Hz: training ticks come once a frame, each followed by one repaint
FRAME_MS = 1000.0 / 60.0
#: the most a tick spends on optimizer steps; below that it takes what the frame has
#: left after painting and everything else the window did
TICK_BUDGET_MS = 12.0
#: the least share of the time training gets. Where the window's own work leaves less of
#: a frame than that, 60 fps is out of reach whatever training does, and a tick takes
#: this share (the window shows fewer frames, each a real step forward) rather than crawl
MIN_TRAINING_SHARE = 0.25
#: idle time a tick leaves in every frame, for work that runs long now and then
SLACK_MS = 2.0
#: the most of a tick's wait slept in the tick (its timer fires 0.5 to 1.5 ms early; seconds)
EARLY_S = 0.002
#: a tick that only shows news (not one that trains to a budget) ends at a steady moment
#: of its frame: the paint after it waits for the tick's usual length, this quantile of the
#: last HELD_TICKS ticks, at most HOLD_MAX_S (see ``hold_paint``)
HOLD_QUANTILE = 0.9
HELD_TICKS = 60
HOLD_MAX_S = 0.006


class FrameClock(QObject):
    """Calls ``on_tick`` once a frame while running, on a fixed grid of deadlines (a
    repeating 16 ms timer would tick 62.5 times a second and drift against the display).

    A tick that trains here brackets its steps with ``begin_budget`` (which sets
    ``budget_ms``) and ``end_budget``, and reports what telling the views cost with
    ``note_views_ms``.
    """

    def __init__(self, on_tick: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_tick = on_tick
        #: True while the clock ticks (training is on)
        self.running = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._deadline = 0.0  # when the next tick is due (perf_counter seconds)
        self._tick_start = 0.0
        self._cpu_after_tick = 0.0  # this thread's CPU time when the last tick ended
        self._views_ms = 2.0  # what telling the views of a tick costs
        self._other_ms = FRAME_MS / 3  # this thread's work between ticks: painting, timers
        #: the step budget of the latest tick, in ms (benchmarks read it)
        self.budget_ms = TICK_BUDGET_MS / 2
        self._hold = False  # this tick asked for a steady paint (hold_paint)
        self._tick_s: deque[float] = deque(maxlen=HELD_TICKS)  # held ticks' lengths
        #: views' slower refreshes waiting for a tick (at most one runs per tick)
        self._deferred: dict[object, Callable[[], None]] = {}
        self._deferred_timer = QTimer(self)
        self._deferred_timer.setSingleShot(True)
        self._deferred_timer.setInterval(0)
        self._deferred_timer.timeout.connect(self._on_deferred_timer_timeout)

    def start(self) -> None:
        self.running = True
        self._tick_start = time.perf_counter()
        self._cpu_after_tick = time.thread_time()
        self._deadline = self._tick_start
        self._timer.start(0)

    def stop(self) -> None:
        self.running = False
        self._timer.stop()
        self._deferred.clear()  # paused: every view shows the exact state itself

    # -- the step budget -----------------------------------------------------------------
    def begin_budget(self) -> float:
        """Set ``budget_ms`` for this tick's steps; returns the seconds since the last."""
        now = time.perf_counter()
        elapsed = now - self._tick_start
        # What did the rest of the window cost since the last tick? This thread's CPU time
        # since then: painting and other timers count, sleeping does not. The budget is
        # what a frame has left after that, the signals and some slack: so training takes
        # the spare milliseconds, and painting keeps its 60 frames a second.
        other = (time.thread_time() - self._cpu_after_tick) * 1000.0
        # quick to see more work, slow to forget it: one cheap frame proves little
        self._other_ms = max(other, 0.9 * self._other_ms + 0.1 * other)
        window_ms = self._views_ms + self._other_ms
        budget = max(
            FRAME_MS - SLACK_MS - window_ms,  # what the frame has left
            window_ms * MIN_TRAINING_SHARE / (1.0 - MIN_TRAINING_SHARE),  # the least share
        )
        self.budget_ms = min(TICK_BUDGET_MS, budget)
        self._tick_start = now
        return elapsed

    def end_budget(self) -> None:
        self._cpu_after_tick = time.thread_time()

    def note_views_ms(self, ms: float) -> None:
        """What telling the views of a tick just cost."""
        self._views_ms = max(ms, 0.8 * self._views_ms + 0.2 * ms)

    def hold_paint(self) -> None:
        """Paint this tick's news at the tick's usual length after its start, not as soon
        as it is done.

        Telling the views takes 2 to 6 ms a tick (more when a snapshot brings more), so a
        paint right after the tick wanders by as much against the display's refreshes; at
        some refresh phases one frame is then shown twice and the next one never. The
        wait (a sleep: this thread has nothing else to do before the paint) costs no CPU.
        """
        self._hold = True

    # -- slower refreshes ----------------------------------------------------------------
    def refresh_later(self, key: object, fn: Callable[[], None]) -> None:
        """Run ``fn`` (a view's slower refresh: knobs, network, read-outs) now when
        paused; while running, in a coming tick, one such refresh per tick, oldest
        first, so they never pile up in one frame. ``key`` names the refresh: asking
        again before it ran keeps its place."""
        if not self.running:
            self._deferred.pop(key, None)
            fn()
        else:
            self._deferred.setdefault(key, fn)

    def run_one_deferred(self) -> None:
        """Run the oldest waiting refresh after this tick's paint, in the idle part of
        the frame."""
        if self._deferred and not self._deferred_timer.isActive():
            self._deferred_timer.start()

    def _on_deferred_timer_timeout(self) -> None:
        if self._deferred:
            key = next(iter(self._deferred))
            self._deferred.pop(key)()

    # -- internals -----------------------------------------------------------------------
    def _on_timer_timeout(self) -> None:
        # The timer counts whole milliseconds and fires up to one early (see below): wait
        # out the rest, so each tick, and the paint after it, keeps its place in the frame.
        # A display refreshes at a set moment of each frame: a paint that wanders by a
        # millisecond either side lands, at some refresh phases, now before a refresh and
        # now after it, and the screen shows one frame twice and skips the next.
        early = self._deadline - time.perf_counter()
        if 0.0 < early <= EARLY_S:
            time.sleep(early)
        start = time.perf_counter()
        self._hold = False
        self._on_tick()
        if self.running:
            if self._hold:
                self._wait_for_steady_paint(start)
            self._schedule_next_tick()

    def _wait_for_steady_paint(self, start: float) -> None:
        now = time.perf_counter()
        self._tick_s.append(now - start)
        usual = sorted(self._tick_s)[int(HOLD_QUANTILE * (len(self._tick_s) - 1))]
        wait = start + min(usual, HOLD_MAX_S) - now
        if wait > 0.0:
            time.sleep(wait)

    def _schedule_next_tick(self) -> None:
        now = time.perf_counter()
        self._deadline += FRAME_MS / 1000.0
        if self._deadline < now:  # a frame or more late: start the grid again from now
            self._deadline = now + FRAME_MS / 1000.0
        # whole milliseconds, 0.5 to 1.5 early: _on_timer_timeout sleeps the rest
        self._timer.start(max(0, math.floor((self._deadline - now) * 1000.0 - 0.5)))
