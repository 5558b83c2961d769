"""The Qt face of the training session: signals, undo, and the training clock.

Wraps the one ``Session``; every widget reads the weights from it and writes through the
methods here, so a hand on a knob and the optimizer take the same path. No maths here.
"""

from __future__ import annotations

import copy
import logging
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from knobsim.core.background import Snapshot, TrainerProcess, WorkerError
from knobsim.core.capacity import capacity_of, resize, with_capacity
from knobsim.core.datasets import Dataset
from knobsim.core.models import Model
from knobsim.core.optimizers import OptimizerConfig
from knobsim.core.session import Session

#: training speeds, in optimizer steps per second; None = as fast as the machine allows
SPEEDS: tuple[float | None, ...] = (1, 2, 5, 10, 30, 100, 300, 1000, 3000, None)
SPEED_LABELS: tuple[str, ...] = (
    "1 step/s",
    "2 steps/s",
    "5 steps/s",
    "10 steps/s",
    "30 steps/s",
    "100 steps/s",
    "300 steps/s",
    "1,000 steps/s",
    "3,000 steps/s",
    "Max",
)
DEFAULT_SPEED = len(SPEEDS) - 1
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
#: hand moves of one knob closer together than this merge into one undo step
MERGE_WINDOW_S = 0.8

log = logging.getLogger(__name__)


class HandMove(QUndoCommand):
    """Some knobs moved by hand: undo puts exactly those knobs back."""

    def __init__(
        self,
        controller: SessionController,
        indices: Sequence[int],
        old: Sequence[float],
        new: Sequence[float],
        text: str,
    ) -> None:
        super().__init__(text)
        self.controller = controller
        self.indices = list(indices)
        self.old = np.array(old, dtype=float)
        self.new = np.array(new, dtype=float)
        self.names = tuple(controller.session.param_names)
        self.stamp = time.monotonic()

    def id(self) -> int:  # noqa: A003 - Qt's name
        return 1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, HandMove) or other.indices != self.indices:
            return False
        if other.stamp - self.stamp > MERGE_WINDOW_S:
            return False
        self.new = other.new
        self.stamp = other.stamp
        return True

    def redo(self) -> None:
        self.controller._apply(self.indices, self.new, self.names)

    def undo(self) -> None:
        self.controller._apply(self.indices, self.old, self.names)


class SessionChange(QUndoCommand):
    """A new model, new data or a reset: undo puts the whole previous session back.

    Undo remembers what it replaced, so undo followed by redo loses nothing, not even
    training done after the change.
    """

    def __init__(self, controller: SessionController, before: Session, text: str) -> None:
        super().__init__(text)
        self.controller = controller
        self.before = before
        self.after: Session | None = None  # filled in by the first undo

    def redo(self) -> None:
        if self.after is not None:
            self.controller.sync()
            self.controller._install(self.after)
            self.after = None

    def undo(self) -> None:
        self.controller.sync()
        self.after = self.controller.session
        self.controller._install(copy.deepcopy(self.before))


class SettingChange(QUndoCommand):
    """An optimizer setting, the L2 strength or a lock: undo puts back only that."""

    def __init__(self, controller: SessionController, key: str, old, new, text: str) -> None:
        super().__init__(text)
        self.controller = controller
        self.key = key
        self.old = old
        self.new = new
        self.stamp = time.monotonic()
        self._done = True  # push() calls redo(); the change has already happened

    def id(self) -> int:  # noqa: A003 - Qt's name
        return 2

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, SettingChange) or other.key != self.key:
            return False
        if other.key.startswith("lock:") or other.stamp - self.stamp > MERGE_WINDOW_S:
            return False
        self.new, self.stamp = other.new, other.stamp
        self.setText(other.text())
        return True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.controller._apply_setting(self.key, self.new)

    def undo(self) -> None:
        self.controller._apply_setting(self.key, self.old)


class SessionController(QObject):
    """Owns the session and the training clock; tells every view what changed.

    Signals
    -------
    paramsChanged
        The weights changed (a hand, undo, or a training tick). Views pull ``params``.
    modelChanged
        A new model (the set of knobs changed): knob panels rebuild.
    dataChanged
        New data (regenerated, another dataset, a loaded file).
    historyChanged
        The loss history grew or was cleared.
    trainingToggled(bool)
        Training started (True) or paused (False).
    optimizerChanged
        Optimizer, learning rate, batch size or speed changed.
    trainingExploded(str)
        Training diverged and was paused; the message is for people.
    lockChanged(int, bool)
        A knob was locked or unlocked.
    messageRaised(str)
        Something a person should read (a refused value, a bad file).
    gridReady(int, object, object)
        A landscape asked for with ``request_grid`` is done: (request id, the weights it
        was computed at, the losses).

    Training at speed *Max* runs in a second process (``TrainerProcess``) when it can, so
    the optimizer and the painting each have a core: the session here then mirrors the
    worker, absorbing a snapshot every frame, and every change a person makes goes to the
    worker too. ``sync()`` brings the worker's optimizer memory back (before saving,
    before a structural change); the worker picks up again at the next tick.
    """

    #: train at speed Max in a second process (``KNOBSIM_TRAINING_PROCESS=0`` turns it off)
    use_process = os.environ.get("KNOBSIM_TRAINING_PROCESS", "1") != "0"

    paramsChanged = Signal()
    modelChanged = Signal()
    dataChanged = Signal()
    historyChanged = Signal()
    trainingToggled = Signal(bool)
    optimizerChanged = Signal()
    trainingExploded = Signal(str)
    lockChanged = Signal(int, bool)
    messageRaised = Signal(str)
    gridReady = Signal(int, object, object)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(200)  # each structural step keeps a session copy
        self.speed_index = DEFAULT_SPEED
        self._training = False
        # one tick a frame, on a fixed grid of deadlines (a repeating 16 ms timer would
        # tick 62.5 times a second and drift against the display)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._owed = 0.0  # fractional steps owed at slow speeds
        self._step_ms = 0.05  # running estimate of one optimizer step's cost
        # the tick's time budget, from what the rest of each frame costs (see _on_timer_timeout)
        self._deadline = 0.0  # when the next tick is due (perf_counter seconds)
        self._tick_start = 0.0
        self._cpu_after_tick = 0.0  # this thread's CPU time when the last tick ended
        self._emit_ms = 2.0  # what the signals of a tick cost (the views updating)
        self._other_ms = FRAME_MS / 3  # this thread's work between ticks: painting, timers
        #: the step budget of the latest tick, in ms (benchmarks read it)
        self.budget_ms = TICK_BUDGET_MS / 2
        self.last_explosion = ""
        self.last_step_diverged = False
        self._worker: TrainerProcess | None = None
        self._worker_failed = False
        #: views' slower refreshes waiting for a tick (at most one runs per tick)
        self._deferred: dict[object, Callable[[], None]] = {}
        self._deferred_timer = QTimer(self)
        self._deferred_timer.setSingleShot(True)
        self._deferred_timer.setInterval(0)
        self._deferred_timer.timeout.connect(self._on_deferred_timer_timeout)
        self._grid_requests = 0

    # -- reading ---------------------------------------------------------------------
    @property
    def params(self) -> np.ndarray:
        return self.session.params

    @property
    def model(self) -> Model:
        return self.session.model

    @property
    def dataset(self) -> Dataset:
        return self.session.dataset

    @property
    def config(self) -> OptimizerConfig:
        return self.session.config

    @property
    def is_training(self) -> bool:
        return self._training

    @property
    def speed(self) -> float | None:
        return SPEEDS[self.speed_index]

    # -- hand moves (undoable) ---------------------------------------------------------
    def set_param(self, name: str | int, value: float) -> None:
        """A hand turned one knob. Refused values are reported, never raised."""
        i = name if isinstance(name, int) else self._index(name)
        if i is None:
            return
        self.set_params_at([i], [value])

    def set_params_at(
        self, indices: Sequence[int], values: Sequence[float], text: str | None = None
    ) -> None:
        """A hand set several knobs at once (a landscape click sets two)."""
        values = [float(v) for v in values]
        bad = [v for v in values if not math.isfinite(v)]
        if bad:
            self.messageRaised.emit(f"{bad[0]} is not a value a knob can take; it was ignored.")
            return
        old = [float(self.session.params[i]) for i in indices]
        if old == values:
            return
        names = [self.model.param_names[i] for i in indices]
        if text is None:
            text = f"turn {names[0]}" if len(names) == 1 else "set " + " and ".join(names)
        self.undo_stack.push(HandMove(self, indices, old, values, text))

    def _apply(self, indices: Sequence[int], values: np.ndarray, names: tuple[str, ...]) -> None:
        if tuple(self.session.param_names) != names:
            return  # the knobs this move touched belong to a model that is gone
        theta = self.session.params.copy()
        theta[list(indices)] = values
        self.session.set_params(theta, by_hand=True)
        self._tell_worker("set_params", list(indices), np.asarray(values, dtype=float))
        self.paramsChanged.emit()
        self.historyChanged.emit()

    def randomize(self) -> None:
        old = self.session.params.copy()
        self.session.randomize()
        new = self.session.params.copy()
        self.session.set_params(old, by_hand=False)
        self.undo_stack.push(HandMove(self, list(range(len(old))), old, new, "randomize the knobs"))

    def set_locked(self, index: int, locked: bool) -> None:
        if self.session.is_locked(index) == bool(locked):
            return
        name = self.session.param_names[index]
        self._apply_setting(f"lock:{name}", bool(locked))
        verb = "lock" if locked else "unlock"
        self.undo_stack.push(
            SettingChange(self, f"lock:{name}", not locked, bool(locked), f"{verb} {name}")
        )

    def _apply_setting(self, key: str, value) -> None:
        """Set one setting without recording it (undo and redo come through here)."""
        if key.startswith("lock:"):
            name = key[5:]
            if name in self.session.param_names:
                i = self.session.model.param_index(name)
                self.session.set_locked(i, value)
                self._tell_worker("set_locked", i, bool(value))
                self.lockChanged.emit(i, bool(value))
        elif key == "l2":
            self.session.set_l2(value)
            self._tell_worker("set_l2", float(value))
            self.paramsChanged.emit()
            self.historyChanged.emit()
            self.optimizerChanged.emit()
        elif key == "optimizer":
            self.session.set_optimizer(value)
            self._tell_worker("set_config", self.session.config)
            self.optimizerChanged.emit()

    # -- training ----------------------------------------------------------------------
    def set_training(self, on: bool) -> None:
        if on == self._training:
            return
        self._training = on
        if on:
            self._owed = 0.0
            self._tick_start = time.perf_counter()
            self._cpu_after_tick = time.thread_time()
            self._deadline = self._tick_start
            self._timer.start(0)
        else:
            self._timer.stop()
            self.sync()
            self._deferred.clear()  # paused: every view shows the exact state itself
        self.trainingToggled.emit(on)

    def toggle_training(self) -> None:
        self.set_training(not self.is_training)

    def step_once(self) -> None:
        """Exactly one optimizer step."""
        self._run_steps(1)

    def step_many(self, n: int) -> None:
        """``n`` optimizer steps at once (a recording, a script), then one redraw."""
        self._run_steps(int(n))

    def reset(self) -> None:
        """Seeded starting weights; the loss curve starts over (undoable)."""
        self.sync()
        before = copy.deepcopy(self.session)
        self.session.reset()
        self.undo_stack.push(SessionChange(self, before, "reset the knobs"))
        self.paramsChanged.emit()
        self.historyChanged.emit()

    def _on_timer_timeout(self) -> None:
        if self._train_in_worker():
            if self._training:
                self._schedule_next_tick()
            return
        now = time.perf_counter()
        elapsed = now - self._tick_start
        # What did the rest of the window cost since the last tick? This thread's CPU time
        # since then: painting and other timers count, sleeping does not. The budget is
        # what a frame has left after that, the signals and some slack: so training takes
        # the spare milliseconds, and painting keeps its 60 frames a second.
        other = (time.thread_time() - self._cpu_after_tick) * 1000.0
        # quick to see more work, slow to forget it: one cheap frame proves little
        self._other_ms = max(other, 0.9 * self._other_ms + 0.1 * other)
        window_ms = self._emit_ms + self._other_ms
        budget = max(
            FRAME_MS - SLACK_MS - window_ms,  # what the frame has left
            window_ms * MIN_TRAINING_SHARE / (1.0 - MIN_TRAINING_SHARE),  # the least share
        )
        self.budget_ms = min(TICK_BUDGET_MS, budget)
        self._tick_start = now
        speed = self.speed
        if speed is None:
            n = 1_000_000  # as many as fit the budget
        else:
            self._owed += speed * min(elapsed, 0.25)
            n = int(self._owed)
            self._owed -= n
        if n:
            self._run_steps(n, self.budget_ms)
        self._cpu_after_tick = time.thread_time()
        if self._training:
            self._schedule_next_tick()

    def _schedule_next_tick(self) -> None:
        now = time.perf_counter()
        self._deadline += FRAME_MS / 1000.0
        if self._deadline < now:  # a frame or more late: start the grid again from now
            self._deadline = now + FRAME_MS / 1000.0
        self._timer.start(max(0, math.ceil((self._deadline - now) * 1000.0 - 0.5)))

    def _run_steps(self, n: int, budget_ms: float | None = None) -> None:
        """Run up to ``n`` steps (within ``budget_ms`` when given), then tell the views once."""
        self.sync()
        t0 = time.perf_counter()
        # about four loss-history points a tick
        expected = n if budget_ms is None else min(n, budget_ms / self._step_ms)
        record_every = max(1, int(expected) // 4)
        seconds = None if budget_ms is None else budget_ms / 1000.0
        report = self.session.step(n, record_every=record_every, max_seconds=seconds)
        t1 = time.perf_counter()
        if report.steps:
            # smooth the per-step cost: it sets how often the history is recorded
            self._step_ms = 0.7 * self._step_ms + 0.3 * (t1 - t0) * 1000.0 / report.steps
        self.paramsChanged.emit()
        self.historyChanged.emit()
        self._run_one_deferred()
        emit_ms = (time.perf_counter() - t1) * 1000.0
        self._emit_ms = max(emit_ms, 0.8 * self._emit_ms + 0.2 * emit_ms)
        self.last_step_diverged = report.diverged
        if report.diverged:
            self._explode(report.message)

    def refresh_later(self, key: object, fn: Callable[[], None]) -> None:
        """Run ``fn`` (a view's slower refresh: knobs, network, read-outs) now when
        paused; while training, in a coming tick, one such refresh per tick, oldest
        first, so they never pile up in one frame. ``key`` names the refresh: asking
        again before it ran keeps its place."""
        if not self._training:
            self._deferred.pop(key, None)
            fn()
        else:
            self._deferred.setdefault(key, fn)

    def _run_one_deferred(self) -> None:
        # after this tick's paint, not before it: in the idle part of the frame
        if self._deferred and not self._deferred_timer.isActive():
            self._deferred_timer.start()

    def _on_deferred_timer_timeout(self) -> None:
        if self._deferred:
            key = next(iter(self._deferred))
            self._deferred.pop(key)()

    def _explode(self, message: str) -> None:
        self.set_training(False)
        self.last_explosion = message
        self.trainingExploded.emit(message)

    # -- training in a second process ----------------------------------------------------
    @property
    def trains_in_process(self) -> bool:
        """True while the optimizer runs in the worker process."""
        return self._worker is not None and self._worker.active

    def sync(self) -> None:
        """Bring training in the worker back here (its optimizer memory, its last steps).

        Training, if on, moves back to the worker at the next tick. Cheap when idle.
        """
        worker = self._worker
        if worker is None or not worker.active:
            return
        try:
            final = worker.stop()
        except WorkerError as exc:
            self._give_up_worker(exc)
            return
        snap = final.snapshot
        self.session.absorb(snap.theta, snap.step_count, snap.records)
        self.session.adopt_optimizer(final.optimizer_state, final.sampler)
        self.paramsChanged.emit()
        self.historyChanged.emit()

    @property
    def process_ready(self) -> bool:
        """True when the training process is up (started by ``prewarm`` or Train)."""
        try:
            return self._worker is not None and self._worker.check_ready()
        except WorkerError as exc:
            self._give_up_worker(exc)
            return False

    def prewarm(self) -> None:
        """Start the training process now (it takes a few tenths of a second), not at
        the first press of Train. Training works the same without it."""
        if self._worker is None and self.use_process and not self._worker_failed:
            try:
                self._worker = TrainerProcess()
                self._worker.launch()
            except Exception as exc:  # noqa: BLE001 - whatever stops it, train here
                self._give_up_worker(exc)

    def shutdown(self) -> None:
        """Pause and end the worker process (the window is closing)."""
        self.set_training(False)
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def _train_in_worker(self) -> bool:
        """One tick of training in the worker: start it, or show what it did. False when
        this tick should train here instead (speed not Max, worker not ready or broken)."""
        if not (self._training and self.speed is None and self.use_process):
            self.sync()
            return False
        if self._worker_failed:
            return False
        try:
            if self._worker is None:
                self.prewarm()
            worker = self._worker
            if worker is None:
                return False
            if not worker.active:
                if not worker.check_ready():
                    return False  # train here until the worker has started
                worker.start(self.session)
                return True
            snap = worker.poll()
        except Exception as exc:  # noqa: BLE001 - whatever stops the worker, train here
            self._give_up_worker(exc)
            return False
        if snap is not None:
            self._absorb(snap)
        for rid, theta, Z in worker.take_grids():
            self.gridReady.emit(rid, theta, Z)
        return True

    def request_grid(self, i: int, j: int, a: np.ndarray, b: np.ndarray) -> int | None:
        """Ask the training process for the loss landscape over knobs i and j at its
        weights (it has the newest, and a core of its own); ``gridReady`` brings it.
        Returns the request's id, or None when nothing trains in a process (the caller
        computes it here)."""
        if not self.trains_in_process:
            return None
        self._grid_requests += 1
        self._tell_worker("request_grid", self._grid_requests, i, j, a, b)
        return self._grid_requests if self.trains_in_process else None

    def _absorb(self, snap: Snapshot) -> None:
        self.session.absorb(snap.theta, snap.step_count, snap.records)
        self.last_step_diverged = bool(snap.diverged)
        self.paramsChanged.emit()
        self.historyChanged.emit()
        self._run_one_deferred()
        if snap.diverged:
            self._explode(snap.diverged)

    def _tell_worker(self, what: str, *args) -> None:
        if self._worker is not None and self._worker.active:
            try:
                getattr(self._worker, what)(*args)
            except WorkerError as exc:
                self._give_up_worker(exc)

    def _give_up_worker(self, exc: Exception) -> None:
        log.warning("Training continues in the window's own thread: %s", exc)
        self._worker_failed = True
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    # -- settings (no reset) -------------------------------------------------------------
    def set_optimizer(self, name: str) -> None:
        self._configure(name=name)

    def set_learning_rate(self, lr: float) -> None:
        self._configure(lr=float(lr))

    def halve_learning_rate(self) -> None:
        self._configure(lr=self.config.lr / 2)

    def set_batch_size(self, batch_size: int | None) -> None:
        self._configure(batch_size=batch_size)

    def _configure(self, **changes) -> None:
        try:
            new = replace(self.config, **changes)
        except ValueError as exc:
            self.messageRaised.emit(str(exc))
            return
        if new == self.config:
            return
        old = self.config
        self._apply_setting("optimizer", new)
        self.undo_stack.push(SettingChange(self, "optimizer", old, new, _describe(old, new)))

    def set_speed(self, index: int) -> None:
        index = int(np.clip(index, 0, len(SPEEDS) - 1))
        if index != self.speed_index:
            self.speed_index = index
            if self.speed is not None:
                self.sync()
            self._owed = 0.0
            self.optimizerChanged.emit()

    def set_l2(self, l2: float) -> None:
        old = self.model.l2
        if float(l2) == old:
            return
        try:
            self._apply_setting("l2", float(l2))
        except ValueError as exc:
            self.messageRaised.emit(str(exc))
            return
        self.undo_stack.push(SettingChange(self, "l2", old, float(l2), f"set L2 to {l2:g}"))

    # -- structure -----------------------------------------------------------------------
    def replace_session(self, session: Session) -> None:
        """A new model and/or data with its own optimizer settings (undoable); keeps the
        speed, pauses nothing."""
        self.sync()
        before = copy.deepcopy(self.session)
        self.session = session
        self.undo_stack.push(
            SessionChange(
                self, before, f"switch to {session.model.describe()} on {session.dataset.name}"
            )
        )
        self._emit_all()

    def set_model(self, model: Model, theta: Sequence[float]) -> None:
        """Another model on the same data with these weights (a capacity change).

        The data, the optimizer settings and the loss curve carry on (marked where the
        model changed); knobs locked under a name the new model still has stay locked.
        Refused weights are reported, never raised.
        """
        self.sync()
        session = self.session
        locked = [session.param_names[i] for i in session.locked]
        before = copy.deepcopy(session)
        try:
            session.set_model(model, theta, keep_history=True)
        except ValueError as exc:
            self.messageRaised.emit(str(exc))
            return
        for name in locked:
            if name in model.param_names:
                session.set_locked(name, True)
        self.undo_stack.push(SessionChange(self, before, f"resize to {model.describe()}"))
        self.modelChanged.emit()
        self.paramsChanged.emit()
        self.historyChanged.emit()

    def set_capacity(self, capacity: int) -> None:
        """Change the degree (polynomial) or first hidden layer's width (MLP), keeping
        every knob that still exists; new knobs start where they barely change the output."""
        model = self.model
        if capacity_of(model) == int(capacity):
            return
        try:
            new = with_capacity(model, capacity)
        except ValueError as exc:
            self.messageRaised.emit(str(exc))
            return
        self.resize_model(new)

    def resize_model(self, model: Model) -> None:
        """Switch to ``model``, a bigger or smaller one of the current kind: knobs with the
        same name keep their values, new knobs start where they barely change the output."""
        # seeded, so the same change from the same knobs gives the same new knobs
        rng = np.random.default_rng([self.session.seed, model.n_params])
        self.set_model(model, resize(self.model, self.params, model, rng))

    def set_dataset(self, dataset: Dataset) -> None:
        """New data for the same model; the weights stay."""
        self.sync()
        before = copy.deepcopy(self.session)
        try:
            self.session.set_dataset(dataset)
        except ValueError as exc:
            self.messageRaised.emit(str(exc))
            return
        self.undo_stack.push(SessionChange(self, before, f"change the data ({dataset.name})"))
        self.dataChanged.emit()
        self.paramsChanged.emit()
        self.historyChanged.emit()

    def load_session(self, session: Session) -> None:
        """A fresh start (a session from a file, a lesson): the undo history starts over."""
        self.sync()
        self.session = session
        self.undo_stack.clear()
        self._emit_all()

    def _install(self, session: Session) -> None:
        """Put a whole session in place (undo/redo of a structural change)."""
        self.session = session
        self._emit_all()

    def _emit_all(self) -> None:
        self.modelChanged.emit()
        self.dataChanged.emit()
        self.paramsChanged.emit()
        self.historyChanged.emit()
        self.optimizerChanged.emit()

    def _index(self, name: str) -> int | None:
        try:
            return self.model.param_index(name)
        except KeyError as exc:
            self.messageRaised.emit(str(exc.args[0]))
            return None


def _describe(old: OptimizerConfig, new: OptimizerConfig) -> str:
    """Undo text for an optimizer settings change."""
    if new.name != old.name:
        return f"switch the optimizer to {new.name}"
    if new.lr != old.lr:
        return f"set the learning rate to {new.lr:g}"
    if new.batch_size != old.batch_size:
        return f"set the batch size to {new.batch_size or 'all'}"
    return "change the optimizer settings"
