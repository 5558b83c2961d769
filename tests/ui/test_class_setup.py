"""A teacher's class file in the window: what it hides stays hidden, its lessons come in
its order, and File > Save class setup writes what Open reads back."""

from __future__ import annotations

import json

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QGroupBox, QWidget

from knobsim.core.lessons.classfile import ClassSetup
from knobsim.ui.controller.session_controller import SPEED_LABELS


def visible(win, name: str) -> bool:
    widget = win.findChild(QWidget, name)
    return widget is not None and widget.isVisibleTo(win)


def data_box(win) -> QGroupBox:
    widget = win.findChild(QWidget, "dataset")
    while not isinstance(widget, QGroupBox):
        widget = widget.parentWidget()
    return widget


def test_a_class_file_hides_its_parts_orders_its_lessons_and_sets_the_pace(window, qtbot, tmp_path):
    path = tmp_path / "y9.json"
    path.write_text(json.dumps(
        {"title": "Y9", "lessons": ["overfit", "knobs"], "hide": ["data_settings", "l2"],
         "pace": 30}
    ))  # fmt: skip
    assert data_box(window).isVisibleTo(window)
    assert window.lessons.open_class(path)
    qtbot.wait(100)
    lessons = window.lessons
    assert [lesson.id for lesson in lessons.lessons] == ["overfit", "knobs"]
    assert lessons.start_page.list.count() == 2
    assert not data_box(window).isVisibleTo(window) and not visible(window, "l2")
    assert SPEED_LABELS[window.controller.speed_index] == "30 steps/s"
    # a lesson hides more on top; leaving it brings back only the lesson's parts
    assert lessons.start("knobs")
    qtbot.wait(100)
    assert not visible(window, "train")
    lessons.leave()
    assert visible(window, "train") and not data_box(window).isVisibleTo(window)
    assert window.audit() == []


def test_a_bad_class_file_changes_nothing_and_says_why(window, qtbot, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"hide": ["everything"]}')
    before = [lesson.id for lesson in window.lessons.lessons]
    assert not window.lessons.open_class(path)
    assert "cannot hide 'everything'" in window.statusBar().currentMessage()
    assert [lesson.id for lesson in window.lessons.lessons] == before
    assert data_box(window).isVisibleTo(window)


def test_save_class_setup_writes_what_open_reads_back(window, qtbot, tmp_path, monkeypatch):
    window.lessons.apply_class(ClassSetup(lessons=("memory", "train"), hide=("seed",)))
    path = tmp_path / "tuesday"
    monkeypatch.setattr(
        "knobsim.ui.teaching.lessons.QFileDialog.getSaveFileName", lambda *a, **k: (str(path), "")
    )
    window.findChild(QAction, "save_class").trigger()
    saved = json.loads((tmp_path / "tuesday.json").read_text())
    assert saved["lessons"] == ["memory", "train"] and saved["hide"] == ["seed"]
    assert saved["title"] == "tuesday" and saved["pace"] == "watch"
