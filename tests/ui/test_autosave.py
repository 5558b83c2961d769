"""Autosave writes the session; a crash leaves a lock; the next start can restore it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from knobsim.core.data.datasets import make_dataset
from knobsim.core.io import sessionfile
from knobsim.core.models.machines import make_model
from knobsim.core.training.session import Session
from knobsim.ui.controller.session_controller import SessionController
from knobsim.ui.window.autosave import (
    AUTOSAVE_NAME,
    INTERVAL_ENV,
    LOCK_NAME,
    Autosave,
    crashed_session,
    interval_from_env,
    offer_recovery,
)


def _controller():
    data = make_dataset("sine", n_points=20, seed=0)
    return SessionController(Session(make_model("poly", data, degree=4), data))


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_autosave_saves_changes_and_a_clean_quit_leaves_nothing_to_recover(qapp, tmp_path):
    c = _controller()
    auto = Autosave(c, tmp_path, app_state=lambda: {"speed": 2})
    auto.start()
    assert (tmp_path / LOCK_NAME).exists()
    c.set_param("c1", 0.75)
    assert auto.save_now(wait=True)
    loaded, app, _ = sessionfile.load(auto.path)
    assert loaded.value("c1") == 0.75 and app == {"speed": 2}
    mtime = auto.path.stat().st_mtime_ns
    assert auto.save_now(wait=True)  # nothing changed: not written again
    assert auto.path.stat().st_mtime_ns == mtime
    auto.stop()
    assert not (tmp_path / LOCK_NAME).exists()
    assert crashed_session(tmp_path) is None


def test_after_a_crash_the_autosave_is_offered(qapp, tmp_path):
    c = _controller()
    auto = Autosave(c, tmp_path)
    auto.start()
    c.step_once()
    c.set_param("c0", -0.5)
    auto.save_now(wait=True)
    # simulate a crash: the process is gone, its lock is still there
    (tmp_path / LOCK_NAME).write_text(str(_dead_pid()))
    found = crashed_session(tmp_path)
    assert found == auto.path
    restored, _, _ = sessionfile.load(found)
    np.testing.assert_array_equal(restored.params, c.session.params)


def test_a_running_knobsim_is_not_taken_for_a_crash(qapp, tmp_path):
    c = _controller()
    auto = Autosave(c, tmp_path)
    auto.start()
    auto.save_now(wait=True)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / LOCK_NAME).write_text(str(sleeper.pid))
        assert crashed_session(tmp_path) is None
    finally:
        sleeper.kill()
        sleeper.wait()


def test_autosave_into_an_unwritable_place_reports_instead_of_raising(qapp, tmp_path):
    c = _controller()
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    auto = Autosave(c, tmp_path)
    auto.path = blocker / "autosave.knobsim"
    assert auto.save_now(wait=True) is False
    assert "Autosave failed" in auto.last_error
    assert auto.pending  # tried again next time


def test_the_file_is_written_off_the_window_thread_and_failures_reported(qapp, qtbot, tmp_path):
    import threading

    c = _controller()
    auto = Autosave(c, tmp_path)
    auto.start()
    returned = threading.Event()
    writers = []
    real = sessionfile.write_atomic

    def slow_write(text, path):
        writers.append((threading.current_thread() is threading.main_thread(), returned.wait(5)))
        return real(text, path)

    sessionfile.write_atomic, saved = slow_write, sessionfile.write_atomic
    try:
        assert auto.save_now()
        returned.set()  # the window got on with its work before the file was written
        qtbot.waitUntil(lambda: not auto.pending)
        assert writers == [(False, True)]
        c.set_param("c0", 0.5)
        auto.path = tmp_path / "file-not-folder" / AUTOSAVE_NAME
        (tmp_path / "file-not-folder").write_text("x")
        with qtbot.waitSignal(auto.saveFailed) as failed:
            assert auto.save_now()  # the write fails later, on its thread
        assert "Autosave failed" in failed.args[0] and auto.pending
    finally:
        sessionfile.write_atomic = saved


def _crash(folder, c) -> None:
    auto = Autosave(c, folder)
    auto.start()
    assert auto.save_now(wait=True)
    (folder / LOCK_NAME).write_text(str(_dead_pid()))  # the process is gone, its lock stays


def test_recovery_asks_with_the_session_and_a_declined_autosave_is_deleted(qapp, tmp_path):
    c = _controller()
    c.set_param("c2", 0.9)
    _crash(tmp_path, c)
    asked = []
    assert offer_recovery(tmp_path, lambda p, s: asked.append((p, s.value("c2"))) or False) is None
    assert asked == [(tmp_path / AUTOSAVE_NAME, 0.9)]
    assert not (tmp_path / AUTOSAVE_NAME).exists()
    assert offer_recovery(tmp_path, lambda p, s: True) is None  # nothing left to offer


def test_an_accepted_autosave_comes_back_with_its_window_settings(qapp, tmp_path):
    c = _controller()
    c.set_param("c2", 0.9)
    auto = Autosave(c, tmp_path, app_state=lambda: {"speed": 4})
    auto.start()
    auto.save_now(wait=True)
    (tmp_path / LOCK_NAME).write_text(str(_dead_pid()))
    session, app, path = offer_recovery(tmp_path, lambda p, s: True)
    assert path == tmp_path / AUTOSAVE_NAME
    np.testing.assert_array_equal(session.params, c.session.params)
    assert app == {"speed": 4}


def test_an_unanswered_question_keeps_the_autosave_as_a_session_file(qapp, tmp_path):
    c = _controller()
    _crash(tmp_path, c)
    assert offer_recovery(tmp_path, lambda p, s: None) is None
    kept = list(tmp_path.glob("autosave-*.knobsim"))
    assert len(kept) == 1
    np.testing.assert_array_equal(sessionfile.load(kept[0])[0].params, c.session.params)
    assert crashed_session(tmp_path) is None


def test_an_unreadable_autosave_is_set_aside_with_a_message_and_never_overwritten(qapp, tmp_path):
    told = []
    for text in ("{truncated", "{also truncated"):
        (tmp_path / AUTOSAVE_NAME).write_text(text)
        (tmp_path / LOCK_NAME).write_text(str(_dead_pid()))
        assert offer_recovery(tmp_path, lambda p, s: True, told.append) is None
    kept = sorted(tmp_path.glob("autosave-*.unreadable"))
    assert sorted(p.read_text() for p in kept) == ["{also truncated", "{truncated"]
    assert len(told) == 2 and all("could not be read" in m for m in told)
    assert str(kept[0]) in told[0] or str(kept[1]) in told[0]
    assert offer_recovery(tmp_path, lambda p, s: True, told.append) is None


def test_a_lock_or_a_new_learning_rate_is_autosaved_too(qapp, tmp_path):
    c = _controller()
    auto = Autosave(c, tmp_path)
    auto.start()
    assert auto.save_now(wait=True)
    c.set_locked(1, True)
    assert auto.pending
    assert auto.save_now(wait=True)
    assert sessionfile.load(auto.path)[0].is_locked(1)
    c.set_learning_rate(0.0123)
    assert auto.save_now(wait=True)
    assert sessionfile.load(auto.path)[0].config.lr == 0.0123


def test_the_interval_comes_from_the_environment_when_it_is_a_number(qapp, monkeypatch):
    monkeypatch.delenv(INTERVAL_ENV, raising=False)
    assert interval_from_env() == 30_000
    for text, ms in (("0.5", 500), ("2", 2000), ("0", 30_000), ("-1", 30_000),
                     ("nan", 30_000), ("soon", 30_000)):  # fmt: skip
        monkeypatch.setenv(INTERVAL_ENV, text)
        assert interval_from_env() == ms, text
    monkeypatch.setenv(INTERVAL_ENV, "1.5")
    assert Autosave(_controller(), Path("unused")).interval == 1500


def test_an_autosave_while_training_in_the_process_has_the_workers_state(qapp, qtbot, tmp_path):
    data = make_dataset("sine", n_points=40, seed=0)
    session = Session(make_model("mlp", data, hidden=(8,)), data, seed=0)
    session.set_optimizer("adam", lr=0.01)
    c = SessionController(session)
    c.use_process = True
    auto = Autosave(c, tmp_path)
    auto.start()
    try:
        c.set_training(True)  # speed Max by default: the worker trains
        qtbot.waitUntil(lambda: c.trains_in_process, timeout=20_000)
        begun = c.session.step_count
        qtbot.waitUntil(lambda: c.session.step_count > begun + 500, timeout=20_000)
        qtbot.wait(30)  # the worker is some steps ahead of its last snapshot
        assert auto.save_now(wait=True)
        c.sync()  # whatever the worker still had comes back here now
        saved = sessionfile.load(auto.path)[0]
        # synced before saving: the file holds what the window holds now, Adam's moments too
        np.testing.assert_array_equal(saved.params, c.session.params)
        assert saved.step_count == c.session.step_count > 500
        assert sessionfile.dumps(saved) == sessionfile.dumps(c.session)
    finally:
        c.shutdown()


def test_two_knobsims_at_once_keep_their_own_autosaves(qapp, tmp_path):
    first = _controller()
    first.set_param("c0", 0.25)
    sessionfile.save(first.session, tmp_path / AUTOSAVE_NAME)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / LOCK_NAME).write_text(str(sleeper.pid))  # the first knobsim, running
        second = _controller()
        auto = Autosave(second, tmp_path)
        assert auto.start()
        assert auto.path == tmp_path / "autosave-2.knobsim"
        second.set_param("c0", -0.75)
        assert auto.save_now(wait=True)
        assert sessionfile.load(tmp_path / AUTOSAVE_NAME)[0].value("c0") == 0.25
    finally:
        sleeper.kill()
        sleeper.wait()
    # the first one is gone without a clean quit: its work is offered, not the second's
    assert crashed_session(tmp_path) == tmp_path / AUTOSAVE_NAME
    auto.stop()
    assert (tmp_path / LOCK_NAME).exists() and not (tmp_path / "running-2.lock").exists()
    assert sessionfile.load(auto.path)[0].value("c0") == -0.75
    # a third start carries on the first one's work in its place, once restored
    third = Autosave(_controller(), tmp_path)
    found = offer_recovery(tmp_path, lambda p, s: True)
    assert third.start(found.path) and third.path == tmp_path / AUTOSAVE_NAME
    assert (tmp_path / LOCK_NAME).read_text() == str(os.getpid())
    third.stop()
    assert crashed_session(tmp_path) is None


def test_a_crash_before_the_first_autosave_does_not_offer_the_run_before(qapp, tmp_path):
    before = Autosave(_controller(), tmp_path)
    before.start()
    before.stop()  # a clean quit, with its last autosave
    after = Autosave(_controller(), tmp_path)
    assert after.start()
    (tmp_path / LOCK_NAME).write_text(str(_dead_pid()))  # gone before its first autosave
    assert crashed_session(tmp_path) is None


def test_the_writer_thread_holds_nothing_of_qt(qapp, qtbot, tmp_path):
    # a thread holding the last reference to the Autosave would free its QObject (and its
    # timers) there, away from the GUI thread: Qt warns, and crashes later
    import threading

    from PySide6.QtCore import QObject

    c = _controller()
    auto = Autosave(c, tmp_path)
    auto.start()
    release = threading.Event()
    real = sessionfile.write_atomic
    sessionfile.write_atomic = lambda text, path: (release.wait(5), real(text, path))
    try:
        assert auto.save_now()
        writer = auto._writer
        held = [writer._target, *writer._args]  # what the thread keeps until it ends
        assert not any(isinstance(x, QObject) or hasattr(x, "__self__") for x in held)
        release.set()
        qtbot.waitUntil(lambda: not auto.pending)
        qtbot.waitUntil(lambda: auto._writer is None)  # the window took the outcome
        assert auto.last_error == "" and auto.path.exists()
    finally:
        sessionfile.write_atomic = real
