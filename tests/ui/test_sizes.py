"""Minimum sizes that keep every control usable: no knob slider under 120 px (the panel
scrolls instead), and no splitter handle or small window squeezes a view to nothing.

Splitter handles are dragged with the mouse (press, move, release on the handle widget)
to both ends; the window is resized to 800x500, to its minimum and to nothing.
"""

from __future__ import annotations

import pytest
from hands import drag
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtWidgets import QApplication, QSplitter

from knobsim.core.data.corpus import builtin_corpus
from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.session import Session
from knobsim.ui.knobs.panel import COMPACT_SLIDER_PX, PANEL_MIN_PX, SLIDER_MIN_PX

#: the least a plot's drawing area (inside its axes) keeps, in pixels
PLOT_MIN = QSize(100, 50)


def _problems(win) -> list[str]:
    """Every knob slider shorter than it is designed to be, every plot drawing area under
    PLOT_MIN, and every splitter pane squeezed under its minimum."""
    found = []
    for knob in win.knob_panel.knobs:
        s = knob.slider
        if knob.compact:
            if s.height() < COMPACT_SLIDER_PX:
                found.append(f"knob {knob.name}: slider {s.height()} px tall")
        elif s.width() < SLIDER_MIN_PX:
            found.append(f"knob {knob.name}: slider {s.width()} px wide")
    plots = {
        "fit": win.fit_plot,
        "loss": win.loss_plot.plot_widget,
        "landscape": win.landscape_plot.plot_widget,
        "error by knobs": win.capacity_panel.sweep_plot,
    }
    if win._nextword_view is not None:
        plots["next word"] = win.nextword_view.bars_plot
    for name, plot in plots.items():
        if not plot.isVisible():
            continue
        box = plot.getPlotItem().getViewBox().sceneBoundingRect()
        if box.width() < PLOT_MIN.width() or box.height() < PLOT_MIN.height():
            found.append(f"{name} plot draws in {box.width():.0f}x{box.height():.0f} px")
    net = win.network_view.viewport()
    if net.width() < 100 or net.height() < 80:
        found.append(f"network view {net.width()}x{net.height()} px")
    for splitter in win.findChildren(QSplitter):
        for i, size in enumerate(splitter.sizes()):
            pane = splitter.widget(i)
            if pane.isVisible() and size <= 0:
                found.append(f"{splitter.objectName()} pane {i} squeezed to nothing")
    return found


def _drag_handles_to_the_ends(win, qtbot) -> list[str]:
    """Drag every handle of every splitter as far as it goes each way; the problems seen
    after each drag."""
    found = []
    for splitter in win.findChildren(QSplitter):
        if not splitter.isVisible():
            continue
        horizontal = splitter.orientation() == Qt.Orientation.Horizontal
        for i in range(1, splitter.count()):
            handle = splitter.handle(i)
            for far in (-3000, 3000):
                start = handle.rect().center()
                end = start + (QPoint(far, 0) if horizontal else QPoint(0, far))
                drag(handle, start, end, steps=6, qtbot=qtbot)
                QApplication.processEvents()
                found += [
                    f"{splitter.objectName()} handle {i} to {far}: {p}" for p in _problems(win)
                ]
    return found


@pytest.mark.parametrize("model", ["line", "mlp"])
def test_splitter_handles_dragged_to_the_ends_squeeze_nothing(open_window, qtbot, model):
    data = make_dataset("circles" if model == "mlp" else "linear", seed=0)
    win = open_window(Session(make_model(model, data), data, seed=0))
    win.lessons.show_start_page()  # the lesson dock takes its width too
    qtbot.wait(50)
    assert _problems(win) == []
    assert _drag_handles_to_the_ends(win, qtbot) == []
    # the knob panel pushed as narrow as it goes: its rows (a slider under the name) still
    # fit whole, with no sideways scrolling; their shorter sliders turn relative, at a
    # 200th of the range a pixel (see test_knob_resolution.py)
    handle = win.splitter.handle(2)
    drag(handle, handle.rect().center(), handle.rect().center() + QPoint(3000, 0), qtbot=qtbot)
    QApplication.processEvents()
    panel = win.knob_panel
    assert panel.scroll.width() == panel.scroll.minimumWidth() <= PANEL_MIN_PX
    assert panel.scroll.horizontalScrollBar().maximum() == 0
    assert _problems(win) == []
    win.controller.set_training(False)
    qtbot.wait(350)
    assert win.audit() == []


def test_a_small_window_keeps_every_slider_and_plot_usable(open_window, qtbot):
    data = make_dataset("sine", seed=0)
    win = open_window(Session(make_model("poly", data, degree=5), data, seed=0))
    for size in (QSize(800, 500), win.minimumSize(), QSize(1, 1), QSize(0, 0)):
        win.resize(size)
        qtbot.wait(30)
        assert win.width() >= win.minimumWidth() and win.height() >= win.minimumHeight()
        assert _problems(win) == [], size
        assert _drag_handles_to_the_ends(win, qtbot) == [], size
    # small enough for a 1280x800 screen with the lesson dock open
    win.lessons.show_start_page()
    qtbot.wait(30)
    assert win.minimumWidth() <= 1280 - 20 and win.minimumHeight() <= 500
    win.resize(1280, 800)
    qtbot.wait(350)
    assert win.audit() == []


def test_the_next_word_grid_keeps_its_slider_length_and_scrolls(open_window, qtbot):
    data = builtin_corpus("rhymes").to_dataset()
    win = open_window(Session(make_model("nextword", data), data, seed=0))
    win.resize(win.minimumSize())
    qtbot.wait(30)
    assert _problems(win) == []
    panel = win.knob_panel
    assert panel.scroll.horizontalScrollBar().maximum() > 0  # the grid scrolls sideways
    assert panel.scroll.width() >= panel.scroll.minimumWidth() > 0
