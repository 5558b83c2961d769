"""The session controller: the intents a person (or a lesson) sends, and the signals
every view listens to.

Wraps the one ``Session``; every widget reads the weights from it and writes through the
methods here, so a hand on a knob and the optimizer take the same path. The undo commands
live in ``undo``, the training clock in ``frame_clock``, the training process behind
``training_bridge``. No maths here.
"""

from __future__ import annotations

import copy
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from knobsim.core.capacity.sizes import capacity_of, resize, with_capacity
from knobsim.core.data.datasets import Dataset
from knobsim.core.models.machines import Model
from knobsim.core.training.convergence import ConvergenceWatch
from knobsim.core.training.messages import SetConfig, SetHeld, SetL2, SetLocked, SetParams
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.pace import WatchPace
from knobsim.core.training.session import Session, check_l2
from knobsim.ui.controller.frame_clock import FrameClock
from knobsim.ui.controller.training_bridge import TrainingBridge
from knobsim.ui.controller.undo import (
    DataEdit,
    HandMove,
    SessionChange,
    SettingChange,
    describe_config_change,
)

#: the Watch pace (``core.training.pace``): as many steps a frame as a person can follow
WATCH = "watch"
#: training speeds: the Watch pace, optimizer steps per second, None = as fast as the
#: machine allows
SPEEDS: tuple[str | float | None, ...] = (WATCH, 1, 2, 5, 10, 30, 100, 300, 1000, 3000, None)
SPEED_LABELS: tuple[str, ...] = (
    "Watch",
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
DEFAULT_SPEED = 0  # Watch: a run a person can follow from start to end
MAX_SPEED = len(SPEEDS) - 1


def speed_index_of(speed: str | float | None) -> int:
    """The speed setting for ``speed``: "watch", None or "max", or the fixed speed closest
    to a number of steps per second."""
    if speed == WATCH:
        return 0
    if speed is None or speed == "max":
        return MAX_SPEED
    fixed = [(i, v) for i, v in enumerate(SPEEDS) if isinstance(v, (int, float))]
    return min(fixed, key=lambda p: abs(math.log(p[1]) - math.log(float(speed))))[0]


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
    trainingConverged(int)
        Training stopped by itself: the error stopped improving and the knobs stopped
        moving (``core.training.convergence``) at this step.
    lockChanged(int, bool)
        A knob was locked or unlocked.
    messageRaised(str)
        Something a person should read (a refused value, a bad file).
    gridReady(int, object, object)
        A landscape asked for with ``request_grid`` is done: (request id, the weights it
        was computed at, the losses).
    scrubChanged
        The step shown changed (``scrub_to``) or the look back ended; ``paramsChanged``
        follows, and the views paint ``shown`` (the loss plot the whole run).

    Time travel: ``scrub_to(step)`` shows the run as it was at a past step of the
    session's timeline (``shown`` is then ``Session.view_at(step)``) without changing the
    session. It pauses training. ``continue_from_here`` branches there (undoable),
    ``back_to_now`` ends the look back, and so does anything that changes the session
    (Train carries on from the present: a branch is only ever chosen by name). A hand
    move while looking back is refused with a message saying how to go on: a knob turned
    in the past would either throw the later run away unasked or be lost.

    Training at speed *Max* runs in a second process (``TrainerProcess``) when it can, so
    the optimizer and the painting each have a core: the session here then mirrors the
    worker, absorbing a snapshot every frame, and every change a person makes goes to the
    worker too. ``sync()`` brings the worker's optimizer memory back (before saving,
    before a structural change); the worker picks up again at the next tick.
    """

    #: train at speed Max in a second process (``KNOBSIM_TRAINING_PROCESS=0`` turns it off)
    use_process = os.environ.get("KNOBSIM_TRAINING_PROCESS", "1") != "0"

    #: stop by itself when training has converged (the "Stop when converged" box)
    stop_when_converged = True

    paramsChanged = Signal()
    modelChanged = Signal()
    dataChanged = Signal()
    historyChanged = Signal()
    trainingToggled = Signal(bool)
    optimizerChanged = Signal()
    trainingExploded = Signal(str)
    trainingConverged = Signal(int)
    lockChanged = Signal(int, bool)
    messageRaised = Signal(str)
    gridReady = Signal(int, object, object)
    scrubChanged = Signal()

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(200)  # each structural step keeps a session copy
        self.speed_index = DEFAULT_SPEED
        self.clock = FrameClock(self._on_clock_tick, self)
        self.bridge = TrainingBridge()
        self._owed = 0.0  # fractional steps owed at slow speeds
        self.pace = WatchPace()
        self.convergence = ConvergenceWatch(self._knob_widths())
        self.converged_at: int | None = None  # the last stop's step, until a hand moves
        self._step_ms = 0.05  # running estimate of one optimizer step's cost
        self.last_explosion = ""
        self.last_step_diverged = False
        self._view: Session | None = None  # the session at the scrubbed step, or None
        #: True while ``paramsChanged`` says only that the step shown changed (a look back
        #: began, moved or ended): the session did not (saving and autosave ignore it)
        self.shown_only = False

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
    def shown(self) -> Session:
        """The session the views paint: the session itself, or while scrubbing, how it
        was at the scrubbed step (``Session.view_at``; to read, never to change)."""
        return self._view if self._view is not None else self.session

    @property
    def scrub_step(self) -> int | None:
        """The past step shown, or None when the views show the present."""
        return None if self._view is None else self._view.step_count

    @property
    def is_training(self) -> bool:
        return self.clock.running

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
        if self._refuse_while_scrubbed():
            return
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

    def randomize(self) -> None:
        """New random weights for every unlocked knob (undoable)."""
        if self._refuse_while_scrubbed():
            return
        old = self.session.params.copy()
        new = self.session.random_params()
        self.undo_stack.push(HandMove(self, range(len(old)), old, new, "randomize the knobs"))

    def apply_values(
        self, indices: Sequence[int], values: np.ndarray, names: tuple[str, ...]
    ) -> None:
        """Set these knobs without recording it (undo and redo of a hand move come here).
        ``names`` are the model's knobs when the move was made: a move on a model that
        is gone does nothing."""
        if tuple(self.session.param_names) != names:
            return
        self._end_scrub()
        theta = self.session.params.copy()
        theta[list(indices)] = values
        self.session.set_params(theta, by_hand=True)
        self._forget_convergence()
        self.bridge.tell(SetParams(tuple(indices), np.array(values, dtype=float)))
        self.paramsChanged.emit()
        self.historyChanged.emit()

    def set_locked(self, index: int, locked: bool) -> None:
        if self.session.is_locked(index) == bool(locked):
            return
        name = self.session.param_names[index]
        verb = "lock" if locked else "unlock"
        self.undo_stack.push(
            SettingChange(self, f"lock:{name}", not locked, bool(locked), f"{verb} {name}")
        )

    def hold(self, index: int, held: bool) -> None:
        """A hand took hold of knob ``index`` (True) or let go: while held, training
        (here or in the worker) leaves it where the hand puts it. Not undoable: a hand
        move is."""
        if index < self.session.n_params and self.session.is_held(index) != bool(held):
            version = self.session.version
            self.session.set_held(index, held)
            if self.session.version != version:  # let go at an end: its range widened
                self.paramsChanged.emit()
            if held:  # the worker may have trained it on since its last snapshot: the
                # hand holds the value the window shows
                value = np.array([self.session.params[index]])
                self.bridge.tell(SetParams((index,), value))
            self.bridge.tell(SetHeld(index, bool(held)))

    def apply_setting(self, key: str, value) -> None:
        """Set one setting without recording it (undo and redo of a setting come here)."""
        looked_back = self._end_scrub()
        if looked_back and key != "l2":
            # every view showed the step looked back at: they show the present again
            # (the monkey test found the knobs, the fit and the read-out left behind)
            self.paramsChanged.emit()
        if key.startswith("lock:"):
            name = key[5:]
            if name in self.session.param_names:
                i = self.session.model.param_index(name)
                self.session.set_locked(i, value)
                self.bridge.tell(SetLocked(i, bool(value)))
                self.lockChanged.emit(i, bool(value))
        elif key == "l2":
            self.session.set_l2(value)
            self.bridge.tell(SetL2(float(value)))
            self.paramsChanged.emit()
            self.historyChanged.emit()
            self.optimizerChanged.emit()
        elif key == "optimizer":
            self.session.set_optimizer(value)
            self.bridge.tell(SetConfig(self.session.config))
            self.optimizerChanged.emit()

    # -- training ----------------------------------------------------------------------
    def set_training(self, on: bool) -> None:
        if on == self.is_training:
            return
        if on:
            if self._end_scrub():  # Train carries on from the present
                self.messageRaised.emit(
                    f"Training goes on from now (step {self.session.step_count:,}); to train "
                    "from a step in the past, look back there and press Continue from here."
                )
            self._owed = 0.0
            self.pace.start()
            if self.converged_at is not None:
                self.convergence.resume()  # go on: no second stop on this plateau
            else:
                self.convergence.reset()
            self.clock.start()
        else:
            self.clock.stop()
            self.sync()
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
        after = self._copy_session()
        after.reset()
        self.undo_stack.push(SessionChange(self, after, "reset the knobs"))

    def refresh_later(self, key: object, fn: Callable[[], None]) -> None:
        """Run ``fn`` (a view's slower refresh) now when paused; while training, in a
        coming tick, one such refresh per tick (see ``FrameClock.refresh_later``)."""
        self.clock.refresh_later(key, fn)

    def _on_clock_tick(self) -> None:
        # at speed Max, training runs in the worker once it is up: show what it did
        if self.speed is None and self.use_process:
            news = self.bridge.train(self.session)
            if news is not None:
                snap, grids = news
                if snap is not None:
                    self.session.absorb(snap.theta, snap.step_count, snap.records, snap.timeline)
                    self.last_step_diverged = bool(snap.diverged)
                    self.paramsChanged.emit()
                    self.historyChanged.emit()
                    self.clock.run_one_deferred()
                    if snap.diverged:
                        self._explode(snap.diverged)
                    else:
                        self._check_converged()
                for grid in grids:
                    self.gridReady.emit(grid.rid, grid.theta, grid.Z)
                self.clock.hold_paint()
                return
        else:
            self.sync()
        elapsed = self.clock.begin_budget()
        speed = self.speed
        if speed is None:
            n = 1_000_000  # as many as fit the budget
        elif speed == WATCH:
            n = self.pace.steps(min(elapsed, 0.25))
        else:
            self._owed += speed * min(elapsed, 0.25)
            n = int(self._owed)
            self._owed -= n
        if n:
            before = self.session.train_loss
            done = self._run_steps(n, self.clock.budget_ms)
            if speed == WATCH:
                self.pace.observe(done, before, self.session.train_loss)
        else:
            # a frame between slow steps still shows the last step's waiting refreshes
            # (read-out, knobs, network): else, at one step in eight frames, the read-out
            # lagged four steps behind the fit and came in jumps
            self.clock.run_one_deferred()
        self.clock.end_budget()
        if speed is not None:  # a few steps a tick: its paint kept steady too (not at Max,
            self.clock.hold_paint()  # where the steps fill what the frame has left)

    def _run_steps(self, n: int, budget_ms: float | None = None) -> int:
        """Run up to ``n`` steps (within ``budget_ms`` when given), then tell the views once;
        returns the steps taken."""
        self._end_scrub()
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
        self.clock.run_one_deferred()
        self.clock.note_views_ms((time.perf_counter() - t1) * 1000.0)
        self.last_step_diverged = report.diverged
        if report.diverged:
            self._explode(report.message)
        else:
            self._check_converged()
        return report.steps

    def _check_converged(self) -> None:
        """While training: stop by itself once the run has converged (if asked to)."""
        if not (self.is_training and self.stop_when_converged):
            return
        s = self.session
        at = self.convergence.add(s.step_count, s.train_loss, s.params)
        if at is not None:
            self.converged_at = at
            self.set_training(False)
            self.trainingConverged.emit(at)

    def set_stop_when_converged(self, on: bool) -> None:
        if bool(on) != self.stop_when_converged:
            self.stop_when_converged = bool(on)
            self.convergence.reset()
            self.optimizerChanged.emit()

    def _forget_convergence(self) -> None:
        """A hand or a structural change: the next run is judged afresh."""
        self.converged_at = None
        self.convergence = ConvergenceWatch(self._knob_widths())

    def _knob_widths(self) -> np.ndarray:
        ranges = np.asarray(self.session.model.param_ranges(), dtype=float)
        return ranges[:, 1] - ranges[:, 0]

    def _explode(self, message: str) -> None:
        self.set_training(False)
        self.last_explosion = message
        self.trainingExploded.emit(message)

    # -- training in a second process ----------------------------------------------------
    @property
    def trains_in_process(self) -> bool:
        """True while the optimizer runs in the worker process."""
        return self.bridge.active

    @property
    def process_ready(self) -> bool:
        """True when the training process is up (started by ``prewarm`` or Train)."""
        return self.bridge.ready

    def sync(self) -> None:
        """Bring training in the worker back here (its optimizer memory, its last steps).

        Training, if on, moves back to the worker at the next tick. Cheap when idle.
        """
        final = self.bridge.take_back()
        if final is None:
            return
        snap = final.snapshot
        self.session.absorb(snap.theta, snap.step_count, snap.records, snap.timeline)
        self.session.adopt_optimizer(final.optimizer_state, final.sampler)
        self.paramsChanged.emit()
        self.historyChanged.emit()

    def prewarm(self) -> None:
        """Start the training process now (it takes a few tenths of a second), not at
        the first press of Train. Training works the same without it."""
        if self.use_process:
            self.bridge.launch()

    def shutdown(self) -> None:
        """Pause and end the worker process (the window is closing)."""
        self.set_training(False)
        self.bridge.close()

    def request_grid(self, i: int, j: int, a: np.ndarray, b: np.ndarray) -> int | None:
        """Ask the training process for the loss landscape over knobs i and j at its
        weights (it has the newest, and a core of its own); ``gridReady`` brings it.
        Returns the request's id, or None when nothing trains in a process (the caller
        computes it here)."""
        return self.bridge.request_grid(int(i), int(j), np.asarray(a), np.asarray(b))

    # -- time travel -------------------------------------------------------------------
    def scrub_to(self, step: int) -> None:
        """Show the run as it was at ``step`` (the timeline's entry there or the last
        before it) in every view; pauses training. The present ends the look back."""
        self.set_training(False)
        if int(step) >= self.session.step_count:
            self.back_to_now()
            return
        step = max(int(step), self.session.timeline.start)  # a capacity change began it
        if self._view is not None and self._view.step_count == self.session.timeline.at(step)[0]:
            return
        self._view = self.session.view_at(step)
        self._emit_shown()

    def back_to_now(self) -> None:
        """End the look back: the views show the session again."""
        if self._view is not None:
            self._view = None
            self._emit_shown()

    def continue_from_here(self) -> None:
        """Branch at the scrubbed step: the session takes the weights shown, and the
        run after them (loss history, timeline) is dropped. Undo brings it back."""
        step = self.scrub_step
        if step is None:
            return
        after = self._copy_session()
        after.rewind(step)
        self.undo_stack.push(SessionChange(self, after, f"continue from step {step:,}"))

    def _end_scrub(self) -> bool:
        """End a look back, if any (the caller's change follows); True if there was one."""
        if self._view is None:
            return False
        self._view = None
        self.scrubChanged.emit()
        return True

    def _emit_shown(self) -> None:
        # the loss plot draws the whole run either way: its history did not change
        self.scrubChanged.emit()
        self.shown_only = True
        try:
            self.paramsChanged.emit()
        finally:
            self.shown_only = False

    def _refuse_while_scrubbed(self) -> bool:
        if self._view is None:
            return False
        self.messageRaised.emit(
            f"You are looking back at step {self._view.step_count:,}: press Continue from "
            "here to change the knobs from there, or Back to now."
        )
        return True

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
        text = describe_config_change(old, new)
        self.undo_stack.push(SettingChange(self, "optimizer", old, new, text))

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
            check_l2(l2)
        except ValueError as exc:
            self.messageRaised.emit(str(exc))
            return
        self.undo_stack.push(SettingChange(self, "l2", old, float(l2), f"set L2 to {l2:g}"))

    # -- structure -----------------------------------------------------------------------
    def replace_session(self, session: Session) -> None:
        """A new model and/or data with its own optimizer settings (undoable); keeps the
        speed, pauses nothing."""
        self.sync()
        text = f"switch to {session.model.describe()} on {session.dataset.name}"
        self.undo_stack.push(SessionChange(self, session, text))

    def set_model(self, model: Model, theta: Sequence[float]) -> None:
        """Another model on the same data with these weights (a capacity change).

        The data, the optimizer settings and the loss curve carry on (marked where the
        model changed); knobs locked under a name the new model still has stay locked.
        Refused weights are reported, never raised.
        """
        self.sync()
        session = self._copy_session()
        locked = [session.param_names[i] for i in session.locked]
        try:
            session.set_model(model, theta, keep_history=True)
        except ValueError as exc:
            self.messageRaised.emit(str(exc))
            return
        for name in locked:
            if name in model.param_names:
                session.set_locked(name, True)
        self.undo_stack.push(SessionChange(self, session, f"resize to {model.describe()}"))

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
        session = self._copy_session()
        try:
            session.set_dataset(dataset)
        except ValueError as exc:
            self.messageRaised.emit(str(exc))
            return
        self.undo_stack.push(SessionChange(self, session, f"change the data ({dataset.name})"))

    def edit_data(self, dataset: Dataset, text: str, gesture: object | None = None) -> None:
        """Points added, moved or removed by hand (undoable; the edits of one ``gesture``,
        a drag, are one undo step)."""
        self.undo_stack.push(DataEdit(self, self.session.dataset, dataset, text, gesture))

    def apply_data(self, dataset: Dataset) -> None:
        """Put data in place for the same model without recording it (undo and redo of a
        point edit come here): the weights stay, the loss curve starts over."""
        self.sync()
        self._end_scrub()
        try:
            self.session.set_dataset(dataset)
        except ValueError as exc:
            self.messageRaised.emit(str(exc))
            return
        self._forget_convergence()
        self.dataChanged.emit()
        self.paramsChanged.emit()
        self.historyChanged.emit()

    def load_session(self, session: Session) -> None:
        """A fresh start (a session from a file, a lesson): the undo history starts over."""
        self.sync()
        self._end_scrub()
        self.session = session
        self.undo_stack.clear()
        self._emit_all()

    def install(self, session: Session) -> Session:
        """Put a whole session in place without recording it (undo and redo of a
        structural change come here); returns the one it replaced."""
        self.sync()
        self._end_scrub()
        replaced, self.session = self.session, session
        self._forget_convergence()
        self._emit_all()
        return replaced

    def _copy_session(self) -> Session:
        """A copy of the session for a structural change to work on. The data is shared
        (a ``Dataset`` never changes), so views that key on it see the same data."""
        session = self.session
        return copy.deepcopy(session, {id(session.dataset): session.dataset})

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
