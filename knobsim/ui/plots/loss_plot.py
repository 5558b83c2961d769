"""The error over time: training and test error against the step, hand moves marked.

Pulls the session's history; the curves are created once and updated with ``setData``.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from knobsim.core.models.machines import nice_ceil
from knobsim.core.training.history import peak_decimate
from knobsim.ui import theme
from knobsim.ui.controller.session_controller import SessionController
from knobsim.ui.plots.plot_items import LOG_STEP_FLOOR, PlainAxis, plain_axes
from knobsim.ui.plots.scrub import StepLine

Array = NDArray[np.float64]


class LossPlot(QWidget):
    """Training and test error against the step, with hand moves marked on the curve.

    The axes follow the run in coarse jumps (x up to the next 1-2-5 step count, y to
    whole decades on the log axis), so most redraws move no axis at all. Panning or
    zooming by hand picks the steps shown, within the run (no view beyond it, where no
    curve is), and stops the following; the error axis then fits the curve over those
    steps. Following starts again with the "A" button, when the run starts over, or
    when training carries the newest point past the view's right edge.
    """

    PADDING = 0.02

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        theme.apply_pyqtgraph_theme()
        super().__init__(parent)
        self.setObjectName("loss_plot")
        self._controller = controller

        axes = {"left": PlainAxis("left"), "bottom": PlainAxis("bottom", counts=True)}
        self.plot_widget = pg.PlotWidget(self, axisItems=axes)
        self.plot_widget.setObjectName("loss_plot_view")
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot_item.setLabel("bottom", "step")
        self.plot_item.setLabel("left", "error")
        plain_axes(self.plot_item)
        self.train_curve = self.plot_item.plot(
            pen=pg.mkPen(theme.TRAIN_COLOR, width=1), name="train"
        )
        self.test_curve = self.plot_item.plot(pen=pg.mkPen(theme.TEST_COLOR, width=1), name="test")
        self.marks = self.plot_item.plot(
            pen=None,
            symbol="t",
            symbolSize=10,
            symbolBrush=theme.MARK_COLOR,
            symbolPen=pg.mkPen("k", width=0.8),
            name="hand move",
        )
        # where training stopped by itself (the controller's converged_at)
        self.converged_line = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen(theme.CONVERGED_COLOR, width=1, style=Qt.PenStyle.DashLine),
            label="converged",
            # the text to the left of the line: the line is often at the run's right edge
            labelOpts={
                "position": 0.92,
                "color": theme.CONVERGED_COLOR,
                "anchors": [(1, 0), (1, 0)],
            },
        )
        self.converged_line.setVisible(False)
        self.plot_item.addItem(self.converged_line, ignoreBounds=True)
        self.plot_item.disableAutoRange()  # the ranges below are cheaper and calmer
        self.plot_item.setMouseEnabled(x=True, y=False)  # a hand picks steps; y fits them
        self._follow = True
        self._range: tuple[float, float, float, float] | None = None
        self._head: float | None = None  # the newest step drawn
        self._marks_shown: tuple[Array, Array] = (np.zeros(0), np.zeros(0))
        self.plot_item.getViewBox().sigRangeChangedManually.connect(self._on_range_changed_by_hand)
        self.plot_item.getViewBox().sigResized.connect(self._on_history_changed)
        self.plot_item.autoBtn.clicked.connect(self._on_auto_button_clicked)

        self.log_scale = QCheckBox("Log scale", self)
        self.log_scale.setObjectName("loss_log_scale")
        self.log_scale.setToolTip("A logarithmic error axis keeps small errors visible")
        self.log_scale.setChecked(True)
        self.plot_item.setLogMode(y=True)
        self.log_scale.toggled.connect(self._on_log_scale_toggled)
        self.log_steps = QCheckBox("Log steps", self)
        self.log_steps.setObjectName("logStepAxis")
        self.log_steps.setToolTip(
            "A logarithmic step axis: the first ten steps get as much room as the next "
            "ninety, and as the next nine hundred"
        )
        self.log_steps.toggled.connect(self._on_log_steps_toggled)

        # the key sits under the plot, not on the curves
        self.key = QLabel(
            f"<span style='color:{theme.TRAIN_COLOR}'>━</span> train&nbsp;&nbsp; "
            f"<span style='color:{theme.TEST_COLOR}'>━</span> test&nbsp;&nbsp; "
            f"<span style='color:{theme.MARK_COLOR}'>▼</span> hand",
            self,
        )
        self.key.setObjectName("loss_key")
        self.key.setToolTip("train and test error; ▼ where a hand turned a knob")
        # at the plot's narrowest the key gives way to the two check boxes (cut, not wrapped)
        self.key.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.key)
        row.addStretch(1)
        row.addWidget(self.log_steps)
        row.addWidget(self.log_scale)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.plot_widget, 1)
        layout.addLayout(row)

        controller.historyChanged.connect(self._on_history_changed)
        controller.trainingConverged.connect(self._on_history_changed)
        self.update_plot()

    # -- the step axis: linear, or log10(step) in view coordinates --------------------------
    def _x_view(self, steps):
        """View x of ``steps`` (log10 on a log step axis, where step 0 sits at 10^-0.3)."""
        if not self.log_steps.isChecked():
            return steps
        return np.log10(np.maximum(np.asarray(steps, dtype=np.float64), LOG_STEP_FLOOR))

    def step_at(self, x: float) -> float:
        """The step at view x."""
        return 10.0**x if self.log_steps.isChecked() else x

    def _sync_step_lines(self) -> None:
        """Lines at a step (the look-back line) follow the step axis (pyqtgraph's own log
        mode, which the error axis uses, tells them x is linear)."""
        for item in self.plot_item.items:
            if isinstance(item, StepLine):
                item.setLogMode(self.log_steps.isChecked(), self.log_scale.isChecked())

    def _on_log_steps_toggled(self, on: bool) -> None:
        # the axis places and names its ticks as powers of ten; the data is moved here
        self.plot_item.getAxis("bottom").setLogMode(bool(on))
        self._sync_step_lines()
        self._follow = True
        self._range = None
        self._marks_shown = (np.zeros(0), np.zeros(0))
        self.update_plot()

    def _on_log_scale_toggled(self, on: bool) -> None:
        self.plot_item.setLogMode(y=bool(on))
        self._sync_step_lines()
        self._follow = True
        self._range = None
        self._marks_shown = (np.zeros(0), np.zeros(0))  # drop marks at errors <= 0 or bring back
        self.update_plot()

    def _on_range_changed_by_hand(self, *_) -> None:
        if self._follow and self._shows_whole_run():
            return
        self._follow = False
        self.update_plot()  # every stored point, for a closer look; y fitted to them

    def _shows_whole_run(self) -> bool:
        """Is the view still the whole run (a wheel turned out against the limits)?"""
        if self._range is None:
            return False
        (x0, x1), (y0, y1) = self.plot_item.viewRange()
        a0, a1, b0, b1 = self._range
        tol_x, tol_y = 0.03 * (a1 - a0), 0.03 * (b1 - b0)
        return x0 <= a0 + tol_x and x1 >= a1 - tol_x and y0 <= b0 + tol_y and y1 >= b1 - tol_y

    def _on_auto_button_clicked(self) -> None:
        # pyqtgraph has just switched its own auto-range on; follow the run our way instead
        self.plot_item.disableAutoRange()
        self._follow = True
        self._range = None
        self.update_plot()

    def _on_history_changed(self) -> None:
        self.update_plot()

    def update_plot(self) -> None:
        """Redraw both curves and the marks from the session's history."""
        history = self._controller.session.history
        # views of buffers the history rewrites in place: what the plot keeps are copies
        steps, train, test = history.steps, history.train, history.test
        head = float(steps[-1]) if steps.size else 0.0
        if self._head is not None and not self._follow:
            # a hand's view holds until the run starts over or training carries it past
            beyond = head > self._head and head > self.step_at(self.plot_item.viewRange()[0][1])
            if head < self._head or beyond:
                self._follow, self._range = True, None
        self._head = head
        # the whole run in view: two points a pixel are all a screen can show (a hand
        # zoom, which stops the following, gets every stored point)
        width = self.plot_item.getViewBox().width() if self._follow else 0
        if width > 0 and steps.size > 2 * math.ceil(width):
            xs, (ys_train, ys_test) = peak_decimate(steps, [train, test], math.ceil(width))
        else:
            xs = np.array(steps, dtype=np.float64)
            ys_train = np.array(train, dtype=np.float64)
            ys_test = np.array(test, dtype=np.float64)
        self.train_curve.setData(self._x_view(xs), ys_train)
        self.test_curve.setData(self._x_view(xs), ys_test)
        converged = self._controller.converged_at
        shown = converged is not None and converged <= head
        if shown:
            self.converged_line.setPos(float(self._x_view(float(converged))))
        self.converged_line.setVisible(shown)
        marks = history.marks
        mark_x = mark_y = np.zeros(0)
        if marks and steps.size:
            mark_steps = np.array([s for s, _ in marks], dtype=np.float64)
            # the error just after the first move at that step: the point after the first
            # one there (the error before the hand came), so a mark stays put while the
            # hand keeps turning, and the curve draws the hand's path up and down
            first = np.searchsorted(steps, mark_steps, side="left")
            last = np.searchsorted(steps, mark_steps, side="right") - 1
            k = np.clip(np.minimum(first + 1, last), 0, steps.size - 1)
            y = train[k]
            # a mark needs a place on the axis: a finite error (and a positive one on a log axis)
            ok = np.isfinite(y) & ((y > 0) | (not self.log_scale.isChecked()))
            mark_x, mark_y = mark_steps[ok], y[ok]
        # marks rarely move, and re-setting a symbol item is the costliest part of a redraw
        old_x, old_y = self._marks_shown
        if not (np.array_equal(mark_x, old_x) and np.array_equal(mark_y, old_y)):
            self.marks.setData(self._x_view(mark_x), mark_y)
            self._marks_shown = (mark_x, mark_y)
        self._follow_run(xs, ys_train, ys_test)  # thinned, the extremes kept

    def _y_span(self, values: Array) -> tuple[float, float]:
        """The y range (view coordinates) for these errors: whole decades on a log axis."""
        log = self.log_scale.isChecked()
        values = values[np.isfinite(values) & ((values > 0) if log else True)]
        if not values.size:
            return (-1.0, 1.0) if log else (0.0, 1.0)
        if log:  # view coordinates are log10(error)
            y_lo = float(np.floor(np.log10(values.min())))
            return y_lo, max(float(np.ceil(np.log10(values.max()))), y_lo + 1.0)
        lo, hi = float(values.min()), float(values.max())
        return (0.0 if lo >= 0 else -nice_ceil(-lo)), (nice_ceil(hi) if hi > 0 else 1.0)

    def _fit_y_to_hand_view(self, steps: Array, train: Array, test: Array) -> None:
        """A hand picks the steps (the wheel and drags move x only); y takes in the curve
        over them, so a hand's view always shows the curve."""
        (x0, x1), (v0, v1) = self.plot_item.viewRange()
        x0, x1 = self.step_at(x0), self.step_at(x1)
        # and the points either side: a segment across the view counts too
        i0 = max(0, int(np.searchsorted(steps, x0, side="left")) - 1)
        i1 = min(steps.size, int(np.searchsorted(steps, x1, side="right")) + 1)
        y_lo, y_hi = self._y_span(np.concatenate([train[i0:i1], test[i0:i1]]))
        pad = self.PADDING * (y_hi - y_lo)
        if not (math.isclose(v0, y_lo - pad) and math.isclose(v1, y_hi + pad)):
            self.plot_item.setYRange(y_lo, y_hi, padding=self.PADDING)

    def _follow_run(self, steps: Array, train: Array, test: Array) -> None:
        """Keep a hand's view within the whole run; when following, show the whole run,
        moving an axis only when the run outgrows it."""
        x_hi = nice_ceil(steps[-1]) if steps.size and steps[-1] > 0 else 1.0
        y_lo, y_hi = self._y_span(np.concatenate([train, test]))
        if self.log_steps.isChecked():  # whole decades of steps, from the first
            new = (float(np.log10(LOG_STEP_FLOOR)), float(np.ceil(np.log10(max(x_hi, 10.0)))))
            new = (*new, y_lo, y_hi)
        else:
            new = (0.0, x_hi, y_lo, y_hi)
        if new != self._range:
            self._range = new
            pad_x, pad_y = self.PADDING * (new[1] - new[0]), self.PADDING * (y_hi - y_lo)
            view = self.plot_item.getViewBox()
            view.setLimits(
                xMin=new[0] - pad_x, xMax=new[1] + pad_x, yMin=y_lo - pad_y, yMax=y_hi + pad_y
            )  # a hand zooms within the run
            if self._follow:
                self.plot_item.setRange(xRange=new[:2], yRange=new[2:], padding=self.PADDING)
        if not self._follow:
            self._fit_y_to_hand_view(steps, train, test)
