"""File > Save / Open / Open Recent, unsaved-changes prompts, and exports from the menu."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox, QWidget

from knobsim.core.data.datasets import make_dataset
from knobsim.core.io import sessionfile
from knobsim.core.models.machines import make_model
from knobsim.core.training.session import Session
from knobsim.ui.window import files


@pytest.fixture
def window(qtbot, tmp_settings):
    from knobsim.app import create_window

    data = make_dataset("circles", n_points=60, seed=0)
    session = Session(make_model("mlp", data, hidden=(4, 2)), data, optimizer="adam")
    win = create_window(session, restore=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_save_then_open_restores_the_session(window, tmp_path, monkeypatch):
    c, f = window.controller, window.files
    window.findChild(QWidget, "knob:W1[0,1]").setValue(2.5)
    for _ in range(3):
        c.step_once()
    c.set_locked(0, True)
    c.set_speed(4)
    assert f.dirty and window.windowTitle().startswith("untitled *")
    target = tmp_path / "circles"
    monkeypatch.setattr(f, "ask_save_path", lambda *a: str(target))
    assert f.save()
    saved = tmp_path / "circles.knobsim"
    assert saved.exists() and not f.dirty
    assert window.windowTitle().startswith("circles.knobsim —")
    theta = c.params.copy()

    c.reset()
    c.set_speed(1)
    monkeypatch.setattr(f, "ask_unsaved", lambda: files.DISCARD)
    assert f.open_session(saved)
    np.testing.assert_array_equal(c.params, theta)
    assert c.session.is_locked(0) and c.speed_index == 4
    assert not f.dirty and f.recent()[0].endswith("circles.knobsim")
    assert c.undo_stack.count() == 0


def test_unsaved_changes_prompt_can_cancel_save_or_discard(window, tmp_path, monkeypatch):
    c, f = window.controller, window.files
    other = sessionfile.save(c.session, tmp_path / "other.knobsim")
    c.step_once()
    theta = c.params.copy()
    monkeypatch.setattr(f, "ask_unsaved", lambda: files.CANCEL)
    assert not f.open_session(other)
    np.testing.assert_array_equal(c.params, theta)  # nothing thrown away
    monkeypatch.setattr(f, "ask_unsaved", lambda: files.SAVE)
    monkeypatch.setattr(f, "ask_save_path", lambda *a: str(tmp_path / "kept.knobsim"))
    assert f.open_session(other)
    kept, _, _ = sessionfile.load(tmp_path / "kept.knobsim")
    np.testing.assert_array_equal(kept.params, theta)


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_the_window(window, monkeypatch):
    window.controller.step_once()
    asked = []
    monkeypatch.setattr(window.files, "ask_unsaved", lambda: asked.append(1) or files.CANCEL)
    window.close()
    assert asked and window.isVisible()


@pytest.mark.parametrize(
    "content",
    [b"not json", b'{"format": "knobsim-session", "version": 99}', b"", b'{"format": "kn'],
)
def test_a_bad_session_file_is_reported_and_the_session_kept(window, tmp_path, content, qtbot):
    c, f = window.controller, window.files
    bad = tmp_path / "bad.knobsim"
    bad.write_bytes(content)
    before = c.params.copy()
    session = c.session
    assert not f.open_session(bad)
    box = window.findChild(QMessageBox, "session_error")
    assert box is not None and "bad.knobsim" in box.text()
    assert c.session is session
    np.testing.assert_array_equal(c.params, before)
    box.close()


def test_open_recent_lists_saved_sessions(window, tmp_path, monkeypatch):
    f = window.files
    monkeypatch.setattr(f, "ask_save_path", lambda *a: str(tmp_path / "a.knobsim"))
    f.save_as()
    f._fill_recent()
    names = [a.text() for a in f.recent_menu.actions()]
    assert names == ["a.knobsim"]


def test_exports_from_the_menu(window, tmp_path):
    f = window.files
    assert f.export_plot("fit", str(tmp_path / "fit.png"))
    assert f.export_plot("landscape", str(tmp_path / "land.svg"))
    assert "<svg" in (tmp_path / "land.svg").read_text()
    assert f.export_csv("history", str(tmp_path / "h.csv"))
    assert (tmp_path / "h.csv").read_text().startswith("step,train_loss,test_loss")
    assert f.export_csv("weights", str(tmp_path / "w.csv"))
    assert "W1[0,0]" in (tmp_path / "w.csv").read_text()
    steps = window.controller.session.step_count
    assert f.export_gif(str(tmp_path / "run.gif"), frames=4, steps_per_frame=5)
    with Image.open(tmp_path / "run.gif") as im:
        assert im.n_frames == 4
    assert window.controller.session.step_count == steps + 20


def test_session_file_from_the_command_line_sets_the_title(window, tmp_path):
    path = sessionfile.save(window.controller.session, tmp_path / "lesson.knobsim")
    window.set_session_path(path)
    assert window.windowTitle().startswith("lesson.knobsim —")
    assert json.loads(path.read_text())["format"] == "knobsim-session"
