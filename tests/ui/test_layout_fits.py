"""The window fits a laptop screen: the big buttons never scroll away, no tab bar is clipped."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QScrollArea, QToolButton

SIZES = [(1280, 800), (1366, 768), (1920, 1080)]


def _tab_bars_whole(win) -> list[str]:
    problems = []
    for tabs in (win.analysis_tabs, win.output_tabs):
        bar = tabs.tabBar()
        if not bar.isVisible():
            continue
        if bar.width() < bar.sizeHint().width():
            problems.append(f"{tabs.objectName()}: {bar.width()} < {bar.sizeHint().width()} px")
        arrows = [b for b in bar.findChildren(QToolButton) if b.isVisible()]
        if arrows:
            problems.append(f"{tabs.objectName()}: scroll arrows shown")
    return problems


@pytest.mark.parametrize("size", SIZES)
def test_train_step_reset_stay_in_view_and_tabs_are_whole(open_window, qtbot, size):
    win = open_window(size=size)
    qtbot.wait(350)
    column = win.findChild(QScrollArea, "controls")
    for button in (win.train_button, win.step_button, win.reset_button):
        assert button.isVisible()
        assert not column.isAncestorOf(button), f"{button.text()} scrolls away with the settings"
        top_left = button.mapTo(win, button.rect().topLeft())
        assert win.rect().contains(top_left)
    assert _tab_bars_whole(win) == []
    # narrowing the landscape's side as far as the splitter lets it still shows every tab
    sizes = win.bottom.sizes()
    win.bottom.setSizes([sum(sizes), 0])
    qtbot.wait(50)
    assert _tab_bars_whole(win) == []
    assert win.audit() == []


def test_a_next_word_model_shows_its_tab_bar_whole(open_window, qtbot):
    from knobsim.core.data.corpus import builtin_corpus
    from knobsim.core.models.machines import make_model
    from knobsim.core.training.session import Session

    data = builtin_corpus("rhymes").to_dataset()
    win = open_window(Session(make_model("nextword", data), data, seed=0))
    qtbot.wait(350)
    assert win.output_tabs.tabBar().isVisible()
    assert _tab_bars_whole(win) == []
    assert win.audit() == []


@pytest.mark.parametrize("dock", [False, True])
@pytest.mark.parametrize("size", [(1280, 800), (1366, 768)])
@pytest.mark.parametrize("model", ["line", "poly", "logistic", "mlp", "nextword", "embed"])
def test_the_control_column_does_not_scroll_on_a_laptop_screen(
    open_window, qtbot, model, size, dock
):
    from knobsim.core.data.catalog import DEFAULT_DATASET, session_for

    win = open_window(session_for(model, DEFAULT_DATASET[model]), size=size)
    if dock:
        win.lessons.show_start_page()
    else:
        win.lessons.dock.hide()
    qtbot.wait(350)
    # the window fits the screen: with the lessons open, the word models made it 1,330 px
    # wide on a 1,280 px screen (the knob panel's right edge off the screen)
    assert win.width() <= size[0], f"{win.width()} px wide, minimum {win.minimumSizeHint()}"
    column = win.findChild(QScrollArea, "controls")
    assert not column.verticalScrollBar().isVisible()
    assert _tab_bars_whole(win) == []
    assert win.audit() == []


def test_two_words_of_context_fill_the_network_view_not_a_strip(open_window, qtbot):
    """1,331 knobs: 121 rows of 11 cells. In one column they were a strip 30 px wide; the
    rows wrap into side-by-side blocks, so the cells are big enough to see and click."""
    from knobsim.core.data.catalog import session_for

    win = open_window(session_for("nextword", "rhymes", context=2), size=(1280, 800))
    qtbot.wait(350)
    view = win.network_view
    rects = [c.rect() for c in view.cells.values()]
    assert len(rects) == 1331
    left = min(r.left() for r in rects)
    right = max(r.right() for r in rects)
    assert right - left > 0.6 * view.viewport().width()
    assert min(r.width() for r in rects) >= 4.0
    assert win.audit() == []
