"""The network view: every weight a wire, every bias a mark, every unit a small picture.

The wires and marks are the knobs themselves: hover one for its name and value, click it
to focus its knob, turn it with the wheel or a drag (through ``controller.set_param``).
What each unit computes comes from the model (``MLP.hidden_outputs``, ``predict``); this
module only turns numbers into colours and pixels.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QHelpEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QToolTip,
    QWidget,
)

from knobsim.core.models.machines import (
    MLP,
    Embedding,
    Line,
    Logistic,
    Model,
    NextWord,
    Polynomial,
    legendre_features,
)
from knobsim.ui import theme
from knobsim.ui.controller.session_controller import SessionController
from knobsim.ui.knobs.panel import FINE, describe_param

Array = NDArray[np.float64]

__all__ = ["BiasMark", "Cell", "NetworkView", "Thumbnail", "Wire", "network_graph"]

#: a wire's look changes in this many steps of |value| (finer changes do not repaint)
LEVELS = 24
#: thumbnails redraw at most this often, and so do the wires while training runs (painting
#: the 288 wires of a 1-16-16-1 network takes about 8 ms; a hand's move repaints at once)
FRAME_INTERVAL_S = 0.05
#: samples per thumbnail: along x for 1-D inputs, per side of the square for 2-D inputs
CURVE_POINTS = 48
IMAGE_SIDE = 28
#: the wheel turns a knob by 1/STEPS of its range per notch (as the arrow keys do);
#: a drag across DRAG_PIXELS sweeps the whole range
STEPS = 100
DRAG_PIXELS = 300
#: a press that moves less than this is a click, not a drag
CLICK_SLOP = 3
#: the data range is padded by this share, as in the fit plot
MARGIN = 0.05
#: hovering finds a wire this many pixels away from its centre line
HIT_WIDTH = 10.0
#: column titles where the columns stand close together
SHORT_TITLES = {
    "input": "in",
    "hidden 1": "h1",
    "hidden 2": "h2",
    "output": "out",
    "next word": "next",
}
NEUTRAL_COLOR = "#9a9a9a"  # a weight of exactly zero, and the fixed wires of a polynomial


# -- the graph: which nodes, wires and marks a model has (structure only) ------------------------
@dataclass(frozen=True)
class NodeSpec:
    key: str  # "x1", "h1[0]", "P2", "out"
    column: int
    label: str  # drawn beside input nodes
    hint: str  # the node's tooltip


@dataclass(frozen=True)
class WireSpec:
    name: str  # the knob's name; "" for a fixed wire (poly: x to each wiggle)
    index: int  # parameter index; -1 for a fixed wire
    src: str
    dst: str


@dataclass(frozen=True)
class BiasSpec:
    name: str
    index: int
    node: str


@dataclass
class Graph:
    titles: list[str]
    columns: list[list[NodeSpec]]
    wires: list[WireSpec] = field(default_factory=list)
    biases: list[BiasSpec] = field(default_factory=list)


def _inputs(model: Model) -> list[NodeSpec]:
    if model.n_inputs == 1:
        return [NodeSpec("x", 0, "x", "the input x")]
    return [NodeSpec(f"x{i + 1}", 0, f"x{i + 1}", f"input x{i + 1}") for i in range(2)]


def _output_hint(model: Model) -> str:
    if model.task == "classification":
        return "the output: P(class 1), orange, over the input plane"
    return "the output: the prediction y over the input range"


def network_graph(model: Model) -> Graph | None:
    """The nodes, wires and bias marks that draw ``model``; None for a next-word table.

    Word embeddings: see ``_embedding_graph``.

    Line: x -> output (w, b). Logistic: x1, x2 -> output (w1, w2, b). MLP: layer by layer,
    wire ``W<l>[i,j]`` from unit i to unit j, mark ``b<l>[j]`` on unit j. Polynomial: a sum
    of wiggles, x -> P0..Pd (fixed) -> output, the wire from Pj being the knob cj.
    """
    out = lambda column: NodeSpec("out", column, "", _output_hint(model))  # noqa: E731
    if isinstance(model, Line):
        return Graph(
            ["input", "output"],
            [_inputs(model), [out(1)]],
            [WireSpec("w", 0, "x", "out")],
            [BiasSpec("b", 1, "out")],
        )
    if isinstance(model, Logistic):
        return Graph(
            ["input", "output"],
            [_inputs(model), [out(1)]],
            [WireSpec("w1", 0, "x1", "out"), WireSpec("w2", 1, "x2", "out")],
            [BiasSpec("b", 2, "out")],
        )
    if isinstance(model, Polynomial):
        feats = [
            NodeSpec(f"P{j}", 1, "", f"wiggle P{j}(x), a Legendre polynomial of degree {j}")
            for j in range(model.degree + 1)
        ]
        wires = [WireSpec("", -1, "x", f"P{j}") for j in range(1, model.degree + 1)]
        wires += [WireSpec(name, j, f"P{j}", "out") for j, name in enumerate(model.param_names)]
        return Graph(["input", "wiggles", "output"], [_inputs(model), feats, [out(2)]], wires)
    if isinstance(model, MLP):
        n_hidden = len(model.hidden)
        titles = ["input"]
        titles += ["hidden"] if n_hidden == 1 else [f"hidden {k + 1}" for k in range(n_hidden)]
        titles.append("output")
        columns = [_inputs(model)]
        keys = [[n.key for n in columns[0]]]
        for layer, units in enumerate(model.hidden, 1):
            col = [
                NodeSpec(f"h{layer}[{j}]", layer, "", f"hidden unit {j} of layer {layer}")
                for j in range(units)
            ]
            columns.append(col)
            keys.append([n.key for n in col])
        columns.append([out(n_hidden + 1)])
        keys.append(["out"])
        graph = Graph(titles, columns)
        names = model.param_names
        for layer, (w, (a, b), bias) in enumerate(model.layer_slices):
            for i in range(a):
                for j in range(b):
                    k = w.start + i * b + j
                    graph.wires.append(WireSpec(names[k], k, keys[layer][i], keys[layer + 1][j]))
            for j in range(b):
                k = bias.start + j
                graph.biases.append(BiasSpec(names[k], k, keys[layer + 1][j]))
        return graph
    if isinstance(model, Embedding):
        return _embedding_graph(model)
    return None


def _embedding_graph(model: Embedding) -> Graph:
    """Word -> its point on the map (wires: the embedding knobs) -> next word (wires: W,
    marks: b). With two words of context the second word's wires are the same knobs,
    drawn once, on the first word's; its own are fixed lines."""
    V, d, names = model.V, model.dim, model.param_names
    words = [
        NodeSpec(f"word[{w}]", 0, model.vocab[w], f"the word '{model.vocab[w]}' came before")
        for w in range(V)
    ]
    axes = [n.removeprefix("emb[.].") for n in names[:d]]
    spots = [(c, a) for c in range(model.context) for a in range(d)]
    hidden = [
        NodeSpec(f"map[{c}.{a}]", 1, "", f"the map's {axes[a]} of word {c + 1} of the context")
        for c, a in spots
    ]
    nexts = [
        NodeSpec(f"next[{w}]", 2, "", f"how strongly '{model.vocab[w]}' comes next")
        for w in range(V)
    ]
    graph = Graph(["word", "map", "next word"], [words, hidden, nexts])
    for w in range(V):
        for c, a in spots:
            k = model.embedding_index(w, a)
            spec = WireSpec(names[k], k, words[w].key, f"map[{c}.{a}]")
            graph.wires.append(spec if c == 0 else WireSpec("", -1, spec.src, spec.dst))
    start = V * d
    for h, (c, a) in enumerate(spots):
        for w in range(V):
            k = start + h * V + w
            graph.wires.append(WireSpec(names[k], k, f"map[{c}.{a}]", nexts[w].key))
    for w in range(V):
        k = start + len(spots) * V + w
        graph.biases.append(BiasSpec(names[k], k, nexts[w].key))
    return graph


# -- the items ---------------------------------------------------------------------------------
class _KnobItem:
    """What wires, marks and cells share: they stand for one knob."""

    name: str
    index: int
    key: tuple = ()  # (sign, level, locked) of the look last given; () before the first


class Wire(QGraphicsPathItem, _KnobItem):
    """One weight: a curve whose thickness grows with |w| and whose colour is its sign.

    Its shape is widened to ``HIT_WIDTH`` so a thin wire is still easy to hover.
    """

    def __init__(self, name: str, index: int, src: str = "", dst: str = "") -> None:
        super().__init__()
        self.name = name
        self.index = index
        self.src, self.dst = src, dst  # node keys
        self._shape = QPainterPath()

    def set_curve(self, path: QPainterPath, hit_width: float) -> None:
        self.prepareGeometryChange()
        self.setPath(path)
        stroker = QPainterPathStroker()
        stroker.setWidth(hit_width)
        stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
        self._shape = stroker.createStroke(path)

    def shape(self) -> QPainterPath:
        return self._shape

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._shape.boundingRect().united(super().boundingRect())

    def midpoint(self) -> QPointF:
        """A point on the wire halfway along it (scene coordinates)."""
        return self.path().pointAtPercent(0.5)


class BiasMark(QGraphicsRectItem, _KnobItem):
    """One bias: a small square on its unit, filled with the colour of its sign."""

    def __init__(self, name: str, index: int, node: str = "") -> None:
        super().__init__()
        self.name = name
        self.index = index
        self.node = node  # the unit's key

    def midpoint(self) -> QPointF:
        return self.sceneBoundingRect().center()


class Cell(QGraphicsRectItem, _KnobItem):
    """One knob of a next-word table: a square coloured by its value."""

    def __init__(self, name: str, index: int) -> None:
        super().__init__()
        self.name = name
        self.index = index

    def midpoint(self) -> QPointF:
        return self.sceneBoundingRect().center()


class KnobLayer(QGraphicsItem):
    """Paints many wires, marks or cells in one go.

    A ``QGraphicsItem`` costs some 50 us a repaint whatever it draws (each virtual call
    crosses into Python), so 32 wires cost 1.7 ms; this layer draws them all in one
    call, one ``drawPath`` per look. The items themselves stay in the scene, with no
    contents, for hovering, clicking and tooltips. Call ``invalidate`` when a look or a
    place changed.
    """

    def __init__(self, z: float) -> None:
        super().__init__()
        self.setZValue(z)
        self._items: list[QGraphicsPathItem | QGraphicsRectItem] = []
        self._shapes: list[QPainterPath] = []  # each item's outline, kept until it moves
        self._groups: list[tuple[QPen, QBrush, QPainterPath]] | None = None
        self._rect = QRectF()

    def set_items(self, items: list) -> None:
        for it in items:
            it.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)
        self._items = list(items)
        self.invalidate(moved=True)

    def invalidate(self, *, moved: bool = False) -> None:
        """Paint again: a look changed, or (``moved``) where the items are."""
        if moved:
            rect = QRectF()
            self._shapes = []
            for it in self._items:
                rect = rect.united(it.sceneBoundingRect())
                if isinstance(it, QGraphicsPathItem):
                    self._shapes.append(it.path())
                else:
                    shape = QPainterPath()
                    shape.addRect(it.rect())
                    self._shapes.append(shape)
            if rect != self._rect:
                self.prepareGeometryChange()
                self._rect = rect
        self._groups = None
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._groups is None:
            # items with the same look (key) share a pen and a brush: one path each
            groups: dict[tuple, tuple] = {}
            for it, shape in zip(self._items, self._shapes, strict=True):
                group = groups.get(it.key)
                if group is None:
                    group = groups[it.key] = (it, QPainterPath())
                group[1].addPath(shape)
            self._groups = [(it.pen(), it.brush(), path) for it, path in groups.values()]
        for pen, brush, path in self._groups:
            painter.setPen(pen)
            painter.setBrush(brush)
            painter.drawPath(path)


class Thumbnail(QGraphicsRectItem):
    """What one unit computes over the input range: a curve (1-D) or a heatmap (2-D).

    ``image`` holds the last heatmap values (rows follow x2, bottom row first) or None;
    ``curve`` holds the last ``(x, y)`` or None; ``levels`` the value range shown.
    """

    def __init__(self, key: str, hint: str, two_d: bool) -> None:
        super().__init__()
        self.key = key
        self.two_d = two_d
        self.image: Array | None = None
        self.curve: tuple[Array, Array] | None = None
        self.levels = (-1.0, 1.0)
        self.setToolTip(hint)
        # no ItemClipsChildrenToShape: Qt's clip to an item's shape doubled the diagram's
        # repaint (1.4 ms of 3.4); the picture fits the box and the curve is kept inside it
        self.pixmap_item = QGraphicsPixmapItem(self)
        self.pixmap_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.pixmap_item.setVisible(two_d)
        self.axis_item = QGraphicsPathItem(self)  # y = 0 on a curve
        self.curve_item = QGraphicsPathItem(self)
        self.axis_item.setVisible(not two_d)
        self.curve_item.setVisible(not two_d)

    @property
    def size(self) -> float:
        return self.rect().width()

    def show_image(self, values: Array, lut: NDArray[np.uint8], levels: tuple[float, float]):
        """Paint ``values`` (side, side), row 0 at the bottom, through ``lut`` over ``levels``."""
        self.image = values
        self.levels = levels
        lo, hi = levels
        t = np.nan_to_num((values - lo) / max(hi - lo, 1e-12), nan=0.5)
        idx = np.clip(np.rint(t * (len(lut) - 1)), 0, len(lut) - 1).astype(np.intp)
        rgb = np.ascontiguousarray(lut[idx[::-1]][:, :, :3])  # image rows run top-down
        h, w = rgb.shape[:2]
        image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self.pixmap_item.setPixmap(QPixmap.fromImage(image))
        self.pixmap_item.setScale(self.size / w)

    def show_curve(self, x: Array, y: Array, x_range: tuple[float, float], levels):
        """Draw y(x) with x over ``x_range`` across the box and y over ``levels`` up it."""
        self.curve = (x, y)
        self.levels = levels
        s = self.size
        (x0, x1), (lo, hi) = x_range, levels
        span = max(hi - lo, 1e-12)
        pad = 0.08 * s
        px = (np.asarray(x, float) - x0) / max(x1 - x0, 1e-12) * s
        yy = np.clip(np.nan_to_num(np.asarray(y, float), nan=lo), lo - span, hi + span)
        py = np.clip(pad + (hi - yy) / span * (s - 2 * pad), 0.0, s)  # inside the box
        self.curve_item.setPath(pg.arrayToQPath(px, py))
        zero = QPainterPath()
        if lo < 0 < hi:
            z = pad + hi / span * (s - 2 * pad)
            zero.moveTo(0, z)
            zero.lineTo(s, z)
        self.axis_item.setPath(zero)


# -- colours -----------------------------------------------------------------------------------
def _signed_lut() -> NDArray[np.uint8]:
    """The diverging palette, blue (low) - white - orange (high), unfaded: small pictures."""
    lut = theme.diverging_colormap().getLookupTable(0.0, 1.0, theme.LUT_SIZE, alpha=False)
    return np.asarray(lut, dtype=np.uint8)


def _sign_color(sign: int, level: int) -> QColor:
    """Orange for +, blue for -, more opaque the larger |value| (level of LEVELS)."""
    if sign == 0:
        color = QColor(NEUTRAL_COLOR)
        color.setAlphaF(0.6)
        return color
    # on a dark background the palette's dark blue end would all but vanish: a lighter step
    blue = theme.DARK_THEME_BLUE if theme.is_dark() else theme.CLASS_COLORS[0]
    color = QColor(theme.CLASS_COLORS[1] if sign > 0 else blue)
    color.setAlphaF(0.3 + 0.7 * level / LEVELS)
    return color


# -- the view ----------------------------------------------------------------------------------
class NetworkView(QGraphicsView):
    """The session's model drawn as a network whose wires and marks are its knobs.

    ``wires`` maps each weight's name to its ``Wire``, ``bias_marks`` each bias's name to
    its ``BiasMark``, ``cells`` each next-word knob to its ``Cell``; ``thumbnails`` maps
    node keys ("x1", "h1[0]", "out", ...) to their ``Thumbnail``. ``highlighted`` is the
    name of the knob whose item is highlighted (the focused knob), or None.

    Items are created once per model (``modelChanged``) and restyled on ``paramsChanged``;
    thumbnails (and, while training, the wires) redraw at most every ``FRAME_INTERVAL_S``.
    """

    def __init__(
        self,
        controller: SessionController,
        knob_panel: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("network_view")
        self.setAccessibleName("network view")
        self.setAccessibleDescription(
            "The model drawn as a network: every wire is a weight and every small square "
            "a bias. Hover one for its value, click it to focus its knob, turn it with "
            "the mouse wheel or a drag."
        )
        self._controller = controller
        self.knob_panel = knob_panel
        self._scene = QGraphicsScene(self)
        self._scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setScene(self._scene)
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the knobs take the keyboard
        self.setMouseTracking(True)
        self.setMinimumSize(160, 140)

        self.wires: dict[str, Wire] = {}
        self.bias_marks: dict[str, BiasMark] = {}
        self.cells: dict[str, Cell] = {}
        self.thumbnails: dict[str, Thumbnail] = {}
        self.highlighted: str | None = None
        self._graph: Graph | None = None
        self._model: Model | None = None
        self._by_index: list[_KnobItem | None] = []
        self._drawn = np.zeros(0, dtype=np.int64)  # per knob: the look its item was given
        self._fixed: list[tuple[QGraphicsPathItem, str, str]] = []
        self._titles: list[QGraphicsSimpleTextItem] = []
        self._labels: list[tuple[QGraphicsSimpleTextItem, str]] = []
        self._pens: dict[tuple[int, int, bool], QPen] = {}
        self._brushes: dict[tuple[int, int], QBrush] = {}
        self._max_width = 4.0
        self._lut = _signed_lut()
        self._lut_out = theme.probability_lut()
        self._grid = np.zeros((0, 1))
        self._x_range = (-1.0, 1.0)
        self._y_range = (-1.0, 1.0)
        #: a wire drag: the knob, and where the mouse and the value were when it started
        #: (or when Shift last changed: a Shift drag turns FINE times finer, from there)
        self._drag: tuple[_KnobItem, QPoint, float, bool] | None = None
        self._drag_moved = False
        self._frame_last = -math.inf
        self._thumb_key: tuple[int, int] | None = None
        self._pos: dict[str, QPointF] = {}
        self._side = 0.0

        self.halo = QGraphicsPathItem()
        self.halo.setVisible(False)
        self.halo.setBrush(Qt.BrushStyle.NoBrush)
        self._scene.addItem(self.halo)
        # what paints the wires (under the units), the bias marks and the table's cells
        self._layers = (KnobLayer(1), KnobLayer(3), KnobLayer(1))
        for layer in self._layers:
            self._scene.addItem(layer)
        self.legend = QGraphicsTextItem()
        self._scene.addItem(self.legend)

        self._frame_timer = QTimer(self)
        self._frame_timer.setSingleShot(True)
        self._frame_timer.timeout.connect(self._on_frame_timer_timeout)

        controller.modelChanged.connect(self._on_controller_model_changed)
        controller.dataChanged.connect(self._on_controller_data_changed)
        controller.paramsChanged.connect(self._on_controller_params_changed)
        controller.trainingToggled.connect(self._on_controller_training_toggled)
        controller.lockChanged.connect(self._on_controller_lock_changed)
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._on_app_focus_changed)
        self._rebuild()

    # -- lookup --------------------------------------------------------------------------
    def item(self, name: str) -> _KnobItem:
        """The wire, bias mark or cell of knob ``name``."""
        for items in (self.wires, self.bias_marks, self.cells):
            if name in items:
                return items[name]
        raise KeyError(f"The network view has no knob {name!r}.")

    def knob_at(self, pos: QPoint) -> _KnobItem | None:
        """The knob item under viewport position ``pos`` (the thinnest match wins)."""
        best, best_d = None, math.inf
        scene_pos = self.mapToScene(pos)
        for it in self.items(pos):
            if not isinstance(it, _KnobItem):
                continue
            if not isinstance(it, Wire):
                return it  # marks and cells sit on top of wires
            # overlapping hit areas: the wire whose centre line is nearest wins
            d = _distance_to_path(it.path(), scene_pos)
            if d < best_d:
                best, best_d = it, d
        return best

    def describe(self, name: str) -> str:
        """The tooltip of knob ``name``: its value and what it does."""
        item = self.item(name)
        value = float(self._controller.shown.params[item.index])
        hint = describe_param(self._controller.model, item.index).split(": ", 1)[-1]
        locked = "\nlocked: Train leaves it alone" if self._is_locked(item.index) else ""
        return (
            f"{name} = {value:+.3f}\n{hint}{locked}\nClick: focus its knob · wheel or drag: turn it"
        )

    # -- building ------------------------------------------------------------------------
    def _on_controller_model_changed(self) -> None:
        self._rebuild()

    def _on_controller_data_changed(self) -> None:
        self._make_grid()
        self._update_static_thumbnails()
        self._thumb_key = None
        self.update_thumbnails()

    def _rebuild(self) -> None:
        for items in (self.wires, self.bias_marks, self.cells, self.thumbnails):
            for it in items.values():
                self._scene.removeItem(it)
            items.clear()
        for it, *_ in self._fixed:
            self._scene.removeItem(it)
        for it in self._titles + [label for label, _ in self._labels]:
            self._scene.removeItem(it)
        self._fixed.clear()
        self._titles.clear()
        self._labels.clear()
        self.halo.setVisible(False)
        self._let_go()

        model = self._controller.model
        self._model = model
        self._graph = network_graph(model)
        n = model.n_params
        self._by_index = [None] * n
        self._drawn = np.zeros(0, dtype=np.int64)  # nothing drawn yet
        if self._graph is not None:
            self._build_network(self._graph, model)
        else:
            self._build_table(model)
        wires, marks, cells = self._layers
        wires.set_items(list(self.wires.values()))
        marks.set_items(list(self.bias_marks.values()))
        cells.set_items(list(self.cells.values()))
        self._make_grid()
        self._layout()
        self._update_static_thumbnails()
        self._thumb_key = None
        self._restyle(force=True)
        self.update_thumbnails()
        self._highlight(self._focused_knob_name())

    def _build_network(self, graph: Graph, model: Model) -> None:
        two_d = model.n_inputs == 2
        for col in graph.columns:
            for node in col:
                thumb = Thumbnail(node.key, node.hint, two_d)
                thumb.setZValue(2)
                self._scene.addItem(thumb)
                self.thumbnails[node.key] = thumb
                if node.label:
                    label = QGraphicsSimpleTextItem(node.label)
                    self._scene.addItem(label)
                    self._labels.append((label, node.key))
        for title in graph.titles:
            item = QGraphicsSimpleTextItem(title)
            self._scene.addItem(item)
            self._titles.append(item)
        for spec in graph.wires:
            if spec.index < 0:
                fixed = QGraphicsPathItem()
                fixed.setZValue(0)
                self._scene.addItem(fixed)
                self._fixed.append((fixed, spec.src, spec.dst))
                continue
            wire = Wire(spec.name, spec.index, spec.src, spec.dst)
            wire.setZValue(1)
            self._scene.addItem(wire)
            self.wires[spec.name] = wire
            self._by_index[spec.index] = wire
        for spec in graph.biases:
            mark = BiasMark(spec.name, spec.index, spec.node)
            mark.setZValue(3)
            self._scene.addItem(mark)
            self.bias_marks[spec.name] = mark
            self._by_index[spec.index] = mark
        self.legend.setVisible(True)

    def _build_table(self, model: Model) -> None:
        if not isinstance(model, NextWord):  # pragma: no cover - every other model draws
            self.legend.setVisible(False)
            return
        for i, name in enumerate(model.param_names):
            cell = Cell(name, i)
            cell.setPen(QPen(Qt.PenStyle.NoPen))
            cell.setZValue(1)
            self._scene.addItem(cell)
            self.cells[name] = cell
            self._by_index[i] = cell
        for r in range(model.n_rows):
            label = QGraphicsSimpleTextItem(model.context_label(r))
            self._scene.addItem(label)
            self._labels.append((label, f"row:{r}"))
        for j, word in enumerate(model.vocab):
            label = QGraphicsSimpleTextItem(word)
            label.setRotation(-90)
            self._scene.addItem(label)
            self._labels.append((label, f"col:{j}"))
        title = QGraphicsSimpleTextItem("after ↓   next →")
        self._scene.addItem(title)
        self._titles.append(title)
        self.legend.setVisible(True)

    def _make_grid(self) -> None:
        """The input values the thumbnails are computed on, from the data's range."""
        data = self._controller.dataset
        if data.task == "nextword":
            self._grid = np.zeros((0, 1))
            return
        X = np.concatenate([data.X_train, data.X_test]).astype(np.float64)
        y = np.concatenate([data.y_train, data.y_test]).astype(np.float64)
        lo, hi = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
        span = np.where(hi > lo, hi - lo, 2.0)
        lo, hi = lo - MARGIN * span, hi + MARGIN * span
        if X.shape[1] == 1:
            xs = np.linspace(lo[0], hi[0], CURVE_POINTS)
            self._grid = xs[:, None]  # (CURVE_POINTS, 1)
            self._x_range = (float(lo[0]), float(hi[0]))
            y_lo, y_hi = float(np.nanmin(y)), float(np.nanmax(y))
            pad = 0.15 * max(y_hi - y_lo, 1e-6)
            self._y_range = (y_lo - pad, y_hi + pad)
        else:
            n = IMAGE_SIDE
            xs = lo[0] + (np.arange(n) + 0.5) * (hi[0] - lo[0]) / n
            ys = lo[1] + (np.arange(n) + 0.5) * (hi[1] - lo[1]) / n
            gx, gy = np.meshgrid(xs, ys)  # (n, n): rows follow x2
            self._grid = np.column_stack([gx.ravel(), gy.ravel()])  # (n*n, 2)

    # -- laying out (on a resize or a new model) -----------------------------------------
    def resizeEvent(self, ev: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(ev)
        self._layout()
        self._restyle(force=True)
        self._thumb_key = None
        self._update_static_thumbnails()
        self.update_thumbnails()

    def changeEvent(self, ev: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(ev)
        if ev.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            # light <-> dark: text, frames, halo; a zoom: the captions' sizes and places
            self._layout()
            self._restyle(force=True)

    def _layout(self) -> None:
        w, h = max(self.viewport().width(), 1), max(self.viewport().height(), 1)
        self._scene.setSceneRect(0, 0, w, h)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        font = QFont(self.font())
        small = QFont(font)
        small.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        self.legend.setFont(small)
        self.legend.setDefaultTextColor(muted)
        self.legend.setHtml(self._legend_html())
        self.legend.setTextWidth(max(w - 8, 40))
        legend_h = self.legend.boundingRect().height()
        self.legend.setPos(4, h - legend_h - 2)
        if self._graph is not None:
            self._layout_network(w, h - legend_h - 4, font, text, muted)
        elif self.cells:
            self._layout_table(w, h - legend_h - 4, small, text)
        self._pens.clear()
        self._brushes.clear()
        for layer in self._layers:
            layer.invalidate(moved=True)
        if self.highlighted is not None:
            self._highlight(self.highlighted)

    def _layout_network(self, w: float, h: float, font: QFont, text: QColor, muted: QColor):
        graph = self._graph
        assert graph is not None
        metrics_h = QGraphicsSimpleTextItem("Xg")
        metrics_h.setFont(font)
        line_h = metrics_h.boundingRect().height()
        top = 4 + line_h + 6
        label_w = 0.0
        for label, _ in self._labels:
            label.setFont(font)
            label.setBrush(text)
            label_w = max(label_w, label.boundingRect().width())
        left = 6 + label_w + 4
        right = w - 8
        n_cols = len(graph.columns)
        n_rows = max(len(c) for c in graph.columns)
        avail_w = max(right - left, 10)
        avail_h = max(h - top - 6, 10)
        # node side s: rows pitched at 1.3 s, columns at least 2.2 s apart
        s = min(avail_h / (1.3 * n_rows - 0.3), avail_w / (1 + 1.8 * (n_cols - 1)), 64.0)
        s = max(8.0, math.floor(s))
        pitch_x = (avail_w - s) / max(n_cols - 1, 1)
        self._max_width = float(np.clip(s * 0.18, 2.0, 7.0))
        hit = max(HIT_WIDTH, self._max_width + 4)
        border = QPen(muted, 1.0)
        border.setCosmetic(True)
        pos: dict[str, QPointF] = {}
        for c, col in enumerate(graph.columns):
            x = left + c * pitch_x
            pitch_y = min(avail_h / len(col), 2.0 * s)
            y0 = top + (avail_h - pitch_y * (len(col) - 1) - s) / 2
            for r, node in enumerate(col):
                p = QPointF(x, y0 + r * pitch_y)
                pos[node.key] = p
                thumb = self.thumbnails[node.key]
                thumb.setRect(0, 0, s, s)
                thumb.setPos(p)
                thumb.setPen(border)
                thumb.setBrush(self.palette().color(QPalette.ColorRole.Base))
                curve_pen = QPen(text, 1.3)
                curve_pen.setCosmetic(True)
                thumb.curve_item.setPen(curve_pen)
                thumb.axis_item.setPen(border)
            title = self._titles[c]
            title.setFont(font)
            title.setBrush(muted)
            title.setText(graph.titles[c])
            if title.boundingRect().width() + 6 > pitch_x:  # crowded: "h1" for "hidden 1"
                title.setText(SHORT_TITLES.get(graph.titles[c], graph.titles[c]))
            tw = title.boundingRect().width()
            title.setPos(min(max(x + s / 2 - tw / 2, 2), w - tw - 2), 4)
        for label, key in self._labels:
            p = pos[key]
            br = label.boundingRect()
            label.setPos(p.x() - br.width() - 5, p.y() + s / 2 - br.height() / 2)
        self._pos, self._side = pos, s
        for wire in self.wires.values():
            wire.set_curve(self._wire_path(pos[wire.src], pos[wire.dst], s), hit)
        fixed_pen = QPen(QColor(NEUTRAL_COLOR), 1.0, Qt.PenStyle.DashLine)
        fixed_pen.setCosmetic(True)
        for item, src, dst in self._fixed:
            item.setPen(fixed_pen)
            item.setPath(self._wire_path(pos[src], pos[dst], s))
        m = max(5.0, round(s * 0.2))
        for mark in self.bias_marks.values():
            p = pos[mark.node]
            mark.setRect(p.x() - m - 2, p.y() + s - m, m, m)

    @staticmethod
    def _wire_path(a: QPointF, b: QPointF, s: float) -> QPainterPath:
        start = QPointF(a.x() + s, a.y() + s / 2)
        end = QPointF(b.x(), b.y() + s / 2)
        dx = (end.x() - start.x()) / 2
        path = QPainterPath(start)
        path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
        return path

    def _layout_table(self, w: float, h: float, font: QFont, text: QColor) -> None:
        model = self._model
        assert isinstance(model, NextWord)
        rows, V = model.n_rows, model.V
        label_w = label_h = 0.0
        for label, key in self._labels:
            label.setFont(font)
            label.setBrush(text)
            br = label.boundingRect()
            if key.startswith("row:"):
                label_w = max(label_w, br.width())
            else:
                label_h = max(label_h, br.width())  # rotated: its width is its height
        title = self._titles[0]
        title.setFont(font)
        title.setBrush(text)
        th = title.boundingRect().height()
        cell = min((w - label_w - 12) / V, (h - label_h - th - 12) / rows)
        show_labels = cell >= font.pointSizeF() * 1.1
        blocks = 1
        if not show_labels:
            label_w = label_h = 0.0
            # a tall table (two words of context: 121 rows of 11) in a wide view would be
            # a strip: wrap its rows into side-by-side blocks, as many as give the
            # largest cells (a cell's gap of one column between blocks)
            best = 0.0
            for b in range(1, rows + 1):
                per = math.ceil(rows / b)
                size = min((w - 8) / (b * V + b - 1), (h - th - 8) / per)
                if size > best:
                    best, blocks = size, b
            cell = best
        cell = max(cell, 1.0)
        per_block = math.ceil(rows / blocks)
        x0, y0 = 4 + label_w + 4, 4 + th + label_h + 4
        title.setPos(4, 2)
        for label, key in self._labels:
            label.setVisible(show_labels)
            br = label.boundingRect()
            kind, k = key.split(":")
            if kind == "row":
                y = y0 + (int(k) + 0.5) * cell - br.height() / 2
                label.setPos(x0 - br.width() - 4, y)
            else:
                x = x0 + (int(k) + 0.5) * cell - br.height() / 2
                label.setPos(x, y0 - 3)  # rotated -90 deg: grows upwards from here
        gap = 1.0 if cell >= 6 else 0.0
        for c in self.cells.values():
            r, j = divmod(c.index, V)
            block, r = divmod(r, per_block)
            x = x0 + (block * (V + 1) + j) * cell
            c.setRect(x + gap / 2, y0 + r * cell + gap / 2, cell - gap, cell - gap)

    def _legend_html(self) -> str:
        pos, neg = theme.CLASS_COLORS[1], theme.CLASS_COLORS[0]
        sign = (
            f"<span style='color:{pos}'>■</span>&nbsp;positive "
            f"<span style='color:{neg}'>■</span>&nbsp;negative"
        )
        if self.cells:
            return f"each cell a knob: {sign}<br>click to focus it, wheel to turn it"
        what = "wire&nbsp;=&nbsp;weight"
        if self.bias_marks:
            what += ", square&nbsp;=&nbsp;bias"
        return f"{sign} · thicker&nbsp;=&nbsp;larger<br>{what}: click, wheel or drag&nbsp;one"

    # -- the weights to the items (every change) -----------------------------------------
    def _on_controller_params_changed(self) -> None:
        if self._controller.model is not self._model:
            self._rebuild()  # a new model arrived before its modelChanged
            return
        if self._controller.is_training:
            self._schedule_frame()  # wires and thumbnails together, at most 20 times a second
        else:
            self._restyle()  # a hand: the wire follows at once
            self._schedule_frame()

    def _on_controller_training_toggled(self, on: bool) -> None:
        if not on and self._controller.model is self._model:
            self._on_frame_timer_timeout()  # paused: the last weights, at once

    def _on_controller_lock_changed(self, index: int, locked: bool) -> None:
        self._restyle()  # with or without the dashes

    def _restyle(self, force: bool = False) -> None:
        """Give each item the pen or brush of the session's value and lock; only items
        whose look differs from the one drawn (all with ``force``: new pens)."""
        session = self._controller.shown
        theta = session.params
        if len(theta) != len(self._by_index):
            return
        # the fullest wire is a knob at the end of its range (ranges widen: read them now)
        scale = np.maximum(np.abs(session.model.param_ranges()).max(axis=1), 1e-12)
        with np.errstate(invalid="ignore"):
            f = np.minimum(np.abs(theta) / scale, 1.0)
        level = np.nan_to_num(np.rint(f * LEVELS), nan=0).astype(np.int64)
        signed = np.sign(np.nan_to_num(theta)).astype(np.int64) * (level + 1)
        locked = np.zeros(len(theta), dtype=bool)
        locked[list(session.locked)] = True
        drawn = 2 * signed + locked  # the look as one number: sign, level and lock
        if force or drawn.shape != self._drawn.shape:
            changed = range(len(theta))
        else:
            changed = np.flatnonzero(drawn != self._drawn).tolist()
        restyled: set[KnobLayer] = set()
        for i in changed:
            item = self._by_index[i]
            if item is None:
                continue
            sign, lvl = int(np.sign(signed[i])), int(level[i])
            key = (sign, lvl, bool(locked[i]))
            item.key = key
            if isinstance(item, Wire):
                item.setPen(self._pen(key))
                restyled.add(self._layers[0])
            elif isinstance(item, BiasMark):
                item.setBrush(self._sign_brush(sign, lvl))
                item.setPen(self._mark_pen(key[2]))
                restyled.add(self._layers[1])
            else:
                item.setBrush(self._cell_brush(sign, lvl))
                restyled.add(self._layers[2])
        self._drawn = drawn
        for layer in restyled:
            layer.invalidate()

    def _pen(self, key: tuple[int, int, bool]) -> QPen:
        pen = self._pens.get(key)
        if pen is None:
            sign, lvl, locked = key
            width = 0.6 + (self._max_width - 0.6) * lvl / LEVELS
            pen = QPen(_sign_color(sign, lvl), width)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            if locked:
                pen.setStyle(Qt.PenStyle.DashLine)
            self._pens[key] = pen
        return pen

    def _sign_brush(self, sign: int, lvl: int) -> QBrush:
        key = (sign, lvl)
        brush = self._brushes.get(key)
        if brush is None:
            brush = QBrush(_sign_color(sign, lvl))
            self._brushes[key] = brush
        return brush

    def _mark_pen(self, locked: bool) -> QPen:
        pen = QPen(self.palette().color(QPalette.ColorRole.Text), 1.0)
        pen.setCosmetic(True)
        if locked:
            pen.setStyle(Qt.PenStyle.DotLine)
        return pen

    def _cell_brush(self, sign: int, lvl: int) -> QBrush:
        key = (2 * sign, lvl)  # apart from the marks' brushes
        brush = self._brushes.get(key)
        if brush is None:
            t = 0.5 + 0.5 * sign * lvl / LEVELS  # the palette itself: white at zero
            rgb = self._lut[int(round(t * (len(self._lut) - 1)))]
            brush = QBrush(QColor(int(rgb[0]), int(rgb[1]), int(rgb[2])))
            self._brushes[key] = brush
        return brush

    # -- thumbnails (throttled) ----------------------------------------------------------
    def _schedule_frame(self) -> None:
        if self._frame_timer.isActive():
            return
        wait = FRAME_INTERVAL_S - (time.monotonic() - self._frame_last)
        if not self._controller.is_training:
            # after the paint of the change, never inside a hand's move: the wire shows
            # the move first, the thumbnails follow in the same frame's idle time
            self._frame_timer.start(max(0, math.ceil(wait * 1000)))
        elif wait <= 0:
            # in a tick of its own (no timer: it would fire in the middle of a frame and
            # delay the next); a pause draws the last weights
            self._controller.refresh_later(self, self._on_frame_timer_timeout)

    def _on_frame_timer_timeout(self) -> None:
        self._restyle()
        self.update_thumbnails()

    def update_thumbnails(self) -> None:
        """Redraw what every hidden unit and the output compute, now."""
        self._frame_timer.stop()
        self._frame_last = time.monotonic()
        session = self._controller.shown
        key = (id(session), session.version)
        model = session.model
        if key == self._thumb_key or model is not self._model or not self.thumbnails:
            return
        self._thumb_key = key
        theta = session.params
        with np.errstate(all="ignore"):
            if isinstance(model, MLP):
                outs = model.hidden_outputs(theta, self._grid)  # [(n, h1), ((n, h2)), (n,)]
                for layer, H in enumerate(outs[:-1], 1):
                    levels = self._hidden_levels(model, H)
                    for j in range(H.shape[1]):
                        self._show(f"h{layer}[{j}]", H[:, j], levels)
                out = outs[-1]
            else:
                out = model.predict(theta, self._grid)  # (n,)
        levels = (0.0, 1.0) if model.task == "classification" else self._y_range
        self._show("out", np.asarray(out, float), levels, output=True)

    @staticmethod
    def _hidden_levels(model: MLP, H: Array) -> tuple[float, float]:
        if model.activation == "tanh":
            return (-1.0, 1.0)
        if model.activation == "sigmoid":
            return (0.0, 1.0)
        top = float(np.nanmax(np.abs(H))) if H.size else 1.0
        top = top if math.isfinite(top) and top > 0 else 1.0
        return (-top, top)  # ReLU: an "off" unit is white, not blue

    def _show(self, key: str, values: Array, levels, output: bool = False) -> None:
        thumb = self.thumbnails.get(key)
        if thumb is None:
            return
        if thumb.two_d:
            lut = self._lut_out if output else self._lut
            thumb.show_image(values.reshape(IMAGE_SIDE, IMAGE_SIDE), lut, levels)
        else:
            thumb.show_curve(self._grid[:, 0], values, self._x_range, levels)

    def _update_static_thumbnails(self) -> None:
        """The inputs (and a polynomial's wiggles) do not depend on the knobs."""
        model = self._model
        if model is None or not self.thumbnails or not len(self._grid):
            return
        if isinstance(model, Line):
            self._show("x", self._grid[:, 0], self._x_range)
            return
        U = model.scaler(self._grid)  # inputs scaled to [-1, 1], (n, d)
        for i in range(U.shape[1]):
            key = "x" if U.shape[1] == 1 else f"x{i + 1}"
            self._show(key, U[:, i], (-1.0, 1.0))
        if isinstance(model, Polynomial):
            P = legendre_features(U[:, 0], model.degree)  # (n, degree + 1)
            for j in range(P.shape[1]):
                self._show(f"P{j}", P[:, j], (-1.0, 1.0))

    # -- focus: a knob's focus highlights its item -----------------------------------------
    def _focused_knob_name(self) -> str | None:
        widget = QApplication.focusWidget()
        while widget is not None:
            name = widget.objectName()
            if name.startswith("knob:"):
                return name[len("knob:") :]
            widget = widget.parentWidget()
        return None

    def _on_app_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if new is None:
            return  # the window lost focus: keep the highlight
        self._highlight(self._focused_knob_name())

    def _highlight(self, name: str | None) -> None:
        try:
            item = self.item(name) if name is not None else None
        except KeyError:
            item = None
        if item is None:
            self.highlighted = None
            self.halo.setVisible(False)
            return
        self.highlighted = name
        color = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        color.setAlphaF(0.45)
        if isinstance(item, Wire):
            pen = QPen(color, self._max_width + 6)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            self.halo.setPath(item.path())
            self.halo.setZValue(0.5)
        else:
            pen = QPen(color, 4.0)
            path = QPainterPath()
            path.addRect(item.rect().adjusted(-2, -2, 2, 2))
            self.halo.setPath(path)
            self.halo.setZValue(4)
        self.halo.setPen(pen)
        self.halo.setVisible(True)

    # -- hands on the items ----------------------------------------------------------------
    def viewportEvent(self, ev: QEvent) -> bool:  # noqa: N802 - Qt's name
        if ev.type() == QEvent.Type.ToolTip and isinstance(ev, QHelpEvent):
            item = self.knob_at(ev.pos())
            if item is not None:
                QToolTip.showText(ev.globalPos(), self.describe(item.name), self.viewport())
                return True
        return super().viewportEvent(ev)

    def mousePressEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        item = self.knob_at(ev.position().toPoint())
        if item is None or ev.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(ev)
            return
        fine = bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        value = float(self._controller.shown.params[item.index])
        self._drag = (item, ev.position().toPoint(), value, fine)
        self._drag_moved = False
        self._controller.hold(item.index, True)  # training leaves it in the hand
        self._focus(item.name)
        ev.accept()

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        pos = ev.position().toPoint()
        if self._drag is None:
            hovering = self.knob_at(pos) is not None
            self.viewport().setCursor(
                Qt.CursorShape.SizeVerCursor if hovering else Qt.CursorShape.ArrowCursor
            )
            super().mouseMoveEvent(ev)
            return
        item, start, value, fine = self._drag
        moved = pos - start
        if not self._drag_moved and moved.manhattanLength() < CLICK_SLOP:
            return
        self._drag_moved = True
        if bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier) != fine:
            # Shift went down or up: carry on from here at the new rate, no jump
            self._drag = (item, pos, float(self._controller.params[item.index]), not fine)
            return
        lo, hi = self._range(item.index)
        # up or right turns it up; a drag across DRAG_PIXELS sweeps the whole range
        delta = (moved.x() - moved.y()) / DRAG_PIXELS * (hi - lo) / (FINE if fine else 1)
        self._turn(item, min(hi, max(lo, value + delta)))
        ev.accept()

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._drag is None:
            super().mouseReleaseEvent(ev)
            return
        self._let_go()
        ev.accept()

    def _let_go(self) -> None:
        if self._drag is not None:
            self._controller.hold(self._drag[0].index, False)  # training takes it on
            self._drag = None

    def wheelEvent(self, ev: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        item = self.knob_at(ev.position().toPoint())
        notches = ev.angleDelta().y() / 120.0
        if item is None or notches == 0:
            ev.ignore()
            return
        lo, hi = self._range(item.index)
        value = float(self._controller.shown.params[item.index])
        self._turn(item, min(hi, max(lo, value + notches * (hi - lo) / STEPS)))
        ev.accept()

    def _turn(self, item: _KnobItem, value: float) -> None:
        self._controller.set_param(item.index, value)

    def _focus(self, name: str) -> None:
        panel = self.knob_panel
        if panel is not None and hasattr(panel, "focus_knob"):
            with contextlib.suppress(KeyError):  # a panel of another model
                panel.focus_knob(name)
        self._highlight(name)

    def _range(self, index: int) -> tuple[float, float]:
        return self._controller.model.param_range(index)

    def _is_locked(self, index: int) -> bool:
        return index in self._controller.shown.locked


def _distance_to_path(path: QPainterPath, p: QPointF, samples: int = 24) -> float:
    """Roughly how far ``p`` is from ``path`` (sampled along it; wires are smooth)."""
    best = math.inf
    for k in range(samples + 1):
        q = path.pointAtPercent(k / samples)
        best = min(best, math.hypot(q.x() - p.x(), q.y() - p.y()))
    return best
