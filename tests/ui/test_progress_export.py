"""Students' work collected: a lesson done by mouse is recorded with its final screen,
File › Export progress… writes the page and its PDF, File › Print worksheet… a worksheet."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from hands import drag_slider_to, find
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QPushButton

from knobsim.core.lessons import progress as pg
from knobsim.ui.teaching.progress import GRAB_DELAY_MS, StudentWork

WAIT_MS = 8000


@pytest.fixture
def data_folder(tmp_path, monkeypatch):
    """A fresh per-user data folder: the record, the final screens, the best scores."""
    folder = tmp_path / "data"
    monkeypatch.setenv("KNOBSIM_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def win(open_window, data_folder):
    return open_window()


def answer(monkeypatch, *, learner="", path=None, lesson=None):
    """Script the questions a person would answer in the dialogs."""
    monkeypatch.setattr(StudentWork, "ask_learner", lambda self: learner)
    monkeypatch.setattr(StudentWork, "ask_save_path", lambda self, *_a: path and str(path))
    if lesson is not None:
        monkeypatch.setattr(StudentWork, "ask_lesson", lambda self: lesson)


def do_lesson_one_by_mouse(qtbot, win) -> None:
    assert win.lessons.start("knobs")
    qtbot.wait(200)
    d = win.controller.dataset
    A = np.column_stack([d.X_train[:, 0], np.ones(d.n_train)])
    w, b = np.linalg.lstsq(A, d.y_train, rcond=None)[0]
    drag_slider_to(find(win, "knob:w").slider, float(w), qtbot=qtbot)
    drag_slider_to(find(win, "knob:b").slider, float(b), qtbot=qtbot)
    qtbot.waitUntil(lambda: find(win, "next_lesson", QPushButton).isEnabled(), timeout=WAIT_MS)
    qtbot.wait(GRAB_DELAY_MS + 200)  # the final screen is grabbed once "Done!" shows


def test_a_lesson_done_by_mouse_is_exported_as_a_page_and_a_pdf(
    qtbot, win, data_folder, tmp_path, monkeypatch
):
    do_lesson_one_by_mouse(qtbot, win)
    record = win.lessons.work.progress.lessons["knobs"]
    result = record.results[0]
    assert result.status == pg.PASSED and record.done
    assert result.train_error <= 0.05
    assert result.values["w"] == pytest.approx(win.controller.session.value("w"))
    screen = pg.screen_path(data_folder, "knobs")
    assert screen.read_bytes().startswith(b"\x89PNG")

    out = tmp_path / "out" / "ada.html"
    out.parent.mkdir()
    answer(monkeypatch, learner="Ada <3", path=out)
    win.findChild(QAction, "export_progress").trigger()
    html = out.read_text(encoding="utf-8")
    assert "Ada &lt;3" in html and "Turn the knobs" in html
    assert f"training error {result.train_error:.4g}" in html
    assert f"w = {result.values['w']:.4g}" in html
    png = base64.b64decode(re.search(r"data:image/png;base64,([^\"]+)", html).group(1))
    assert png == screen.read_bytes()
    pdf = out.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.read_bytes().count(b"/Subtype /Image") == 1  # the final screen is in it
    box = win.findChild(QMessageBox, "progress_written")
    assert box is not None and str(out.parent) in box.text()
    assert "ada.html" in win.statusBar().currentMessage()
    box.close()
    qtbot.wait(350)
    assert win.audit() == []


def test_the_record_survives_a_restart(qtbot, open_window, data_folder):
    first = open_window()
    do_lesson_one_by_mouse(qtbot, first)
    first.close()
    again = open_window()
    record = again.lessons.work.progress.lessons["knobs"]
    assert record.done and record.results[0].status == pg.PASSED


def test_a_task_jumped_over_is_recorded_as_skipped(qtbot, win, data_folder):
    win.findChild(QAction, "goto:overfit:2").trigger()
    qtbot.wait(100)
    results = pg.load(data_folder).lessons["overfit"].results
    assert results[0].status == pg.SKIPPED and 1 not in results


def test_a_game_of_beat_the_optimizer_is_recorded(qtbot, win, data_folder):
    game = win.lessons.open_challenge()
    find(game, "knob:w").setValue(0.5)
    qtbot.mouseClick(find(game, "challenge_done", QPushButton), Qt.MouseButton.LeftButton)
    games = pg.load(data_folder).games
    assert len(games) == 1 and games[0].score == pytest.approx(game.result.score)
    assert games[0].title == game.challenge.title
    game.close()


def test_a_path_that_cannot_be_written_says_so_and_loses_nothing(
    qtbot, win, data_folder, tmp_path, monkeypatch
):
    win.findChild(QAction, "goto:overfit:2").trigger()
    qtbot.wait(100)
    before = json.loads((data_folder / pg.PROGRESS_FILE).read_text())
    answer(monkeypatch, path=tmp_path / "no-such-folder" / "work.html")
    win.findChild(QAction, "export_progress").trigger()
    box = win.findChild(QMessageBox, "session_error")
    assert box is not None and "work.html" in box.text() and "Could not write" in box.text()
    assert not (tmp_path / "no-such-folder").exists()
    assert json.loads((data_folder / pg.PROGRESS_FILE).read_text()) == before
    assert win.lessons.work.progress.lessons["overfit"].results[0].status == pg.SKIPPED
    box.close()


def test_cancelling_the_name_or_the_file_writes_nothing(qtbot, win, tmp_path, monkeypatch):
    monkeypatch.setattr(StudentWork, "ask_learner", lambda self: None)
    assert not win.lessons.work.export_progress()
    answer(monkeypatch, learner="x", path=None)
    assert not win.lessons.work.export_progress()
    assert list(tmp_path.glob("*.html")) == []


def test_print_worksheet_writes_the_current_lessons_questions(qtbot, win, tmp_path, monkeypatch):
    assert win.lessons.start("overfit")
    lesson = win.lessons.current
    out = tmp_path / "sheet"
    answer(monkeypatch, path=out, lesson=lesson)
    win.findChild(QAction, "print_worksheet").trigger()
    pdf, html = tmp_path / "sheet.pdf", tmp_path / "sheet.html"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = html.read_text(encoding="utf-8")
    assert "Lesson 6: Too many knobs" in text
    assert all(task.text.split(".")[0] in text for task in lesson.tasks)
    assert win.findChild(QMessageBox, "worksheet_written") is not None
