"""The loss landscape: the error over two chosen knobs, every other knob held.

The numbers come from ``core.models.landscape``; this view schedules them and draws them.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QRectF, QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from knobsim.core.models.curvature import bowl_outline, pair_hessian
from knobsim.core.models.landscape import GridJob, GridSchedule, grid_axes
from knobsim.core.models.ranges import EDGE
from knobsim.core.training.session import Session
from knobsim.ui import theme
from knobsim.ui.controller.session_controller import SessionController
from knobsim.ui.plots.plot_items import (
    FastImage,
    PointMarker,
    cache_pixels,
    place_image,
    plain_axes,
)

Array = NDArray[np.float64]

#: the bowl's ring reaches this share of the view across or up, whichever first
BOWL_REACH = 0.12


#: the widest a knob box in the header grows (the longest names, "emb[sleeps].x", fit)
COMBO_MAX_PX = 150


class _PickViewBox(pg.ViewBox):
    """A view box where the left button picks a point instead of panning."""

    def __init__(self, owner: LandscapePlot) -> None:
        super().__init__(enableMenu=False)
        self._owner = owner

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph's name
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseClickEvent(ev)
            return
        ev.accept()
        self._owner._pick(self.mapSceneToView(ev.scenePos()), "click")

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 - pyqtgraph's name
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        phase = "start" if ev.isStart() else "finish" if ev.isFinish() else "move"
        self._owner._pick(self.mapSceneToView(ev.scenePos()), phase)


class _GridJob(GridJob):
    """One landscape for this view: computed here a piece per event-loop turn, at once
    (the coarse grid, ``compute_now``), or by the training process (``remote``)."""

    def __init__(
        self,
        key: tuple,
        session: Session,
        pair: tuple[int, int],
        axes: tuple[Array, Array],
        *,
        fresh: bool,
        full: bool = True,
        remote: int = 0,
        piece_s: float | None = None,
    ) -> None:
        d = session.dataset
        super().__init__(
            session.model, session.params, *pair, d.X_train, d.y_train, *axes, piece_s=piece_s
        )
        self.key = key
        self.fresh = fresh  # draw rows as they come (the old picture means nothing any more)
        self.full = full  # the full grid (not the coarse one)
        self.remote = remote  # the request id when the training process computes it


class LandscapePlot(QWidget):
    """The error over two chosen knobs, every other knob held where it is now.

    The grid is recomputed only when a knob other than the two changes (moving one of
    the two just moves ``marker``). ``schedule`` (a ``core.models.landscape.GridSchedule``)
    decides when and which grid: a hand move gets the coarse grid at once where it is
    cheap, so the picture follows the hand within its frame; the full grid comes
    progressively on a zero-interval timer within ``BUDGET_MS`` per event-loop turn.
    Clicking or dragging on the picture sets both knobs.
    """

    GRID_N = 41
    BUDGET_MS = 4.0
    PIECE_MS = 1.0  # the progressive computation works in pieces of about this long

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        theme.apply_pyqtgraph_theme()
        super().__init__(parent)
        self.setObjectName("landscape_plot")
        self._controller = controller

        self.x_combo = QComboBox(self)
        self.y_combo = QComboBox(self)
        for combo, name, what in (
            (self.x_combo, "landscape_x", "The knob along the horizontal axis"),
            (self.y_combo, "landscape_y", "The knob along the vertical axis"),
        ):
            combo.setObjectName(name)
            combo.setToolTip(what)
            # the two boxes share the row's width, shrinking to 4 letters when the view is
            # narrow (a longer name is then cut short in the box, whole in its list and
            # tooltip): the window still fits a 1280 px screen with the lessons open
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(4)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            combo.setMaximumWidth(COMBO_MAX_PX)
            combo.currentTextChanged.connect(
                lambda text, c=combo, what=what: c.setToolTip(f"{what}: {text}")
            )
            combo.setMaxVisibleItems(20)

        self.view = _PickViewBox(self)
        self.plot_widget = pg.PlotWidget(self, viewBox=self.view)
        self.plot_widget.setObjectName("landscape_view")
        self.plot_widget.setToolTip(
            "Click or drag to set both knobs. The dashed ring is the shape of the error's "
            "bowl at the knobs: narrow across the steep way, where a large learning rate "
            "overshoots first."
        )
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot_item.hideButtons()
        plain_axes(self.plot_item)
        self.view.disableAutoRange()
        self.view.setMouseEnabled(x=False, y=False)  # no wheel zoom: the view is the grid

        self.image = FastImage(axisOrder="row-major")
        self.image.setLookupTable(theme.landscape_lut())
        self.image.setZValue(-20)
        # width-1 lines: Qt strokes them several times faster than wider ones. Bare curve
        # items: each hand move sets the path and the ring, and a PlotDataItem's setData
        # costs five times a curve's (its bookkeeping for symbols, downsampling, logs)
        self.path = pg.PlotCurveItem(
            pen=pg.mkPen(theme.PATH_COLOR, width=1), connect="finite", skipFiniteCheck=True
        )
        self.marker = PointMarker(12, theme.MARKER_COLOR)
        # the shape of the error's bowl at the marker: narrow across the steep way
        self.bowl = pg.PlotCurveItem(
            pen=pg.mkPen(theme.MARKER_COLOR, width=1, style=Qt.PenStyle.DashLine),
            skipFiniteCheck=True,
        )
        for item in (self.image, self.path, self.bowl, self.marker):
            self.plot_item.addItem(item)
        cache_pixels(self.image)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("across:", self))
        top.addWidget(self.x_combo, 1)
        top.addWidget(QLabel("up:", self))
        top.addWidget(self.y_combo, 1)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.plot_widget, 1)

        #: how many grids have been completed (tests and benchmarks read it)
        self.compute_count = 0
        self.grid: Array | None = None  # log10(loss), (GRID_N, GRID_N), rows follow y
        self._grid_key: tuple | None = None
        self._grid_theta: Array | None = None
        self._job: _GridJob | None = None
        self._pair = (0, 1)
        self._placed: tuple[tuple[float, float], ...] = ()  # the pair's ranges the map spans
        self._active = True  # False for a model with a single knob
        self._drag_macro = False

        self._coarse = False  # the grid shown is the coarse one
        self.schedule = GridSchedule()
        self._refine = QTimer(self)
        self._refine.setSingleShot(True)
        self._refine.setInterval(self.schedule.REFINE_MS)
        self._refine.timeout.connect(self._on_refine_timeout)
        self._work = QTimer(self)  # zero interval: one slice of the grid per event-loop turn
        self._work.setInterval(0)
        self._work.timeout.connect(self._on_work_timeout)
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.timeout.connect(self._on_throttle_timeout)

        self.x_combo.currentIndexChanged.connect(self._on_x_combo_changed)
        self.y_combo.currentIndexChanged.connect(self._on_y_combo_changed)
        controller.modelChanged.connect(self._on_model_changed)
        controller.dataChanged.connect(self._on_data_changed)
        controller.paramsChanged.connect(self._on_params_changed)
        controller.gridReady.connect(self._on_controller_grid_ready)
        controller.trainingToggled.connect(self._on_controller_training_toggled)
        self._on_model_changed()

    # -- public ------------------------------------------------------------------------
    @property
    def pair(self) -> tuple[int, int]:
        """Indices (i, j) of the knobs across and up."""
        return self._pair

    def set_pair(self, i: int, j: int) -> None:
        """Show the landscape over knobs ``i`` (across) and ``j`` (up)."""
        n = self._controller.shown.n_params
        i, j = int(i), int(j)
        if not (0 <= i < n and 0 <= j < n) or i == j:
            raise ValueError(f"Pick two different knobs between 0 and {n - 1}, not {i} and {j}.")
        self._pair = (i, j)
        for combo, k in ((self.x_combo, i), (self.y_combo, j)):
            with QSignalBlocker(combo):
                combo.setCurrentIndex(k)
        self._on_pair_changed()

    @property
    def is_stale(self) -> bool:
        """True while the picture does not show the current weights' landscape (a coarse
        grid of them counts: it shows them, at half the resolution)."""
        return not self._grid_matches() or (self._job is not None and not self._coarse)

    @property
    def is_settled(self) -> bool:
        """True when the picture is the full-resolution landscape of the current weights."""
        return self._job is None and self._grid_matches() and not self._coarse

    @property
    def is_coarse(self) -> bool:
        """True while the picture is the quick coarse grid of a hand move."""
        return self._coarse

    def compute_now(self) -> None:
        """Compute the whole grid at once (tests, screenshots)."""
        if not self._active:
            return
        self._throttle.stop()
        self._cancel_job()
        job = self._new_job(fresh=True)  # in the fast, all-at-once chunks of core.models.landscape
        job.advance(math.inf)
        self._finish(job)

    # -- slots ---------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._grid_matches() and not self._job_matches():
            self._request()

    def _on_model_changed(self) -> None:
        model = self._controller.shown.model
        names = model.param_names
        for combo in (self.x_combo, self.y_combo):
            with QSignalBlocker(combo):
                combo.clear()
                combo.addItems(names)
        self._cancel_job()
        # a refine or throttled start pending for the old model's pair has nothing to do
        self._refine.stop()
        self._throttle.stop()
        self._coarse = False
        self.grid = None
        self._grid_key = None
        self._placed = ()
        self._active = model.n_params >= 2
        self.x_combo.setEnabled(self._active)
        self.y_combo.setEnabled(self._active)
        if self._active:
            self.plot_item.setTitle(None)
            self.set_pair(*self._default_pair(model))
            return
        # a single knob has no two-dimensional landscape
        self.plot_item.setTitle("The landscape needs a model with two or more knobs")
        self.image.clear()
        self.marker.setData([], [])
        self.bowl.setData([], [])
        self.path.setData([], [])

    def _on_data_changed(self) -> None:
        if self._follow_ranges():
            return
        self._update_overlay()
        if self._active:
            self._request()

    def _on_params_changed(self) -> None:
        if self._follow_ranges():
            return
        self._update_overlay()
        if not self._grid_matches() and not self._job_matches():
            self._request()

    def _follow_ranges(self) -> bool:
        """A knob of the pair pushed past its range widened it: the map spans the new
        ranges (placed afresh, recomputed). True when it did."""
        if not self._active or self._pair_ranges() == self._placed:
            return False
        self._on_pair_changed()
        return True

    def _on_x_combo_changed(self, index: int) -> None:
        i, j = index, self._pair[1]
        if index < 0:
            return
        if i == j:  # the same knob twice: swap
            j = self._pair[0]
        self.set_pair(i, j)

    def _on_y_combo_changed(self, index: int) -> None:
        i, j = self._pair[0], index
        if index < 0:
            return
        if i == j:
            i = self._pair[1]
        self.set_pair(i, j)

    def _on_throttle_timeout(self) -> None:
        if self._active and self.isVisible() and not self._grid_matches() and self._job is None:
            self._start_job(fresh=self.grid is None or self._grid_key != self._key())
            self._work.start()

    def _on_controller_grid_ready(self, rid: int, theta: Array, Z: Array) -> None:
        job = self._job
        if job is not None and job.remote == rid and job.key == self._key():
            job.theta, job.Z = np.asarray(theta), np.asarray(Z)
            self._finish(job)

    def _on_controller_training_toggled(self, on: bool) -> None:
        job = self._job
        if not on and job is not None and job.remote:
            self._cancel_job()  # the process will not send it now: compute it here
            if not self._grid_matches():
                self._request()

    def _on_refine_timeout(self) -> None:
        if self._coarse and self._grid_matches() and self._job is None and self.isVisible():
            self._start_job(fresh=False)
            self._work.start()

    def _on_work_timeout(self) -> None:
        job = self._job
        if job is None or job.remote:
            self._work.stop()
            return
        if job.advance(self.BUDGET_MS / 1000.0):
            self._finish(job)
            return
        if job.fresh:
            with np.errstate(all="ignore"):
                self._show(np.log10(job.Z))  # the rows so far; NaN rows are transparent

    # -- the grid ------------------------------------------------------------------------
    @staticmethod
    def _default_pair(model) -> tuple[int, int]:
        if model.name == "poly":
            return (1, 0)  # slope across, offset up, as for the line's (w, b)
        return (0, 1)  # line (w, b), logistic (w1, w2), MLP's first two input weights

    def _key(self) -> tuple:
        """What the grid depends on besides the weights (objects, not ids: ids get reused)."""
        s = self._controller.shown
        return (s.model, s.dataset, s.model.l2, self._pair, self._pair_ranges())

    def _pair_ranges(self) -> tuple[tuple[float, float], ...]:
        """The ranges of the pair's knobs now (they widen when a knob is pushed past one)."""
        model = self._controller.shown.model
        return tuple(model.param_range(k) for k in self._pair if k < model.n_params)

    def _grid_matches(self) -> bool:
        """Does the grid hold this landscape? Only knobs i and j may differ."""
        if not self._active:
            return True
        if self.grid is None or self._grid_key != self._key():
            return False
        return self._same_others(self._grid_theta)

    def _job_matches(self) -> bool:
        """Is the running computation for this landscape?"""
        job = self._job
        return job is not None and job.key == self._key() and self._same_others(job.theta)

    def _same_others(self, theta_ref: Array) -> bool:
        """Are all knobs but i and j where they were in ``theta_ref``?"""
        theta = self._controller.shown.params
        keep = np.ones(theta.size, dtype=bool)
        keep[list(self._pair)] = False
        return np.array_equal(theta[keep], theta_ref[keep])

    def _on_pair_changed(self) -> None:
        i, j = self._pair
        names = self._controller.shown.param_names
        self.plot_item.setLabel("bottom", names[i])
        self.plot_item.setLabel("left", names[j])
        self._placed = self._pair_ranges()
        a, b = self._axes()
        da, db = self._step(a), self._step(b)
        rect = QRectF(a[0] - da / 2, b[0] - db / 2, a[-1] - a[0] + da, b[-1] - b[0] + db)
        place_image(self.image, (b.size, a.size), rect, np.nan)  # the old picture means nothing now
        self.view.setRange(rect=rect, padding=0)
        self._cancel_job()
        self.schedule.settled()
        self._update_overlay()
        self._request()

    def _axes(self) -> tuple[Array, Array]:
        i, j = self._pair
        return grid_axes(self._controller.shown.model, i, j, self.GRID_N)

    @staticmethod
    def _step(values: Array) -> float:
        return float(values[1] - values[0]) if values.size > 1 else 1.0

    def _request(self) -> None:
        """The grid is stale: (re)start a computation, throttled."""
        if self.isVisible() and not self._controller.is_training and self._show_coarse():
            return
        now = time.perf_counter()
        self.schedule.went_stale(now)
        if not self.isVisible():
            return  # nobody is looking; showEvent asks again
        training = self._controller.is_training
        fresh = self.grid is None or self._grid_key != self._key()
        if self._job is not None:
            if not self.schedule.restart_running(now, training, self._job.key == self._key()):
                return  # when it finishes, it asks again
            self._cancel_job()
        if self._throttle.isActive():
            return
        wait = self.schedule.wait_ms(now, training, fresh)
        if wait <= 0:
            self._start_job(fresh)
            self._work.start()
        else:
            self._throttle.start(math.ceil(wait))

    def _new_job(self, *, fresh: bool, **kwargs) -> _GridJob:
        """A computation of this landscape at the current weights (none done yet)."""
        session = self._controller.shown
        return _GridJob(self._key(), session, self._pair, self._axes(), fresh=fresh, **kwargs)

    def _time_coarse(self, job: _GridJob) -> None:
        """Learn what a coarse grid of this landscape costs, once, while nothing moves."""
        if not self.schedule.wants_coarse_timing(job.key, job.spent * 1000.0):
            return
        t0 = time.perf_counter()
        job.coarse()
        self.schedule.coarse_ms[job.key] = (time.perf_counter() - t0) * 1000.0

    def _show_coarse(self) -> bool:
        """Compute and show the coarse grid now if it is cheap; False if it is not."""
        key = self._key()
        if not self.schedule.coarse_is_cheap(key):
            return False
        job = self._new_job(fresh=False, full=False)
        t0 = time.perf_counter()
        job.Z = job.coarse()
        self.schedule.coarse_ms[key] = (time.perf_counter() - t0) * 1000.0
        self._cancel_job()
        self._throttle.stop()
        self._finish(job)
        self._coarse = True
        self._refine.start()
        return True

    def _start_job(self, fresh: bool) -> None:
        self._cancel_job()
        i, j = self._pair
        a, b = self._axes()
        # while the training process runs, it computes the grid (at its newest weights)
        rid = None if fresh else self._controller.request_grid(i, j, a, b)
        if rid is not None:
            self._job = self._new_job(fresh=False, remote=rid)
        else:
            self._job = self._new_job(fresh=fresh, piece_s=self.PIECE_MS / 1000.0)
        self.schedule.started(time.perf_counter())

    def _cancel_job(self) -> None:
        self._job = None
        self._work.stop()

    def _finish(self, job: _GridJob) -> None:
        self._job = None
        self._work.stop()
        self._coarse = False
        if job.full:
            self._time_coarse(job)
        with np.errstate(all="ignore"):
            logZ = np.log10(job.Z)  # loss >= 0; log 0 = -inf is cleaned below
        self.grid = logZ
        self._grid_key = job.key
        self._grid_theta = job.theta
        self.compute_count += 1
        self._show(logZ)
        self.schedule.settled()
        if not self._grid_matches():  # the weights moved on while we computed
            self._request()

    def _show(self, logZ: Array) -> None:
        finite = logZ[np.isfinite(logZ)]
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
        else:
            lo, hi = 0.0, 1.0
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        img = logZ.astype(np.float32)
        img[np.isposinf(img)] = hi  # an overflowed loss: the worst colour
        img[np.isneginf(img)] = lo  # a perfect fit
        self.image.setImage(img, levels=(lo, hi), autoLevels=False)

    def _update_overlay(self) -> None:
        """Move the marker and the training path (cheap; no grid work)."""
        s = self._controller.shown
        i, j = self._pair
        if not self._active or max(i, j) >= s.n_params:
            return
        theta = s.params
        self.marker.setData([float(theta[i])], [float(theta[j])])
        trail = s.trail  # (m, n_params), oldest first
        self.path.setData(trail[:, i].copy(), trail[:, j].copy())
        self._update_bowl(s, theta, i, j)

    def _update_bowl(self, s, theta: Array, i: int, j: int) -> None:
        (x0, x1), (y0, y1) = self.view.viewRange()
        if not (x0 <= theta[i] <= x1 and y0 <= theta[j] <= y1):
            self.bowl.setData([], [])  # knobs off the map: no ring (and no huge coordinates)
            return
        with np.errstate(all="ignore"):
            H2 = pair_hessian(s.model, theta, *s.train_features(), i, j)
        ring = bowl_outline(H2, (BOWL_REACH * (x1 - x0), BOWL_REACH * (y1 - y0)))
        if ring is None:
            self.bowl.setData([], [])
        else:
            self.bowl.setData(ring[:, 0] + theta[i], ring[:, 1] + theta[j])

    # -- picking ---------------------------------------------------------------------
    def _pick(self, pos, phase: str) -> None:
        """A click or a drag at view position ``pos`` sets knobs i and j."""
        controller = self._controller
        if not self._active:
            return
        i, j = self._pair
        # a pick stays inside the map: at its very edge the knob's range would widen
        # and the map zoom out under the hand
        model = controller.shown.model
        a = float(np.clip(pos.x(), *_inside(model.param_range(i))))
        b = float(np.clip(pos.y(), *_inside(model.param_range(j))))
        theta = controller.shown.params
        stack = controller.undo_stack
        if phase != "click" and not self._drag_macro and (theta[i], theta[j]) != (a, b):
            # a whole drag is one undo step, however long it pauses on the way
            names = controller.shown.param_names
            stack.beginMacro(f"drag {names[i]} and {names[j]} on the landscape")
            self._drag_macro = True
        controller.set_params_at([i, j], [a, b])
        if phase == "finish" and self._drag_macro:
            stack.endMacro()
            self._drag_macro = False


def _inside(span: tuple[float, float]) -> tuple[float, float]:
    """``span`` less twice the share of it that counts as an end (``ranges.EDGE``)."""
    lo, hi = span
    edge = 2 * EDGE * (hi - lo)
    return lo + edge, hi - edge
