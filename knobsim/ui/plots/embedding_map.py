"""The embedding map: one labelled dot per word at its two embedding knobs.

Widgets only: the points are the session's knobs (``Embedding.embeddings``), the trails
its recorded weights (``Session.trail``). Dragging a dot turns both of its knobs as one
hand move through the controller, held while training runs, as a knob drag is.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from knobsim.core.models.machines import Embedding
from knobsim.ui import theme
from knobsim.ui.controller.session_controller import SessionController
from knobsim.ui.plots.plot_items import Scatter

Array = NDArray[np.float64]

#: how near (in pixels) a press must be to a dot to pick it up
PICK_PX = 14
DOT_PX = 11
HINT = "Drag a word (its dot or its name) to move it on the map: both of its knobs turn at once."
#: the thin line from a label moved off its dot to the dot (grey on light and dark)
LEADER_COLOR = "#9a9a9a"
#: a label starts this share of its width right of its dot
LABEL_GAP = 0.15


def stack_labels(at: Array, sizes: Array) -> list[tuple[int, int]]:
    """Where each label goes so that no two labels overlap: labels at ``at`` (n, 2)
    screen pixels (y down), each ``sizes`` (n, 2) pixels wide and high, beside their dot
    and centred on it. Each gets ``(side, line)``: side 1 right of the dot, -1 left of it;
    line 0 level with it, 1 a line above, -1 a line below, and so on. A label on its own
    stays right of its dot; words that gather on the map share a stack around it, clear
    of the other words' dots."""
    n = len(at)
    places: list[tuple[int, int]] = [(1, 0)] * n
    r = DOT_PX / 2
    dots = [(x - r, y - r, x + r, y + r) for x, y in at]
    boxes: list[tuple[float, float, float, float]] = []  # left, top, right, bottom
    # a label with few dots around it first: it keeps its place beside its dot, and a
    # crowd's labels spread around the crowd, never onto another word's dot
    near = (np.abs(at[:, None, :] - at[None, :, :]) < 2 * sizes.max(axis=0)).all(axis=2)
    for i in np.lexsort((at[:, 0], -at[:, 1], near.sum(axis=1))):
        (x, y), (w, h) = at[i], sizes[i]
        # the dots on this word's own spot are its own: its label sits beside them
        others = boxes + [d for k, d in enumerate(dots) if np.abs(at[k] - at[i]).max() > r]
        for side, line in _places():
            box = label_box(x, y, w, h, side, line)
            if not any(_overlap(box, b) for b in others) or abs(line) > n:
                break
        places[i] = (side, line)
        boxes.append(box)
    return places


def label_box(
    x: float, y: float, w: float, h: float, side: int, line: int
) -> tuple[float, float, float, float]:
    """The box (left, top, right, bottom; pixels, y down) of a ``w`` x ``h`` label at
    ``(side, line)`` of its dot at ``(x, y)`` (see :func:`stack_labels`)."""
    left = x + LABEL_GAP * w if side > 0 else x - (1 + LABEL_GAP) * w
    top = y - h / 2 - line * h
    return left, top, left + w, top + h


def _places():
    """Right of the dot, left of it, then a line further up or down each time."""
    yield 1, 0
    yield -1, 0
    k = 1
    while True:
        for line in (k, -k):
            yield 1, line
            yield -1, line
        k += 1


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


class _MapViewBox(pg.ViewBox):
    """A view box where the left button drags a word's dot instead of panning."""

    def __init__(self, owner: EmbeddingMap) -> None:
        super().__init__(enableMenu=False)
        self._owner = owner

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 - pyqtgraph's name
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        if ev.isStart():
            self._owner.pick_up(ev.buttonDownScenePos())
        self._owner.drag_to(self.mapSceneToView(ev.scenePos()))
        if ev.isFinish():
            self._owner.put_down()


class EmbeddingMap(QWidget):
    """The words of an embedding model on the plane of their first two knobs."""

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._model: Embedding | None = None
        self._words: list[pg.TextItem] = []
        self._held: int | None = None  # the word in the hand
        self._macro = False  # the drag's one undo step is open
        self._grip = (0.0, 0.0)  # the dot less the pointer where the hand took it
        self._span: tuple | None = None  # the knob ranges the view was last fitted to
        self.view = _MapViewBox(self)
        self.view.disableAutoRange()  # the map holds still under a dragging hand
        self.plot = pg.PlotWidget(viewBox=self.view)
        self.plot.setObjectName("embedding_map")
        self.plot.setLabel("bottom", "knob .x")
        self.plot.setLabel("left", "knob .y")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.trails = pg.PlotCurveItem(pen=pg.mkPen(theme.DIVERGING_COLORS[1], width=1))
        self.dots = Scatter(size=DOT_PX, brush=pg.mkBrush(theme.DIVERGING_COLORS[4]))
        self.leaders = pg.PlotCurveItem(pen=pg.mkPen(LEADER_COLOR, width=1))
        self.plot.addItem(self.trails)
        self.plot.addItem(self.leaders)
        self.plot.addItem(self.dots)
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(hint)
        controller.modelChanged.connect(self.update_view)
        controller.paramsChanged.connect(self.update_view)
        self.view.sigRangeChanged.connect(self._stack_labels)
        self.view.sigResized.connect(self._stack_labels)
        self.update_view()

    # -- public --------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """True while the session's model is a word-embedding model."""
        return self._model is not None

    def points(self) -> Array:
        """The dots as drawn, (V, 2)."""
        x, y = self.dots.getData()
        return np.column_stack([x, y]).astype(np.float64)

    def label_positions(self) -> Array:
        """Where each word's label sits, (V, 2)."""
        return np.array([[t.pos().x(), t.pos().y()] for t in self._words], dtype=np.float64)

    def label_boxes(self) -> list:
        """Where each word's label is printed, in the plot's scene (QRectF)."""
        return [t.mapRectToScene(t.boundingRect()) for t in self._words]

    def update_view(self) -> None:
        session = self._controller.shown
        model = session.model
        if not isinstance(model, Embedding) or model.dim < 2:
            if self._model is not None or len(self.dots.getData()[0]):
                self._model = None
                self.dots.setData([], [])  # (once: every frame of training came here)
                self.trails.setData([], [])
            return
        if model is not self._model:
            self._build(model)
        self._fit_view(model)
        E = model.embeddings(session.params)[:, :2]  # (V, 2)
        self.dots.setData(E[:, 0], E[:, 1])
        for text, (x, y) in zip(self._words, E, strict=True):
            text.setPos(float(x), float(y))
        self._stack_labels()
        trail = session.trail  # (m, n_params), oldest first
        if len(trail) > 1:
            ix = [model.embedding_index(w, a) for w in range(model.V) for a in (0, 1)]
            T = trail[:, ix].reshape(len(trail), model.V, 2)  # (m, V, 2)
            xs, ys = T[:, :, 0].T.ravel(), T[:, :, 1].T.ravel()  # word by word
            connect = np.ones(xs.size, dtype=bool)
            connect[len(trail) - 1 :: len(trail)] = False  # no line from word to word
            self.trails.setData(xs, ys, connect=connect)
        else:
            self.trails.setData([], [])

    # -- the hand ------------------------------------------------------------------------
    def pick_up(self, scene_pos) -> None:
        """A press: the word whose dot is under the pointer (if any) is in the hand."""
        if self._model is None:
            return
        P = self.points()
        # a word's name is a handle too: in a crowd, dots lie on each other, names do not
        on_name = [k for k, box in enumerate(self.label_boxes()) if box.contains(scene_pos)]
        if on_name:
            w = on_name[0]
        else:
            screen = np.array([[*self._scene_xy(x, y)] for x, y in P])  # (V, 2) pixels
            d = np.hypot(screen[:, 0] - scene_pos.x(), screen[:, 1] - scene_pos.y())
            w = int(np.argmin(d))
            if d[w] > PICK_PX:
                return
        self._held = w
        at = self.view.mapSceneToView(scene_pos)
        self._grip = (float(P[w, 0] - at.x()), float(P[w, 1] - at.y()))
        for i in self._knobs(w):
            self._controller.hold(i, True)  # training leaves it in the hand

    def drag_to(self, pos) -> None:
        """The word in the hand follows the pointer: a whole drag is one undo step."""
        if self._held is None or self._model is None:
            return
        knobs = self._knobs(self._held)
        values = [float(pos.x()) + self._grip[0], float(pos.y()) + self._grip[1]]
        theta = self._controller.shown.params
        if not self._macro and [float(theta[i]) for i in knobs] != values:
            name = self._model.vocab[self._held]
            self._controller.undo_stack.beginMacro(f"move '{name}' on the embedding map")
            self._macro = True
        self._controller.set_params_at(knobs, values)

    def put_down(self) -> None:
        if self._held is None:
            return
        if self._macro:
            self._controller.undo_stack.endMacro()
            self._macro = False
        for i in self._knobs(self._held):
            self._controller.hold(i, False)
        self._held = None

    # -- inside --------------------------------------------------------------------------
    def _stack_labels(self) -> None:
        """Labels of words close on screen stack around them, one line each, rather than
        print over each other; each still sits at its own dot, and a label moved away
        from its dot has a thin line to it (which dot of a crowd is the dog's?)."""
        if self._model is None or not self._words:
            self.leaders.setData([], [])
            return
        at = np.array([[*self._scene_xy(t.pos().x(), t.pos().y())] for t in self._words])
        rects = [t.boundingRect() for t in self._words]
        sizes = np.array([[b.width(), b.height()] for b in rects])
        xs: list[float] = []
        ys: list[float] = []
        places = stack_labels(at, sizes)
        for text, (side, line), (x, y), (w, h) in zip(self._words, places, at, sizes, strict=True):
            anchor = (-LABEL_GAP if side > 0 else 1 + LABEL_GAP, 0.5 + line)
            if (text.anchor.x(), text.anchor.y()) != anchor:
                text.setAnchor(anchor)
            if line == 0:
                continue  # level with its dot, beside it
            left, top, right, bottom = label_box(x, y, w, h, side, line)
            # from the dot's edge to the nearest point of the label's text
            end = pg.Point(min(max(x, left + 3), right - 3), bottom - 4 if line > 0 else top + 4)
            d = end - pg.Point(x, y)
            start = pg.Point(x, y) + d * (DOT_PX / 2 / max(d.length(), 1e-9))
            for p in (start, end):
                v = self.view.mapSceneToView(p)
                xs.append(v.x())
                ys.append(v.y())
        self.leaders.setData(xs, ys, connect="pairs")

    def _knobs(self, word: int) -> list[int]:
        assert self._model is not None
        return [self._model.embedding_index(word, a) for a in (0, 1)]

    def _scene_xy(self, x: float, y: float) -> tuple[float, float]:
        p = self.view.mapViewToScene(pg.Point(float(x), float(y)))
        return p.x(), p.y()

    def _build(self, model: Embedding) -> None:
        self._model = model
        for text in self._words:
            self.plot.removeItem(text)
        self._words = []
        for word in model.vocab:
            text = pg.TextItem(
                "(end)" if word == "." else word,
                color=pg.getConfigOption("foreground"),
                anchor=(-LABEL_GAP, 0.5),
            )
            self.plot.addItem(text)
            self._words.append(text)
        axes = model.param_names[0].split(".")[-1], model.param_names[1].split(".")[-1]
        self.plot.setLabel("bottom", f"knob emb[word].{axes[0]}")
        self.plot.setLabel("left", f"knob emb[word].{axes[1]}")
        self._span = None

    def _fit_view(self, model: Embedding) -> None:
        """The view spans every word's knob ranges (they widen when a knob is pushed)."""
        R = model.param_ranges()[: model.V * model.dim].reshape(model.V, model.dim, 2)
        span = (R[:, 0, 0].min(), R[:, 0, 1].max(), R[:, 1, 0].min(), R[:, 1, 1].max())
        if span != self._span and self._held is None:  # never under a dragging hand
            self._span = span
            self.view.setRange(xRange=span[:2], yRange=span[2:], padding=0.05)
