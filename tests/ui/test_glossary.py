"""Plain words in the window: hovering over a term shows its line (as Qt asks, with a
tooltip event where the pointer rests), and Help › Words lists and finds every term."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QToolTip, QWidget

from knobsim.core.data.catalog import session_for
from knobsim.core.lessons.glossary import WORDS


def _hover(widget: QWidget) -> str:
    """Rest the pointer on ``widget`` and return the tooltip Qt shows there."""
    QToolTip.hideText()
    centre = widget.rect().center()
    QTest.mouseMove(widget, centre)
    QApplication.sendEvent(
        widget, QHelpEvent(QEvent.Type.ToolTip, centre, widget.mapToGlobal(centre))
    )
    text = QToolTip.text() if QToolTip.isVisible() else ""
    QToolTip.hideText()  # a tip left open outlives the window (Qt's tip label keeps a pointer)
    return text


def _form_label(win, text: str) -> QLabel:
    return next(w for w in win.findChildren(QLabel) if w.text() == text and w.isVisible())


@pytest.mark.parametrize(
    "label, term",
    [("Learning rate", "learning rate"), ("L2", "l2"), ("Optimizer", "optimizer")],
)
def test_hovering_over_a_setting_explains_its_word(open_window, label, term):
    win = open_window(session_for("poly", "sine"))
    tip = _hover(_form_label(win, label))
    assert WORDS[term].split(",")[0] in tip


def test_the_error_readout_explains_its_error_and_follows_the_model(open_window, qtbot):
    win = open_window(session_for("poly", "sine"))
    tip = _hover(win.error_label)
    assert "How wrong the model is right now" in tip  # its own tooltip stays first
    assert WORDS["mean squared error"] in tip
    win.model_combo.setCurrentIndex(win.model_combo.findData("logistic"))
    qtbot.wait(50)
    tip = _hover(win.error_label)
    assert WORDS["cross-entropy"] in tip and WORDS["mean squared error"] not in tip


def test_a_widget_that_changes_its_own_tip_keeps_the_new_one(open_window, qtbot):
    win = open_window(session_for("poly", "sine", degree=3))
    count = win.knob_panel.count_label
    before = _hover(count)
    win.degree_spin.setValue(5)
    qtbot.wait(50)
    after = _hover(count)
    assert after != before and WORDS["knob"] in after
    assert "6" in after.split("<hr>")[0]


def test_help_words_lists_and_finds(open_window, qtbot):
    win = open_window()
    win.words_action.trigger()
    dialog = win.findChild(QWidget, "glossary")
    assert dialog.isVisible() and dialog.shown_terms() == sorted(WORDS)
    QTest.keyClicks(dialog.filter, "softmax")
    assert dialog.shown_terms() == ["softmax"]
    assert "add up to one" in dialog.text.toPlainText()
    dialog.filter.clear()
    QTest.keyClicks(dialog.filter, "noise")  # words in the lines are found too
    assert dialog.shown_terms() == ["overfitting"]
    dialog.filter.clear()
    QTest.keyClicks(dialog.filter, "zzz")
    assert dialog.shown_terms() == [] and "No word matches" in dialog.text.toPlainText()
    dialog.close()
