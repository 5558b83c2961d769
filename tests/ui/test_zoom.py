"""Projector zoom: Ctrl+plus / Ctrl+minus / Ctrl+0 scale every text, the layout still fits,
and the zoom is there again at the next start."""

from __future__ import annotations

import pytest
from hands import key
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QScrollArea

from knobsim.core.data.catalog import session_for

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(autouse=True)
def _actual_size_after(qapp):
    """The font is the application's: every test leaves it at 100% for the next."""
    size = qapp.font().pointSizeF()
    yield
    font = qapp.font()
    font.setPointSizeF(size)
    qapp.setFont(font)


def _fits(win) -> list[str]:
    problems = []
    column = win.findChild(QScrollArea, "controls")
    if column.width() < column.widget().minimumSizeHint().width():
        problems.append(f"the control column is cut: {column.width()} px")
    for tabs in (win.analysis_tabs, win.output_tabs):
        bar = tabs.tabBar()
        if bar.isVisible() and bar.width() < bar.sizeHint().width():
            problems.append(f"{tabs.objectName()}'s tabs are clipped")
    knobs = win.knob_panel.findChild(QScrollArea)
    if knobs.horizontalScrollBar().maximum() > 0:
        problems.append("the knob rows scroll sideways")
    return problems


def test_ctrl_plus_and_minus_scale_every_text_and_ctrl_0_brings_it_back(open_window, qtbot):
    win = open_window(session_for("poly", "sine"), size=(1920, 1080))
    qtbot.wait(100)
    base = QApplication.font().pointSizeF()
    editor = win.knob_panel.knob("c1").editor
    title = win.capacity_panel.count_label  # a bold title sized 1.25x by hand
    editor_size, title_size = editor.font().pointSizeF(), title.font().pointSizeF()
    win.train_button.setFocus()  # where a person left it
    key(Qt.Key.Key_Plus, CTRL)
    key(Qt.Key.Key_Plus, CTRL)
    qtbot.wait(100)
    assert win.zoom.factor == 1.5
    assert QApplication.font().pointSizeF() == pytest.approx(1.5 * base)
    # the knob rows are built again with the bigger numbers; the titles keep their 1.25x
    editor = win.knob_panel.knob("c1").editor
    assert editor.font().pointSizeF() == pytest.approx(1.5 * editor_size)
    assert title.font().pointSizeF() == pytest.approx(1.5 * title_size)
    axis = win.fit_plot.plot_item.getAxis("bottom")
    assert axis.label.font().pointSizeF() >= 1.4 * base
    assert _fits(win) == []
    qtbot.wait(350)
    assert win.audit() == []
    key(Qt.Key.Key_Minus, CTRL)
    qtbot.wait(50)
    assert win.zoom.factor == 1.25
    key(Qt.Key.Key_0, CTRL)
    qtbot.wait(100)
    assert win.zoom.factor == 1.0
    assert QApplication.font().pointSizeF() == pytest.approx(base)
    assert win.knob_panel.knob("c1").editor.font().pointSizeF() == pytest.approx(editor_size)
    assert title.font().pointSizeF() == pytest.approx(title_size)
    assert _fits(win) == []


def test_zoom_stops_at_200_percent_and_at_100(open_window, qtbot):
    win = open_window(session_for("line", "linear"))
    for _ in range(8):
        win.zoom.zoom_in()
    assert win.zoom.factor == 2.0
    for _ in range(8):
        win.zoom.zoom_out()
    assert win.zoom.factor == 1.0


@pytest.mark.parametrize("model", ["line", "mlp", "nextword"])
def test_at_150_percent_on_1920x1080_nothing_clips(open_window, qtbot, model):
    from knobsim.core.data.catalog import DEFAULT_DATASET

    win = open_window(session_for(model, DEFAULT_DATASET[model]), size=(1920, 1080))
    win.lessons.dock.hide()
    qtbot.wait(50)
    win.zoom.set(1.5)
    qtbot.wait(350)
    # (the next-word model's grid of 121 knobs scrolls sideways at any zoom, as a table does)
    problems = [p for p in _fits(win) if model != "nextword" or "sideways" not in p]
    assert problems == []
    assert win.audit() == []


def test_the_zoom_is_saved_for_the_next_start(open_window, qtbot):
    win = open_window(session_for("line", "linear"))
    win.zoom.set(1.75)
    win.files.dirty = False
    win.close()
    again = open_window(session_for("line", "linear"))  # restores what was saved
    assert again.zoom.factor == 1.75
    assert QApplication.font().pointSizeF() == pytest.approx(1.75 * again.zoom._base.pointSizeF())


def test_a_zoom_the_screen_has_no_room_for_goes_back_and_says_why(open_window, qtbot):
    """At 1280x800 with the lessons panel open, 125% would need a wider window than the
    screen: the window would hang off it. The zoom goes back, and the status bar says so."""
    win = open_window(session_for("line", "linear"), size=(1280, 800))
    win.lessons.show_start_page()
    qtbot.wait(100)
    win.train_button.setFocus()
    key(Qt.Key.Key_Plus, CTRL)
    qtbot.waitUntil(lambda: "needs a window" in win.statusBar().currentMessage(), timeout=2000)
    assert win.zoom.factor == 1.0
    assert QApplication.font().pointSizeF() == pytest.approx(win.zoom._base.pointSizeF())
    qtbot.wait(50)
    assert (win.width(), win.height()) == (1280, 800)
    # with the panel closed there is room
    win.lessons.dock.hide()
    qtbot.wait(50)
    key(Qt.Key.Key_Plus, CTRL)
    qtbot.wait(100)
    assert win.zoom.factor == 1.25 and win.width() == 1280
    assert _fits(win) == []
