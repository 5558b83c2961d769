"""Every built-in lesson, done the way a person would do it; the start page; broken files."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from knobsim.core.lessons import load_lessons

WAIT_MS = 8000


@pytest.fixture
def window(qtbot, tmp_settings):
    from knobsim.app import create_window

    win = create_window()
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.controller.set_training(False)


def find(win, name, cls=QWidget):
    widget = win.findChild(cls, name)
    assert widget is not None, f"no {cls.__name__} named {name!r}"
    return widget


def click(qtbot, win, name) -> None:
    qtbot.mouseClick(find(win, name, QAbstractButton), Qt.MouseButton.LeftButton)


def fastest(win) -> None:
    """Drag the speed slider to Max, as an impatient person (or a test) would."""
    slider = find(win, "speed", QSlider)
    slider.setValue(slider.maximum())


def train(qtbot, win, until) -> None:
    """Press Train, wait for ``until()``, press Train again to pause."""
    fastest(win)
    click(qtbot, win, "train")
    qtbot.waitUntil(until, timeout=WAIT_MS)
    if win.controller.is_training:
        click(qtbot, win, "train")


def on_task(win, i: int):
    return lambda: win.lessons.runner.task_index >= i


def done(win):
    return lambda: find(win, "next_lesson", QPushButton).isEnabled()


# -- what a person does in each lesson ------------------------------------------------------------
def do_knobs(qtbot, win) -> None:
    assert not find(win, "train").isVisible()  # by hand only
    find(win, "knob:w").setValue(0.84)
    find(win, "knob:b").setValue(0.31)


def do_train(qtbot, win) -> None:
    assert find(win, "train").isVisible()
    train(qtbot, win, done(win))


def do_step_size(qtbot, win) -> None:
    assert win.controller.config.lr == 0.001
    fastest(win)
    click(qtbot, win, "train")
    qtbot.waitUntil(on_task(win, 1), timeout=WAIT_MS)  # 300 slow steps
    find(win, "learning_rate").setValue(0.1)
    qtbot.waitUntil(on_task(win, 2), timeout=WAIT_MS)
    find(win, "learning_rate").setValue(3.0)
    qtbot.waitUntil(done(win), timeout=WAIT_MS)  # exploded
    assert not win.controller.is_training  # knobsim paused it
    assert find(win, "explosion_banner").isVisible()


def do_memory(qtbot, win) -> None:
    find(win, "knob:c3").setValue(0.0)
    qtbot.waitUntil(on_task(win, 1))
    click(qtbot, win, "lock:c3")
    fastest(win)
    click(qtbot, win, "train")
    qtbot.waitUntil(on_task(win, 2), timeout=WAIT_MS)
    assert win.controller.session.value("c3") == 0.0  # locked: Train left it alone
    click(qtbot, win, "lock:c3")  # unlock while training runs on
    qtbot.waitUntil(done(win), timeout=WAIT_MS)
    click(qtbot, win, "train")


def do_underfit(qtbot, win) -> None:
    fastest(win)
    click(qtbot, win, "train")
    qtbot.waitUntil(on_task(win, 1), timeout=WAIT_MS)
    find(win, "capacity", QSlider).setValue(3)
    qtbot.waitUntil(done(win), timeout=WAIT_MS)
    click(qtbot, win, "train")
    assert win.controller.model.degree == 3


def do_overfit(qtbot, win) -> None:
    fastest(win)
    click(qtbot, win, "train")
    qtbot.waitUntil(on_task(win, 1), timeout=WAIT_MS)
    find(win, "l2").setValue(0.01)
    qtbot.waitUntil(on_task(win, 2), timeout=WAIT_MS)
    find(win, "l2").setValue(0.0)
    find(win, "points", QSpinBox).setValue(100)
    qtbot.waitUntil(done(win), timeout=WAIT_MS)
    click(qtbot, win, "train")
    assert win.controller.dataset.n_train == 100


def do_next_word(qtbot, win) -> None:
    assert find(win, "nextword_view").isVisible()
    train(qtbot, win, on_task(win, 1))
    find(win, "context_size", QSpinBox).setValue(2)
    qtbot.waitUntil(done(win))
    assert win.controller.model.n_params == 11**3


SCRIPTS = {
    "knobs": do_knobs,
    "train": do_train,
    "step-size": do_step_size,
    "memory": do_memory,
    "underfit": do_underfit,
    "overfit": do_overfit,
    "next-word": do_next_word,
}


def test_walk_through_every_builtin_lesson(qtbot, window):
    lessons = window.lessons
    assert [lesson.id for lesson in lessons.lessons] == list(SCRIPTS)  # a script for each
    dock = find(window, "lessons_dock")
    assert not dock.isVisible()  # nothing opens by itself
    lessons.show_start_page()
    assert find(window, "start_page").isVisible()
    click(qtbot, window, "start_lesson")  # the first lesson is selected
    for i, lesson in enumerate(lessons.lessons):
        assert lessons.current.id == lesson.id
        panel = find(window, "lesson_panel")
        assert panel.isVisible()
        assert find(window, "lesson_title", QLabel).text() == lesson.title
        assert not find(window, "next_lesson", QPushButton).isEnabled()
        SCRIPTS[lesson.id](qtbot, window)
        qtbot.waitUntil(done(window), timeout=WAIT_MS)
        assert lessons.runner.completed
        assert find(window, "lesson_done", QLabel).isVisible()
        assert lesson.title in window.statusBar().currentMessage()
        next_button = find(window, "next_lesson", QPushButton)
        if i + 1 < len(lessons.lessons):
            assert next_button.text() == "Next lesson ›"
        else:
            assert next_button.text() == "Beat the optimizer ›"
        click(qtbot, window, "next_lesson")
    game = find(window, "challenge", QDialog)
    assert game.isVisible() and not game.isModal()
    game.close()


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
