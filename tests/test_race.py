"""A race of optimizers from the same knobs: the core and `knobsim race`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from knobsim.cli import main
from knobsim.core.data.catalog import session_for
from knobsim.core.training.convergence import ConvergenceWatch
from knobsim.core.training.race import HISTORY_POINTS, PATH_POINTS, RaceRunner, entrants, race


def test_every_runner_starts_from_the_same_knobs_and_the_session_is_untouched():
    s = session_for("mlp", "circles", hidden=(4,))
    before = s.params.copy()
    runs = race(s, entrants(["sgd", "momentum", "adam"]), 300)
    assert [r.optimizer for r in runs] == ["sgd", "momentum", "adam"]
    for r in runs:
        assert np.array_equal(r.path[0], before)
        assert r.history[0][0] == 0 and r.history[-1][0] == 300
        assert len(r.path) <= PATH_POINTS + 1 and len(r.history) <= HISTORY_POINTS
        assert r.final_train_loss == pytest.approx(r.history[-1][1])
    assert np.array_equal(s.params, before) and s.step_count == 0
    assert len({r.final_train_loss for r in runs}) == 3  # three different runs


def test_steps_to_converge_is_where_the_windows_rule_first_holds():
    s = session_for("line", "linear")
    (run,) = race(s, entrants(["gd", "gd"], [0.1, 0.1]), 2000, check_every=1)[:1]
    again = session_for("line", "linear", lr=0.1)
    ranges = np.asarray(again.model.param_ranges())
    watch = ConvergenceWatch(ranges[:, 1] - ranges[:, 0])
    expected = None
    for step in range(1, 2001):
        again.step(1)
        hit = watch.add(step, again.train_loss, again.params)
        if hit is not None:
            expected = hit
            break
    assert expected is not None and run.steps_to_converge == expected


def test_a_bigger_learning_rate_converges_sooner_and_one_too_big_diverges():
    s = session_for("line", "linear")
    slow, fast, wild = race(s, entrants(["gd"], [0.02, 0.3, 5.0]), 3000)
    assert fast.steps_to_converge < slow.steps_to_converge
    assert wild.diverged and wild.steps_to_converge is None


@pytest.mark.parametrize(
    ("names", "lrs", "says"),
    [
        (["gd", "nope"], None, "unknown optimizer 'nope'"),
        (["gd"], None, "2 to 4 runners"),
        (["gd", "sgd"], [0.1], "one learning rate per optimizer"),
        (["gd"], [0.1, -2.0], "above 0"),
        (["gd"] * 5, None, "2 to 4 runners"),
    ],
)
def test_a_bad_race_is_named(names, lrs, says):
    with pytest.raises(ValueError, match=None) as caught:
        entrants(names, lrs)
    assert says in str(caught.value)


def test_knobsim_race_json_gives_start_and_runs(capsys):
    code = main(["race", "--model", "line", "--optimizers", "gd,momentum,adam", "--steps", "400",
                 "--json"])  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["start"]) == 2 and len(out["runs"]) == 3
    for run in out["runs"]:
        assert run["path"][0] == out["start"]
        assert set(run) >= {"optimizer", "lr", "history", "final_train_loss", "final_test_loss",
                            "steps_to_converge", "path"}  # fmt: skip
        assert run["history"][-1]["step"] == 400


@pytest.mark.parametrize(
    "argv",
    [
        ["race", "--optimizers", "gd,foo"],
        ["race", "--optimizers", "gd", "--lrs", "0.1,x"],
        ["race", "--model", "nope"],
        ["race", "--steps", "0"],
    ],
)
def test_knobsim_race_refuses_bad_input_in_one_line_with_status_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("knobsim: error:")


def test_a_race_run_a_piece_at_a_time_is_the_race_run_at_once():
    """The window runs a race in pieces between frames; the pieces add up to the same run
    (path, errors, convergence step) as the command line's race in one go."""
    session = session_for("poly", "sine", degree=3)
    configs = entrants(["gd", "adam"])
    whole = race(session, configs, 700)
    for config, run in zip(configs, whole, strict=True):
        runner = RaceRunner(session, config, 700)
        sizes = [1, 3, 7, 50, 2, 400]
        k = 0
        while not runner.finished:
            runner.advance(sizes[k % len(sizes)])
            k += 1
        piece = runner.result()
        np.testing.assert_allclose(piece.path, run.path)
        assert piece.final_train_loss == pytest.approx(run.final_train_loss, rel=1e-12)
        assert piece.steps_to_converge == run.steps_to_converge


def test_a_runner_that_trains_only_two_knobs_leaves_the_others_at_the_start():
    session = session_for("mlp", "circles")
    runner = RaceRunner(session, entrants(["gd", "adam"])[1], 200, train_only=(0, 1))
    runner.advance(200)
    path = runner.result().path
    assert np.all(path[:, 2:] == session.params[2:]) and np.any(path[-1, :2] != path[0, :2])
    assert np.array_equal(session.params, path[0])  # the session itself never moved
