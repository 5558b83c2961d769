"""Autosave writes the session; a crash leaves a lock; the next start can restore it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from knobsim.core import sessionfile
from knobsim.core.datasets import make_dataset
from knobsim.core.models import make_model
from knobsim.core.session import Session
from knobsim.ui.autosave import LOCK_NAME, Autosave, crashed_session
from knobsim.ui.controller import SessionController


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
    assert auto.save_now()
    loaded, app, _ = sessionfile.load(auto.path)
    assert loaded.value("c1") == 0.75 and app == {"speed": 2}
    mtime = auto.path.stat().st_mtime_ns
    assert auto.save_now()  # nothing changed: not written again
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
    auto.save_now()
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
    auto.save_now()
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
    assert auto.save_now() is False
    assert "Autosave failed" in auto.last_error


def test_recovery_is_offered_once_after_a_crash(qapp, tmp_path):
    from knobsim.ui.autosave import offer_recovery

    c = _controller()
    auto = Autosave(c, tmp_path)
    auto.start()
    c.set_param("c2", 0.9)
    auto.save_now()
    (tmp_path / LOCK_NAME).write_text(str(_dead_pid()))
    asked = []
    assert offer_recovery(tmp_path, lambda p: asked.append(p) or False) is None
    assert asked == [auto.path]
    restored = offer_recovery(tmp_path, lambda p: True)
    assert restored.value("c2") == 0.9


def test_an_unreadable_autosave_is_set_aside(qapp, tmp_path):
    from knobsim.ui.autosave import offer_recovery

    (tmp_path / "autosave.knobsim").write_text("{truncated")
    (tmp_path / LOCK_NAME).write_text(str(_dead_pid()))
    assert offer_recovery(tmp_path, lambda p: True) is None
    assert (tmp_path / "autosave.unreadable").exists()
    assert offer_recovery(tmp_path, lambda p: True) is None
