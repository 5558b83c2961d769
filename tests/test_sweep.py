"""The capacity sweep reproduces the U curve on noisy sine data; L2 tames degree 15.

The lab's reference setting: the sine wave, 20 training points, noise 0.2, seed 0,
Adam with learning rate 0.05. It holds across noise 0.15 to 0.25 and for gradient
descent and momentum too (checked when the thresholds in ``core.capacity.diagnosis`` were chosen).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from knobsim.core.capacity.diagnosis import baseline_loss, verdict
from knobsim.core.capacity.sweep import (
    SweepHere,
    SweepPoint,
    SweepProcess,
    capacities,
    sweep,
    sweep_chunks,
)
from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.messages import Failed, StartSweep, SweepDone
from knobsim.core.training.optimizers import OptimizerConfig

ADAM = OptimizerConfig("adam", lr=0.05)


def _sine(noise: float = 0.2):
    return make_dataset("sine", n_points=20, noise=noise, seed=0)


@pytest.mark.parametrize("noise", [0.15, 0.2, 0.25])
def test_polynomial_sweep_draws_the_u_curve(noise):
    data = _sine(noise)
    points = list(sweep(make_model("poly", data, degree=3), data, ADAM, seed=0, steps=2000))
    assert [p.capacity for p in points] == list(range(16))
    assert [p.n_params for p in points] == list(range(1, 17))
    train = np.array([p.train_loss for p in points])
    test = np.array([p.test_loss for p in points])
    base = baseline_loss("regression", data.y_train)
    kinds = [verdict(p.train_loss, p.test_loss, base).kind for p in points]

    assert kinds[1] == "underfit"  # a straight line misses the wave ...
    assert train[1] > 0.15 * base and test[1] > 0.15 * base  # ... on both sets
    assert 3 <= int(np.argmin(test)) <= 5  # the sweet spot
    assert int(np.argmin(train)) == 15  # the most knobs fit the training points best ...
    assert test[15] > test[5]  # ... and the test points worse
    assert kinds[15] == "overfit"
    assert "good" in kinds[3:6]


def test_l2_lowers_degree_15s_test_error():
    data = _sine()
    (plain,) = sweep(make_model("poly", data), data, ADAM, seed=0, capacities_=[15])
    (tamed,) = sweep(make_model("poly", data, l2=0.01), data, ADAM, seed=0, capacities_=[15])
    assert tamed.test_loss < plain.test_loss / 2
    assert tamed.train_loss > plain.train_loss  # it gives up some fit to the noise


def test_mlp_sweep_on_2d_data_runs_every_width():
    data = make_dataset("circles", n_points=60, seed=0)
    model = make_model("mlp", data, hidden="4")
    points = list(sweep(model, data, ADAM, seed=0, steps=60, capacities_=[1, 8, 16]))
    assert [p.capacity for p in points] == [1, 8, 16]
    assert [p.n_params for p in points] == [5, 33, 65]  # 2*h + h + h + 1
    assert all(math.isfinite(p.train_loss) and math.isfinite(p.test_loss) for p in points)
    assert all(p.theta.shape == (p.n_params,) for p in points)
    assert list(capacities(model)) == list(range(1, 17))


def test_a_sweep_stops_between_chunks():
    data = _sine()
    chunks = sweep_chunks(make_model("poly", data), data, ADAM, steps=10_000)
    seen = []
    for item in chunks:
        seen.append(item)
        if seen.count(None) == 4:
            break  # the driver stops here: nothing more is trained
    points = [p for p in seen if p is not None]
    assert len(points) < 3
    assert seen[0] is None  # a pause before the very first chunk


def test_sweep_reports_divergence_instead_of_raising():
    data = _sine()
    wild = OptimizerConfig("gd", lr=50.0)
    (point,) = sweep(make_model("poly", data), data, wild, steps=100, capacities_=[9])
    assert point.diverged
    assert point.steps < 100


def test_sweep_needs_a_model_with_a_capacity():
    data = make_dataset("linear", n_points=10, seed=0)
    with pytest.raises(ValueError, match="no capacity to sweep"):
        next(sweep(make_model("line", data), data, ADAM))


def _received(job, until: type, seconds: float = 60.0) -> list:
    """Everything ``job`` reports until a message of type ``until`` (or ``seconds`` pass)."""
    out = []
    deadline = time.monotonic() + seconds
    while not any(isinstance(m, until) for m in out):
        assert time.monotonic() < deadline, f"no {until.__name__} within {seconds} s"
        out += job.receive()
        time.sleep(0.005)
    return out


@pytest.mark.parametrize("runner", [SweepProcess, SweepHere])
def test_a_sweep_off_the_callers_thread_matches_the_plain_one(runner):
    data = _sine()
    model = make_model("poly", data, degree=3)
    plain = list(sweep(model, data, ADAM, seed=0, steps=300))
    job = runner(StartSweep(model, data, ADAM, seed=0, steps=300))
    try:
        *points, done = _received(job, SweepDone)
    finally:
        job.close()
    assert done == SweepDone(cancelled=False)
    assert all(isinstance(p, SweepPoint) for p in points)
    assert [p.capacity for p in points] == [p.capacity for p in plain]
    for p, q in zip(points, plain, strict=True):
        np.testing.assert_array_equal(p.theta, q.theta)  # the same maths, in either place


@pytest.mark.parametrize("runner", [SweepProcess, SweepHere])
def test_a_cancelled_sweep_says_so_and_stops_early(runner):
    data = _sine()
    slow = OptimizerConfig("gd", lr=0.001)  # never converges early
    job = runner(StartSweep(make_model("poly", data), data, slow, seed=0, steps=50_000))
    try:
        first = _received(job, SweepPoint)
        job.cancel()
        rest = _received(job, SweepDone)
    finally:
        job.close()
    assert rest[-1] == SweepDone(cancelled=True)
    assert len(first) + len(rest) - 1 < 16


@pytest.mark.parametrize("runner", [SweepProcess, SweepHere])
def test_a_failing_sweep_reports_why(runner):
    data = make_dataset("linear", n_points=10, seed=0)
    job = runner(StartSweep(make_model("line", data), data, ADAM, seed=0, steps=10))
    try:
        (failure,) = _received(job, Failed)
    finally:
        job.close()
    assert failure.traceback.strip().splitlines()[-1].endswith("no capacity to sweep.")


def test_screenshot_sweep_needs_a_model_with_a_capacity(tmp_path, capsys):
    from knobsim.cli import main

    assert main(["screenshot", str(tmp_path / "x.png"), "--model", "line", "--sweep"]) == 2
    assert "--sweep needs a model whose size can change" in capsys.readouterr().err
