"""The next-word view: one row of the knob table as bars, sentences drawn from the knobs,
and the model's size set beside a real language model.

Widgets only: the numbers come from ``NextWord.probabilities``, ``core.data.corpus`` (counts,
the best possible error) and ``core.models.generate`` (sentences); nothing here computes them.
"""

from __future__ import annotations

import html
import math
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from knobsim.core.data.catalog import session_for
from knobsim.core.data.corpus import (
    BOUNDARY,
    MAX_VOCAB,
    MIN_VOCAB,
    Corpus,
    corpus_from_dataset,
    load_corpus,
    optimum_from_counts,
    probabilities_from_counts,
)
from knobsim.core.data.datasets import DataError
from knobsim.core.models.generate import generate
from knobsim.core.models.machines import Embedding, WordModel
from knobsim.ui import theme
from knobsim.ui.controller.session_controller import SessionController
from knobsim.ui.widgets import named_button

Array = NDArray[np.float64]

__all__ = [
    "CORPUS_FILTER",
    "GPT2_SMALL_PARAMS",
    "OPEN_CORPUS_TITLE",
    "LevelLine",
    "NextWordView",
    "param_comparison_text",
]

#: GPT-2 small (Radford et al., 2019): the smallest of the GPT-2 language models
GPT2_SMALL_PARAMS = 124_000_000
#: how many words the live "most likely sentence" runs to before it gives up
GREEDY_WORDS = 10
BAR_COLOR = theme.DIVERGING_COLORS[3]  # the orange half of the table's palette
BAR_EDGE = theme.DIVERGING_COLORS[4]

START_NOTE = " (sentence start)"
#: the file dialog says the cap before a person picks a file
OPEN_CORPUS_TITLE = f"Open a corpus: plain text with {MIN_VOCAB} to {MAX_VOCAB} different words"
CORPUS_FILTER = "Text files (*.txt);;All files (*)"
CORPUS_RULES = (
    f"A corpus is a plain-text (UTF-8) file of short sentences that uses {MIN_VOCAB} to "
    f"{MAX_VOCAB} different words, so that its whole table of knobs fits on screen. "
    "The corpus you had is still loaded."
)
PROMPT = "Press Generate to sample a sentence."


def _ink() -> QColor:
    """The plots' text colour (dark on the light theme, light on the dark one)."""
    return pg.mkColor(pg.getConfigOption("foreground"))


def _about_times(ratio: float) -> str:
    """124e6 / 121 -> 'about a million times', 124e6 / 2197 -> 'about 56,000 times'."""
    if ratio >= 1e6:
        millions = round(ratio / 1e6)
        return "about a million times" if millions == 1 else f"about {millions} million times"
    if ratio >= 100:
        return f"about {int(float(f'{ratio:.2g}')):,} times"
    return f"about {ratio:.0f} times"


def param_comparison_text(model: WordModel) -> str:
    """One paragraph: this model's knob count, how it comes about, and GPT-2 small beside it."""
    V, n = model.V, model.n_params
    if isinstance(model, Embedding):
        d, h, table = model.dim, model.context * model.dim, V ** (model.context + 1)
        return (
            f"This model has <b>{n:,} knobs</b> ({V} words × {d} map knobs, {h} × {V} output "
            f"weights, {V} biases); the table model needs <b>{table:,}</b> here; GPT-2 small "
            f"has <b>{GPT2_SMALL_PARAMS / 1e6:.0f} million</b>. Words used alike end up "
            "near each other on the map, so what the model learns about one word also "
            "helps its neighbours."
        )
    if model.context == 1:
        how = f"{V} words × {V} next words"
        table = "one table of word pairs"
    else:
        how = f"{V} × {V} two-word contexts × {V} next words"
        table = "one table of word triples"
    return (
        f"This model has <b>{n:,} knobs</b> ({how}); GPT-2 small has "
        f"<b>{GPT2_SMALL_PARAMS / 1e6:.0f} million</b>: "
        f"{_about_times(GPT2_SMALL_PARAMS / n)} more, enough to hold grammar, facts and "
        f"style instead of {table}."
    )


def _sentence(words: list[str]) -> str:
    """['the', 'cat', 'sat', '.'] -> 'The cat sat.'; no '.' at the end -> 'The cat sat …'."""
    ended = bool(words) and words[-1] == BOUNDARY
    body = [w for w in words if w != BOUNDARY]
    if not body:
        return "(the model ended the sentence before its first word)"
    text = " ".join(body)
    text = text[0].upper() + text[1:]
    return text + ("." if ended else " …")


class LevelLine(pg.InfiniteLine):
    """A horizontal line at a value in data units, for a plot whose y axis may be log.

    pyqtgraph's ``InfiniteLine`` has no ``setLogMode``: on a log axis its position is in
    view units (log10 of the value). ``PlotItem`` calls ``setLogMode`` on every item that
    has one (when added, and on each toggle), so this line re-places itself; a value of
    0 or below has no place on a log axis and hides the line.
    """

    def __init__(self, value: float = 1.0, *, label: str = "", color: QColor | None = None) -> None:
        color = color or _ink()
        pen = pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine)
        super().__init__(
            pos=value,
            angle=0,
            pen=pen,
            movable=False,
            label=label or None,
            # below the line, at the right: the error curve never comes down there
            labelOpts={"position": 0.98, "anchors": [(1, 0), (1, 0)], "color": color},
        )
        self.level = float(value)  # in data units (``value()`` is the position in view units)
        self.log_y = False
        self.setZValue(-5)  # under the curves
        if self.label is not None:
            font = self.label.textItem.font()
            font.setPointSizeF(font.pointSizeF() * 0.85)
            self.label.setFont(font)

    def set_level(self, value: float) -> None:
        """Move the line to ``value`` in data units."""
        self.level = float(value)
        self._place()

    def setLogMode(self, x: bool, y: bool) -> None:  # noqa: N802 - pyqtgraph's name
        self.log_y = bool(y)
        self._place()

    def _place(self) -> None:
        v = self.level
        if self.log_y:
            ok = math.isfinite(v) and v > 0
            self.setVisible(ok)
            if ok:
                self.setPos(math.log10(v))
        else:
            self.setVisible(math.isfinite(v))
            if math.isfinite(v):
                self.setPos(v)


def _label(text: str = "", name: str = "", *, wrap: bool = False) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


class NextWordView(QWidget):
    """What a next-word model predicts, live: bars for one context, sentences, its size.

    Listens to the controller. For any other model it holds still (and takes the
    best-possible line off the loss plot); the window shows it only for ``nextword``.

    Parameters
    ----------
    controller : SessionController
    loss_plot_item : pg.PlotItem, optional
        The error plot; while a next-word model is loaded it carries a dashed line at
        the best possible error, computed from the corpus's counts.
    """

    BAR_WIDTH = 0.7

    def __init__(
        self,
        controller: SessionController,
        loss_plot_item: pg.PlotItem | None = None,
        parent: QWidget | None = None,
    ) -> None:
        theme.apply_pyqtgraph_theme()
        super().__init__(parent)
        self.setObjectName("nextword_view")
        self._controller = controller
        self._loss_item = loss_plot_item
        self._model: WordModel | None = None  # None: the session's model is another kind
        self._source: tuple[object, object] | None = None  # the (model, dataset) shown
        self._rng = np.random.default_rng(0)
        self._targets: Array = np.zeros((0, 0))  # count-based P(next | context), NaN if unseen
        self.optimum = math.nan  # best possible mean cross-entropy, nats
        self.level_line = LevelLine(label="best possible\n(from counts)")

        # -- which context -------------------------------------------------------------
        self.context_combo = QComboBox()
        self.context_combo.setObjectName("context_word")
        self.context_combo.setEditable(True)
        self.context_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.context_combo.setMaxVisibleItems(20)
        self.context_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.context_combo.setToolTip(
            "The word(s) so far: pick one, or type it and press Enter. The bars show what "
            "the model expects next."
        )
        self.context_combo.setAccessibleName("Context word")
        self.context_hint = _label("", "context_hint")
        self.context_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.optimum_label = _label("", "optimum_label")
        self.optimum_label.setToolTip(
            "The cross-entropy now, and the lowest any table of knobs can reach on this "
            "corpus: the one that predicts exactly the word frequencies counted in the text."
        )
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(QLabel("After"))
        header.addWidget(self.context_combo)
        header.addWidget(QLabel("comes:"))
        header.addWidget(self.context_hint, 1)
        self.header = header  # Predict adds its guess of the top word here

        # -- the bars: one row of the table, a word per bar ----------------------------
        self.bars_plot = pg.PlotWidget()
        self.bars_plot.setObjectName("next_word_bars")
        self.bars_plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.bars_plot.setMinimumHeight(150)
        self.plot_item: pg.PlotItem = self.bars_plot.getPlotItem()
        self.plot_item.hideButtons()
        self.plot_item.setMouseEnabled(x=False, y=False)
        self.plot_item.setMenuEnabled(False)
        self.plot_item.getViewBox().invertY(True)  # the first word on top, as in the table
        self.plot_item.setLabel("bottom", "bars: the model · marks: the corpus")
        self.plot_item.showGrid(x=True, alpha=0.15)
        self.plot_item.getAxis("bottom").setTicks(
            [[(v, f"{v:g}") for v in (0, 0.25, 0.5, 0.75, 1)]]
        )
        self.bars = pg.BarGraphItem(
            x0=np.zeros(0),
            y=np.zeros(0),
            width=np.zeros(0),
            height=self.BAR_WIDTH,
            brush=pg.mkBrush(BAR_COLOR),
            pen=pg.mkPen(BAR_EDGE, width=1),
        )
        target_pen = pg.mkPen(_ink(), width=3)
        target_pen.setCosmetic(True)
        self.targets = pg.PlotDataItem(pen=target_pen, connect="pairs", skipFiniteCheck=True)
        self.targets.setZValue(5)
        self.plot_item.addItem(self.bars)
        self.plot_item.addItem(self.targets)
        self.value_labels: list[pg.TextItem] = []

        # -- sentences -----------------------------------------------------------------
        self.greedy_text = _label("", "greedy_text", wrap=True)
        self.greedy_text.setTextFormat(Qt.TextFormat.RichText)
        self.greedy_text.setToolTip(
            "Start a sentence and always take the most likely next word (temperature 0). "
            "It changes as the knobs turn."
        )
        self.temperature = QDoubleSpinBox()
        self.temperature.setObjectName("temperature")
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setDecimals(1)
        self.temperature.setValue(1.0)
        self.temperature.setPrefix("temperature ")
        self.temperature.setAccessibleName("Temperature")
        self.temperature.setToolTip(
            "How adventurous sampling is: 0 always takes the most likely word, 1 follows the "
            "model's probabilities, 2 flattens them towards any word at all."
        )
        self.generate_button = named_button(
            "Generate",
            "generate",
            "Write a sentence word by word, each drawn at random from the knobs' table.",
        )
        self.generated_text = _label(PROMPT, "generated_text", wrap=True)
        self.generated_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # -- size ----------------------------------------------------------------------
        self.context_size = QSpinBox()
        self.context_size.setObjectName("context_size")
        self.context_size.setRange(1, 2)
        self.context_size.setPrefix("context ")
        self.context_size.setSuffix(" word")
        self.context_size.setAccessibleName("Context size")
        self.context_size.setToolTip(
            "How many words the model looks back. Two words give every pair of words its "
            "own row of knobs: the count jumps from V² to V³ (with the cap of "
            f"{MAX_VOCAB} words plus '.', up to {(MAX_VOCAB + 1) ** 3:,} knobs, which take "
            "a few seconds to lay out)."
        )
        self.param_comparison = _label("", "param_comparison", wrap=True)
        self.param_comparison.setTextFormat(Qt.TextFormat.RichText)

        sample = QHBoxLayout()
        sample.addWidget(self.temperature, 0, Qt.AlignmentFlag.AlignTop)
        sample.addWidget(self.generate_button, 0, Qt.AlignmentFlag.AlignTop)
        sample.addWidget(self.generated_text, 1)
        size = QHBoxLayout()
        size.addWidget(self.context_size, 0, Qt.AlignmentFlag.AlignTop)
        size.addWidget(self.param_comparison, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.bars_plot, 1)
        layout.addWidget(self.optimum_label)
        layout.addWidget(self.greedy_text)
        layout.addLayout(sample)
        layout.addLayout(size)

        self.context_combo.currentIndexChanged.connect(self._on_context_combo_changed)
        self.context_combo.lineEdit().returnPressed.connect(self._on_context_typed)
        self.generate_button.clicked.connect(self._on_generate_clicked)
        self.context_size.valueChanged.connect(self._on_context_size_changed)
        controller.modelChanged.connect(self._on_structure_changed)
        controller.dataChanged.connect(self._on_structure_changed)
        controller.paramsChanged.connect(self._on_params_changed)
        controller.historyChanged.connect(self._on_history_changed)
        self._rebuild()

    # -- public --------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """True while the session's model is a next-word model."""
        return self._model is not None

    @property
    def context_row(self) -> int:
        """The table row the bars show."""
        row = self.context_combo.currentData()
        return int(row) if row is not None else 0

    def set_context(self, label: str) -> None:
        """Show the bars after ``label`` (e.g. 'the', or 'the cat' for a two-word model)."""
        i = self._find_context(label)
        if i < 0:
            raise KeyError(f"{label!r} is not a context of this model.")
        self.context_combo.setCurrentIndex(i)

    def bar_values(self) -> Array:
        """The bar lengths as drawn: P(next word | context), (V,)."""
        return np.array(self.bars.opts["width"], dtype=np.float64)

    def target_values(self) -> Array:
        """The corpus's counted frequencies the marks show for this context, (V,)."""
        if not self.active:
            return np.zeros(0)
        return self._targets[self.context_row].copy()

    def use_corpus(self, corpus: Corpus, context: int | None = None) -> None:
        """Start a next-word session on ``corpus`` (keeps optimizer, L2 and seed).

        ``context`` defaults to the current model's (1 for another kind of model).

        Raises
        ------
        DataError
            A corpus the model cannot use.
        """
        c = self._controller
        old = c.session
        if context is None:
            context = old.model.context if isinstance(old.model, WordModel) else 1
        embed = isinstance(old.model, Embedding)
        session = session_for(
            old.model.name if embed else "nextword",
            corpus.to_dataset(context),
            seed=old.seed,
            optimizer=c.config,
            l2=old.model.l2,
            context=context,
            dim=old.model.dim if embed else 2,
        )
        was_training = c.is_training
        c.set_training(False)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # V³ knobs take a while
        try:
            c.replace_session(session)
        finally:
            QGuiApplication.restoreOverrideCursor()
        if was_training:
            c.set_training(True)

    def open_corpus(self, path: str | os.PathLike[str]) -> bool:
        """Load a text file and start the next-word model on it.

        A file the model cannot use (missing, empty, binary, one word, more than
        ``MAX_VOCAB`` words) gets a message box, object name ``corpus_error``, and the
        current corpus stays. Returns True when the file was loaded.
        """
        try:
            corpus = load_corpus(path)
            # named by the whole file name, so "rhymes.txt" never passes for the built-in
            self.use_corpus(replace(corpus, name=Path(path).name))
        except DataError as exc:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "This text cannot be a corpus",
                str(exc),
                QMessageBox.StandardButton.Ok,
                self.window(),
            )
            box.setObjectName("corpus_error")
            box.setInformativeText(CORPUS_RULES)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()  # window-modal, and it does not block the caller
            return False
        model = self._controller.model
        self._controller.messageRaised.emit(
            f"Opened {Path(path).name}: {model.V - 1} words and '.', {model.n_params:,} knobs."
        )
        return True

    # -- slots ---------------------------------------------------------------------------
    def _on_structure_changed(self) -> None:
        self._rebuild()

    def _on_params_changed(self) -> None:
        session = self._controller.shown
        if (session.model, session.dataset) != self._source:
            self._rebuild()  # a new session arrived before its modelChanged
        else:
            self.update_view()

    def _on_history_changed(self) -> None:
        if self.active:
            self._show_error()

    def _on_context_combo_changed(self) -> None:
        self.context_hint.clear()
        self.update_view()

    def _on_context_typed(self) -> None:
        text = self.context_combo.currentText()
        i = self._find_context(text)
        if i < 0:
            self.context_hint.setText(f"'{text.strip()}' is not a context of this model")
            return
        self.context_hint.clear()
        self.context_combo.setCurrentIndex(i)
        self.context_combo.setEditText(self.context_combo.itemText(i))

    def _on_generate_clicked(self) -> None:
        if not self.active:
            return
        words = generate(
            self._model,
            self._controller.shown.params,
            self._rng,
            self.temperature.value(),
            max_words=20,
        )
        self.generated_text.setText(_sentence(words))
        self.generated_text.setToolTip(" ".join(words))

    def _on_context_size_changed(self, k: int) -> None:
        self._show_context_size_unit()
        if not self.active or self._model.context == k:
            return
        try:
            corpus = corpus_from_dataset(self._controller.shown.dataset)
            self.use_corpus(corpus, context=k)
        except (DataError, ValueError) as exc:
            self._controller.messageRaised.emit(str(exc))
            self._sync_context_size()

    # -- building ------------------------------------------------------------------------
    def _rebuild(self) -> None:
        session = self._controller.shown
        model = session.model
        if (model, session.dataset) == self._source:
            return
        self._source = (model, session.dataset)
        if not isinstance(model, WordModel):
            self._model = None
            self._show_level_line(False)
            return
        previous = self._context_label() if self.context_combo.count() else ""
        self._model = model
        self._rng = np.random.default_rng(session.seed)  # the same seed, the same sentences
        d = session.dataset
        C = model.counts(d.X_train, d.y_train)  # (contexts, V)
        self._targets = probabilities_from_counts(C)
        self.optimum = optimum_from_counts(C)
        self.level_line.set_level(self.optimum)
        self._show_level_line(True)
        self._fill_contexts(model, C)
        self._build_bars(model)  # before the context below: its slot draws on the bars
        if previous and self._find_context(previous) >= 0:
            self.set_context(previous)
        self._sync_context_size()
        self.param_comparison.setText(param_comparison_text(model))
        self.generated_text.setText(PROMPT)
        self.generated_text.setToolTip("")
        self.update_view()

    def _fill_contexts(self, model: WordModel, C: NDArray) -> None:
        """Contexts seen in the corpus first (the busiest one chosen), then the rest."""
        seen = C.sum(axis=1)  # (contexts,)
        rows = np.arange(model.n_rows)
        with QSignalBlocker(self.context_combo):
            self.context_combo.clear()
            for group in (rows[seen > 0], rows[seen == 0]):
                if group.size and self.context_combo.count():
                    self.context_combo.insertSeparator(self.context_combo.count())
                for r in group.tolist():
                    label = model.context_label(r)
                    if r == 0:
                        label += START_NOTE
                    self.context_combo.addItem(label, r)
                    tip = "seen" if seen[r] else "never seen"
                    self.context_combo.setItemData(
                        self.context_combo.count() - 1,
                        f"{tip} {int(seen[r])} times in the corpus" if seen[r] else tip,
                        Qt.ItemDataRole.ToolTipRole,
                    )
            busiest = int(np.argmax(np.where(rows == 0, -1, seen)))  # not the sentence start
            self.context_combo.setCurrentIndex(self.context_combo.findData(busiest))

    def _build_bars(self, model: WordModel) -> None:
        V = model.V
        y = np.arange(V, dtype=np.float64)  # a row per word
        self.bars.setOpts(x0=np.zeros(V), y=y, width=np.zeros(V), height=self.BAR_WIDTH)
        ticks = [(float(j), ". (end)" if w == BOUNDARY else w) for j, w in enumerate(model.vocab)]
        self.plot_item.getAxis("left").setTicks([ticks])
        self.plot_item.setRange(xRange=(0, 1.14), yRange=(-0.6, V - 0.4), padding=0)
        for item in self.value_labels:
            self.plot_item.removeItem(item)
        color = _ink()
        self.value_labels = []
        for j in range(V):
            text = pg.TextItem("", color=color, anchor=(0.0, 0.5))
            text.setPos(0.0, float(j))
            self.plot_item.addItem(text)
            self.value_labels.append(text)

    def _sync_context_size(self) -> None:
        with QSignalBlocker(self.context_size):
            self.context_size.setValue(self._model.context if self._model else 1)
        self._show_context_size_unit()

    def _show_context_size_unit(self) -> None:
        k = self.context_size.value()
        self.context_size.setSuffix(" word" if k == 1 else " words")

    def _show_level_line(self, on: bool) -> None:
        item = self._loss_item
        if item is None:
            return
        shown = self.level_line in item.items
        if on and not shown:
            item.addItem(self.level_line, ignoreBounds=True)  # calls setLogMode for us
        elif not on and shown:
            item.removeItem(self.level_line)

    # -- updating (every change of the weights) --------------------------------------------
    def update_view(self) -> None:
        """Pull the weights; redraw the bars, their numbers and the most likely sentence."""
        if not self.active:
            return
        session = self._controller.shown
        model, theta = self._model, session.params
        row = self.context_row
        with np.errstate(all="ignore"):
            P = model.probabilities(theta)[row]  # (V,) P(next | context)
        P = np.nan_to_num(P, nan=0.0)
        self.bars.setOpts(width=P)
        target = self._targets[row]  # (V,)
        right = np.fmax(P, target) + 0.015  # each number just past its bar and its mark
        for j, (text, p) in enumerate(zip(self.value_labels, P.tolist(), strict=True)):
            text.setText(f"{p:.0%}" if p >= 0.005 else "")
            text.setPos(float(right[j]), float(j))
        if np.all(np.isnan(target)):
            self.targets.setData([], [])
            self.context_hint.setText("(never in the corpus: no target)")
        else:
            j = np.flatnonzero(target > 0)
            half = self.BAR_WIDTH / 2 + 0.08
            x = np.repeat(target[j], 2)
            y = np.column_stack([j - half, j + half]).reshape(-1)
            self.targets.setData(x, y)
            if self.context_hint.text().startswith("(never"):
                self.context_hint.clear()
        greedy = generate(model, theta, self._rng, 0.0, max_words=GREEDY_WORDS)
        self.greedy_text.setText(f"<b>Most likely:</b> {html.escape(_sentence(greedy))}")
        self._show_error()

    def _show_error(self) -> None:
        now = self._controller.shown.train_loss
        self.optimum_label.setText(
            f"error now <b>{now:.3f}</b> · best possible <b>{self.optimum:.3f}</b>"
            if math.isfinite(now)
            else f"best possible error <b>{self.optimum:.3f}</b>"
        )

    # -- helpers ---------------------------------------------------------------------------
    def _context_label(self) -> str:
        return self.context_combo.currentText().removesuffix(START_NOTE)

    def _find_context(self, text: str) -> int:
        wanted = " ".join(text.removesuffix(START_NOTE).lower().split())
        for i in range(self.context_combo.count()):
            item = self.context_combo.itemText(i).removesuffix(START_NOTE)
            if item and item == wanted:
                return i
        return -1
