"""The timeline: the weights along a run, dense at both ends, bounded, and the same
whether the steps came here or through a training process."""

from __future__ import annotations

import copy
import math
import time

import numpy as np
import pytest

from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.background import TrainerProcess
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import TRAIL_LENGTH, Session
from knobsim.core.training.timeline import (
    BUDGET_BYTES,
    Timeline,
    dense_for,
    keep_mask,
    lasting_mask,
)


def feed(tl: Timeline, first: int, n: int, width: int = 2) -> None:
    """``n`` steps from ``first``, each step's weights filled with its step number."""
    keep = tl.pending(first).append
    for s in range(first, first + n):
        keep(np.full(width, float(s)))
    tl.settle()


def line_session(**kw) -> Session:
    data = make_dataset("linear", n_points=30, noise=0.1, seed=0)
    return Session(make_model("line", data), data, optimizer="gd", seed=0, **kw)


# -- the rule ------------------------------------------------------------------------------
def test_both_ends_are_kept_step_by_step_and_the_middle_thins_out():
    tl = Timeline(2, dense=16)
    tl.put(0, np.zeros(2))
    feed(tl, 1, 20_000)
    steps = tl.steps
    assert steps[0] == 0 and steps[-1] == 20_000
    assert set(range(16)) <= set(steps.tolist())  # the first steps, each one
    assert set(range(20_000 - 15, 20_001)) <= set(steps.tolist())  # the last ones
    gaps = np.diff(steps)
    assert gaps.max() > 64  # the middle is spaced out...
    # ...and never more than the stride rule allows for the nearer end
    d = np.minimum(steps[:-1], 20_000 - steps[1:])
    assert np.all(gaps <= 2 * (d // 16 + 1))
    # every kept step carries its own weights
    assert all(tl.at(int(s))[1][0] == s for s in steps[::50])


@pytest.mark.parametrize("n", [1_000, 30_000, 200_000])
def test_the_number_kept_grows_with_the_log_of_the_run(n):
    tl = Timeline(2, dense=32)
    feed(tl, 0, n + 1)
    bound = 2 * 32 * (math.log2(n / 32 + 1) + 2)
    assert len(tl) <= bound


def test_fed_in_pieces_it_keeps_exactly_what_it_keeps_fed_at_once():
    whole = Timeline(2, dense=8)
    feed(whole, 0, 5_001)
    parts = Timeline(2, dense=8)
    rng = np.random.default_rng(0)
    s = 0
    while s <= 5_000:
        k = int(min(rng.integers(1, 300), 5_001 - s))
        feed(parts, s, k)
        s += k
    assert np.array_equal(parts.steps, whole.steps)
    assert np.array_equal(keep_mask(whole.steps, 0, 5_000, 8), np.ones(len(whole), bool))


def test_a_copy_fed_the_lasting_entries_then_the_rest_keeps_the_same_entries():
    # as a training process feeds the window: the lasting entries while it trains, the
    # entries that may still thin out once, when it stops
    worker, window = Timeline(2, dense=8), Timeline(2, dense=8)
    window.put(0, np.zeros(2))
    sent, sizes = 0, []
    for first in range(1, 3_000, 137):
        feed(worker, first, 137)
        steps, thetas = worker.after(sent, lasting=True)
        sizes.append(len(steps))
        window.extend(steps, thetas)
        sent = int(steps[-1]) if len(steps) else sent
        # what went is kept for good: the worker never thins it away
        assert set(steps.tolist()) <= set(worker.steps.tolist())
    assert max(sizes[5:]) < 20  # a few a batch, not the dense tail each time
    worker.put(int(worker.last_step), np.full(2, -1.0))  # a hand move at the last step
    steps, thetas = worker.after(min(sent, worker.settled_until()))
    window.extend(steps, thetas)
    assert np.array_equal(window.steps[1:], worker.steps)
    assert np.array_equal(window.at(int(worker.last_step))[1], [-1.0, -1.0])


def test_lasting_entries_survive_any_later_now():
    steps = np.arange(0, 5_000)
    lasting = steps[lasting_mask(steps, 0, 8)]
    for now in (5_000, 9_000, 100_000, 10**7):
        assert keep_mask(lasting, 0, now, 8).all()
    # and nothing else does in the long run
    assert np.array_equal(steps[keep_mask(steps, 0, 10**9, 8)], lasting)


def test_put_replaces_the_same_step_and_forgets_what_came_after():
    tl = Timeline(2, dense=4)
    feed(tl, 0, 10)
    tl.put(5, np.array([7.0, 7.0]))
    assert tl.last_step == 5 and tl.at(5)[1][0] == 7.0
    tl.truncate(3)
    assert tl.last_step == 3
    with pytest.raises(LookupError):
        Timeline(2).at(0)
    with pytest.raises(ValueError, match="holds 2 weights, not 3"):
        tl.put(6, np.zeros(3))


def test_the_biggest_mlp_fits_the_budget_after_a_million_steps():
    # dense_for picks the dense ends from the model's size; the rule's count after a
    # million steps, times the bytes of an entry, stays within the budget
    data = make_dataset("circles", n_points=20, seed=0)
    n = make_model("mlp", data, hidden=(16, 16)).n_params
    dense = dense_for(n)
    steps = np.arange(1_000_001, dtype=np.int64)
    kept = int(keep_mask(steps, 0, 1_000_000, dense).sum())
    assert kept * n * 8 <= BUDGET_BYTES
    assert dense >= 64  # still dense enough to scrub the last steps one by one


# -- the session ---------------------------------------------------------------------------
def test_the_session_keeps_every_step_of_a_short_run_and_its_hand_moves():
    s = line_session()
    seen = [s.params.copy()]
    for _ in range(30):
        s.step(1)
        seen.append(s.params.copy())
    s2 = line_session()
    s2.step(30, record_every=100)  # one call, one record: the steps are still all there
    for tl in (s.timeline, s2.timeline):
        assert tl.steps.tolist() == list(range(31))
        for k in (0, 1, 17, 30):
            assert np.array_equal(tl.at(k)[1], seen[k])
    s.set_param("w", 0.5)  # a hand move is part of the run: the entry at this step
    assert s.timeline.last_step == 30 and s.timeline.at(30)[1][0] == 0.5
    s.step(2)
    assert s.timeline.steps.tolist()[-3:] == [30, 31, 32]


def test_a_long_call_keeps_its_memory_bounded():
    s = line_session()
    s.step(50_000, record_every=50_000)
    assert len(s.timeline) < 2 * s.timeline.dense * 16
    assert s.timeline.last_step == 50_000


def test_reset_new_data_and_a_new_model_start_a_new_timeline():
    s = line_session()
    s.step(10)
    s.reset()
    assert s.timeline.steps.tolist() == [0]
    s.step(10)
    s.set_dataset(make_dataset("linear", n_points=30, noise=0.2, seed=1))
    assert s.timeline.steps.tolist() == [0]
    data = make_dataset("sine", n_points=30, seed=0)
    p = Session(make_model("poly", data, degree=3), data, seed=0)
    p.step(10)
    bigger = make_model("poly", data, degree=4)
    p.set_model(bigger, np.append(p.params, 0.0), keep_history=True)
    assert p.timeline.start == 10 and p.timeline.steps.tolist() == [10]
    assert p.timeline.n_params == bigger.n_params


def test_view_at_shows_a_past_step_and_leaves_the_session_alone():
    s = line_session()
    s.step(5)
    w5 = s.params.copy()
    s.step(20)
    now, version = s.params.copy(), s.version
    v = s.view_at(5)
    assert v.step_count == 5 and np.array_equal(v.params, w5)
    assert v.train_loss == pytest.approx(s.model.loss(w5, s.dataset.X_train, s.dataset.y_train))
    assert v.history.last()[0] == 5 and v.history.last()[1] == pytest.approx(v.train_loss)
    assert np.array_equal(v.trail[-1], w5) and len(v.trail) == 6
    assert v.version < 0 and s.view_at(5).version != v.version
    assert np.array_equal(s.params, now) and s.version == version and s.step_count == 25
    assert s.history.last()[0] == 25


def test_rewind_branches_from_a_past_step():
    s = line_session()
    s.step(5)
    w5 = s.params.copy()
    s.step(20)
    s.rewind(5)
    assert s.step_count == 5 and np.array_equal(s.params, w5)
    assert s.history.last()[0] == 5 and (5, "branch") in s.history.marks
    assert s.timeline.last_step == 5 and np.array_equal(s.trail[-1], w5)
    s.step(3)
    assert s.timeline.steps.tolist() == list(range(9))
    twin = line_session()
    twin.step(8)
    assert np.allclose(s.params, twin.params)  # gd has no memory: the same path again


def test_a_deep_copy_keeps_its_own_timeline_sharing_the_weights():
    s = line_session()
    s.step(3)
    c = copy.deepcopy(s)  # as for undo: the weights kept are shared, never written
    assert c.timeline.at(2)[1].base is s.timeline.at(2)[1].base
    c.step(3)
    c.set_param("w", 9.0)
    assert s.timeline.last_step == 3 and c.timeline.last_step == 6
    assert s.timeline.at(3)[1][0] != 9.0


# -- the training process ------------------------------------------------------------------
def test_the_window_sees_the_workers_steps_from_the_very_first():
    data = make_dataset("circles", n_points=60, noise=0.0, seed=0)
    model = make_model("mlp", data, hidden=(4,))
    s = Session(model, data, optimizer=OptimizerConfig("adam", lr=0.03), seed=0)
    twin = copy.deepcopy(s)
    t = TrainerProcess()
    t.launch()
    try:
        deadline = time.monotonic() + 30
        while not t.check_ready():
            assert time.monotonic() < deadline
            time.sleep(0.01)
        t.start(s)
        for _ in range(20):
            time.sleep(1 / 60)
            snap = t.poll()
            if snap is not None:
                s.absorb(snap.theta, snap.step_count, snap.records, snap.timeline)
        snap = t.stop().snapshot
        s.absorb(snap.theta, snap.step_count, snap.records, snap.timeline)
    finally:
        t.close()
    assert s.step_count > 50
    steps = s.timeline.steps
    assert steps[:20].tolist() == list(range(20))  # the first steps, each one
    assert steps[-1] == s.step_count
    assert np.array_equal(s.timeline.at(s.step_count)[1], s.params)
    # the same steps taken here give the same weights the worker sent
    twin.step(s.step_count)
    now, tl = s.step_count, twin.timeline
    settled = tl.steps[keep_mask(tl.steps, 0, now, tl.dense)]  # pruned (it prunes lazily)
    assert np.array_equal(settled, steps[keep_mask(steps, 0, now, tl.dense)])
    for k in (1, 7, 30):
        # (early on: another process's BLAS may round a sum differently, by a hair that
        # thousands of Adam steps on a tanh network can grow)
        assert np.allclose(twin.timeline.at(k)[1], s.timeline.at(k)[1], rtol=1e-6)
    assert len(s.view_at(10).trail) == 11 <= TRAIL_LENGTH


def test_a_session_read_from_a_file_starts_its_timeline_where_it_stands():
    from knobsim.core.io.sessionfile import dumps, loads

    s = line_session()
    s.step(40)
    back = loads(dumps(s))[0]
    assert back.step_count == 40
    assert back.timeline.start == 40 and back.timeline.steps.tolist() == [40]
    assert np.array_equal(back.timeline.at(40)[1], s.params)
    back.step(2)
    assert back.timeline.steps.tolist() == [40, 41, 42]
