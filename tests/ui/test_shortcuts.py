"""Window-wide shortcuts work wherever the focus is, except that text boxes type.

Each key is a real key press (``hands.key``: Qt's shortcut map first, then the focused
widget), with the focus where a click would leave it in each panel. A window that has
not been activated (an X server without a window manager) gets its keys through its
``QWindow``, as the platform delivers them (``QTest.keyClick`` on the ``QWindow``).
"""

from __future__ import annotations

import pytest
from hands import key, press, release
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSlider,
    QWidget,
)

from knobsim.core.data.corpus import builtin_corpus
from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
NONE = Qt.KeyboardModifier.NoModifier

#: (what a person presses, key, modifiers, the action's text in the menus)
SHORTCUTS = [
    ("Space", Qt.Key.Key_Space, NONE, "&Train / Pause"),
    ("S", Qt.Key.Key_S, NONE, "&Step"),
    ("R", Qt.Key.Key_R, NONE, "R&andomize"),
    ("Ctrl+R", Qt.Key.Key_R, CTRL, "&Reset"),
    ("Ctrl+H", Qt.Key.Key_H, CTRL, "&Halve learning rate"),
    ("H", Qt.Key.Key_H, NONE, "H&int: which knob to turn"),
    ("Ctrl+Z", Qt.Key.Key_Z, CTRL, "undo"),
    ("Ctrl+Shift+Z", Qt.Key.Key_Z, CTRL | SHIFT, "redo"),
    ("Ctrl+S", Qt.Key.Key_S, CTRL, "&Save session"),
    ("Ctrl+Shift+S", Qt.Key.Key_S, CTRL | SHIFT, "Save session &as…"),
    ("Ctrl+O", Qt.Key.Key_O, CTRL, "&Open session…"),
]


def _poly(open_window):
    data = make_dataset("sine", n_points=20, seed=0)
    session = Session(
        make_model("poly", data, degree=3), data, optimizer=OptimizerConfig("gd", lr=0.1), seed=0
    )
    return open_window(session)


def _nextword(open_window):
    data = builtin_corpus("rhymes").to_dataset()
    return open_window(Session(make_model("nextword", data), data, seed=0))


class Recorder:
    """Which of the window's actions fired; file dialogs answer "no file"."""

    def __init__(self, win) -> None:
        self.win = win
        self.fired: list[str] = []
        win.files.ask_save_path = lambda *a: None
        win.files.ask_open_path = lambda *a: None
        self.by_name: dict[str, QAction] = {"undo": win.undo_action, "redo": win.redo_action}
        for action in win.actions():
            if action not in self.by_name.values():
                self.by_name[action.text()] = action
        for name, action in self.by_name.items():
            action.triggered.connect(lambda *_, name=name: self.fired.append(name))

    def ready(self) -> None:
        """Training paused and something to undo and to redo."""
        c = self.win.controller
        c.set_training(False)
        stack = c.undo_stack
        while stack.count() < 2:
            c.randomize()
            c.set_param(0, float(c.params[0]) * 0.5 + 0.1)
        stack.setIndex(stack.count() - 1)
        self.fired.clear()


def _press_each(rec: Recorder, focus_on, qtbot) -> dict[str, list[str]]:
    """Press every shortcut with the focus put on ``focus_on()`` first; what fired each."""
    got = {}
    for label, k, mods, _name in SHORTCUTS:
        rec.ready()
        widget = focus_on()
        widget.setFocus(Qt.FocusReason.MouseFocusReason)
        QApplication.processEvents()
        assert QApplication.focusWidget() is widget, (label, widget, QApplication.focusWidget())
        key(k, mods)
        QApplication.processEvents()
        got[label] = list(rec.fired)
        rec.win.controller.set_training(False)
    return got


def _expect_all(got: dict[str, list[str]], where: str) -> None:
    names = [name for _label, _k, _m, name in SHORTCUTS]
    wrong = {label: fired for (label, fired), name in zip(got.items(), names, strict=True)
             if fired != [name]}  # fmt: skip
    assert not wrong, f"with the focus on {where}, these keys did not do their one thing: {wrong}"


def test_shortcuts_work_with_the_focus_in_every_panel(open_window, qtbot):
    win = _poly(open_window)
    rec = Recorder(win)
    win.lessons.show_start_page()
    panels = {
        "the lesson list": lambda: win.findChild(QListWidget, "lesson_list"),
        "the lessons dock's Start button": lambda: win.findChild(QPushButton, "start_lesson"),
        "a knob's slider": lambda: win.knob_panel.knobs[1].slider,
        "the Train button": lambda: win.train_button,
        "the model combo box": lambda: win.model_combo,
        "the capacity slider": lambda: win.findChild(QSlider, "capacity"),
        "the speed slider": lambda: win.speed_slider,
        "the learning-rate slider": lambda: win.lr_control.slider,
        "the fit plot": lambda: win.fit_plot,
        "the loss plot": lambda: win.loss_plot.plot_widget,
        "the log-scale check box": lambda: win.loss_plot.findChild(QCheckBox),
        "the landscape plot": lambda: win.landscape_plot.plot_widget,
        "the landscape's knob combo box": lambda: win.landscape_plot.x_combo,
        "the tabs under the plots": lambda: win.analysis_tabs.tabBar(),
    }
    for where, focus_on in panels.items():
        _expect_all(_press_each(rec, focus_on, qtbot), where)
    # arrow keys on a focused knob still turn the knob, and only it
    rec.ready()
    knob = win.knob_panel.knobs[1]  # (an undo can rebuild the panel)
    knob.slider.setFocus(Qt.FocusReason.MouseFocusReason)
    before = knob.value()
    key(Qt.Key.Key_Right)
    assert knob.value() > before and rec.fired == []
    # a click on the network view (it takes no focus) leaves the keys working
    rec.ready()
    view = win.network_view
    press(view.viewport(), view.viewport().rect().center())
    release(view.viewport(), view.viewport().rect().center())
    key(Qt.Key.Key_Space)
    assert rec.fired == ["&Train / Pause"] and win.controller.is_training
    win.controller.set_training(False)
    qtbot.wait(350)
    assert win.audit() == []


def test_shortcuts_work_in_a_running_lesson_and_in_the_next_word_view(open_window, qtbot):
    win = _nextword(open_window)
    rec = Recorder(win)
    view = win.nextword_view
    win.output_tabs.setCurrentWidget(view)
    panels = {
        "the Generate button": lambda: view.generate_button,
        "the next-word bars": lambda: view.bars_plot,
        "a next-word knob": lambda: win.knob_panel.knobs[0].slider,
    }
    for where, focus_on in panels.items():
        _expect_all(_press_each(rec, focus_on, qtbot), where)
    assert win.lessons.start("1")
    QApplication.processEvents()
    rec = Recorder(win)
    for where, focus_on in {
        "the lesson's Start over button": lambda: win.findChild(QPushButton, "restart_lesson"),
        "the lesson's All lessons button": lambda: win.findChild(QPushButton, "show_lessons"),
    }.items():
        _expect_all(_press_each(rec, focus_on, qtbot), where)


def test_at_start_up_the_lesson_list_has_the_focus_and_space_trains(open_window, qtbot):
    win = open_window()
    win.lessons.show_on_first_launch()
    QApplication.processEvents()
    lessons = win.findChild(QListWidget, "lesson_list")
    lessons.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
    row = lessons.currentRow()
    key(Qt.Key.Key_Space)
    assert win.controller.is_training
    key(Qt.Key.Key_Space)
    assert not win.controller.is_training
    assert lessons.currentRow() == row  # no keyboard search moved the list
    qtbot.wait(350)
    assert win.audit() == []


@pytest.mark.parametrize(
    "box",
    ["knob value", "hidden units", "noise", "learning rate", "context word", "temperature"],
)
def test_in_a_text_box_the_keys_type(open_window, qtbot, box):
    if box in ("context word", "temperature"):
        win = _nextword(open_window)
        view = win.nextword_view
        win.output_tabs.setCurrentWidget(view)
        widget = view.context_combo if box == "context word" else view.temperature
    else:
        win = _poly(open_window)
        if box == "hidden units":  # shown for the MLP only
            win.model_combo.setCurrentIndex(win.model_combo.findData("mlp"))
            QApplication.processEvents()
        widget = {
            "knob value": lambda: win.knob_panel.knobs[0].editor,
            "hidden units": lambda: win.hidden_edit,
            "noise": lambda: win.noise_spin,
            "learning rate": lambda: win.lr_control.edit,
        }[box]()
    rec = Recorder(win)
    rec.ready()
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    QApplication.processEvents()
    assert QApplication.focusWidget() is widget or widget.isAncestorOf(QApplication.focusWidget())
    edit = widget if isinstance(widget, QLineEdit) else widget.findChild(QLineEdit)
    edit.selectAll()
    key(Qt.Key.Key_Delete)
    for k in (Qt.Key.Key_S, Qt.Key.Key_R, Qt.Key.Key_Space):
        key(k)
    assert rec.fired == [], f"typing in the {box} box triggered {rec.fired}"
    assert not win.controller.is_training
    if box in ("knob value", "hidden units", "context word"):  # (the others take numbers)
        assert edit.text().lower() == "sr ", edit.text()  # the keys typed
    # the box's own undo, not the window's
    key(Qt.Key.Key_Z, CTRL)
    assert "undo" not in rec.fired
    # keys that type nothing still reach the window
    key(Qt.Key.Key_R, CTRL)
    assert rec.fired == ["&Reset"]


def test_keys_reach_a_window_that_was_never_activated(open_window, qtbot):
    """Under an X server without a window manager nothing activates the window, yet the
    keyboard reaches it (the window under the pointer): Space went to the focused lesson
    list, whose keyboard search took it, and training never started."""
    win = open_window()
    win.lessons.show_start_page()
    lessons = win.findChild(QListWidget, "lesson_list")
    lessons.setFocus()
    QApplication.processEvents()
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: not win.isActiveWindow())
    assert win.focusWidget() is lessons
    QTest.keyClick(win.windowHandle(), Qt.Key.Key_Space)  # as the platform delivers it
    assert win.controller.is_training
    win.controller.set_training(False)
    steps = win.controller.session.step_count
    QTest.keyClick(win.windowHandle(), Qt.Key.Key_S)
    assert win.controller.session.step_count == steps + 1
    assert lessons.currentRow() == 0  # no keyboard search moved the list
    # a text box of that window still types
    other.activateWindow()
    qtbot.waitUntil(lambda: not win.isActiveWindow())
    editor = win.knob_panel.knobs[0].editor
    editor.setFocus()
    editor.clear()
    QTest.keyClick(win.windowHandle(), Qt.Key.Key_Space)
    QTest.keyClick(win.windowHandle(), Qt.Key.Key_S)
    assert editor.text() == " s"
    assert win.controller.session.step_count == steps + 1 and not win.controller.is_training
