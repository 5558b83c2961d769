"""Training in a worker process: the same session, steered and read over a pipe."""

from __future__ import annotations

import time

import numpy as np
import pytest

from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.background import TrainerProcess, WorkerError
from knobsim.core.training.messages import RequestGrid, SetConfig, SetLocked, SetParams
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session


def circles_session(optimizer: OptimizerConfig | None = None) -> Session:
    data = make_dataset("circles", n_points=120, noise=0.0, seed=0)
    model = make_model("mlp", data, hidden=(4, 2), activation="tanh")
    return Session(model, data, optimizer=optimizer or OptimizerConfig("adam", lr=0.03), seed=0)


def ready_trainer() -> TrainerProcess:
    t = TrainerProcess()
    t.launch()
    deadline = time.monotonic() + 30
    while not t.check_ready():
        assert time.monotonic() < deadline, "the worker never said it was ready"
        time.sleep(0.01)
    return t


@pytest.fixture(scope="module")
def trainer():
    t = ready_trainer()
    yield t
    t.close()


def run_for(trainer: TrainerProcess, session: Session, seconds: float) -> int:
    """Absorb snapshots at about 60 a second; returns how many arrived."""
    frames = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(1 / 60)
        snap = trainer.poll()
        if snap is not None:
            session.absorb(snap.theta, snap.step_count, snap.records)
            frames += 1
    return frames


def finish(trainer: TrainerProcess, session: Session):
    final = trainer.stop()
    snap = final.snapshot
    session.absorb(snap.theta, snap.step_count, snap.records)
    session.adopt_optimizer(final.optimizer_state, final.sampler)
    return final


def test_worker_trains_and_hands_back_its_optimizer_memory(trainer):
    s = circles_session()
    start_loss, start_points = s.train_loss, len(s.history.steps)
    trainer.start(s)
    frames = run_for(trainer, s, 0.6)
    final = finish(trainer, s)
    assert frames > 0
    assert s.step_count > 100
    assert s.train_loss < 0.5 * start_loss
    assert len(s.history.steps) > start_points + 5
    assert s.history.steps[-1] == s.step_count
    assert len(s.trail) > 5 and np.array_equal(s.trail[-1], s.params)
    # Adam's step counter came back, so the session carries on where the worker stopped
    assert final.optimizer_state["t"] == s.step_count
    before = s.step_count
    assert s.step(3).steps == 3 and s.step_count == before + 3


def test_a_locked_knob_set_by_hand_keeps_the_hand_value(trainer):
    s = circles_session()
    trainer.start(s)
    run_for(trainer, s, 0.1)
    i = 3
    trainer.tell(SetLocked(i, True))
    trainer.tell(SetParams((i,), np.array([0.625])))
    snap = trainer.poll() or trainer.poll()
    if snap is not None:  # not yet seen by the worker or seen: either way the hand's value
        assert snap.theta[i] == 0.625
    run_for(trainer, s, 0.2)
    steps_before = s.step_count
    run_for(trainer, s, 0.1)
    finish(trainer, s)
    assert s.params[i] == 0.625
    assert s.step_count > steps_before


def test_a_new_optimizer_reaches_the_worker(trainer):
    s = circles_session(OptimizerConfig("gd", lr=0.1))
    trainer.start(s)
    run_for(trainer, s, 0.1)
    new = OptimizerConfig("momentum", lr=0.05)
    s.set_optimizer(new)
    trainer.tell(SetConfig(new))
    run_for(trainer, s, 0.1)
    final = finish(trainer, s)
    assert "v" in final.optimizer_state
    assert np.any(final.optimizer_state["v"] != 0)


def test_an_explosion_stops_the_worker_with_good_weights(trainer):
    data = make_dataset("linear", n_points=40, seed=0)
    s = Session(make_model("line", data), data, optimizer=OptimizerConfig("gd", lr=10.0))
    trainer.start(s)
    diverged = ""
    end = time.monotonic() + 5
    while not diverged and time.monotonic() < end:
        time.sleep(0.01)
        snap = trainer.poll()
        if snap is not None:
            s.absorb(snap.theta, snap.step_count, snap.records)
            diverged = snap.diverged
    assert "exploded" in diverged.lower() or "nan" in diverged.lower()
    finish(trainer, s)
    assert np.all(np.isfinite(s.params)) and np.isfinite(s.train_loss)


def test_an_explosion_in_the_worker_goes_back_to_the_knobs_before_it(trainer):
    # the worker trains in chunks of a few milliseconds; the knobs it goes back to must
    # be no worse than where the run began, not merely finite
    data = make_dataset("linear", n_points=40, noise=0.1, seed=0)
    s = Session(make_model("line", data), data, optimizer=OptimizerConfig("gd", lr=0.3))
    s.step(30)
    before = s.train_loss
    s.set_optimizer(lr=1.15)  # just past the edge: the error creeps up over many chunks
    trainer.start(s)
    diverged = ""
    end = time.monotonic() + 10
    while not diverged and time.monotonic() < end:
        time.sleep(0.01)
        snap = trainer.poll()
        if snap is not None:
            s.absorb(snap.theta, snap.step_count, snap.records)
            diverged = snap.diverged
    assert diverged
    finish(trainer, s)
    assert s.train_loss <= before


def test_a_failure_in_the_worker_is_reported_not_hung():
    t = ready_trainer()
    s = circles_session()
    t.start(s)
    t.tell(SetParams((10_000,), np.array([1.0])))  # no such knob: the worker's step fails
    with pytest.raises(WorkerError, match="IndexError|index"):
        end = time.monotonic() + 5
        while time.monotonic() < end:
            t.poll()
            time.sleep(0.01)
    assert not t.launched


def test_absorb_keeps_the_loss_curve_in_order():
    s = circles_session()
    w = s.params.copy()
    s.absorb(w, 10, [(5, 0.5, 0.6, w), (10, 0.4, 0.5, w)])
    s.absorb(w, 12, [(3, 9.0, 9.0, w), (12, 0.3, 0.4, w)])  # 3 is older than the curve: dropped
    assert list(s.history.steps[-3:]) == [5, 10, 12]
    assert s.step_count == 12 and s.train_loss == 0.3


def test_the_worker_computes_a_landscape_between_chunks(trainer):
    from knobsim.core.models.landscape import grid_axes, loss_grid

    s = circles_session()
    trainer.start(s)
    a, b = grid_axes(s.model, 0, 1, 21)
    trainer.request_grid(RequestGrid(7, 0, 1, a, b))
    grids = []
    end = time.monotonic() + 10
    while not grids and time.monotonic() < end:
        time.sleep(0.01)
        trainer.poll()
        grids = trainer.take_grids()
    finish(trainer, s)
    (grid,) = grids
    d = s.dataset
    assert grid.rid == 7 and grid.Z.shape == (21, 21)
    expected = loss_grid(s.model, grid.theta, 0, 1, d.X_train, d.y_train, a, b)
    np.testing.assert_allclose(grid.Z, expected)


def test_the_worker_copy_travels_light_and_leaves_the_session_alone():
    s = circles_session()
    s.step(30)
    trail, points = s.trail.copy(), len(s.history)
    w = s.worker_copy()
    assert len(w.history) == 1 and w.history.last() == s.history.last()
    assert len(w.trail) == 0
    w.step(5)  # training the copy moves neither the session's weights nor its curve
    assert len(s.history) == points and np.array_equal(s.trail, trail)
    assert s.step_count == 30 and not np.array_equal(w.params, s.params)


def test_the_timeline_travels_a_few_times_a_second_and_whole_at_the_end(trainer):
    # its newest entries are thinned out as the run goes on: sent with every snapshot,
    # most would be dropped on arrival (100 KB a snapshot for a 49-knob network)
    from knobsim.core.training.background import TIMELINE_S

    s = circles_session()
    trainer.start(s)
    with_entries, snapshots = 0, 0
    end = time.monotonic() + 0.8
    while time.monotonic() < end:
        time.sleep(1 / 60)
        snap = trainer.poll()
        if snap is not None:
            snapshots += 1
            with_entries += snap.timeline is not None
            s.absorb(snap.theta, snap.step_count, snap.records, snap.timeline)
    final = trainer.stop().snapshot
    s.absorb(final.theta, final.step_count, final.records, final.timeline)
    assert snapshots > 10
    assert 1 <= with_entries <= 0.8 / TIMELINE_S + 2
    assert final.timeline is not None
    assert s.timeline.last_step == s.step_count
    assert np.array_equal(s.timeline.at(s.step_count)[1], s.params)


def test_closing_the_trainer_does_not_wait_for_the_process_to_end():
    from knobsim.core.training import worker_process

    t = ready_trainer()
    process = t._process
    t0 = time.perf_counter()
    t.close()
    assert time.perf_counter() - t0 < 0.02  # the window's frames go on
    process.wait(5)  # it quits by itself
    assert process.returncode == 0
    worker_process._end_the_leaving()  # nothing left to wait for
