"""The training session: the one object holding model, weights, data, optimizer, history.

Every change to the weights goes through here, by hand (``set_param``) or by the
optimizer (``step``), so every view reads the same vector. Nothing here imports Qt.
"""

from __future__ import annotations

import copy
import itertools
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from knobsim.core.data.datasets import Dataset
from knobsim.core.models.machines import MAX_L2, Model
from knobsim.core.training.history import LossHistory
from knobsim.core.training.optimizers import (
    BatchSampler,
    OptimizerConfig,
    init_state,
    minibatch_size,
    update,
)
from knobsim.core.training.timeline import Timeline

Array = NDArray[np.float64]

#: training counts as exploding when the loss grows this many times over the lowest
#: training loss seen since the weights were last set by anything but a step
EXPLODE_FACTOR = 1000.0
#: losses below this do not lower the explosion limit further (a perfect fit's 1e-30
#: rounding noise is no explosion)
EXPLODE_FLOOR = 1e-6
#: how many recent weight vectors the session remembers for the landscape's path
TRAIL_LENGTH = 400

#: one recorded moment of training: (step, train loss, test loss, the weights then)
Record = tuple[int, float, float, NDArray[np.float64]]

#: versions of the sessions ``view_at`` makes, apart from every real session's
_VIEW_VERSIONS = itertools.count(-1, -1)


def check_l2(l2: float) -> float:
    """``l2`` as a float; raises ``ValueError`` (a sentence for people) if no model takes it."""
    l2 = float(l2)
    if not math.isfinite(l2) or l2 < 0:
        raise ValueError(f"L2 strength must be zero or a positive number, not {l2}.")
    if l2 > MAX_L2:
        raise ValueError(f"L2 strength must be at most {MAX_L2:g}, not {l2:g}.")
    return l2


@dataclass(frozen=True)
class StepReport:
    """What ``Session.step`` did.

    ``diverged`` is True when the loss became NaN/infinite or grew ``EXPLODE_FACTOR``
    fold over its lowest; the session then put back the weights with the lowest
    training loss seen since they were last set by hand (or by anything but a step),
    and ``message`` says what happened in plain words.
    """

    steps: int
    diverged: bool = False
    message: str = ""


class Session:
    """Model + parameters + data + optimizer + history.

    Parameters
    ----------
    model, dataset
        A model built for the dataset (see ``make_model``).
    optimizer
        An ``OptimizerConfig`` or an optimizer name.
    seed
        Seeds the starting weights (``reset``), the mini-batch order and ``random_params``.
    history_limit
        The loss history keeps at most about twice this many points.
    """

    def __init__(
        self,
        model: Model,
        dataset: Dataset,
        *,
        optimizer: OptimizerConfig | str = "gd",
        seed: int = 0,
        history_limit: int = 2000,
    ) -> None:
        self._check_fit(model, dataset)
        self.model = model
        self.dataset = dataset
        self.config = OptimizerConfig(optimizer) if isinstance(optimizer, str) else optimizer
        self.seed = int(seed)
        self.history = LossHistory(history_limit)
        self._trail = np.zeros((TRAIL_LENGTH, model.n_params))
        self._trail_n = 0
        self._locked = np.zeros(model.n_params, dtype=bool)
        #: knobs a hand holds right now (a pressed slider, a box being typed in): ``step``
        #: leaves them alone like locked ones, and ``absorb`` keeps their value here
        self._held = np.zeros(model.n_params, dtype=bool)
        self._features: tuple | None = None  # see train_features
        #: (training loss, weights): the lowest loss seen since the weights were last set
        #: by anything but a step; an explosion goes back there (see step)
        self._best: tuple[float, Array] | None = None
        #: bumped on every change of the weights, data or model; views compare it
        self.version = 0
        #: where training elsewhere (a worker process) collects what it records
        self.record_sink: list[Record] | None = None
        self.reset(seed)

    # -- reading ---------------------------------------------------------------------
    @property
    def params(self) -> Array:
        """The weights, read-only (write through ``set_param`` / ``set_params``)."""
        view = self._theta.view()
        view.flags.writeable = False
        return view

    @property
    def param_names(self) -> list[str]:
        return self.model.param_names

    @property
    def n_params(self) -> int:
        return self.model.n_params

    def value(self, name: str) -> float:
        return float(self._theta[self.model.param_index(name)])

    def as_dict(self) -> dict[str, float]:
        return dict(zip(self.model.param_names, self._theta.tolist(), strict=True))

    @property
    def train_loss(self) -> float:
        if self._train_loss is None:
            d = self.dataset
            self._train_loss = self.model.loss(self._theta, d.X_train, d.y_train)
        return self._train_loss

    @property
    def test_loss(self) -> float:
        if self._test_loss is None:
            d = self.dataset
            self._test_loss = self.model.loss(self._theta, d.X_test, d.y_test)
        return self._test_loss

    def grad(self) -> Array:
        """Full-batch gradient of the training loss at the current weights (n_params,)."""
        if self._grad is None:
            F, y = self.train_features()
            self._grad = self.model.loss_and_grad_features(self._theta, F, y)[1]
        return self._grad

    def accuracy(self, which: str = "train") -> float | None:
        """Share of points classified right (classification only, else None)."""
        if self.model.task != "classification":
            return None
        d = self.dataset
        X, y = (d.X_train, d.y_train) if which == "train" else (d.X_test, d.y_test)
        p = self.model.predict(self._theta, X)
        return float(np.mean((p >= 0.5) == (y >= 0.5)))

    @property
    def locked(self) -> frozenset[int]:
        return frozenset(np.flatnonzero(self._locked).tolist())

    def is_locked(self, key: str | int) -> bool:
        return bool(self._locked[self._index(key)])

    def is_held(self, key: str | int) -> bool:
        return bool(self._held[self._index(key)])

    # -- writing ---------------------------------------------------------------------
    def set_param(self, key: str | int, value: float, *, by_hand: bool = True) -> None:
        """Set one weight, as a hand on a knob does. Marks the loss history."""
        i = self._index(key)
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{self.model.param_names[i]} must be a finite number, not {value}.")
        if self._theta[i] == value:
            return
        theta = self._theta.copy()
        theta[i] = value
        self._commit(theta, by_hand=by_hand)

    def set_params(self, theta: Iterable[float], *, by_hand: bool = True) -> None:
        """Replace every weight at once (undo, a landscape click, loading a file)."""
        theta = np.array(theta, dtype=float).reshape(-1)
        if theta.shape != (self.n_params,):
            raise ValueError(
                f"{self.model.describe()} has {self.n_params} weights, not {theta.size}."
            )
        if not np.all(np.isfinite(theta)):
            raise ValueError("Weights must be finite numbers (no NaN or infinity).")
        if np.array_equal(theta, self._theta):
            return
        self._commit(theta, by_hand=by_hand)

    def set_locked(self, key: str | int, locked: bool) -> None:
        """A locked knob is left alone by ``step`` (its hand setting still works)."""
        self._locked[self._index(key)] = bool(locked)

    def set_held(self, key: str | int, held: bool) -> None:
        """A held knob stays where the hand has it: ``step`` leaves it alone (as if
        locked, without showing a lock) and ``absorb`` keeps this session's value."""
        i = self._index(key)
        self._held[i] = bool(held)
        if not held and self.model.widen_ranges(self._theta, ~self._held):
            self.version += 1  # let go at an end: the knob's range widens now

    def set_optimizer(self, config: OptimizerConfig | str | None = None, **changes) -> None:
        """Change optimizer settings without touching the weights.

        The optimizer's memory (momentum, Adam's moments) restarts only when the
        optimizer itself changes; a new learning rate or batch size carries on.
        """
        if isinstance(config, str):
            config = replace(self.config, name=config)
        new = replace(config or self.config, **changes)
        if new.name != self.config.name:
            self._opt_state = init_state(new, self.n_params)
        old_batch = minibatch_size(self.config, self.dataset.n_train)
        self.config = new
        if minibatch_size(new, self.dataset.n_train) != old_batch:
            self._sampler = self._make_sampler()

    def set_l2(self, l2: float) -> None:
        """Change the model's L2 strength (no reset)."""
        self.model.l2 = check_l2(l2)
        self._best = None
        self._invalidate()
        self._record()

    def set_model(
        self, model: Model, theta: Iterable[float] | None = None, *, keep_history: bool = False
    ) -> None:
        """Swap in another model (same data); keeps ``theta`` if given, else seeded start.

        With ``keep_history`` (and ``theta``) the step count and the loss curve carry on,
        with a ``"model"`` mark where the model changed: a capacity change is one more
        move in the same run.
        """
        self._check_fit(model, self.dataset)
        self.model = model
        self._locked = np.zeros(model.n_params, dtype=bool)
        self._held = np.zeros(model.n_params, dtype=bool)
        if theta is None:
            self.reset()
            return
        theta = np.array(theta, dtype=float).reshape(-1)
        if theta.shape != (model.n_params,) or not np.all(np.isfinite(theta)):
            raise ValueError(f"{model.describe()} needs {model.n_params} finite weights.")
        self._theta = theta
        self._opt_state = init_state(self.config, model.n_params)
        if keep_history:
            self.history.mark(self.step_count, "model")
        else:
            self.history.clear()
            self.step_count = 0
        self._clear_trail()
        self.timeline = Timeline(model.n_params, self.step_count)
        self._best = None
        self._invalidate()
        self._record()

    def set_dataset(self, dataset: Dataset) -> None:
        """New data for the same model: weights stay, the loss curve starts over."""
        self._check_fit(self.model, dataset)
        self.dataset = dataset
        self._sampler = self._make_sampler()
        self.history.clear()
        self._clear_trail()
        self.step_count = 0
        self.timeline = Timeline(self.n_params)
        self._best = None
        self._invalidate()
        self._record()

    def reset(self, seed: int | None = None) -> None:
        """Seeded starting weights, fresh optimizer memory, an empty loss curve."""
        if seed is not None:
            self.seed = int(seed)
        # random_params() draws from its own stream so it never repeats the seeded start
        self._rng = np.random.default_rng([self.seed, 1])
        self.model.reset_ranges()  # a fresh start forgets how far knobs were pushed
        self._theta = self.model.init_params(np.random.default_rng(self.seed))
        self._opt_state = init_state(self.config, self.n_params)
        self._sampler = self._make_sampler()
        self.step_count = 0
        self.history.clear()
        self._clear_trail()
        self.timeline = Timeline(self.n_params)
        self._best = None
        self._invalidate()
        self._record()

    def random_params(self) -> Array:
        """New random weights for the unlocked knobs, the locked ones as they are (set
        them with ``set_params``: a hand move, the loss curve carries on)."""
        theta = self.model.init_params(self._rng)
        theta[self._locked] = self._theta[self._locked]
        return theta

    @property
    def optimizer_state(self) -> dict:
        """The optimizer's memory (momentum, Adam's moments); copies, for saving."""
        return {
            k: (np.array(v) if isinstance(v, np.ndarray) else v) for k, v in self._opt_state.items()
        }

    def set_optimizer_state(self, state: dict) -> None:
        """Restore the optimizer's memory; raises ``ValueError`` if it does not fit."""
        fresh = init_state(self.config, self.n_params)
        if set(state) != set(fresh):
            raise ValueError(f"The saved optimizer memory does not fit {self.config.name}.")
        out = {}
        for k, v in fresh.items():
            value = np.asarray(state[k], dtype=np.asarray(v).dtype)
            if np.ndim(v) and value.shape != np.shape(v) and not (k == "t" and value.ndim == 0):
                raise ValueError(f"The saved optimizer memory {k!r} has the wrong shape.")
            if not np.all(np.isfinite(value)):
                raise ValueError(f"The saved optimizer memory {k!r} is not finite.")
            out[k] = value if value.ndim else value.item()
        self._opt_state = out

    @property
    def sampler_state(self) -> dict | None:
        """Where the mini-batch order stands (for saving), or None for full batch."""
        sp = self._sampler
        if sp is None:
            return None
        return {
            "rng": sp._rng.bit_generator.state,
            "perm": sp._perm.tolist(),
            "pos": sp._pos,
            "epoch": sp.epoch,
        }

    def set_sampler_state(self, state: dict) -> None:
        """Continue the mini-batch order exactly where a saved session left it."""
        sp = self._sampler
        if sp is None:
            return
        perm = np.asarray(state["perm"], dtype=np.int64)
        if sorted(perm.tolist()) != list(range(sp.n_train)):
            raise ValueError("The saved mini-batch order does not fit the data.")
        rng = np.random.default_rng()
        rng.bit_generator.state = state["rng"]
        perm.flags.writeable = False
        sp._rng, sp._perm = rng, perm
        sp._pos, sp.epoch = int(state["pos"]), int(state["epoch"])

    # -- training --------------------------------------------------------------------
    def step(
        self, n: int = 1, *, record_every: int = 1, max_seconds: float | None = None
    ) -> StepReport:
        """Run ``n`` optimizer steps; stop early, restoring good weights, on divergence.

        ``record_every`` thins the loss history (the last step is always recorded).
        ``max_seconds`` stops after that much time (at least one step is taken), so a
        caller can spend a time budget rather than guess a number of steps.
        """
        n = int(n)
        if n < 0:
            raise ValueError(f"The number of steps must be zero or more, not {n}.")
        record_every = max(1, int(record_every))
        end = math.inf if max_seconds is None else time.perf_counter() + max_seconds
        clock = time.perf_counter
        model, cfg = self.model, self.config
        F, y = self.train_features()
        batch = minibatch_size(cfg, self.dataset.n_train)
        next_batch = self._sampler.next if batch is not None else None
        loss_and_grad = model.loss_and_grad_features
        frozen = self._locked | self._held
        mask = frozen if frozen.any() else None
        theta, state = self._theta, self._opt_state
        # The lowest full training loss since the weights were last set other than by a
        # step, and its weights (update() returns new arrays: keeping one costs nothing).
        # It lasts across calls, so a run that diverges slowly, a little each tick, is
        # caught and undone as surely as one that explodes within a call.
        if self._best is None:
            self._best = (self.train_loss, theta)
        best_loss, best = self._best
        limit = EXPLODE_FACTOR * max(best_loss, EXPLODE_FLOOR)
        first, done = self.step_count, 0
        message = ""
        timeline = self.timeline
        keep = timeline.pending(first + 1).append  # every step's weights (no copy)
        settle_mask = timeline.settle_mask
        for k in range(n):
            if next_batch is None:
                loss, g = loss_and_grad(theta, F, y)
                if loss < best_loss:  # the full loss at theta: a candidate to go back to
                    best_loss, best = loss, theta
                    limit = EXPLODE_FACTOR * max(best_loss, EXPLODE_FLOOR)
            else:
                idx = next_batch()
                loss, g = loss_and_grad(theta, F[idx], y[idx])
            # NaN fails "<=" too. A non-finite gradient needs no check of its own: it makes
            # the next loss non-finite, or the training loss checked at the last step.
            if not loss <= limit:
                message = self._divergence_message(loss, best_loss)
                break
            theta, state = update(cfg, theta, g, state, mask)
            keep(theta)
            done += 1
            last = k == n - 1 or clock() >= end
            if last or done % record_every == 0:
                self.step_count = first + done
                self._theta = theta
                self._invalidate()
                train = self.train_loss
                if not train <= limit:
                    message = self._divergence_message(train, best_loss)
                    break
                if train < best_loss:
                    best_loss, best = train, theta
                    limit = EXPLODE_FACTOR * max(best_loss, EXPLODE_FLOOR)
                self._record()
            elif not done & settle_mask:
                timeline.settle()  # a long call between records keeps its memory bounded
            if last:
                break
        self.step_count = first + done
        if message:
            self._theta = np.array(best)
            self._best = (best_loss, self._theta)
            self._opt_state = init_state(cfg, self.n_params)
            self._invalidate()
            self._record()
            return StepReport(done, True, message)
        self._best = (best_loss, best)
        self._theta = theta
        self._opt_state = state
        timeline.settle()
        self._invalidate()
        if done and (self.history.last() is None or self.history.last()[0] != self.step_count):
            self._record()
        return StepReport(done)

    def absorb(
        self,
        theta: Iterable[float],
        step_count: int,
        records: list[Record],
        timeline: tuple[NDArray[np.int64], Array] | None = None,
    ) -> None:
        """Take in training done elsewhere (a worker process): what it recorded, oldest
        first, entries of its timeline (``Timeline.after``: steps, weights), then
        where it stands. The weights must be finite (the worker's ``step`` never leaves
        others behind)."""
        if timeline is not None and timeline[1].shape[1:] == (self.n_params,):
            self.timeline.extend(*timeline)
        last = self.history.last()
        floor = last[0] if last is not None else 0
        for step, train, test, w in records:
            if step >= floor and w.shape == (self.n_params,):
                floor = step
                self.history.append(step, train, test)
                self._push_trail(w)
        theta = np.array(theta, dtype=float)
        theta[self._held] = self._theta[self._held]  # the hand's value, whatever came
        self._theta = theta
        self.step_count = max(int(step_count), floor)
        self._best = None  # the worker kept its own; from here on, count from these
        self._invalidate()
        if records and np.array_equal(records[-1][3], self._theta):
            self._train_loss, self._test_loss = records[-1][1], records[-1][2]

    def worker_copy(self) -> Session:
        """A copy to train elsewhere (a worker process), light to send: the loss curve's
        last point only, no path, no cached features (the worker computes them again).
        It shares arrays with this session; sending it copies them."""
        out = copy.copy(self)
        out.history = LossHistory(16)
        last = self.history.last()
        if last is not None:
            out.history.append(*last)
        out._trail = np.zeros((1, 0))
        out._trail_n = 0
        out._features = None
        # the same rule from the same start: it keeps what this one would (see after)
        out.timeline = Timeline(self.n_params, self.timeline.start, self.timeline.dense)
        return out

    def restart_timeline(self) -> None:
        """A new timeline from where the session stands (a session read from a file: the
        weights along its run are not in the file)."""
        self.timeline = Timeline(self.n_params, self.step_count)
        self.timeline.put(self.step_count, self._theta)

    def view_at(self, step: int) -> Session:
        """The session as it was at ``step`` of its timeline (the entry there or the last
        before it), to look at, never to change: the weights, step count, loss history
        and landscape path then; model, data and settings as now. It shares this one's
        arrays; its ``version`` is unlike any real session's."""
        at, theta = self.timeline.at(step)
        out = copy.copy(self)
        out._theta = theta
        out.step_count = at
        out._invalidate()
        out.version = next(_VIEW_VERSIONS)
        out.record_sink = None
        out._best = None
        out._trail = self.timeline.until(at, TRAIL_LENGTH)
        out._trail_n = len(out._trail)
        out.history = self.history.until(at)
        last = out.history.last()
        if last is None or last[0] < at:
            out.history.append(at, out.train_loss, out.test_loss)
        return out

    def rewind(self, step: int) -> None:
        """Go back to the weights at ``step`` of the timeline and go on from there (a
        branch): everything later (loss history, timeline) is forgotten, the optimizer's
        memory starts afresh, and the loss curve gets a ``"branch"`` mark."""
        at, theta = self.timeline.at(step)
        self.timeline.truncate(at)
        self._theta = np.array(theta)
        self.step_count = at
        self.history = self.history.until(at)
        self.history.mark(at, "branch")
        self._opt_state = init_state(self.config, self.n_params)
        self._trail = np.zeros((TRAIL_LENGTH, self.n_params))
        path = self.timeline.until(at, TRAIL_LENGTH)
        self._trail[: len(path)] = path
        self._trail_n = len(path)
        self._best = None
        self._invalidate()
        self._record()

    @property
    def sampler(self) -> BatchSampler | None:
        """The mini-batch order (None for full batch), handed back by training done
        elsewhere with ``adopt_optimizer``."""
        return self._sampler

    def adopt_optimizer(self, state: dict, sampler: BatchSampler | None) -> None:
        """The optimizer's memory and mini-batch order from training done elsewhere."""
        self._opt_state = state
        if (sampler is None) == (self._sampler is None):
            self._sampler = sampler

    def train_features(self) -> tuple[NDArray, NDArray]:
        """``(model.features(X_train), y_train)``, computed once per model and data (the
        model's maths on the training data reads these; never change them)."""
        cache = self._features
        if cache is None or cache[0] is not self.model or cache[1] is not self.dataset:
            d = self.dataset
            cache = (self.model, d, self.model.features(d.X_train), d.y_train)
            self._features = cache
        return cache[2], cache[3]

    # -- internals -------------------------------------------------------------------
    def _index(self, key: str | int) -> int:
        if isinstance(key, str):
            return self.model.param_index(key)
        i = int(key)
        if not 0 <= i < self.n_params:
            raise IndexError(f"Parameter index {i} is out of range (0..{self.n_params - 1}).")
        return i

    def _commit(self, theta: Array, *, by_hand: bool) -> None:
        self._theta = theta
        self._best = None
        self._invalidate()
        if by_hand:
            self.history.mark(self.step_count, "hand")
        self._record()

    def _invalidate(self) -> None:
        self._train_loss = self._test_loss = None
        self._grad = None
        self.version += 1
        # a knob at or past an end of its range widens it (not one a hand holds: its
        # handle stays under the hand until it lets go)
        self.model.widen_ranges(self._theta, ~self._held)

    def _record(self) -> None:
        train, test = self.train_loss, self.test_loss
        self.history.append(self.step_count, train, test)
        self.timeline.put(self.step_count, self._theta)
        if self.record_sink is not None:
            self.record_sink.append((self.step_count, train, test, self._theta.copy()))
        else:
            self._push_trail(self._theta)

    def _push_trail(self, theta: Array) -> None:
        # the recent path through weight space, a ring buffer (for the landscape)
        if self._trail.shape[1] != self.n_params:
            self._clear_trail()
        self._trail[self._trail_n % TRAIL_LENGTH] = theta
        self._trail_n += 1

    def _clear_trail(self) -> None:
        self._trail = np.zeros((TRAIL_LENGTH, self.n_params))
        self._trail_n = 0

    @property
    def trail(self) -> Array:
        """The weights at the most recent recorded moments, oldest first, (m, n_params)."""
        n = min(self._trail_n, TRAIL_LENGTH)
        start = self._trail_n % TRAIL_LENGTH if self._trail_n > TRAIL_LENGTH else 0
        return np.roll(self._trail, -start, axis=0)[:n]

    def _make_sampler(self) -> BatchSampler | None:
        batch = minibatch_size(self.config, self.dataset.n_train)
        if batch is None:
            return None
        return BatchSampler(self.dataset.n_train, batch, np.random.default_rng(self.seed + 1))

    def _divergence_message(self, loss: float, best: float) -> str:
        what = (
            "became NaN"
            if math.isnan(loss)
            else ("became infinite" if math.isinf(loss) else f"grew from {best:.3g} to {loss:.3g}")
        )
        return (
            f"Training exploded: the error {what} with learning rate {self.config.lr:g}. "
            f"The knobs went back to where the error was lowest ({best:.3g}); "
            "try a smaller learning rate."
        )

    @staticmethod
    def _check_fit(model: Model, dataset: Dataset) -> None:
        if model.task != dataset.task:
            raise ValueError(
                f"The {model.name} model needs {model.task} data, "
                f"but {dataset.name!r} is {dataset.task} data."
            )
        if dataset.n_train < 1:
            raise ValueError(f"{dataset.name!r} has no training points.")
