"""Predict, then reveal (the window's side): ghost handles on the knobs, the ghost curve on
the fit plot, and the score box after training. The guess lives in ``PredictMode`` only;
the ghosts paint from it. The maths is knobsim.core.lessons.predict."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPen, QUndoCommand
from PySide6.QtWidgets import QComboBox, QLabel, QWidget
from shiboken6 import isValid

from knobsim.core.lessons.predict import (
    FREE_PLAY,
    Prediction,
    Score,
    best_words,
    record_best,
    score,
)
from knobsim.core.models.machines import NextWord
from knobsim.ui import theme
from knobsim.ui.knobs.panel import Dial, dials
from knobsim.ui.widgets import handle_centre

if TYPE_CHECKING:
    from collections.abc import Callable

    from knobsim.ui.controller.session_controller import SessionController
    from knobsim.ui.knobs.panel import Knob

#: a ghost handle's size across the slider, in pixels
GHOST_WIDTH = 12
#: undo id: the moves of one drag of one ghost merge into one undo step
_GHOST_MOVE_ID = 7116


class GhostMove(QUndoCommand):
    """A hand moved a ghost handle: pushing it moves the ghost; drags merge."""

    def __init__(self, mode: PredictMode, i: int, old: float, new: float) -> None:
        super().__init__(f"Move the ghost of {mode.name(i)}")
        self.mode, self.i, self.old, self.new = mode, i, old, new

    def id(self) -> int:  # noqa: A003 - Qt's name
        return _GHOST_MOVE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, GhostMove) or other.i != self.i or other.mode is not self.mode:
            return False
        self.new = other.new
        return True

    def redo(self) -> None:
        self.mode.put(self.i, self.new)

    def undo(self) -> None:
        self.mode.put(self.i, self.old)


class PredictMode(QObject):
    """The guess and its phase: "off", "guessing" (ghosts out, before Train), "revealing"
    (training runs, ghosts stay) or "scored" (the score box shows ``last_score``).

    Signals
    -------
    changed()
        The phase or a ghost value changed.
    """

    changed = Signal()

    def __init__(
        self, controller: SessionController, lesson_id: Callable[[], str] | None = None
    ) -> None:
        super().__init__(controller)
        self._controller = controller
        self._lesson_id = lesson_id or (lambda: FREE_PLAY)
        self.phase = "off"
        self.prediction: Prediction | None = None
        self.model = None  # the model the prediction is about
        self.last_score: Score | None = None
        self.bests: dict[str, int] = {}
        self.message = ""
        controller.trainingToggled.connect(self._on_training_toggled)
        controller.modelChanged.connect(self.leave)
        controller.dataChanged.connect(self.leave)

    def name(self, i: int) -> str:
        return self._controller.session.param_names[i]

    @property
    def active(self) -> bool:
        return self.phase != "off"

    def start(self) -> None:
        """Ghosts appear where the knobs are now; a hand drags them to its guess."""
        if self._controller.is_training:
            return
        session = self._controller.session
        model = session.model
        rows = (-1,) * model.n_rows if isinstance(model, NextWord) else None  # -1: no guess
        self.prediction = Prediction(session.params.copy(), (), rows)
        self.model = model
        self.last_score, self.message, self.phase = None, "", "guessing"
        self.changed.emit()

    def leave(self) -> None:
        if self.phase == "off":
            return
        self.phase, self.prediction, self.last_score, self.message = "off", None, None, ""
        self.model = None
        self.changed.emit()

    def move_ghost(self, i: int, value: float) -> None:
        """A hand on ghost ``i`` (through the undo stack)."""
        if self.prediction is None or self.phase != "guessing":
            return
        old = float(self.prediction.knobs[i])
        if value != old:
            self._controller.undo_stack.push(GhostMove(self, i, old, float(value)))

    def guess_word(self, row: int, word: int) -> None:
        """A hand named ``word`` (-1: none) the top next word after table row ``row``."""
        p = self.prediction
        if p is None or p.top_words is None or self.phase != "guessing":
            return
        self.prediction = p.with_top_word(row, word)
        self.changed.emit()

    def put(self, i: int, value: float) -> None:
        if self.prediction is None or i >= len(self.prediction.knobs):
            return
        self.prediction = self.prediction.with_knob(i, value)
        self.changed.emit()

    def _on_training_toggled(self, on: bool) -> None:
        if on and self.phase == "guessing":
            self.phase = "revealing"
            self.changed.emit()
        elif not on and self.phase == "revealing":
            self._score()

    def _score(self) -> None:
        session = self._controller.session
        h = session.history
        sc = score(
            session.model,
            self.prediction,
            session.params,
            session.dataset.X_train,
            h.steps,
            h.train,
        )
        self.bests, new = record_best(self.bests, self._lesson_id(), sc.points)
        self.last_score = sc
        self.message = f"{sc.words()} {best_words(self.bests[self._lesson_id()], new)}"
        self.phase = "scored"
        self.changed.emit()


class GhostHandle(QWidget):
    """The ghost of one knob: a dashed marker on its slider that a hand drags to a guess.
    It keeps no value: it sits where ``mode.prediction`` says. A hand on it never reaches
    the real knob underneath."""

    def __init__(self, mode: PredictMode, knob: Knob, index: int) -> None:
        super().__init__(knob.slider)
        self.mode, self.knob, self.index = mode, knob, index
        self.setObjectName(f"ghost:{knob.name}")
        self.setAccessibleName(f"ghost of {knob.name}")
        self.setToolTip(
            f"Your guess for {knob.name}: drag it to where you think Train will leave this knob."
        )
        self.setCursor(Qt.CursorShape.SizeHorCursor)
        self._grab: QPointF | None = None  # where in the handle the hand holds it
        knob.slider.installEventFilter(self)  # a resized slider moves its ghost
        self.place()

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:  # noqa: N802 - Qt's name
        if ev.type() == QEvent.Type.Resize:
            self.place()
        return False

    @property
    def horizontal(self) -> bool:
        return self.knob.slider.orientation() == Qt.Orientation.Horizontal

    @property
    def on_dial(self) -> bool:
        """A dial's ghost is a mark on its value arc, turned around it."""
        return isinstance(self.knob.slider, Dial)

    def value(self) -> float:
        p = self.mode.prediction
        return float(p.knobs[self.index]) if p is not None else float("nan")

    def fraction(self) -> float:
        lo, hi = self.knob.range()
        return min(1.0, max(0.0, (self.value() - lo) / (hi - lo)))

    def centre(self) -> float:
        """Where the ghost's value belongs along the slider, in the slider's pixels."""
        return handle_centre(self.knob.slider, self.fraction())

    def anchor(self) -> QPointF:
        """Where the ghost's centre belongs, in the slider's (or dial's) pixels."""
        s = self.knob.slider
        if self.on_dial:
            return dials.point_at(s.width(), self.fraction())
        if self.horizontal:
            return QPointF(self.centre(), s.height() / 2)
        return QPointF(s.width() / 2, self.centre())

    def place(self) -> None:
        s, a = self.knob.slider, self.anchor()
        if self.on_dial:
            side = GHOST_WIDTH + 2
            self.setGeometry(round(a.x() - side / 2), round(a.y() - side / 2), side, side)
        elif self.horizontal:
            self.setGeometry(round(a.x() - GHOST_WIDTH / 2), 0, GHOST_WIDTH, s.height())
        else:
            self.setGeometry(0, round(a.y() - GHOST_WIDTH / 2), s.width(), GHOST_WIDTH)
        self.update()

    def _fraction_at(self, pos: QPointF) -> float:
        """The share of the range a hand at ``pos`` (the slider's pixels) points to."""
        s = self.knob.slider
        if self.on_dial:
            return dials.fraction_toward(pos.x() - s.width() / 2, pos.y() - s.height() / 2)
        along = pos.x() if self.horizontal else pos.y()
        a, b = handle_centre(s, 0.0), handle_centre(s, 1.0)
        return min(1.0, max(0.0, (along - a) / (b - a)))

    def _at(self, ev: QMouseEvent) -> QPointF:
        return QPointF(self.knob.slider.mapFromGlobal(ev.globalPosition().toPoint()))

    def mousePressEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if ev.button() != Qt.MouseButton.LeftButton or self.mode.phase != "guessing":
            ev.ignore()
            return
        # held where the hand took it: the ghost does not jump to the pointer (on a dial
        # the angle is the value, so it follows the pointer around the arc)
        self._grab = QPointF(0, 0) if self.on_dial else self._at(ev) - self.anchor()
        ev.accept()

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._grab is not None:
            lo, hi = self.knob.range()
            frac = self._fraction_at(self._at(ev) - self._grab)
            self.mode.move_ghost(self.index, lo + frac * (hi - lo))
        ev.accept()

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        self._grab = None
        ev.accept()

    def paintEvent(self, ev) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5)
        path = QPainterPath()
        if self.horizontal:  # a diamond across the groove
            cx, cy, half = r.center().x(), r.center().y(), min(r.height() / 2, r.width())
            pts = [(cx, cy - half), (r.right(), cy), (cx, cy + half), (r.left(), cy)]
        else:
            cx, cy, half = r.center().x(), r.center().y(), min(r.width() / 2, r.height())
            pts = [(cx - half, cy), (cx, r.top()), (cx + half, cy), (cx, r.bottom())]
        path.moveTo(QPointF(*pts[0]))
        for pt in pts[1:]:
            path.lineTo(QPointF(*pt))
        path.closeSubpath()
        fill = QColor(theme.GHOST_COLOR)
        fill.setAlpha(110)
        p.fillPath(path, fill)
        pen = QPen(QColor(theme.GHOST_COLOR), 1.5, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawPath(path)
        p.end()


class Ghosts(QObject):
    """Keeps one ``GhostHandle`` per knob of the panel while the mode is on, and the fit
    plot's ghost curve; both repaint from ``mode`` when it changes."""

    def __init__(self, mode: PredictMode, knob_panel, fit_plot) -> None:
        super().__init__(mode)
        self.mode, self.knob_panel, self.fit_plot = mode, knob_panel, fit_plot
        self.handles: dict[str, GhostHandle] = {}
        self.words = None  # the next-word view, once it exists
        self.word_combo: QComboBox | None = None  # the guess of its shown row's top word
        mode.changed.connect(self.refresh)
        mode._controller.paramsChanged.connect(self._place)
        knob_panel.rebuilt.connect(self.refresh)

    def attach_words(self, view) -> None:
        """Give the next-word view a combo for the guess of the top next word."""
        self.words = view
        label = QLabel("Guess:")
        combo = QComboBox()
        combo.setObjectName("guess_word")
        combo.setAccessibleName("Your guess of the top next word")
        combo.setToolTip("Predict: the word you think comes most often after this one.")
        view.header.addWidget(label)
        view.header.addWidget(combo)
        self.word_combo, self._word_label = combo, label
        combo.activated.connect(self._on_word_combo_activated)
        view.context_combo.currentIndexChanged.connect(self._show_word)
        self._show_word()

    def _on_word_combo_activated(self, index: int) -> None:
        self.mode.guess_word(self.words.context_row, index - 1)

    def _show_word(self) -> None:
        combo, p = self.word_combo, self.mode.prediction
        if combo is None:
            return
        model = self.mode._controller.session.model
        on = p is not None and p.top_words is not None and isinstance(model, NextWord)
        combo.setVisible(on)
        self._word_label.setVisible(on)
        if not on:
            return
        items = ["—", *model.vocab]
        with QSignalBlocker(combo):
            if [combo.itemText(k) for k in range(combo.count())] != items:
                combo.clear()
                combo.addItems(items)
            combo.setCurrentIndex(p.top_words[self.words.context_row] + 1)
        combo.setEnabled(self.mode.phase == "guessing")

    def refresh(self) -> None:
        mode = self.mode
        self._show_word()
        # a new model's knobs can be built before the mode hears of the model and leaves:
        # a guess about the old model's knobs has no place on them
        if not mode.active or mode.model is not mode._controller.session.model:
            for h in self.handles.values():
                h.deleteLater()
            self.handles = {}
            self.fit_plot.show_ghost(None)
            return
        knobs = self.knob_panel.knobs
        names = mode._controller.session.param_names
        if not self._on(knobs):
            # a new model, or the same knobs built again (a zoom, the knob style): the old
            # handles sat on the old sliders, which are gone or going
            for h in self.handles.values():
                if isValid(h):
                    h.deleteLater()
            self.handles = {
                k.name: GhostHandle(mode, k, names.index(k.name)) for k in knobs if k.name in names
            }
        for h in self.handles.values():
            h.show()
            h.raise_()
        self._place()
        self.fit_plot.show_ghost(mode.prediction.knobs)

    def _on(self, knobs) -> bool:
        """Do the handles sit on these knobs (the very widgets, not only their names)?"""
        ours = [h.knob for h in self.handles.values()]
        return len(ours) == len(knobs) and all(a is b for a, b in zip(ours, knobs, strict=True))

    def _place(self) -> None:
        if self.handles and not self._on(self.knob_panel.knobs):
            self.refresh()  # the panel was built again under the ghosts
            return
        for h in self.handles.values():
            h.place()
