"""`knobsim lessons`, `knobsim --lesson NAME` and `knobsim screenshot --lesson NAME`."""

from __future__ import annotations

import json

import pytest

from knobsim.cli import main
from knobsim.core.lessons.lesson import load_lessons


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_lessons_lists_number_id_and_title(capsys):
    code, out, err = run(capsys, "lessons")
    assert code == 0 and err == ""
    lines = out.splitlines()
    lessons, _ = load_lessons()
    assert len(lines) == len(lessons) == 10
    assert lines[0].split(None, 2) == ["1", "knobs", "Turn the knobs"]
    assert lines[6].split(None, 2) == ["7", "next-word", "Knobs that predict the next word"]
    assert lines[7].split(None, 2) == ["8", "predict", "Predict where Train will leave the line"]
    assert lines[9].split(None, 2) == ["10", "word-map", "Words are knobs too"]


def test_lessons_checks_a_teachers_folder(capsys, tmp_path):
    good = json.loads(load_lessons()[0][0].path.read_text(encoding="utf-8"))
    (tmp_path / "01-mine.json").write_text(json.dumps({**good, "id": "mine", "title": "Mine"}))
    (tmp_path / "02-oops.json").write_text(json.dumps({**good, "id": "oops", "tasks": []}))
    code, out, err = run(capsys, "lessons", str(tmp_path))
    assert code == 1  # a file needs fixing
    assert out.split() == ["1", "mine", "Mine"]
    assert "02-oops.json" in err and '"tasks" is missing' in err


def test_an_unknown_lesson_is_one_line_and_status_2(capsys, monkeypatch):
    monkeypatch.setattr("knobsim.app.run", lambda **kw: pytest.fail("the window opened"))
    code, out, err = run(capsys, "--lesson", "nope")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "unknown lesson 'nope'" in err and "knobs, train" in err


def test_a_broken_lesson_file_is_named(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr("knobsim.app.run", lambda **kw: pytest.fail("the window opened"))
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x"')
    code, _, err = run(capsys, "--lesson", str(bad))
    assert code == 2 and "bad.json" in err and "not valid JSON" in err


@pytest.mark.parametrize("name", ["overfit", "6"])
def test_lesson_opens_the_window_in_that_lesson(capsys, monkeypatch, name):
    opened = {}
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr("knobsim.app.run", lambda **kw: opened.update(kw) or 0)
    code, _, err = run(capsys, "--lesson", name)
    assert code == 0, err
    assert opened["lesson"] == name and opened["session"] is None


def test_a_lone_file_argument_still_opens_a_session(capsys, monkeypatch, tmp_path):
    opened = {}
    monkeypatch.setattr(
        "knobsim.cli.run_gui", lambda path=None, lesson=None: opened.update(p=path) or 0
    )
    assert main([str(tmp_path / "my.knobsim")]) == 0
    assert opened["p"] == str(tmp_path / "my.knobsim")


def test_screenshot_of_a_lesson(capsys, tmp_path, qapp):
    out = tmp_path / "lesson.png"
    code, stdout, err = run(capsys, "screenshot", str(out), "--lesson", "underfit")
    assert code == 0, err
    assert out.stat().st_size > 10_000
