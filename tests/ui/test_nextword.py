"""The next-word view in the window: knobs move the bars, Train pulls them to the counts."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import pytest
from hands import choose, find
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)

from knobsim.core.data.corpus import builtin_corpus
from knobsim.core.models.generate import generate
from knobsim.core.models.machines import make_model
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session
from knobsim.ui.network.nextword import LevelLine, NextWordView


@pytest.fixture
def window(open_window):
    data = builtin_corpus("rhymes").to_dataset()
    return open_window(
        Session(make_model("nextword", data), data, optimizer=OptimizerConfig("adam", lr=0.1))
    )


def level_line(win) -> LevelLine | None:
    lines = [i for i in win.loss_plot.plot_item.items if isinstance(i, LevelLine)]
    assert len(lines) <= 1
    return lines[0] if lines else None


def choose_context(qtbot, view: NextWordView, text: str) -> None:
    """Type a context word into the box and press Enter, as a person would."""
    edit = view.context_combo.lineEdit()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_the_next_word_view_is_in_front_with_its_named_parts(qtbot, window):
    view = find(window, "nextword_view", NextWordView)
    assert view.isVisible() and window.output_tabs.currentWidget() is view
    find(window, "fit_plot", QWidget)  # still there, one tab away
    find(window, "next_word_bars", pg.PlotWidget)
    find(window, "context_word", QComboBox)
    find(window, "temperature", QDoubleSpinBox)
    find(window, "generate", QPushButton)
    find(window, "generated_text", QLabel)
    find(window, "context_size", QSpinBox)
    assert find(window, "open_corpus", QAction).text().startswith("Open &corpus")
    text = find(window, "param_comparison", QLabel).text()
    assert "121 knobs" in text and "124 million" in text and "a million times more" in text

    # pick a context by typing it
    choose_context(qtbot, view, "cat")
    assert view.context_combo.currentText() == "cat"
    assert view.context_row == window.controller.model.vocab.index("cat")
    choose_context(qtbot, view, "zebra")
    assert "'zebra' is not a context" in view.context_hint.text()
    assert view.context_row == window.controller.model.vocab.index("cat")


def test_turning_a_knob_moves_the_bars(qtbot, window):
    view = window.nextword_view
    session = window.controller.session
    choose_context(qtbot, view, "the")
    assert view.context_combo.currentText() == "the"
    row = session.model.context_row([session.model.vocab.index("the")])
    np.testing.assert_allclose(view.bar_values(), session.model.probabilities(session.params)[row])

    knob = find(window, "knob:the→cat", QWidget)
    cat = session.model.vocab.index("cat")
    before = view.bar_values()
    knob.setValue(knob.value() + 2.0)  # a hand on the knob "after the, cat"
    after = view.bar_values()
    assert session.value("the→cat") == pytest.approx(knob.value())
    assert after[cat] > before[cat]
    assert np.all(np.delete(after, cat) < np.delete(before, cat))
    assert after.sum() == pytest.approx(1.0)
    # the markers show the corpus: after 'the' comes cat 27%, never 'sat'
    C = builtin_corpus("rhymes").counts(1)[row]
    np.testing.assert_allclose(view.target_values(), C / C.sum())


def test_train_pulls_the_error_down_to_the_best_possible_line_then_generate(qtbot, window):
    view = window.nextword_view
    session = window.controller.session
    optimum = builtin_corpus("rhymes").optimum()
    assert view.optimum == pytest.approx(optimum)
    line = level_line(window)
    assert line is not None and line.isVisible()
    assert line.value() == pytest.approx(math.log10(optimum))  # the loss axis is logarithmic
    assert "best possible" in line.label.toPlainText()

    first = session.train_loss
    gap_before = np.abs(view.bar_values() - view.target_values()).sum()
    qtbot.mouseClick(find(window, "train", QPushButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.step_count >= 300, timeout=5000)
    qtbot.mouseClick(find(window, "train", QPushButton), Qt.MouseButton.LeftButton)
    assert not window.controller.is_training
    assert session.train_loss < first
    assert optimum < session.train_loss < optimum * 1.05
    assert np.abs(view.bar_values() - view.target_values()).sum() < gap_before / 2
    assert f"{session.train_loss:.3f}" in view.optimum_label.text()

    find(window, "loss_log_scale", QCheckBox).setChecked(False)
    assert line.value() == pytest.approx(optimum)  # a linear axis: the value itself
    find(window, "loss_log_scale", QCheckBox).setChecked(True)
    assert line.value() == pytest.approx(math.log10(optimum))

    # the trained knobs write the corpus's favourite sentence, and greedy loops
    assert view.greedy_text.text().endswith("The cat sat on the cat sat on the cat …")

    find(window, "temperature", QDoubleSpinBox).setValue(0.0)
    qtbot.mouseClick(find(window, "generate", QPushButton), Qt.MouseButton.LeftButton)
    greedy = generate(session.model, session.params, np.random.default_rng(0), 0, max_words=20)
    assert view.generated_text.text() == " ".join(greedy).capitalize() + " …"

    find(window, "temperature", QDoubleSpinBox).setValue(1.0)
    vocab = set(session.model.vocab)
    for _ in range(5):
        qtbot.mouseClick(find(window, "generate", QPushButton), Qt.MouseButton.LeftButton)
        words = view.generated_text.toolTip().split()
        assert words and set(words) <= vocab


BAD_CORPORA = [
    (b"", "has no words"),
    (b"\x00\x01binary\xff", "not a UTF-8 text file"),
    (b"Go. Go go! GO?", "only one distinct word"),
    (" ".join(f"w{chr(97 + i)}x" for i in range(13)).encode(), "the limit is 12"),
]


def test_open_corpus_files_good_and_bad_and_switch_models(qtbot, window, tmp_path):
    session = window.controller.session
    for content, message in BAD_CORPORA:
        path = tmp_path / "bad.txt"
        path.write_bytes(content)
        assert not window.nextword_view.open_corpus(path)
        box = find(window, "corpus_error", QMessageBox)
        assert box.isVisible()
        assert message in box.text()
        assert "2 to 12 different words" in box.informativeText()
        box.close()
        box.setObjectName("closed")  # deleted later, on close
        assert window.controller.session is session  # the old corpus stays

    path = tmp_path / "pets.txt"
    path.write_text("The cat sat. The dog sat. The cat ran.")
    assert window.nextword_view.open_corpus(path)
    model = window.controller.model
    assert model.vocab == (".", "the", "cat", "sat", "dog", "ran") and model.n_params == 36
    assert window.dataset_combo.currentData() == "pets.txt"
    assert "36 knobs" in find(window, "param_comparison", QLabel).text()
    assert level_line(window).level == pytest.approx(window.nextword_view.optimum)

    find(window, "context_size", QSpinBox).setValue(2)
    model = window.controller.model
    assert model.context == 2 and model.n_params == 6**3
    assert window.controller.dataset.name == "corpus:pets.txt"
    assert "216 knobs" in find(window, "param_comparison", QLabel).text()
    assert window.knob_panel.knob("the cat→sat") is not None
    choose_context(qtbot, window.nextword_view, "the cat")
    assert window.nextword_view.context_combo.currentText() == "the cat"

    # another kind of model: the view and the line go, the fit plot is back
    combo = find(window, "model", QComboBox)
    combo.setCurrentIndex(combo.findData("line"))
    assert window.controller.model.name == "line"
    assert not window.nextword_view.isVisible()
    assert window.findChild(QWidget, "fit_plot").isVisible()
    assert not window.output_tabs.tabBar().isVisible()
    assert level_line(window) is None
    combo.setCurrentIndex(combo.findData("nextword"))
    assert window.nextword_view.isVisible() and level_line(window) is not None


def test_level_line_follows_log_mode(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.getPlotItem().setLogMode(y=True)
    line = LevelLine(0.5, label="best")
    plot.getPlotItem().addItem(line)
    assert line.value() == pytest.approx(math.log10(0.5))
    plot.getPlotItem().setLogMode(y=False)
    assert line.value() == pytest.approx(0.5)
    line.set_level(0.0)
    assert line.isVisible()
    plot.getPlotItem().setLogMode(y=True)
    assert not line.isVisible()  # zero has no place on a log axis


def test_back_to_next_word_on_another_corpus_rebuilds_the_bars_first(open_window, qtbot):
    """Monkey seed 2 #3922: the next-word view keeps the context it showed (the sentence
    start, on the kitchen corpus of 13 words) through another model; back on a next-word
    model of the rhymes (11 words), choosing that context again fired the context box's
    slot before the bars were rebuilt: 11 probabilities for 13 bars (ValueError)."""
    data = builtin_corpus("kitchen").to_dataset()
    win = open_window(Session(make_model("nextword", data), data, seed=0))
    view = win.nextword_view
    qtbot.wait(100)
    choose(qtbot, view.context_combo, view.context_combo.findData(0))  # the sentence start
    assert view.context_row == 0
    models = win.model_combo
    choose(qtbot, models, models.findData("line"))
    assert win.controller.session.model.name == "line"
    choose(qtbot, models, models.findData("nextword"))  # the rhymes, by default
    assert win.controller.session.dataset.name.endswith("rhymes")
    assert view.context_row == 0
    assert view.bar_values().shape == (win.controller.session.model.V,)
    win.controller.set_training(False)
    qtbot.wait(350)
    assert win.audit() == []
