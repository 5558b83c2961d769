"""Crash recovery for real: knobsim killed with SIGKILL offers its autosave at the next start.

The crash happens in a real process (tests/ui/recovery_driver.py: knobs dragged by mouse,
an autosave, then SIGKILL). The next start runs in this process through ``knobsim.cli.main``
(what the ``knobsim`` command runs), and its questions are answered by clicking their
buttons, as a person does.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import traceback
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox
from recovery_driver import fingerprint

from knobsim import cli
from knobsim.core.data.datasets import make_dataset
from knobsim.core.io import sessionfile
from knobsim.core.models.machines import make_model
from knobsim.core.training.session import Session
from knobsim.ui.controller.session_controller import SessionController
from knobsim.ui.window import errors, files
from knobsim.ui.window.autosave import AUTOSAVE_NAME, LOCK_NAME, crashed_session
from knobsim.ui.window.main_window import MainWindow

DRIVER = Path(__file__).with_name("recovery_driver.py")
LEFT = Qt.MouseButton.LeftButton


def _crash(tmp_path: Path, data: Path) -> dict:
    """Run a person's session in its own process, wait for its autosave, kill it -9;
    returns what the session held when it was autosaved."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "share"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        KNOBSIM_DATA_DIR=str(data),
        KNOBSIM_AUTOSAVE_SECONDS="0.5",
    )
    log = tmp_path / "driver-stderr.txt"  # a file: a full pipe would block the driver
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, str(DRIVER)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
        )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(proc.stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=60)
    except queue.Empty:
        line = ""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    err = log.read_text()
    assert proc.returncode == -signal.SIGKILL, err
    assert line.startswith("{"), f"the driver printed nothing; its stderr:\n{err}"
    return json.loads(line)


def _run_knobsim(monkeypatch, data: Path, answer: dict[str, str]) -> dict:
    """Run ``knobsim`` (no arguments) here until its window shows; each modal question
    whose title contains a key of ``answer`` gets the button of that objectName clicked.
    Returns what was seen: the questions, the window's session, the unsaved prompt."""
    monkeypatch.setenv("KNOBSIM_DATA_DIR", str(data))
    monkeypatch.setattr(SessionController, "use_process", False)  # no worker to reap
    seen: dict = {"questions": [], "unsaved_asked": 0}

    def ask_unsaved(self):
        seen["unsaved_asked"] += 1
        return files.DISCARD

    monkeypatch.setattr(files.SessionFiles, "ask_unsaved", ask_unsaved)
    # an error inside the app would open a modal box: note it instead
    monkeypatch.setattr(
        errors, "show", lambda box: seen.setdefault("app_errors", []).append(box.text())
    )

    def poll():
        try:
            for w in QApplication.topLevelWidgets():
                if isinstance(w, QMessageBox) and w.isVisible():
                    title = w.windowTitle()
                    key = next((k for k in answer if k in title), None)
                    seen["questions"].append((title, w.text() + " " + w.informativeText()))
                    button = next(
                        (b for b in w.findChildren(QAbstractButton)
                         if key and answer[key] in (b.objectName(), b.text().replace("&", ""))),
                        None,
                    )  # fmt: skip
                    if button is None:
                        raise AssertionError(f"unexpected question {title!r}")
                    QTest.mouseClick(button, LEFT)
                    return
            win = next(
                (w for w in QApplication.topLevelWidgets()
                 if isinstance(w, MainWindow) and w.isVisible()),
                None,
            )  # fmt: skip
            if win is not None and "window" not in seen:
                seen["window"] = win
                QTest.qWait(350)  # settled: deferred refreshes have run
                seen["audit"] = win.audit()
                seen["session"] = win.controller.session
                seen["title"] = win.windowTitle()
                seen["sliders"] = {k.name: k.slider.value() for k in win.knob_panel.knobs}
                win.close()  # the last window: the app quits, as it does for a person
        except Exception:  # noqa: BLE001 - reported by the test, never a hang
            seen["failure"] = traceback.format_exc()
            QApplication.quit()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(50)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: (seen.setdefault("failure", "timed out"), QApplication.quit()))
    guard.start(20_000)
    try:
        seen["exit"] = cli.main([])
    finally:
        timer.stop()
        guard.stop()
        # a quit left over would end the next test's first dialog at once
        QApplication.removePostedEvents(QApplication.instance(), QEvent.Type.Quit)
    assert "failure" not in seen, seen["failure"]
    return seen


def _crashed_here(data: Path, session: Session) -> None:
    """The files a crashed knobsim leaves: its autosave, and a lock of a process gone."""
    data.mkdir(parents=True, exist_ok=True)
    sessionfile.save(session, data / AUTOSAVE_NAME, app={"speed": 3})
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    (data / LOCK_NAME).write_text(str(gone.pid))


def _session() -> Session:
    d = make_dataset("sine", n_points=20, seed=3)
    s = Session(make_model("poly", d, degree=3), d, seed=0)
    s.step(37)
    s.set_param("c1", 0.123456789)
    return s


def test_after_kill_9_the_next_start_restores_knobs_data_and_history(
    tmp_path, tmp_settings, monkeypatch
):
    data = tmp_path / "data"
    before = _crash(tmp_path, data)
    assert Path(before["autosave"]).parent == data
    assert crashed_session(data) is not None  # the lock of the killed process is still there

    seen = _run_knobsim(monkeypatch, data, {"Restore": "restore_button"})

    assert len(seen["questions"]) == 1 and "did not close properly" in seen["questions"][0][1]
    after = fingerprint(seen["session"])
    del before["autosave"]
    assert after == before  # knobs, data and history, bit for bit
    assert seen["audit"] == []  # and the window shows them
    assert before["model"] == "line" and before["step_count"] >= 200
    assert len(before["marks"]) >= 2  # the hand moves (before and after training) too
    assert seen["sliders"]["b"] == pytest.approx(float.fromhex(before["params"][1]), abs=1e-3)
    assert seen["title"].startswith("untitled *")  # in no file yet: unsaved
    assert seen["unsaved_asked"] == 1  # so closing asked to save it
    assert seen["exit"] == 0 and "app_errors" not in seen
    assert crashed_session(data) is None  # a clean quit: nothing offered next time


def test_declining_discards_the_autosave_and_starts_fresh(tmp_path, tmp_settings, monkeypatch):
    data = tmp_path / "data"
    _crashed_here(data, _session())
    seen = _run_knobsim(monkeypatch, data, {"Restore": "discard_button"})
    assert [t for t, _ in seen["questions"]] == ["Restore your knobs?"]
    assert seen["session"].model.name == "line"  # the start a person gets
    assert seen["unsaved_asked"] == 0
    assert crashed_session(data) is None
    saved, _, _ = sessionfile.load(data / AUTOSAVE_NAME)  # the new run's, from its clean quit
    assert saved.model.name == "line"


def test_an_unreadable_autosave_is_reported_and_kept_not_deleted(
    tmp_path, tmp_settings, monkeypatch
):
    data = tmp_path / "data"
    _crashed_here(data, _session())
    whole = (data / AUTOSAVE_NAME).read_bytes()
    (data / AUTOSAVE_NAME).write_bytes(whole[: len(whole) // 2])  # cut off mid-write
    seen = _run_knobsim(monkeypatch, data, {"cannot be read": "OK"})
    titles = [t for t, _ in seen["questions"]]
    assert len(titles) == 1 and "cannot be read" in titles[0]
    kept = list(data.glob("autosave-*.unreadable"))
    assert len(kept) == 1 and kept[0].read_bytes() == whole[: len(whole) // 2]
    assert str(kept[0]) in seen["questions"][0][1]
    assert seen["session"].model.name == "line" and seen["exit"] == 0
