"""What a learner did, kept across restarts, and the one-page report of it."""

from __future__ import annotations

import base64
import datetime as dt
import json
import math

from knobsim.core.lessons import progress as pg
from knobsim.core.lessons.progress import Game, Progress

PNG = b"\x89PNG\r\n\x1a\n" + b"not really a picture"


def worked() -> Progress:
    p = Progress()
    p.lesson_started("knobs", "Turn the knobs", ["Drag w and b."], when="2026-01-05T09:00:00+00:00")
    p.task_passed("knobs", 0, {"w": 0.84, "b": -0.2}, 0.0123, 0.0456, when="2026-01-05T09:03:00")
    p.lesson_done("knobs", when="2026-01-05T09:03:00+00:00")
    p.lesson_started("overfit", "Too many knobs", ["Train.", "Look back.", "L2."])
    p.task_skipped("overfit", 0)
    p.lesson_started("race", "Race the optimizers", ["Guess.", "Race."])
    p.task_passed("race", 0, {}, 0.7, 0.7, note="guessed Momentum")
    p.game_played(Game("line", "Two knobs: a line", 1.5, 0.02, 0.03, "2026-01-05T10:00:00"))
    p.game_played(Game("line", "Two knobs: a line", 0.5, 0.06, 0.03, "2026-01-05T10:05:00"))
    return p


def test_a_record_survives_a_restart(tmp_path):
    p = worked()
    pg.save(p, tmp_path)
    back = pg.load(tmp_path)
    assert back == p
    assert back.lessons["knobs"].results[0].values == {"w": 0.84, "b": -0.2}
    assert back.lessons["overfit"].results[0].status == pg.SKIPPED
    assert back.lessons["race"].results[0].note == "guessed Momentum"


def test_a_missing_or_damaged_file_is_no_progress_yet(tmp_path):
    assert pg.load(tmp_path) == Progress()
    (tmp_path / pg.PROGRESS_FILE).write_text("{")
    assert pg.load(tmp_path) == Progress()
    (tmp_path / pg.PROGRESS_FILE).write_text(json.dumps({"format": 1, "lessons": [{"id": 1}]}))
    assert pg.load(tmp_path) == Progress()


def test_errors_that_are_not_numbers_round_trip_as_nothing(tmp_path):
    p = Progress()
    p.lesson_started("a", "A", ["t"])
    p.task_passed("a", 0, {}, math.inf, math.nan)
    pg.save(p, tmp_path)
    json.loads((tmp_path / pg.PROGRESS_FILE).read_text())  # strict JSON: no Infinity
    result = pg.load(tmp_path).lessons["a"].results[0]
    assert math.isnan(result.train_error) and math.isnan(result.test_error)


def test_starting_again_keeps_what_was_done_and_a_skip_never_hides_a_pass():
    p = worked()
    p.lesson_started("knobs", "Turn the knobs", ["Drag w and b."])
    assert p.lessons["knobs"].done.startswith("2026-01-05")
    p.task_skipped("knobs", 0)
    assert p.lessons["knobs"].results[0].status == pg.PASSED
    p.lesson_done("knobs", when="2027-01-01")
    assert p.lessons["knobs"].done.startswith("2026-01-05")  # the first time counts
    # the same id with other tasks (another lesson file): a fresh record
    p.lesson_started("knobs", "Turn the knobs", ["Something else."])
    assert p.lessons["knobs"].results == {} and not p.lessons["knobs"].done


def test_a_skipped_task_that_is_then_passed_counts_as_passed():
    p = worked()
    p.task_passed("overfit", 0, {"w0": 1.0}, 0.01, 0.2)
    assert p.lessons["overfit"].results[0].status == pg.PASSED


def test_games_keep_the_best_per_challenge_and_a_bounded_history():
    p = worked()
    assert [g.score for g in p.best_games()] == [1.5]
    for i in range(pg.MAX_GAMES + 5):
        p.game_played(Game("mlp", "MLP", float(i), 1.0, 1.0, "t"))
    assert len(p.games) == pg.MAX_GAMES
    assert [g.challenge_id for g in p.best_games()] == ["mlp"]  # the line games were oldest


def test_the_report_has_every_lesson_task_result_and_score():
    html = pg.render_html(worked(), learner="Ada", date=dt.date(2026, 1, 5))
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>knobsim: Ada&#x27;s work</title>" in html
    assert "Name: <b>Ada</b>" in html and "2026-01-05" in html
    assert "Lessons done: 1 of 3 started" in html
    assert "passed</span>: guessed Momentum; training error 0.7" in html  # the guess
    assert "Turn the knobs" in html and "Too many knobs" in html
    assert "passed</span>: training error 0.0123, test error 0.0456; w = 0.84, b = -0.2" in html
    assert html.count("skipped</span>") == 1 and html.count("not done yet") == 3
    assert "Two knobs: a line</td><td>1.5</td>" in html  # the best of the two games
    assert "<td>2</td>" in html  # games played


def test_the_report_embeds_each_final_screen_as_a_data_uri():
    html = pg.render_html(worked(), screens={"knobs": PNG})
    uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert html.count("<img ") == 1 and uri in html
    assert 'src="http' not in html and "src='http" not in html  # self-contained


def test_the_report_escapes_every_text():
    p = Progress()
    evil = "<script>alert(1)</script>&"
    p.lesson_started("x", evil, [evil])
    p.task_passed("x", 0, {evil: 1.0}, 0.1, 0.2)
    p.game_played(Game("g", evil, 1.0, 1.0, 1.0, "t"))
    html = pg.render_html(p, learner=evil)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in html


def test_the_report_of_nothing_says_so():
    html = pg.render_html(Progress(), date=dt.date(2026, 2, 1))
    assert "<title>knobsim: work done</title>" in html
    assert "No lesson started yet." in html and "Not played yet." in html
    assert "Name:" not in html


def test_screens_are_read_from_the_folder(tmp_path):
    p = worked()
    path = pg.screen_path(tmp_path, "knobs")
    path.parent.mkdir(parents=True)
    path.write_bytes(PNG)
    assert pg.load_screens(tmp_path, p) == {"knobs": PNG}


def test_a_big_model_keeps_a_few_knob_values_and_says_how_many_more(tmp_path):
    p = Progress()
    p.lesson_started("next", "Next word", ["Train."])
    p.task_passed("next", 0, {f"W[{i}]": 0.5 for i in range(1000)}, 1.0, 1.0)
    pg.save(p, tmp_path)
    result = pg.load(tmp_path).lessons["next"].results[0]
    assert len(result.values) == pg.MAX_VALUES and result.knobs == 1000
    assert "and 992 more knobs" in pg.render_html(pg.load(tmp_path))
