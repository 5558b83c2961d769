"""Class files: a teacher's choice of lessons, hidden parts and pace, checked like lessons."""

from __future__ import annotations

import json

import pytest

from knobsim.cli import main
from knobsim.core.lessons.classfile import (
    ClassFileError,
    ClassSetup,
    load_class,
    parse_class,
    save_class,
)
from knobsim.core.lessons.lesson import load_lessons

LESSONS = load_lessons()[0]


def test_a_class_picks_lessons_in_its_own_order_by_id_or_number():
    setup = parse_class({"lessons": ["overfit", 1, "7"], "hide": ["seed"], "pace": 30}, LESSONS)
    assert setup.lessons == ("overfit", "knobs", "next-word")
    assert [lesson.id for lesson in setup.pick(LESSONS)] == ["overfit", "knobs", "next-word"]
    assert setup.hide == ("seed",) and setup.pace == 30.0


def test_an_empty_class_gets_every_lesson_at_the_watch_pace():
    setup = parse_class({}, LESSONS)
    assert setup.pick(LESSONS) == list(LESSONS) and setup.pace == "watch"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ([], "one JSON object"),
        ({"lesons": []}, "unknown key 'lesons'"),
        ({"format": 2}, '"format" 2'),
        ({"lessons": "knobs"}, "is a list"),
        ({"lessons": ["nope"]}, "there is no lesson 'nope'"),
        ({"lessons": [99]}, "there is no lesson 99"),
        ({"lessons": ["knobs", 1]}, "listed twice"),
        ({"hide": ["everything"]}, "cannot hide 'everything'"),
        ({"hide": "seed"}, "list of names"),
        ({"pace": -3}, '"pace" is steps per second'),
        ({"title": 5}, '"title" must be text'),
    ],
)
def test_a_bad_class_file_is_named_in_one_sentence(data, says):
    with pytest.raises(ClassFileError, match=None) as caught:
        parse_class(data, LESSONS)
    assert says in str(caught.value)


def test_a_saved_class_reads_back_the_same(tmp_path):
    setup = ClassSetup(title="Y9", lessons=("knobs", "overfit"), hide=("seed",), pace=None)
    path = tmp_path / "y9.json"
    save_class(setup, path)
    assert json.loads(path.read_text())["pace"] == "max"
    assert load_class(path, LESSONS) == setup


def test_unreadable_files_get_a_clear_message(tmp_path):
    (tmp_path / "a.json").write_text("{not json")
    (tmp_path / "b.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ClassFileError, match="not valid JSON"):
        load_class(tmp_path / "a.json", LESSONS)
    with pytest.raises(ClassFileError, match="not UTF-8 text"):
        load_class(tmp_path / "b.json", LESSONS)
    with pytest.raises(ClassFileError, match="cannot be read"):
        load_class(tmp_path / "missing.json", LESSONS)


def test_the_command_line_refuses_a_bad_class_file_in_one_line(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text('{"hide": ["everything"]}')
    assert main(["--class", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot hide 'everything'" in err[0]
