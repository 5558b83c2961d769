"""Read-outs while training: throttled, repainted without a relayout, exact when paused."""

from __future__ import annotations

from hands import PaintCounter
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QPushButton

from knobsim.ui.widgets import ReadoutLabel, Throttle


def test_throttle_calls_at_once_when_idle_and_at_most_once_per_interval_when_busy(qtbot):
    calls = []
    busy = [False]
    owner = QObject()
    throttle = Throttle(lambda: calls.append(1), 50, lambda: busy[0], owner)
    throttle()
    throttle()
    assert len(calls) == 2  # idle: every change shows at once
    busy[0] = True
    for _ in range(10):
        throttle()
    assert len(calls) == 2  # busy: nothing sooner than the interval after the last call...
    qtbot.wait(60)
    throttle()
    assert len(calls) == 3  # ...and the first change after it shows
    throttle()
    assert len(calls) == 3


def test_readout_label_repaints_at_once_and_relayouts_when_the_text_settles(qtbot):
    label = ReadoutLabel()
    qtbot.addWidget(label)
    label.setText("<b>one</b>")
    label.show()
    assert QLabel.text(label) == "<b>one</b>"  # the first text sizes the label
    label.setText("<b>two</b>")
    label.setText("<b>three</b>")
    assert label.text() == "<b>three</b>"
    assert QLabel.text(label) == "<b>one</b>"  # no relayout while it keeps changing
    label.grab()  # paints the new text without raising
    qtbot.waitUntil(lambda: QLabel.text(label) == "<b>three</b>", timeout=2000)


def test_error_label_is_exact_after_a_pause(window, qtbot):
    c = window.controller
    train = window.findChild(QPushButton, "train")
    train.click()
    qtbot.waitUntil(lambda: c.session.step_count > 200, timeout=10_000)
    train.click()
    text = window.findChild(QLabel, "error_label").text()
    assert f"step {c.session.step_count:,}<" in text
    assert f"{c.session.train_loss:.4g}"[:5] in text


def test_slower_refreshes_run_one_per_tick_while_training_and_at_once_when_paused(window, qtbot):
    c = window.controller
    ran = []
    c.refresh_later("a", lambda: ran.append("a"))
    assert ran == ["a"]  # paused: at once
    c.speed_index = 1  # 1 step/s: ticks trains here, slowly; nothing else refreshes
    c.clock.running = True  # as set_training does, without starting the clock
    c.refresh_later("a", lambda: ran.append("a2"))
    c.refresh_later("b", lambda: ran.append("b"))
    c.refresh_later("a", lambda: ran.append("a3"))  # asked again: keeps its place, first fn
    assert ran == ["a"]
    c.clock.run_one_deferred()
    qtbot.waitUntil(lambda: len(ran) == 2, timeout=1000)
    assert ran == ["a", "a2"]  # one a tick, oldest first
    c.clock.run_one_deferred()
    qtbot.waitUntil(lambda: len(ran) == 3, timeout=1000)
    assert ran == ["a", "a2", "b"]
    c.refresh_later("c", lambda: ran.append("c"))
    c.clock.running = False
    c.set_training(True)
    c.set_training(False)  # a pause drops what waits: every view refreshes itself
    qtbot.wait(20)
    assert "c" not in ran


def test_readout_label_keeps_no_object_per_text_it_painted(qtbot):
    """Training sets a new text many times a second; painting each must not leave an
    object behind on the label (issue 12: a QTextDocument per text, thousands a run)."""
    label = ReadoutLabel()
    qtbot.addWidget(label)
    label.setText("<b>step 0</b>")
    label.show()
    counter = PaintCounter(label)
    label.setText("<b>step 1</b>")
    label.grab()
    before = len(label.findChildren(QObject))
    for k in range(2, 302):
        label.setText(f"<b>step {k}</b>: train {1.0 / k:.4g}")
        label.grab()  # a paint event, as each training frame brings
    assert counter.paints >= 301, "the label did not paint each text; the test is moot"
    assert QLabel.text(label) == "<b>step 0</b>"  # each text painted by ReadoutLabel itself
    assert len(label.findChildren(QObject)) == before
