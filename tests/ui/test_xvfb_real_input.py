"""knobsim on a real X server (Xvfb) driven by real X input (xdotool): a knob dragged by
its handle, Space to train and to pause, the wheel over the control column.

The app runs in a subprocess through ``knobsim.app.run``, the start path of the
``knobsim`` command (first launch: the lessons' list beside the window, with the focus),
in its own HOME and data folders. A small driver inside it answers lines on stdin with
one JSON line: where the knob handles and controls are on the screen, the knob values,
the focus, and the display audit.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import textwrap
import threading
import time

import pytest

DRIVER = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtCore import QSocketNotifier, QTimer
    from PySide6.QtWidgets import (
        QApplication, QScrollArea, QStyle, QStyleOptionSlider, QWidget
    )
    from knobsim.app import ensure_app, run

    app = ensure_app()
    window = None

    def centre(w):
        p = w.mapToGlobal(w.rect().center())
        return [p.x(), p.y()]

    def handle(slider):
        opt = QStyleOptionSlider()
        slider.initStyleOption(opt)
        r = slider.style().subControlRect(
            QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle, slider
        )
        p = slider.mapToGlobal(r.center())
        return [p.x(), p.y()]

    def state(audit=False):
        c = window.controller
        focus = QApplication.focusWidget()
        column = window.findChild(QScrollArea, "controls")
        out = {
            "platform": QApplication.platformName(),
            "active": window.isActiveWindow(),
            "focus": focus.objectName() if focus is not None else None,
            "training": c.is_training,
            "step": c.session.step_count,
            "params": {n: float(v) for n, v in zip(c.model.param_names, c.params)},
            "knobs": {
                k.name: {"handle": handle(k.slider), "centre": centre(k.slider),
                         "face": k.slider.objectName(), "slider": k.slider.value(),
                         "low": k.slider.minimum(), "high": k.slider.maximum(),
                         "width": k.slider.width()}
                for k in window.knob_panel.knobs
            },
            "controls": {
                name: {"centre": centre(w), "value": w.currentText()
                       if hasattr(w, "currentText") else w.value()}
                for name in ("dataset", "noise", "points", "optimizer")
                for w in [window.findChild(QWidget, name)]
            },
            "column_scroll": column.verticalScrollBar().value(),
            "knob_style": window.knob_panel.knob_style,
            "lesson_list": centre(window.findChild(QWidget, "lesson_list")),
        }
        if audit:
            out["audit"] = window.audit()
        return out

    def say(obj):
        print(json.dumps(obj), flush=True)

    def on_line():
        line = sys.stdin.readline().strip()
        if line in ("", "quit"):
            notifier.setEnabled(False)
            window.files.dirty = False  # no question about unsaved changes
            window.close()
            return
        if line == "state":
            say(state())
        elif line == "audit":  # training paused: let the deferred refreshes run first
            QTimer.singleShot(400, lambda: say(state(audit=True)))
        elif line.startswith("resize "):  # "resize W H": the window as a person sizes it
            window.resize(*map(int, line.split()[1:3]))
            QTimer.singleShot(400, lambda: say(state()))

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(on_line)

    def find_window():
        global window
        for w in QApplication.topLevelWidgets():
            if w.objectName() == "main_window" and w.isVisible():
                window = w
                QTimer.singleShot(600, lambda: say({"ready": True, **state()}))
                return
        QTimer.singleShot(50, find_window)

    QTimer.singleShot(0, find_window)
    sys.exit(run([sys.argv[0]]))
    """
)


class RealApp:
    """knobsim in a subprocess on ``display``; ``ask`` a line, get its JSON answer."""

    def __init__(self, display: str, home) -> None:
        self.env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", HOME=str(home))
        for var, sub in (
            ("XDG_CONFIG_HOME", ".config"),
            ("XDG_DATA_HOME", ".local/share"),
            ("XDG_CACHE_HOME", ".cache"),
            ("KNOBSIM_DATA_DIR", "knobsim-data"),
        ):
            self.env[var] = str(home / sub)
        home.mkdir(parents=True, exist_ok=True)
        self.errors = home / "stderr.txt"  # a file: a full pipe would block the app
        self._errors = self.errors.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", DRIVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            text=True,
            env=self.env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.ready = self._answer(timeout=30)
        assert self.ready.get("ready"), self.ready

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def _answer(self, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self.lines.get(timeout=max(0.01, left))
            except queue.Empty:
                raise AssertionError(f"no answer from the app: {self.stderr()}") from None
            if line.startswith("{"):
                return json.loads(line)

    def ask(self, what: str = "state") -> dict:
        self.proc.stdin.write(what + "\n")
        self.proc.stdin.flush()
        return self._answer()

    def until(self, test, timeout: float = 8) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            state = self.ask()
            if test(state) or time.monotonic() > deadline:
                return state
            time.sleep(0.1)

    def xdo(self, *args: object) -> None:
        subprocess.run(["xdotool", *map(str, args)], env=self.env, check=True, timeout=20)

    def stderr(self) -> str:
        return self.errors.read_text(errors="replace")[-3000:]

    def quit(self) -> int:
        if self.proc.poll() is None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise


@pytest.fixture
def real_app(xvfb_display, tmp_path):
    if shutil.which("xdotool") is None:
        pytest.fail("xdotool is not installed (apt-get install xdotool; .ci/run does this)")
    apps = []

    def _start() -> RealApp:
        apps.append(RealApp(xvfb_display, tmp_path / f"home{len(apps)}"))
        return apps[-1]

    yield _start
    for app in apps:
        if app.proc.poll() is None:
            app.proc.kill()
            app.proc.wait()
        for stream in (app.proc.stdin, app.proc.stdout, app._errors):
            stream.close()


@pytest.mark.xvfb
def test_space_trains_from_start_up_and_a_dragged_knob_shows_the_truth(real_app):
    app = real_app()
    s = app.ready
    assert s["platform"] == "xcb"
    # the first launch, the lessons' list beside the window; no click yet: Space trains
    assert s["active"], "the window did not take the keyboard when it opened"
    start = s["params"]
    app.xdo("key", "space")
    s = app.until(lambda s: s["training"] and s["step"] > 0)
    assert s["training"] and s["step"] > 0, "Space did not start training"
    app.xdo("key", "space")
    s = app.until(lambda s: not s["training"])
    assert not s["training"], "Space did not pause"
    assert s["params"] != start
    # a click into the lesson list, then Space: it trains, and pauses
    x, y = s["lesson_list"]
    app.xdo("mousemove", x, y, "click", 1)
    s = app.until(lambda s: s["focus"] == "lesson_list")
    assert s["focus"] == "lesson_list"
    step = s["step"]
    app.xdo("key", "space")
    s = app.until(lambda s: s["training"] and s["step"] > step)
    assert s["training"], "Space in the lesson list did not train"
    app.xdo("key", "space")
    s = app.until(lambda s: not s["training"])
    assert not s["training"]
    # drag b's handle to the far left with the mouse
    b = s["knobs"]["b"]
    x, y = b["handle"]
    app.xdo("mousemove", x, y, "mousedown", 1)
    for dx in (10, 40, 120, 400):
        app.xdo("mousemove", x - dx, y)
    app.xdo("mouseup", 1)
    s = app.ask("audit")
    assert s["focus"] == "slider:b"
    assert s["params"]["b"] == pytest.approx(b["low"], abs=1e-9)
    assert s["audit"] == []
    dragged = s["params"]["b"]
    # Train, then pause: training brings b back, and its handle follows
    app.xdo("key", "space")
    s = app.until(lambda s: s["training"] and s["params"]["b"] != dragged)
    app.xdo("key", "space")
    s = app.until(lambda s: not s["training"])
    s = app.ask("audit")
    assert not s["training"] and s["params"]["b"] != dragged
    assert s["audit"] == [], s["audit"]
    assert all(k["width"] >= 120 for k in s["knobs"].values())
    assert app.quit() == 0, app.stderr()


@pytest.mark.xvfb
def test_a_real_wheel_scrolls_the_control_column_past_its_settings(real_app):
    app = real_app()
    # short enough that the settings scroll (on a laptop screen they fit unscrolled)
    s = app.ask("resize 1280 560")
    before = {name: c["value"] for name, c in s["controls"].items()}
    # the pointer over the Dataset combo box, the wheel turned down three notches
    x, y = s["controls"]["dataset"]["centre"]
    app.xdo("mousemove", x, y)
    for _ in range(3):
        app.xdo("click", 5)
    s = app.until(lambda s: s["column_scroll"] > 0)
    assert {name: c["value"] for name, c in s["controls"].items()} == before
    assert s["column_scroll"] > 0, "the column did not scroll"
    assert s["focus"] != "dataset"
    # the same over Points, wherever it is now
    x, y = s["controls"]["points"]["centre"]
    scrolled = s["column_scroll"]
    app.xdo("mousemove", x, y, "click", 4)
    s = app.until(lambda s: s["column_scroll"] != scrolled)
    assert {name: c["value"] for name, c in s["controls"].items()} == before
    # a click gives Noise the focus; then the wheel turns it
    x, y = s["controls"]["noise"]["centre"]
    app.xdo("mousemove", x, y, "click", 1)
    s = app.until(lambda s: s["focus"] == "noise")
    assert s["focus"] == "noise"
    app.xdo("click", 4)
    s = app.until(lambda s: s["controls"]["noise"]["value"] != before["noise"])
    assert s["controls"]["noise"]["value"] == pytest.approx(before["noise"] + 0.02)
    s = app.ask("audit")
    assert s["audit"] == [], s["audit"]
    assert app.quit() == 0, app.stderr()


@pytest.mark.xvfb
def test_dials_chosen_from_the_view_menu_by_keys_and_one_turned_up_by_the_mouse(real_app):
    app = real_app()
    assert app.ready["knob_style"] == "sliders"
    app.xdo("key", "alt+v")  # View
    app.xdo("key", "k")  # Knob style
    app.xdo("key", "d")  # Dials
    s = app.until(lambda s: s["knob_style"] == "dials")
    assert s["knob_style"] == "dials", "View > Knob style > Dials did not switch"
    w = s["knobs"]["w"]
    assert w["face"] == "dial:w"
    x, y = w["centre"]
    app.xdo("mousemove", x, y, "mousedown", 1)
    for dy in (10, 20, 30, 40):  # up 40 px: more
        app.xdo("mousemove", x, y - dy)
    app.xdo("mouseup", 1)
    s = app.ask("audit")
    assert s["focus"] == "dial:w"
    pixel = (w["high"] - w["low"]) / 200  # a dial turns 1/200 of its range a pixel
    assert s["params"]["w"] == pytest.approx(w["slider"] + 40 * pixel, abs=1.5 * pixel)
    assert s["audit"] == [], s["audit"]
    assert app.quit() == 0, app.stderr()
