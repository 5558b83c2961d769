"""Lessons in the window: hidden controls, "by hand", the start page, broken lesson files."""

from __future__ import annotations

import json

import pytest
from hands import click, find
from PySide6.QtWidgets import QLabel, QPushButton

from knobsim.core.lessons.lesson import load_lessons


@pytest.fixture
def window(open_window):
    return open_window()


def done(win):
    return lambda: find(win, "next_lesson", QPushButton).isEnabled()


def test_a_lesson_hides_controls_and_gives_them_back(qtbot, window):
    lessons = window.lessons
    assert lessons.start("knobs")
    for name in ("train", "step", "optimizer", "learning_rate"):
        assert not find(window, name).isVisible(), name
    assert lessons.start("train")  # the next lesson shows what the last one hid
    assert find(window, "train").isVisible() and find(window, "learning_rate").isVisible()
    assert lessons.start("knobs")
    find(window, "leave_lesson", object).trigger()
    assert lessons.current is None and not find(window, "lessons_dock").isVisible()
    assert find(window, "train").isVisible() and find(window, "optimizer").isVisible()


def test_by_hand_means_without_train(qtbot, window):
    lessons = window.lessons
    lessons.start("knobs")
    window.controller.step_once()  # Space still trains: a hidden button is not a lock
    find(window, "knob:w").setValue(0.84)
    find(window, "knob:b").setValue(0.31)
    qtbot.waitUntil(lambda: "press Reset" in find(window, "lesson_status", QLabel).text())
    assert not lessons.runner.completed
    window.controller.reset()  # Reset: the knobs are yours again
    find(window, "knob:w").setValue(0.84)
    find(window, "knob:b").setValue(0.31)
    qtbot.waitUntil(done(window))


def test_help_lessons_and_first_launch_open_the_start_page(qtbot, window):
    lessons = window.lessons
    find(window, "help_lessons", object).trigger()
    assert find(window, "start_page").isVisible()
    items = find(window, "lesson_list")
    assert items.count() == len(lessons.lessons) and items.item(0).text() == "1. Turn the knobs"
    find(window, "lessons_dock").close()
    assert lessons.show_on_first_launch()  # the very first time: shown
    assert find(window, "start_page").isVisible()
    find(window, "lessons_dock").close()
    assert not lessons.show_on_first_launch()  # never again
    assert not find(window, "lessons_dock").isVisible()


def test_a_folder_with_a_broken_lesson_is_reported_and_the_rest_load(qtbot, window, tmp_path):
    good = json.loads(next(iter(load_lessons()[0])).path.read_text(encoding="utf-8"))
    (tmp_path / "01-mine.json").write_text(json.dumps({**good, "id": "mine"}))
    (tmp_path / "02-broken.json").write_text('{"id": "broken", "title": "Oops",')
    (tmp_path / "03-rocket.json").write_text(
        json.dumps({**good, "id": "rocket", "setup": {"model": "rocket"}})
    )
    (tmp_path / "04-other.json").write_text(json.dumps({**good, "id": "other", "title": "Other"}))
    lessons = window.lessons
    lessons.load(tmp_path)
    assert [lesson.id for lesson in lessons.lessons] == ["mine", "other"]
    message = window.statusBar().currentMessage()
    assert "02-broken.json" in message and "1 more" in message
    lessons.show_start_page()
    errors = find(window, "lesson_errors", QLabel)
    assert errors.isVisible()
    assert "02-broken.json" in errors.text() and "not valid JSON" in errors.text()
    assert "03-rocket.json" in errors.text() and "unknown model" in errors.text()
    assert find(window, "lesson_list").count() == 2
    click(qtbot, window, "start_lesson")
    assert lessons.current.id == "mine"


def test_opening_a_lesson_file_loads_its_folder(qtbot, window, tmp_path):
    good = json.loads(next(iter(load_lessons()[0])).path.read_text(encoding="utf-8"))
    (tmp_path / "a.json").write_text(json.dumps({**good, "id": "a", "title": "First"}))
    (tmp_path / "b.json").write_text(json.dumps({**good, "id": "b", "title": "Second"}))
    assert window.lessons.open(str(tmp_path / "b.json"))
    assert window.lessons.current.id == "b"
    assert find(window, "lesson_number", QLabel).text() == "Lesson 2 of 2"
    (tmp_path / "bad.json").write_text("{")
    assert not window.lessons.open(str(tmp_path / "bad.json"))
    assert "bad.json" in window.statusBar().currentMessage()
    assert find(window, "start_page").isVisible()


def test_a_teacher_jumps_to_lesson_six_task_two_from_the_menu(qtbot, window):
    """Lessons > Go to a task > 6. Too many knobs > Task 2: the lesson's window, at task 2,
    the first task shown as skipped (not done)."""
    from PySide6.QtGui import QAction

    jump = window.findChild(QAction, "goto:overfit:2")
    assert jump is not None and jump.text().startswith("Task 2: The test error was lowest")
    jump.trigger()
    qtbot.wait(200)
    lessons = window.lessons
    assert lessons.current.id == "overfit" and lessons.runner.task_index == 1
    assert window.controller.session.model.n_params == 16  # the lesson's own setup
    text = lessons.panel.tasks_label.text()
    assert "(skipped)" in text and "▶ The test error was lowest" in text
    # the task works from there: train into the overfit, look back to the lowest test error
    window.controller.step_many(3000)
    qtbot.wait(100)
    assert lessons.runner.task_index == 1
    assert window.audit() == []
