"""Hostile hands on the window: absurd typed values, a crushed window, the largest learning
rate on every model. Each is refused or clamped with the session finite, and nothing raises
(pytest-qt fails a test on any exception in a Qt slot or event handler).

Bad data files and a bad corpus through the window are in test_datafiles.py
(``test_every_bad_file_gets_a_message_and_the_data_stays``) and test_nextword.py
(``test_open_corpus_files_good_and_bad_and_switch_models``); a failed session load in
test_files.py (``test_a_bad_session_file_is_reported_and_the_session_kept``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hands import find
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QSplitter, QWidget

from knobsim.core.data.corpus import builtin_corpus
from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session

#: (model, data) for every model the window offers, MLP for both tasks
EVERY_MODEL = [
    ("line", "linear"),
    ("poly", "sine"),
    ("logistic", "blobs"),
    ("mlp", "sine"),
    ("mlp", "circles"),
    ("nextword", "rhymes"),
]


def _session(model: str, data: str, lr: float = 0.1) -> Session:
    dataset = builtin_corpus(data).to_dataset() if data == "rhymes" else make_dataset(data, seed=0)
    return Session(
        make_model(model, dataset), dataset, optimizer=OptimizerConfig("gd", lr=lr), seed=0
    )


@pytest.fixture
def open_window(qtbot, tmp_settings):
    """``open_window(model, data)``: a shown window on that model; training stops after."""
    from knobsim.app import create_window

    windows = []

    def make(model: str, data: str):
        win = create_window(_session(model, data), restore=False)
        qtbot.addWidget(win)
        win.resize(1280, 800)
        win.show()
        qtbot.waitExposed(win)
        win.activateWindow()  # so focus, and leaving a box, work as for a person
        qtbot.waitUntil(win.isActiveWindow, timeout=2000)
        windows.append(win)
        return win

    yield make
    for win in windows:
        win.controller.set_training(False)


def type_and_enter(qtbot, edit: QLineEdit, text: str) -> None:
    """Select what the box holds, type ``text`` over it and press Enter, as a person does."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def assert_session_finite(session: Session) -> None:
    assert np.all(np.isfinite(session.params))
    assert math.isfinite(session.train_loss) and math.isfinite(session.test_loss)
    assert np.all(np.isfinite(session.history.train))


# --------------------------------------------------------------------- typed knob values
#: typed text -> what the knob must do: "max"/"min" clamp to the range, None refuses
TYPED = [
    ("1e308", "max"),
    ("-1e308", "min"),
    ("1e309", None),  # inf once parsed
    ("-inf", None),
    ("inf", None),
    ("nan", None),
    ("NaN", None),
    ("abc", None),
    ("", None),
    ("   ", None),
    ("1e-400", 0.0),  # underflows to zero: a fine value
    ("--1", None),
    ("0x10", None),
    ("9" * 300, "max"),
    ("-" + "9" * 300, "min"),
    ("9" * 400, None),  # 1e400: infinite once parsed
]


@pytest.mark.parametrize(
    ("model", "data", "knob_name"), [("mlp", "sine", "W1[0,3]"), ("nextword", "rhymes", ".→cat")]
)
def test_extreme_typed_values_are_clamped_or_refused(qtbot, open_window, model, data, knob_name):
    win = open_window(model, data)
    c = win.controller
    knob = win.knob_panel.knob(knob_name)
    assert knob is not None
    edit = find(win, f"value:{knob_name}", QLineEdit)
    assert edit is knob.editor
    i = c.model.param_index(knob_name)
    others = np.delete(c.params.copy(), i)
    for text, expect in TYPED:
        # typing is clamped to the range the row shows; a value left at an end then
        # widens the range (as any push against an end does), so read it each time
        lo, hi = knob.range()
        before = float(c.params[i])
        depth = c.undo_stack.count()
        type_and_enter(qtbot, edit, text)
        after = float(c.params[i])
        if expect is None:
            assert after == before, f"{text!r} was taken as {after}"
            assert c.undo_stack.count() == depth, f"{text!r} left an undo step"
        else:
            want = {"max": hi, "min": lo}.get(expect, expect)
            assert after == want, f"{text!r} set {after}, not {want}"
        assert lo <= after <= hi
        assert knob.value() == after
        assert float(edit.text()) == pytest.approx(after, abs=10.0**-knob.decimals), text
        np.testing.assert_array_equal(np.delete(c.params, i), others)  # nothing else moved
        assert_session_finite(c.session)
    # the clamped extremes are ordinary hand moves: they undo
    assert c.undo_stack.count() > 0
    while c.undo_stack.canUndo():
        c.undo_stack.undo()
    assert_session_finite(c.session)


def test_extreme_typed_learning_rates_stay_in_range(qtbot, open_window):
    win = open_window("line", "linear")
    c = win.controller
    control = find(win, "learning_rate", QWidget)
    for text in ("1e308", "-1", "nan", "inf", "abc", "", "1e-400", "0"):
        type_and_enter(qtbot, control.edit, text)
        assert 1e-4 <= c.config.lr <= 10.0, text
        assert math.isfinite(c.config.lr)
        control.edit.clearFocus()  # leaving the box puts the current rate back in it
        assert float(control.edit.text()) == pytest.approx(c.config.lr, rel=1e-2), text
    type_and_enter(qtbot, control.edit, "10")
    assert c.config.lr == 10.0


# ------------------------------------------------------------------- a crushed window
def _curves(win) -> tuple[np.ndarray, np.ndarray]:
    """What the views show: the loss curve's steps and the fit curve's or the table's y."""
    steps = np.array(win.loss_plot.train_curve.getData()[0], dtype=float)
    if win.controller.model.task == "regression":
        shown = np.array(win.fit_plot.curve.getData()[1], dtype=float)
    elif win.controller.model.task == "classification":
        shown = np.array(win.fit_plot.heatmap.image, dtype=float)
    else:
        shown = np.array(win.controller.params, dtype=float)
    return steps, shown


@pytest.mark.parametrize(
    ("model", "data"), [("mlp", "sine"), ("mlp", "circles"), ("nextword", "rhymes")]
)
def test_resizing_to_the_minimum_and_to_1x1_while_training(qtbot, open_window, model, data):
    win = open_window(model, data)
    c = win.controller
    qtbot.mouseClick(find(win, "train", QPushButton), Qt.MouseButton.LeftButton)
    assert c.is_training
    qtbot.waitUntil(lambda: c.session.step_count > 20, timeout=5000)

    minimum = win.minimumSize()
    for size in (minimum, QSize(1, 1), QSize(0, 0), QSize(minimum.width(), 1)):
        win.resize(size)
        qtbot.wait(60)  # a few training ticks and repaints at this size
        assert win.width() >= minimum.width() and win.height() >= minimum.height()
        assert c.is_training
    # a person dragging every splitter handle shut: the plots get no room at all
    for splitter in win.findChildren(QSplitter):
        splitter.setSizes([0] * splitter.count())
    qtbot.wait(60)
    for splitter in win.findChildren(QSplitter):
        splitter.setSizes([1] + [0] * (splitter.count() - 1))
    qtbot.wait(60)
    win.resize(1280, 800)
    for splitter in win.findChildren(QSplitter):
        splitter.setSizes([100] * splitter.count())
    steps_before, shown_before = _curves(win)
    count = c.session.step_count
    qtbot.waitUntil(lambda: c.session.step_count > count + 50, timeout=5000)
    qtbot.wait(60)
    assert c.is_training
    c.set_training(False)
    QApplication.processEvents()
    steps_after, shown_after = _curves(win)
    assert steps_after[-1] > steps_before[-1], "the loss curve stopped growing"
    assert steps_after[-1] == c.session.history.steps[-1]
    assert shown_after.shape != shown_before.shape or not np.array_equal(
        shown_after, shown_before
    ), "the fit view stopped following the weights"
    assert_session_finite(c.session)


# ----------------------------------------------------------- the largest learning rate
#: with plain gradient descent at rate 10 these three blow up within a couple of steps;
#: the cross-entropy models (bounded gradients) may just train on
MUST_EXPLODE = {("line", "linear"), ("poly", "sine"), ("mlp", "sine")}


@pytest.mark.parametrize(("model", "data"), EVERY_MODEL)
def test_the_largest_learning_rate_on_every_model(qtbot, open_window, model, data):
    win = open_window(model, data)
    c = win.controller
    control = find(win, "learning_rate", QWidget)
    control.setValue(1e9)  # a hand pushing past the end stops at the end
    assert c.config.lr == control.maximum == 10.0
    banner = find(win, "explosion_banner", QWidget)
    qtbot.mouseClick(find(win, "train", QPushButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not c.is_training or c.session.step_count >= 500, timeout=10_000)
    if (model, data) in MUST_EXPLODE:
        assert not c.is_training
    if not c.is_training:  # it exploded: paused, with the banner and the last good weights
        assert banner.isVisible()
        assert "exploded" in find(win, "explosion_message", QLabel).text().lower()
        assert not find(win, "train", QPushButton).isChecked()
    else:  # stable even at rate 10: it trains on
        assert not banner.isVisible()
        c.set_training(False)
    assert_session_finite(c.session)
    # the views took the final weights without trouble
    QApplication.processEvents()
    np.testing.assert_array_equal([k.value() for k in win.knob_panel.knobs[:3]], c.params[:3])
