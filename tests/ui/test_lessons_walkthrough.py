"""Every built-in lesson, done the way a person would do it, from the start page to the game.

The last lesson lays out 1,331 next-word knobs, which alone takes about two seconds.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from hands import click, drag, drag_ghost, drag_slider_to, find, handle_center, key, press, release
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
)

WAIT_MS = 8000


@pytest.fixture
def window(open_window):
    return open_window()


def fastest(win) -> None:
    """Drag the speed slider to Max, as an impatient person (or a test) would."""
    slider = find(win, "speed", QSlider)
    slider.setValue(slider.maximum())


def train(qtbot, win, until) -> None:
    """Press Train, wait for ``until()``, press Train again to pause."""
    fastest(win)
    click(qtbot, win, "train")
    qtbot.waitUntil(until, timeout=WAIT_MS)
    if win.controller.is_training:
        click(qtbot, win, "train")


def on_task(win, i: int):
    return lambda: win.lessons.runner.task_index >= i


def done(win):
    return lambda: find(win, "next_lesson", QPushButton).isEnabled()


# -- what a person does in each lesson ------------------------------------------------------------
def do_knobs(qtbot, win) -> None:
    assert not find(win, "train").isVisible()  # by hand only
    find(win, "knob:w").setValue(0.84)
    find(win, "knob:b").setValue(0.31)


def do_train(qtbot, win) -> None:
    assert find(win, "train").isVisible()
    train(qtbot, win, done(win))


def do_step_size(qtbot, win) -> None:
    assert win.controller.config.lr == 0.001
    fastest(win)
    click(qtbot, win, "train")
    qtbot.waitUntil(on_task(win, 1), timeout=WAIT_MS)  # 300 slow steps
    find(win, "learning_rate").setValue(0.1)
    qtbot.waitUntil(on_task(win, 2), timeout=WAIT_MS)
    click(qtbot, win, "train")  # pause: the lesson walks the explosion with Step
    qtbot.waitUntil(lambda: not win.controller.is_training, timeout=WAIT_MS)
    drag_slider_to(find(win, "knob:b").slider, 2.0, qtbot=qtbot)
    find(win, "learning_rate").setValue(2.0)
    bs = []
    for _ in range(8):
        if on_task(win, 3)():
            break
        bs.append(win.controller.session.value("b"))
        click(qtbot, win, "step")
        qtbot.wait(50)
    qtbot.waitUntil(on_task(win, 3), timeout=WAIT_MS)  # exploded, in a few presses
    assert len(bs) <= 5 and abs(bs[2]) > abs(bs[1]) > abs(bs[0])  # further each time
    assert not win.controller.is_training
    assert find(win, "explosion_banner").isVisible()
    slider = find(win, "scrubBar", QSlider)
    handle = handle_center(slider)
    press(slider, handle)  # a click on the handle: the focus, no move
    release(slider, handle)
    assert slider.hasFocus() and win.controller.scrub_step is None
    steps = win.controller.session.timeline.steps
    for _ in range(3):
        key(Qt.Key.Key_Left)
    qtbot.waitUntil(done(win), timeout=WAIT_MS)
    assert win.controller.scrub_step == steps[-4]
    qtbot.wait(350)
    assert win.audit() == []


def do_memory(qtbot, win) -> None:
    find(win, "knob:c3").setValue(0.0)
    qtbot.waitUntil(on_task(win, 1))
    click(qtbot, win, "lock:c3")
    fastest(win)
    click(qtbot, win, "train")
    qtbot.waitUntil(on_task(win, 2), timeout=WAIT_MS)
    assert win.controller.session.value("c3") == 0.0  # locked: Train left it alone
    click(qtbot, win, "lock:c3")  # unlock while training runs on
    qtbot.waitUntil(done(win), timeout=WAIT_MS)
    click(qtbot, win, "train")


def do_underfit(qtbot, win) -> None:
    fastest(win)
    click(qtbot, win, "train")
    qtbot.waitUntil(on_task(win, 1), timeout=WAIT_MS)
    find(win, "capacity", QSlider).setValue(3)
    qtbot.waitUntil(done(win), timeout=WAIT_MS)
    click(qtbot, win, "train")
    assert win.controller.model.degree == 3


def do_overfit(qtbot, win) -> None:
    fastest(win)
    click(qtbot, win, "train")
    qtbot.waitUntil(on_task(win, 1), timeout=WAIT_MS)
    # back to where the test error was lowest, with a hand on the scrub bar
    click(qtbot, win, "train")  # pause, to find that step in peace
    c = win.controller
    steps = c.session.timeline.steps
    test = [c.session.view_at(int(s)).test_loss for s in steps]
    slider = find(win, "scrubBar", QSlider)
    drag_slider_to(slider, int(np.argmin(test)), qtbot=qtbot)
    qtbot.waitUntil(on_task(win, 2), timeout=WAIT_MS)
    find(win, "l2").setValue(0.01)
    click(qtbot, win, "train")  # train on, from the present
    qtbot.waitUntil(on_task(win, 3), timeout=WAIT_MS)
    find(win, "l2").setValue(0.0)
    find(win, "points", QSpinBox).setValue(100)
    qtbot.waitUntil(done(win), timeout=WAIT_MS)
    click(qtbot, win, "train")
    assert win.controller.dataset.n_train == 100


def do_next_word(qtbot, win) -> None:
    assert find(win, "nextword_view").isVisible()
    train(qtbot, win, on_task(win, 1))
    find(win, "context_size", QSpinBox).setValue(2)
    qtbot.waitUntil(done(win))
    assert win.controller.model.n_params == 11**3


def do_predict(qtbot, win) -> None:
    c = win.controller
    fastest(win)
    click(qtbot, win, "predict")
    drag_ghost(find(win, "ghost:w"), 0.5, qtbot=qtbot)
    qtbot.waitUntil(on_task(win, 1), timeout=WAIT_MS)

    def reveal() -> None:
        click(qtbot, win, "train")
        qtbot.waitUntil(lambda: c.session.step_count > 2000, timeout=WAIT_MS)
        click(qtbot, win, "train")  # at Max a test's run does not stop by itself

    reveal()
    qtbot.waitUntil(on_task(win, 2), timeout=WAIT_MS)
    answer = c.session.params.copy()
    click(qtbot, win, "reset")
    click(qtbot, win, "predict")  # after a score: a fresh guess
    for name, value in zip(c.session.param_names, answer, strict=True):
        drag_ghost(find(win, f"ghost:{name}"), value, qtbot=qtbot)
    reveal()


def do_race(qtbot, win) -> None:
    from PySide6.QtGui import QAction

    adam = find(win, "lesson_choice:2")  # the guess first
    qtbot.mouseClick(adam, Qt.MouseButton.LeftButton, pos=QPoint(6, adam.height() // 2))
    qtbot.waitUntil(on_task(win, 1), timeout=WAIT_MS)
    win.findChild(QAction, "race").trigger()  # Training › Race optimizers…
    dialog = find(win, "race_panel")
    dialog.steps.setValue(200)
    dialog.watch.setChecked(False)  # as fast as it runs (a watched race takes seconds)
    click(qtbot, dialog, "race_run")
    qtbot.waitUntil(on_task(win, 2), timeout=WAIT_MS)
    for k, rate in enumerate((0.03, 0.3, 3.0)):
        box, combo, lr = dialog.entrant_rows[k]
        box.setChecked(True)
        combo.setCurrentIndex(combo.findData("gd"))
        lr.setValue(rate)
    click(qtbot, dialog, "race_run")
    qtbot.waitUntil(done(win), timeout=WAIT_MS)
    dialog.close()


def do_word_map(qtbot, win) -> None:
    emap = win.embedding_map
    assert emap.isVisible()  # the map in front for the embedding model
    model, c = win.controller.model, win.controller
    qtbot.wait(350)

    def at(x, y):
        return emap.plot.mapFromScene(emap.view.mapViewToScene(pg.Point(float(x), float(y))))

    dog = model.embeddings(c.session.params)[model.vocab.index("dog")]
    drag(emap.plot.viewport(), at(*dog), at(2.0, 2.0), qtbot=qtbot)
    qtbot.waitUntil(on_task(win, 1))
    P = model.predict(c.session.params, [[model.vocab.index("dog")], [model.vocab.index("cat")]])
    assert np.abs(P[0] - P[1]).max() < 0.1  # the same place, nearly the same next words
    train(qtbot, win, done(win))


SCRIPTS = {
    "knobs": do_knobs,
    "train": do_train,
    "step-size": do_step_size,
    "memory": do_memory,
    "underfit": do_underfit,
    "overfit": do_overfit,
    "next-word": do_next_word,
    "predict": do_predict,
    "race": do_race,
    "word-map": do_word_map,
}


@pytest.mark.slow
def test_walk_through_every_builtin_lesson(qtbot, window):
    lessons = window.lessons
    assert [lesson.id for lesson in lessons.lessons] == list(SCRIPTS)  # a script for each
    dock = find(window, "lessons_dock")
    assert not dock.isVisible()  # nothing opens by itself
    lessons.show_start_page()
    assert find(window, "start_page").isVisible()
    click(qtbot, window, "start_lesson")  # the first lesson is selected
    for i, lesson in enumerate(lessons.lessons):
        assert lessons.current.id == lesson.id
        panel = find(window, "lesson_panel")
        assert panel.isVisible()
        assert find(window, "lesson_title", QLabel).text() == lesson.title
        assert not find(window, "next_lesson", QPushButton).isEnabled()
        SCRIPTS[lesson.id](qtbot, window)
        qtbot.waitUntil(done(window), timeout=WAIT_MS)
        assert lessons.runner.completed
        assert find(window, "lesson_done", QLabel).isVisible()
        assert lesson.title in window.statusBar().currentMessage()
        next_button = find(window, "next_lesson", QPushButton)
        if i + 1 < len(lessons.lessons):
            assert next_button.text() == "Next lesson ›"
        else:
            assert next_button.text() == "Beat the optimizer ›"
        click(qtbot, window, "next_lesson")
    game = find(window, "challenge", QDialog)
    assert game.isVisible() and not game.isModal()
    game.close()
