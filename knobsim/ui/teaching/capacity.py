"""The capacity lab: how many knobs, how well they fit, and the sweep's U curve.

``CapacityPanel`` holds the capacity slider, the knob count, the fit verdict and the
sweep's buttons; ``SweepPlot`` draws final train and test error against the knob count;
``SweepRunner`` trains every capacity in a worker process. The maths is in
``knobsim.core.capacity.sizes``, ``.diagnosis`` and ``.sweep``; nothing is computed here.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRect, QSignalBlocker, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QTextOption
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from knobsim.core.capacity.diagnosis import SENTENCES, diagnose_session
from knobsim.core.capacity.sizes import capacity_name, capacity_of, capacity_range, with_capacity
from knobsim.core.capacity.sweep import (
    DEFAULT_STEPS,
    SweepHere,
    SweepPoint,
    SweepProcess,
    capacities,
)
from knobsim.core.data.datasets import Dataset
from knobsim.core.models.machines import Model
from knobsim.core.training.messages import Failed, StartSweep, SweepDone
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.ui import theme
from knobsim.ui.controller.session_controller import SessionController
from knobsim.ui.plots.plot_items import PlainAxis
from knobsim.ui.widgets import Throttle, named_button

log = logging.getLogger(__name__)

#: how often the fit verdict is judged again while training
VERDICT_INTERVAL_MS = 250
#: the verdict label's colours per kind (translucent, so they read on light and dark)
VERDICT_STYLE = {
    "underfit": "rgba(230, 159, 0, 60)",  # Okabe-Ito orange
    "good": "rgba(0, 158, 115, 55)",  # bluish green
    "overfit": "rgba(213, 94, 0, 70)",  # vermillion
    "untrained": "rgba(128, 128, 128, 40)",
    "training": "rgba(86, 180, 233, 45)",  # sky blue
    "hand": "rgba(128, 128, 128, 40)",
    "exploded": "rgba(214, 96, 77, 70)",  # the explosion banner's red
    "unknown": "rgba(128, 128, 128, 40)",
}
#: the smallest error the log axis shows (a perfect fit would be log(0))
FLOOR = 1e-12


def knob_count_text(model: Model, dataset: Dataset) -> str:
    """'4 knobs · 20 training points' (words for a next-word model)."""
    n = model.n_params
    knobs = "1 knob" if n == 1 else f"{n:,} knobs"
    what = "training words" if dataset.task == "nextword" else "training points"
    return f"{knobs} · {dataset.n_train:,} {what}"


def family_key(model: Model, dataset: Dataset) -> tuple:
    """What a sweep's results depend on besides the capacity; a change makes them stale."""
    hidden = getattr(model, "hidden", (0,))
    return (id(dataset), model.name, model.task, getattr(model, "activation", ""), hidden[1:])


# -- the worker ------------------------------------------------------------------------------


class SweepRunner(QObject):
    """Trains every capacity of a model in a worker process, read between frames.

    The maths is pure Python and numpy on tiny arrays, which holds the GIL: on a thread
    it would starve the window of it (a knob drag fell from 60 to 5 updates a second),
    and a Python thread beside Qt's may free Qt objects away from their thread. So the
    sweep runs in a worker process (``knobsim.core.capacity.sweep.SweepProcess``, the training
    process's mechanism) and a timer in the window reads what it sent. Where no process
    can start, the window trains the sweep itself between its frames (``SweepHere``).

    Signals
    -------
    pointReady(SweepPoint)
        One more capacity is trained.
    progressed(int, int)
        Capacities done, capacities in all.
    finished(bool)
        The sweep ended; True when it was cancelled.
    failed(str)
        The sweep stopped on an error; the message is for people.
    """

    pointReady = Signal(object)
    progressed = Signal(int, int)
    finished = Signal(bool)
    failed = Signal(str)

    #: how often the window reads the worker's messages (ms)
    POLL_MS = 30

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job: SweepProcess | SweepHere | None = None
        self._cancelled = False
        self._done = 0
        self._total = 0
        self._timer = QTimer(self)
        self._timer.setInterval(self.POLL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._handlers: dict[type, Callable] = {
            SweepPoint: self._on_sweep_point,
            SweepDone: self._on_sweep_done,
            Failed: self._on_failed,
        }

    @property
    def is_running(self) -> bool:
        return self._job is not None

    @property
    def progress(self) -> tuple[int, int]:
        return self._done, self._total

    def start(
        self,
        model: Model,
        dataset: Dataset,
        config: OptimizerConfig,
        *,
        seed: int,
        steps: int = DEFAULT_STEPS,
    ) -> None:
        """Stop any running sweep and start one over every capacity of ``model``."""
        self._end()
        # a private copy: the session's model may have its L2 changed while we train
        snapshot = with_capacity(model, capacity_of(model) or 0)
        start = StartSweep(snapshot, dataset, config, seed, steps)
        try:
            self._job = SweepProcess(start)
        except OSError as exc:
            log.warning("The sweep runs in the window's own thread: %s", exc)
            self._job = SweepHere(start)
        self._cancelled = False
        self._done, self._total = 0, len(capacities(model))
        self._timer.start()
        self.progressed.emit(0, self._total)

    def cancel(self) -> None:
        """Ask the running sweep to stop after its current chunk of steps."""
        if self._job is not None and not self._cancelled:
            self._cancelled = True
            self._job.cancel()

    def wait(self, msecs: int = 5000) -> bool:
        """Block until the sweep has ended (tests and shutdown); False if it has not."""
        deadline = time.monotonic() + msecs / 1000.0
        while self._job is not None and time.monotonic() < deadline:
            self._on_timer_timeout()
            time.sleep(0.005)
        return self._job is None

    def _on_timer_timeout(self) -> None:
        for message in self._job.receive() if self._job is not None else ():
            self._handlers[type(message)](message)

    def _on_sweep_point(self, point: SweepPoint) -> None:
        if self._job is None or self._cancelled:
            return
        self._done += 1
        self.pointReady.emit(point)
        self.progressed.emit(self._done, self._total)

    def _on_sweep_done(self, done: SweepDone) -> None:
        if self._job is not None:
            self._end()
            self.finished.emit(done.cancelled or self._cancelled)

    def _on_failed(self, failure: Failed) -> None:
        if self._job is not None:
            self._end()
            self.failed.emit(f"The sweep stopped: {failure.traceback.strip().splitlines()[-1]}")
            self.finished.emit(False)

    def _end(self) -> None:
        self._timer.stop()
        if self._job is not None:
            self._job.close()
            self._job = None


# -- the U curve -------------------------------------------------------------------------------


class SweepPlot(pg.PlotWidget):
    """Final train and test error against the number of knobs, log y.

    ``train_curve`` and ``test_curve`` hold one point per capacity trained so far;
    ``now_line`` marks the current model's knob count. Clicking a point emits
    ``capacityRequested`` with that point's capacity.
    """

    capacityRequested = Signal(int)

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        theme.apply_pyqtgraph_theme()
        # numbers that never run into each other (pyqtgraph's own log axis crowds them)
        super().__init__(parent=parent, axisItems={"left": PlainAxis("left")})
        self.setObjectName("sweep_plot")
        self.setToolTip(
            "Each size of the model trained on the same data: the error on the training "
            "points keeps falling as knobs are added; the error on the test points falls, "
            "then rises again. Click a point to use that size. Filled dots: training "
            "error; hollow dots: test error; star: the lowest test error."
        )
        self._controller = controller
        self.points: list[SweepPoint] = []
        self.plot_item: pg.PlotItem = self.getPlotItem()
        self.plot_item.setLogMode(y=True)
        self.plot_item.setLabel("bottom", "knobs (parameters)")
        self.plot_item.setLabel("left", "final error")
        left = self.plot_item.getAxis("left")
        left.enableAutoSIPrefix(False)
        left.setStyle(maxTextLevel=0)  # label the decades only
        # the key hangs from the view's left edge: from the right (offset -10), a key wider
        # than a narrow view ran out over the axis and off the widget's left edge
        self.plot_item.addLegend(offset=(4, 4))
        self.plot_item.setMouseEnabled(x=False, y=False)
        self.plot_item.hideButtons()
        self.train_curve = self.plot_item.plot(
            pen=pg.mkPen(theme.TRAIN_COLOR, width=2),
            symbol="o",
            symbolSize=8,
            symbolBrush=theme.TRAIN_COLOR,
            symbolPen=pg.mkPen(theme.TRAIN_COLOR),
            name="train",
            connect="finite",
        )
        self.test_curve = self.plot_item.plot(
            pen=pg.mkPen(theme.TEST_COLOR, width=2),
            symbol="o",
            symbolSize=9,
            symbolBrush=pg.mkBrush(None),
            symbolPen=pg.mkPen(theme.TEST_COLOR, width=2),
            name="test",
            connect="finite",
        )
        for curve in (self.train_curve, self.test_curve):
            curve.sigPointsClicked.connect(self._on_curve_points_clicked)
        self.best_marker = pg.ScatterPlotItem(
            symbol="star",
            size=16,
            brush=pg.mkBrush(theme.TEST_COLOR),
            pen=pg.mkPen("k", width=0.8),
            name="lowest test",
        )
        self.plot_item.addItem(self.best_marker, ignoreBounds=True)
        self.now_line = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen(theme.MARK_COLOR, width=2, style=Qt.PenStyle.DashLine),
            label="now",
            labelOpts={"position": 0.06, "color": theme.MARK_COLOR},
        )
        self.plot_item.addItem(self.now_line, ignoreBounds=True)
        self.hint = pg.TextItem(
            "Press “Sweep every size” to train the model at every number of knobs",
            anchor=(0.5, 0.5),
            color=theme.DARK_MUTED,
        )
        centred = QTextOption(Qt.AlignmentFlag.AlignHCenter)
        centred.setWrapMode(QTextOption.WrapMode.WordWrap)
        self.hint.textItem.document().setDefaultTextOption(centred)
        self.plot_item.addItem(self.hint, ignoreBounds=True)
        self.plot_item.getViewBox().sigResized.connect(self._place_hint)
        controller.modelChanged.connect(self._on_controller_model_changed)
        self._on_controller_model_changed()
        self._show()

    # -- data ---------------------------------------------------------------------------------
    def clear_points(self) -> None:
        self.points = []
        self._show()

    def add_point(self, point: SweepPoint) -> None:
        self.points = sorted(
            [p for p in self.points if p.capacity != point.capacity] + [point],
            key=lambda p: p.n_params,
        )
        self._show()

    def best_point(self) -> SweepPoint | None:
        """The capacity with the lowest test error so far (None before any)."""
        finite = [p for p in self.points if math.isfinite(p.test_loss)]
        return min(finite, key=lambda p: p.test_loss) if finite else None

    def point_for(self, capacity: int) -> SweepPoint | None:
        return next((p for p in self.points if p.capacity == capacity), None)

    def _show(self) -> None:
        x = np.array([p.n_params for p in self.points], dtype=float)
        train = np.array([p.train_loss for p in self.points], dtype=float)
        test = np.array([p.test_loss for p in self.points], dtype=float)
        self.train_curve.setData(x, _loggable(train))
        self.test_curve.setData(x, _loggable(test))
        self.hint.setVisible(not self.points)
        best = self.best_point()
        if best is None:
            self.best_marker.setData([], [])
        else:
            # the scatter sits in view coordinates: log10 of the error on a log axis
            y = math.log10(max(best.test_loss, FLOOR))
            self.best_marker.setData([best.n_params], [y])
        model = self._controller.model
        r = capacity_range(model)
        if r is not None:
            lo = with_capacity(model, r[0]).n_params
            hi = with_capacity(model, r[1]).n_params
            pad = max(0.5, 0.03 * (hi - lo))
            self.plot_item.setXRange(lo - pad, hi + pad, padding=0)
        finite = np.concatenate([train, test])
        finite = finite[np.isfinite(finite) & (finite > 0)]
        if finite.size:
            lo, hi = math.log10(max(finite.min(), FLOOR)), math.log10(finite.max())
            # whole decades below; above, room for the legend over the highest point
            self.plot_item.setYRange(math.floor(lo), max(hi + 1.1, math.floor(lo) + 1), padding=0)
        else:
            self.plot_item.setYRange(-2, 0)
        self._place_hint()

    def _place_hint(self) -> None:
        legend = self.plot_item.legend
        view_width = self.plot_item.getViewBox().width()
        # a key wider than the view would be cut off: the tooltip says it then
        legend.setVisible(legend.boundingRect().width() + 8 <= view_width)
        (x0, x1), (y0, y1) = self.plot_item.viewRange()
        # wrapped to the view's width, so a narrow plot does not cut it off at both sides
        width = max(40.0, view_width - 16)
        if self.hint.textItem.textWidth() != width:
            self.hint.setTextWidth(width)
        self.hint.setPos((x0 + x1) / 2, (y0 + y1) / 2)

    # -- slots --------------------------------------------------------------------------------
    def _on_controller_model_changed(self) -> None:
        model = self._controller.model
        has_capacity = capacity_range(model) is not None
        self.now_line.setVisible(has_capacity)
        if has_capacity:
            self.now_line.setValue(model.n_params)
            self.now_line.label.setFormat(f"now: {model.n_params}")
        self.setEnabled(has_capacity)
        self._show()

    def _on_curve_points_clicked(self, _item, points, _ev) -> None:
        if len(points) and self.points:
            i = int(points[0].index())
            if 0 <= i < len(self.points):
                self.capacityRequested.emit(self.points[i].capacity)


def _loggable(values: np.ndarray) -> np.ndarray:
    """NaN for values a log axis cannot show (a diverged run), tiny ones raised to FLOOR."""
    out = np.where(np.isfinite(values), np.maximum(values, FLOOR), np.nan)
    return out


# -- the panel ---------------------------------------------------------------------------------


class VerdictLabel(QLabel):
    """The fit verdict: as tall as the longest sentence it can say, word-wrapped at its
    width, whatever it says now; so the controls below it never move when it changes."""

    def __init__(self, sentences: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sentences = [t for t in sentences if t]
        self._hfw: tuple[int, int] = (-1, 0)  # (width, height) of the last answer
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        if self._hfw[0] == width:
            return self._hfw[1]
        m = self.contentsMargins()
        pad = 2 * self.margin()
        inner = max(1, width - m.left() - m.right() - pad)
        fm = self.fontMetrics()
        flags = int(Qt.TextFlag.TextWordWrap)
        box = QRect(0, 0, inner, 100_000)
        text = max((fm.boundingRect(box, flags, t).height() for t in self._sentences), default=0)
        height = text + m.top() + m.bottom() + pad
        self._hfw = (width, height)
        return height

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        width = super().sizeHint().width()
        return QSize(width, self.heightForWidth(max(width, self.width())))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        width = super().minimumSizeHint().width()
        return QSize(width, self.heightForWidth(max(width, self.width())))

    def changeEvent(self, ev) -> None:  # noqa: N802 - Qt's name
        self._hfw = (-1, 0)  # a new font or style: measure again
        super().changeEvent(ev)


class CapacityPanel(QWidget):
    """The fit verdict, the knob count and capacity slider, and the sweep's controls.

    Object names: ``fit_verdict``, ``capacity_label``, ``capacity`` (the slider),
    ``sweep``, ``sweep_cancel``, ``sweep_progress``; the plot ``sweep_plot`` is
    ``self.sweep_plot``, for the window to place.
    """

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("capacity_panel")
        self._controller = controller
        #: optimizer steps per capacity in a sweep
        self.sweep_steps = DEFAULT_STEPS
        self._family: tuple | None = None
        self._sweep_family: tuple | None = None
        self._dataset: Dataset | None = None

        #: False while a lesson hides Train: the verdict then advises no Train
        self.can_train = True
        self._exploded: tuple[int, int] | None = None  # (session id, version) it left
        self.verdict_label = VerdictLabel(list(SENTENCES.values()))
        self.verdict_label.setObjectName("fit_verdict")
        self.verdict_label.setMargin(4)
        self.verdict_label.setAccessibleName("Fit verdict")
        self.verdict_label.setToolTip(
            "Compares the error on the training points with the error on the test points, "
            "which the model never learns from."
        )

        box = QGroupBox("Capacity: how many knobs")
        box.setObjectName("capacity_box")
        self.count_label = QLabel()
        self.count_label.setObjectName("capacity_label")
        font = self.count_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setWeight(QFont.Weight.Bold)
        self.count_label.setFont(font)
        self.count_label.setAccessibleName("Knob count")
        self.count_label.setToolTip(
            "The model's number of knobs (its capacity) beside the number of points it "
            "learns from. Many more knobs than points invites overfitting."
        )

        self.slider_name = QLabel("Degree")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("capacity")
        self.slider.setPageStep(1)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setAccessibleName("Capacity")
        self.slider.setToolTip(
            "Drag to add or remove knobs: the polynomial's degree or the network's hidden "
            "units. The knobs that stay keep their values."
        )
        self.slider_value = QLabel()
        self.slider_value.setMinimumWidth(24)
        self.slider_value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        slider_row = QHBoxLayout()
        slider_row.addWidget(self.slider_name)
        slider_row.addWidget(self.slider, 1)
        slider_row.addWidget(self.slider_value)

        self.sweep_button = named_button(
            "Sweep every size",
            "sweep",
            "Train the model at every capacity, smallest to largest, on the same data with "
            "the same optimizer settings, and plot the final errors against the knob count.",
        )
        self.cancel_button = named_button(
            "Cancel",
            "sweep_cancel",
            "Stop the sweep; the sizes trained so far stay plotted.",
            spoken="Cancel sweep",
        )
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setObjectName("sweep_progress")
        self.progress.setAccessibleName("Sweep progress")
        self.progress.setFormat("%v of %m sizes")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # one row: the button, or while a sweep runs its progress and Cancel in its place
        # (the control column stays short enough not to scroll on a laptop screen)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sweep_button, 1)
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.cancel_button)
        self._show_sweeping(False)

        inner = QVBoxLayout(box)
        inner.addWidget(self.count_label)
        inner.addLayout(slider_row)
        inner.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.verdict_label)
        layout.addWidget(box)

        self.sweep_plot = SweepPlot(controller)
        self.runner = SweepRunner(self)

        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self.sweep_button.clicked.connect(self.start_sweep)
        self.cancel_button.clicked.connect(self.runner.cancel)
        self.runner.pointReady.connect(self.sweep_plot.add_point)
        self.runner.progressed.connect(self._on_runner_progressed)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(controller.messageRaised)
        self.sweep_plot.capacityRequested.connect(self.use_capacity)
        controller.modelChanged.connect(self._on_structure_changed)
        controller.dataChanged.connect(self._on_structure_changed)
        # the verdict reads a whole run: four times a second is plenty while training
        self._verdict_throttle = Throttle(
            self.update_verdict,
            VERDICT_INTERVAL_MS,
            lambda: controller.is_training,
            self,
            defer=controller.refresh_later,
        )
        controller.paramsChanged.connect(self._verdict_throttle)
        controller.trainingToggled.connect(self._on_controller_training_toggled)
        controller.trainingExploded.connect(self._on_controller_training_exploded)
        self._on_structure_changed()

    # -- actions ------------------------------------------------------------------------------
    def start_sweep(self) -> None:
        """Train every capacity of the current model in a worker process."""
        c = self._controller
        if capacity_range(c.model) is None:
            return
        self.sweep_plot.clear_points()
        self._sweep_family = family_key(c.model, c.dataset)
        self.sweep_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self._show_sweeping(True)
        self.runner.start(c.model, c.dataset, c.config, seed=c.session.seed, steps=self.sweep_steps)

    def use_capacity(self, capacity: int) -> None:
        """Switch to ``capacity``: with the sweep's trained knobs when they fit this model,
        else keeping the current knobs."""
        c = self._controller
        point = self.sweep_plot.point_for(capacity)
        if point is not None and self._sweep_family == family_key(c.model, c.dataset):
            c.set_model(with_capacity(c.model, capacity), point.theta)
        else:
            c.set_capacity(capacity)

    # -- slots --------------------------------------------------------------------------------
    def _on_slider_value_changed(self, value: int) -> None:
        self.slider_value.setText(str(value))
        self._controller.set_capacity(value)

    def _on_structure_changed(self) -> None:
        c = self._controller
        model, data = c.model, c.dataset
        family = family_key(model, data)
        if family != self._family:
            self._family = family
            if self.runner.is_running:
                self.runner.cancel()
            if family != self._sweep_family:
                self.sweep_plot.clear_points()
                self.progress.setValue(0)
        r = capacity_range(model)
        for w in (self.slider_name, self.slider, self.slider_value):
            w.setVisible(r is not None)
        if not self.runner.is_running:
            self.progress.setRange(0, max(1, len(capacities(model))))
        if r is not None:
            with QSignalBlocker(self.slider):
                self.slider.setRange(*r)
                self.slider.setValue(capacity_of(model) or 0)
            self.slider_value.setText(str(self.slider.value()))
            self.slider_name.setText(capacity_name(model).capitalize())
        self.sweep_button.setEnabled(r is not None and not self.runner.is_running)
        self.sweep_button.setToolTip(
            self.sweep_button.toolTip()
            if r is not None
            else "The sweep needs a model whose size can change: a polynomial or a network."
        )
        self.count_label.setText(knob_count_text(model, data))
        self.update_verdict()

    def _on_controller_training_toggled(self, on: bool) -> None:
        if not on:
            self.update_verdict()  # paused: judged on the final weights, at once

    def _on_controller_training_exploded(self, _message: str) -> None:
        s = self._controller.session
        self._exploded = (id(s), s.version)  # until the weights change again
        self.update_verdict()

    def set_can_train(self, can: bool) -> None:
        """Whether Train is there to press (a lesson may hide it); the verdict's advice
        follows."""
        self.can_train = bool(can)
        self.update_verdict()

    def update_verdict(self) -> None:
        c = self._controller
        s = c.shown
        if s.dataset.task == "nextword":
            self.verdict_label.hide()
            return
        v = diagnose_session(
            s,
            training=c.is_training,
            exploded=self._exploded == (id(s), s.version),
            can_train=self.can_train,
        )
        self.verdict_label.setVisible(bool(v.sentence))
        if self.verdict_label.text() != v.sentence:
            self.verdict_label.setText(v.sentence)
            self.verdict_label.setStyleSheet(
                f"QLabel#fit_verdict {{ background: {VERDICT_STYLE[v.kind]}; border-radius: 4px; }}"
            )
        self.verdict_label.setProperty("kind", v.kind)

    def _show_sweeping(self, running: bool) -> None:
        self.sweep_button.setVisible(not running)
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)

    def _on_runner_progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _on_runner_finished(self, cancelled: bool) -> None:
        self.sweep_button.setEnabled(capacity_range(self._controller.model) is not None)
        self.cancel_button.setEnabled(False)
        self._show_sweeping(False)
        done, total = self.runner.progress
        if cancelled:
            self._controller.messageRaised.emit(f"Sweep cancelled after {done} of {total} sizes.")
        else:
            best = self._best_text()
            self._controller.messageRaised.emit(f"Sweep done: {best}")

    def _best_text(self) -> str:
        best = self.sweep_plot.best_point()
        if best is None:
            return "no size trained without exploding; try a smaller learning rate."
        return f"the lowest test error is at {best.n_params} knobs ({self._capacity_words(best)})."

    def _capacity_words(self, point: SweepPoint) -> str:
        name = capacity_name(self._controller.model)
        return f"{name} {point.capacity}" if name == "degree" else f"{point.capacity} {name}"
