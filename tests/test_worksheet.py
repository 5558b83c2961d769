"""A printable worksheet per lesson, made from the lesson file."""

from __future__ import annotations

import dataclasses

import pytest

from knobsim.core.lessons.lesson import Task, load_lessons
from knobsim.core.lessons.worksheet import AFTER, ANSWER_LINES, PREDICT, worksheet_html

LESSONS = load_lessons()[0]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_every_task_is_a_question_with_ruled_space(lesson):
    html = worksheet_html(lesson, number=3)
    assert f"Lesson 3: {lesson.title}" in html.replace("&#x27;", "'")
    questions = [PREDICT, *(t.text for t in lesson.tasks), AFTER]
    assert html.count('class="q"') == len(questions)
    assert html.count("<hr>") == ANSWER_LINES * len(questions)
    for i, _text in enumerate(questions, 1):
        assert f'<p class="q">{i}. ' in html
    assert "Name: ___" in html


def test_the_lesson_text_comes_first_and_every_text_is_escaped():
    lesson = LESSONS[0]
    evil = "<b>bold</b> & more"
    lesson = dataclasses.replace(
        lesson, title=evil, text=(evil,), tasks=(Task(evil, lesson.tasks[0].goal),)
    )
    html = worksheet_html(lesson)
    assert "<b>bold</b>" not in html
    assert html.count("&lt;b&gt;bold&lt;/b&gt; &amp; more") == 4  # title, h1, text, task
    assert "Lesson " not in html.split("<body>")[1].split("</h1>")[0]  # no number given
