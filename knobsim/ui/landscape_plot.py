"""The loss landscape: the error over two chosen knobs, every other knob held.

The numbers come from ``core.landscape``; this view schedules them and draws them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from knobsim.core.landscape import grid_axes, loss_grid, loss_grid_rows
from knobsim.ui import theme
from knobsim.ui.controller import SessionController
from knobsim.ui.plot_items import FastImage, PointMarker, cache_pixels, place_image, plain_axes

Array = NDArray[np.float64]


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


def _grid_pieces(
    model, theta: Array, i: int, j: int, X, y, a: Array, b: Array, piece_s: float
) -> Iterator[tuple[slice, slice, Array]]:
    """The landscape in pieces of about ``piece_s`` seconds: (rows, columns, losses).

    Learns the cost of one parameter vector as it goes and sizes the next piece to it:
    several rows at once for a small model, a few cells of one row for big data, so one
    piece never blocks the event loop for long.
    """
    na, nb = a.size, b.size
    cost = None  # seconds per parameter vector (running estimate)
    r = c = 0
    while r < nb:
        want = 1 if cost is None else max(1, int(piece_s / cost))  # vectors in this piece
        t0 = time.perf_counter()
        if c == 0 and want >= na:
            n_rows = min(nb - r, want // na)
            rows, cols = slice(r, r + n_rows), slice(0, na)
            r += n_rows
        else:
            n_cols = min(na - c, want)
            rows, cols = slice(r, r + 1), slice(c, c + n_cols)
            c += n_cols
            if c == na:
                r, c = r + 1, 0
        values = loss_grid(model, theta, i, j, X, y, a[cols], b[rows])
        per = (time.perf_counter() - t0) / values.size
        cost = per if cost is None else 0.5 * (cost + per)
        yield rows, cols, values


@dataclass
class _GridJob:
    """One landscape computation in progress."""

    key: tuple
    theta: Array
    i: int
    j: int
    a: Array
    b: Array
    pieces: Iterator[tuple[slice, slice, Array]]
    Z: Array
    fresh: bool  # draw rows as they come (the old picture means nothing any more)
    spent: float = 0.0  # seconds of computing so far
    full: bool = True  # the full grid (not the coarse one)
    remote: int = 0  # the request id when the training process computes it


class LandscapePlot(QWidget):
    """The error over two chosen knobs, every other knob held where it is now.

    The grid is recomputed only when a knob other than the two changes (moving one of
    the two just moves ``marker``). A hand move first gets a coarse grid
    (``COARSE_N`` x ``COARSE_N``) computed at once where that costs under
    ``COARSE_BUDGET_MS``, so the picture follows the hand within its frame; when the
    hand rests for ``REFINE_MS`` (and while training, or where even the coarse grid is
    dear) the full grid comes progressively on a zero-interval timer within
    ``BUDGET_MS`` per event-loop turn, at most every ``MIN_INTERVAL_MS``.
    Clicking or dragging on the picture sets both knobs.
    """

    GRID_N = 41
    COARSE_N = 21  # every other row and column of the full grid
    COARSE_BUDGET_MS = 6.0
    REFINE_MS = 150
    BUDGET_MS = 4.0
    MIN_INTERVAL_MS = 125.0  # at most 8 fresh grids a second after hand moves
    TRAINING_INTERVAL_MS = 250.0  # and 4 a second while training (the frames come first)
    PIECE_MS = 1.0  # the progressive computation works in pieces of about this long

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        theme.apply_pyqtgraph_theme()
        super().__init__(parent)
        self.setObjectName("landscape_plot")
        self._controller = controller

        self.x_combo = QComboBox(self)
        self.x_combo.setObjectName("landscape_x")
        self.x_combo.setToolTip("The knob along the horizontal axis")
        self.y_combo = QComboBox(self)
        self.y_combo.setObjectName("landscape_y")
        self.y_combo.setToolTip("The knob along the vertical axis")
        for combo in (self.x_combo, self.y_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMaxVisibleItems(20)

        self.view = _PickViewBox(self)
        self.plot_widget = pg.PlotWidget(self, viewBox=self.view)
        self.plot_widget.setObjectName("landscape_view")
        self.plot_widget.setToolTip("Click or drag to set both knobs")
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot_item.hideButtons()
        plain_axes(self.plot_item)
        self.view.disableAutoRange()
        self.view.setMouseEnabled(x=False, y=False)  # no wheel zoom: the view is the grid

        self.image = FastImage(axisOrder="row-major")
        self.image.setLookupTable(theme.landscape_lut())
        self.image.setZValue(-20)
        # width-1 lines: Qt strokes them several times faster than wider ones
        self.path = pg.PlotDataItem(
            pen=pg.mkPen(theme.PATH_COLOR, width=1), connect="finite", skipFiniteCheck=True
        )
        self.marker = PointMarker(12, theme.MARKER_COLOR)
        for item in (self.image, self.path, self.marker):
            self.plot_item.addItem(item)
        cache_pixels(self.image)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("across:", self))
        top.addWidget(self.x_combo)
        top.addWidget(QLabel("up:", self))
        top.addWidget(self.y_combo)
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
        self._stale_since: float | None = None
        self._last_start = -np.inf
        self._pair = (0, 1)
        self._active = True  # False for a model with a single knob
        self._drag_macro = False

        self._coarse = False  # the grid shown is the coarse one
        self._coarse_ms: dict[tuple, float] = {}  # what a coarse grid costs, per landscape
        self._refine = QTimer(self)
        self._refine.setSingleShot(True)
        self._refine.setInterval(self.REFINE_MS)
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
        n = self._controller.session.n_params
        i, j = int(i), int(j)
        if not (0 <= i < n and 0 <= j < n) or i == j:
            raise ValueError(f"Pick two different knobs between 0 and {n - 1}, not {i} and {j}.")
        self._pair = (i, j)
        for combo, k in ((self.x_combo, i), (self.y_combo, j)):
            combo.blockSignals(True)
            combo.setCurrentIndex(k)
            combo.blockSignals(False)
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
        self._start_job(fresh=self.grid is None or self._grid_key != self._key())
        job = self._job
        d = self._controller.session.dataset
        model = self._controller.session.model
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):  # the fast, all-at-once chunks of core.landscape
            pieces = loss_grid_rows(
                model, job.theta, job.i, job.j, d.X_train, d.y_train, job.a, job.b
            )
            for rows, values in pieces:
                job.Z[rows] = values
        job.spent = time.perf_counter() - t0
        self._finish(job)

    # -- slots ---------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._grid_matches() and not self._job_matches():
            self._request()

    def _on_model_changed(self) -> None:
        model = self._controller.session.model
        names = model.param_names
        for combo in (self.x_combo, self.y_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            combo.blockSignals(False)
        self._cancel_job()
        # a refine or throttled start pending for the old model's pair has nothing to do
        self._refine.stop()
        self._throttle.stop()
        self._coarse = False
        self.grid = None
        self._grid_key = None
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
        self.path.setData([], [])

    def _on_data_changed(self) -> None:
        self._update_overlay()
        if self._active:
            self._request()

    def _on_params_changed(self) -> None:
        self._update_overlay()
        if not self._grid_matches() and not self._job_matches():
            self._request()

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
        t0 = time.perf_counter()
        budget = self.BUDGET_MS / 1000.0
        while time.perf_counter() - t0 < budget:
            try:
                with np.errstate(all="ignore"):  # huge weights overflow to inf: drawn as worst
                    rows, cols, values = next(job.pieces)
            except StopIteration:
                job.spent += time.perf_counter() - t0
                self._finish(job)
                return
            job.Z[rows, cols] = values
        job.spent += time.perf_counter() - t0
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
        s = self._controller.session
        return (s.model, s.dataset, s.model.l2, self._pair)

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
        theta = self._controller.session.params
        keep = np.ones(theta.size, dtype=bool)
        keep[list(self._pair)] = False
        return np.array_equal(theta[keep], theta_ref[keep])

    def _on_pair_changed(self) -> None:
        i, j = self._pair
        names = self._controller.session.param_names
        self.plot_item.setLabel("bottom", names[i])
        self.plot_item.setLabel("left", names[j])
        a, b = self._axes()
        da, db = self._step(a), self._step(b)
        rect = QRectF(a[0] - da / 2, b[0] - db / 2, a[-1] - a[0] + da, b[-1] - b[0] + db)
        place_image(self.image, (b.size, a.size), rect, np.nan)  # the old picture means nothing now
        self.view.setRange(rect=rect, padding=0)
        self._cancel_job()
        self._stale_since = None
        self._update_overlay()
        self._request()

    def _axes(self) -> tuple[Array, Array]:
        i, j = self._pair
        return grid_axes(self._controller.session.model, i, j, self.GRID_N)

    @staticmethod
    def _step(values: Array) -> float:
        return float(values[1] - values[0]) if values.size > 1 else 1.0

    def _request(self) -> None:
        """The grid is stale: (re)start a computation, throttled."""
        if self.isVisible() and not self._controller.is_training and self._show_coarse():
            return
        now = time.perf_counter()
        if self._stale_since is None:
            self._stale_since = now
        if not self.isVisible():
            return  # nobody is looking; showEvent asks again
        fresh = self.grid is None or self._grid_key != self._key()
        if self._job is not None:
            # another pair/model/data: the job is useless. New weights: restart only early
            # on, so a steady stream of training ticks cannot starve a long job; later
            # changes wait for it to finish, which asks again
            young = (now - self._stale_since) * 1000.0 < self._min_interval_ms()
            if self._job.key != self._key() or young:
                self._cancel_job()
            else:
                return
        if self._throttle.isActive():
            return
        wait = self._min_interval_ms() - (now - self._last_start) * 1000.0
        if fresh or wait <= 0:
            self._start_job(fresh)
            self._work.start()
        else:
            self._throttle.start(int(np.ceil(wait)))

    def _min_interval_ms(self) -> float:
        training = self._controller.is_training
        return self.TRAINING_INTERVAL_MS if training else self.MIN_INTERVAL_MS

    def _time_coarse(self, job: _GridJob) -> None:
        """Learn what a coarse grid of this landscape costs, once, while nothing moves."""
        if job.spent * 1000.0 > 40 * self.COARSE_BUDGET_MS:
            self._coarse_ms[job.key] = job.spent * 1000.0  # far too dear whatever it is
            return
        s = self._controller.session
        d = s.dataset
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):
            loss_grid(
                s.model, job.theta, job.i, job.j, d.X_train, d.y_train, job.a[::2], job.b[::2]
            )
        self._coarse_ms[job.key] = (time.perf_counter() - t0) * 1000.0

    def _show_coarse(self) -> bool:
        """Compute and show the coarse grid now if it is cheap; False if it is not."""
        key = self._key()
        s = self._controller.session
        i, j = self._pair
        a, b = self._axes()
        theta = s.params.copy()
        d = s.dataset
        # what it costs: measured last time, or a quarter of the full grid's time; not
        # known before one of them was computed (that one comes progressively)
        cost = self._coarse_ms.get(key)
        if cost is None or cost > self.COARSE_BUDGET_MS:
            return False
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):
            Zc = loss_grid(s.model, theta, i, j, d.X_train, d.y_train, a[::2], b[::2])
        self._coarse_ms[key] = (time.perf_counter() - t0) * 1000.0
        # each coarse value stands for the full grid's cells around it
        near = (np.arange(self.GRID_N) + 1) // 2
        Z = Zc[np.ix_(near, near)]
        self._cancel_job()
        self._throttle.stop()
        self._finish(_GridJob(key, theta, i, j, a, b, iter(()), Z, False, full=False))
        self._coarse = True
        self._refine.start()
        return True

    def _start_job(self, fresh: bool) -> None:
        self._cancel_job()
        s = self._controller.session
        i, j = self._pair
        a, b = self._axes()
        theta = s.params.copy()
        d = s.dataset
        # while the training process runs, it computes the grid (at its newest weights)
        rid = None if fresh else self._controller.request_grid(i, j, a, b)
        if rid is not None:
            Z = np.full((b.size, a.size), np.nan)
            self._job = _GridJob(self._key(), theta, i, j, a, b, iter(()), Z, False, remote=rid)
            self._last_start = time.perf_counter()
            return
        pieces = _grid_pieces(
            s.model, theta, i, j, d.X_train, d.y_train, a, b, self.PIECE_MS / 1000.0
        )
        Z = np.full((b.size, a.size), np.nan)
        self._job = _GridJob(self._key(), theta, i, j, a, b, pieces, Z, fresh)
        self._last_start = time.perf_counter()

    def _cancel_job(self) -> None:
        self._job = None
        self._work.stop()

    def _finish(self, job: _GridJob) -> None:
        self._job = None
        self._work.stop()
        self._coarse = False
        if job.full and job.key not in self._coarse_ms:
            self._time_coarse(job)
        with np.errstate(all="ignore"):
            logZ = np.log10(job.Z)  # loss >= 0; log 0 = -inf is cleaned below
        self.grid = logZ
        self._grid_key = job.key
        self._grid_theta = job.theta
        self.compute_count += 1
        self._show(logZ)
        self._stale_since = None
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
        s = self._controller.session
        i, j = self._pair
        if not self._active or max(i, j) >= s.n_params:
            return
        theta = s.params
        self.marker.setData([float(theta[i])], [float(theta[j])])
        trail = s.trail  # (m, n_params), oldest first
        self.path.setData(trail[:, i].copy(), trail[:, j].copy())

    # -- picking ---------------------------------------------------------------------
    def _pick(self, pos, phase: str) -> None:
        """A click or a drag at view position ``pos`` sets knobs i and j."""
        controller = self._controller
        if not self._active:
            return
        i, j = self._pair
        ranges = controller.session.model.param_ranges()
        a = float(np.clip(pos.x(), *ranges[i]))
        b = float(np.clip(pos.y(), *ranges[j]))
        theta = controller.session.params
        stack = controller.undo_stack
        if phase != "click" and not self._drag_macro and (theta[i], theta[j]) != (a, b):
            # a whole drag is one undo step, however long it pauses on the way
            names = controller.session.param_names
            stack.beginMacro(f"drag {names[i]} and {names[j]} on the landscape")
            self._drag_macro = True
        controller.set_params_at([i, j], [a, b])
        if phase == "finish" and self._drag_macro:
            stack.endMacro()
            self._drag_macro = False
