"""Beat the optimizer: your knob moves against gradient descent's steps, from one start.

A window of its own with its own session, so the main window's session is left alone. The
rules, the optimizer's run, the score and the best-score file are core
(``knobsim.core.lessons.challenge``); this module counts moves and shows both error curves.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from knobsim.core.lessons.challenge import (
    CHALLENGES,
    Challenge,
    Result,
    challenge,
    load_best,
    make_session,
    play,
    record,
)
from knobsim.ui import theme
from knobsim.ui.controller.session_controller import SessionController
from knobsim.ui.knobs.panel import KnobPanel, saved_knob_style
from knobsim.ui.plots.fit_plot import FitPlot
from knobsim.ui.widgets import named_button
from knobsim.ui.window.errors import data_dir


def scores_dir() -> Path:
    """The per-user application-data folder, where the best scores are kept."""
    return data_dir()


def new_seed() -> int:
    """A fresh starting point, chosen by the app (printed in the window, so it can be replayed)."""
    return secrets.randbelow(1_000_000)


def _label(name: str, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


class ChallengeDialog(QDialog):
    """The game window (``challenge``): not modal, so the main window stays usable.

    Object names: ``challenge_choice`` (which challenge), ``challenge_blurb``,
    ``challenge_moves`` (moves left), ``challenge_error`` (your error now),
    ``challenge_done`` (end your turn), ``challenge_new`` (a new random start),
    ``challenge_retry`` (the same start again), ``challenge_score``, ``challenge_best``,
    ``challenge_plot`` (both error curves); the knobs are ``knob:<name>`` as in the window.

    Signals
    -------
    gameFinished(object)
        A :class:`~knobsim.core.lessons.challenge.Result`, after the optimizer has played.
    """

    gameFinished = Signal(object)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        scores_folder: str | Path | None = None,
        challenge_id: str = CHALLENGES[0].id,
        seed: int | None = None,
    ) -> None:
        theme.apply_pyqtgraph_theme()
        super().__init__(parent)
        self.setObjectName("challenge")
        self.setWindowTitle("Beat the optimizer — knobsim")
        self.setModal(False)
        self.resize(1100, 640)
        self.scores_folder = Path(scores_folder) if scores_folder is not None else scores_dir()
        self.challenge: Challenge = challenge(challenge_id)
        self.seed = new_seed() if seed is None else int(seed)
        self.result: Result | None = None
        self.playing = False
        self.moves_used = 0
        self.your_errors: list[float] = []
        self._moving: tuple[int, ...] = ()
        self._shown = np.zeros(0)

        self.controller = SessionController(make_session(self.challenge, self.seed), self)
        self.knob_panel = KnobPanel(self.controller)
        self.knob_panel.set_knob_style(saved_knob_style())  # as the main window's
        self.fit_plot = FitPlot(self.controller)

        self.choice = QComboBox()
        self.choice.setObjectName("challenge_choice")
        self.choice.setAccessibleName("Challenge")
        for ch in CHALLENGES:
            self.choice.addItem(ch.title, ch.id)
        self.choice.setCurrentIndex(self.choice.findData(self.challenge.id))
        self.blurb = _label("challenge_blurb")
        self.rules = _label("challenge_rules")
        self.moves_label = _label("challenge_moves")
        font = self.moves_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.moves_label.setFont(font)
        self.error_label = _label("challenge_error")
        self.done_button = named_button("Done: let gradient descent play", "challenge_done")
        self.retry_button = named_button("Same start again", "challenge_retry")
        self.new_button = named_button(
            "New start", "challenge_new", "Play again from another random start."
        )
        self.score_label = _label("challenge_score")
        self.score_label.setTextFormat(Qt.TextFormat.RichText)
        self.score_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.score_label.setMargin(6)
        self.best_label = _label("challenge_best")

        self.plot = pg.PlotWidget()
        self.plot.setObjectName("challenge_plot")
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "move (you) · step (gradient descent)")
        item.setLabel("left", "error")
        item.setLogMode(y=True)
        item.getAxis("left").enableAutoSIPrefix(False)
        item.getAxis("bottom").enableAutoSIPrefix(False)
        item.setMouseEnabled(x=False, y=False)
        item.addLegend(offset=(-10, 10))
        item.showGrid(y=True, alpha=0.15)
        self.your_curve = item.plot(
            pen=pg.mkPen(theme.MARK_COLOR, width=2),
            symbol="o",
            symbolSize=7,
            symbolBrush=theme.MARK_COLOR,
            name="you",
        )
        self.optimizer_curve = item.plot(
            pen=pg.mkPen(theme.TRAIN_COLOR, width=2),
            symbol="s",
            symbolSize=6,
            symbolBrush=theme.TRAIN_COLOR,
            name="gradient descent",
        )

        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(8, 8, 8, 8)
        column.addWidget(self.choice)
        column.addWidget(self.blurb)
        column.addWidget(self.rules)
        column.addWidget(self.moves_label)
        column.addWidget(self.error_label)
        column.addWidget(self.done_button)
        column.addWidget(self.score_label)
        column.addWidget(self.best_label)
        row = QHBoxLayout()
        row.addWidget(self.retry_button)
        row.addWidget(self.new_button)
        column.addLayout(row)
        column.addStretch(1)
        side.setFixedWidth(280)
        plots = QSplitter(Qt.Orientation.Vertical)
        plots.addWidget(self.fit_plot)
        plots.addWidget(self.plot)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(side)
        splitter.addWidget(plots)
        splitter.addWidget(self.knob_panel)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([280, 520, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.choice.currentIndexChanged.connect(self._on_choice_changed)
        self.done_button.clicked.connect(self.finish)
        self.retry_button.clicked.connect(lambda: self.start(seed=self.seed))
        self.new_button.clicked.connect(lambda: self.start(seed=new_seed()))
        self.controller.paramsChanged.connect(self._on_params_changed)
        self.start(seed=self.seed)

    # -- the game ------------------------------------------------------------------------------
    def start(self, challenge_id: str | None = None, *, seed: int | None = None) -> None:
        """A new game of ``challenge_id`` (default: the current one) from ``seed``'s start."""
        if challenge_id is not None and challenge_id != self.challenge.id:
            self.challenge = challenge(challenge_id)
            i = self.choice.findData(challenge_id)
            if i != self.choice.currentIndex():
                with QSignalBlocker(self.choice):
                    self.choice.setCurrentIndex(i)
        self.seed = new_seed() if seed is None else int(seed)
        ch = self.challenge
        self.playing = False  # the new session's first paramsChanged is not a move
        self.controller.replace_session(make_session(ch, self.seed))
        self._shown = self.controller.params.copy()
        self.result = None
        self.moves_used = 0
        self._moving = ()
        self.your_errors = [self.controller.session.train_loss]
        self.optimizer_curve.setData([], [])
        self.plot.getPlotItem().setXRange(0, max(ch.moves, ch.steps), padding=0.05)
        self.blurb.setText(ch.blurb)
        self.rules.setText(
            f"Bring the error down in {ch.moves} moves. A move is a turn of one knob: keep "
            "turning the same knob and it is still one move. When your moves are used up, or "
            f"you press Done, gradient descent takes {ch.steps} steps from the same start; "
            "each of its steps turns every knob at once."
        )
        self.score_label.setText(f"Start #{self.seed}: the app chose it at random.")
        self._show_best()
        self.playing = True
        self._enable_knobs(None)
        self.done_button.setEnabled(True)
        self._show_moves()
        self._show_curve()

    def finish(self) -> Result | None:
        """End your turn: gradient descent plays from the same start; score and keep the best."""
        if not self.playing:
            return self.result
        self.playing = False
        self._enable_knobs(())
        self.done_button.setEnabled(False)
        result = play(self.challenge, self.seed, self.your_errors)
        self.result = result
        theirs = np.asarray(result.optimizer_errors)
        self.optimizer_curve.setData(np.arange(theirs.size, dtype=float), theirs)
        self.score_label.setText(
            f"<b>{result.summary()}</b><br>The score is gradient descent's error divided "
            "by yours: above 1, you won."
        )
        try:
            best, is_new = record(self.scores_folder, result)
        except OSError as exc:
            self.best_label.setText(f"The best score could not be saved: {exc.strerror or exc}.")
        else:
            note = " — a new best!" if is_new else ""
            self.best_label.setText(f"Your best on this challenge: {best['score']:.2f}{note}")
        self.moves_label.setText("Game over. Play again?")
        self.gameFinished.emit(result)
        return result

    # -- slots ---------------------------------------------------------------------------------
    def _on_choice_changed(self) -> None:
        self.start(self.choice.currentData(), seed=new_seed())

    def _on_params_changed(self) -> None:
        params = self.controller.params
        if params.shape != self._shown.shape:  # a new session: not a move
            self._shown = params.copy()
            return
        changed = tuple(np.flatnonzero(params != self._shown).tolist())
        self._shown = params.copy()
        if not self.playing or not changed:
            return
        error = self.controller.session.train_loss
        if changed != self._moving:
            if self.moves_used >= self.challenge.moves:
                return  # cannot happen through the knobs (they are disabled); ignore
            self.moves_used += 1
            self._moving = changed
            self.your_errors.append(error)
            if self.moves_used == self.challenge.moves:
                self._enable_knobs(changed)  # the last move: only this knob still turns
        else:
            self.your_errors[-1] = error
        self._show_moves()
        self._show_curve()

    # -- showing ---------------------------------------------------------------------------------
    def _show_moves(self) -> None:
        left = self.challenge.moves - self.moves_used
        if left > 0:
            self.moves_label.setText(f"Moves left: {left} of {self.challenge.moves}")
        else:
            names = ", ".join(self.controller.model.param_names[i] for i in self._moving)
            self.moves_label.setText(f"Last move: fine-tune {names}, then press Done.")

    def _show_curve(self) -> None:
        ys = np.asarray(self.your_errors, dtype=float)
        self.your_curve.setData(np.arange(ys.size, dtype=float), ys)
        self.error_label.setText(
            f"Error now: <b>{ys[-1]:.4g}</b> (start {ys[0]:.4g})" if ys.size else ""
        )

    def _show_best(self) -> None:
        best = load_best(self.scores_folder).get(self.challenge.id)
        self.best_label.setText(
            f"Your best on this challenge: {best['score']:.2f}" if best else "No best score yet."
        )

    def _enable_knobs(self, only: tuple[int, ...] | None) -> None:
        """All knobs on (None), none (()), or only those at ``only``."""
        for i, knob in enumerate(self.knob_panel.knobs):
            knob.setEnabled(only is None or i in only)
