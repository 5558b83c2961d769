"""Race the optimizers (Training › Race optimizers…): two to four optimizers, or one at
several learning rates, from the same starting knobs on the same model and data, side by
side: their paths on the error map of two knobs, their error curves, and a table of steps
to converge and final errors. The race trains copies; the window's knobs stay where the
person left them until they pick "Use this run's knobs" (one undoable move).

The race runs a chunk at a time between frames (``core.training.race.RaceRunner``), with progress
and a Stop button, so the window never freezes.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from knobsim.core.models.landscape import grid_axes, loss_grid
from knobsim.core.training.optimizers import DEFAULT_LR, LABELS, OPTIMIZERS, OptimizerConfig
from knobsim.core.training.race import MAX_RUNS, RaceRun, RaceRunner
from knobsim.ui import theme
from knobsim.ui.plots.plot_items import plain_axes

if TYPE_CHECKING:
    from knobsim.ui.window.main_window import MainWindow

#: the runners' colours (Okabe-Ito: blue, vermillion, bluish green, reddish purple)
RUN_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
#: the starting line-up
DEFAULT_RUNNERS = (("gd", True), ("momentum", True), ("adam", True), ("rmsprop", False))
#: time the race may take from each frame (ms): the window keeps painting between
FRAME_BUDGET_MS = 12
#: a watched race is spread over this long (seconds), whatever its steps: a race of a
#: line is otherwise over in two frames, before anyone sees a path
WATCH_S = 5.0
GRID_N = 41


class RaceDialog(QDialog):
    """The race's window (objectName ``race_panel``); ``race_run`` starts it, ``race_table``
    holds the results, ``race_use`` puts the chosen run's knobs on the window's knobs."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("race_panel")
        self.setWindowTitle("Race the optimizers")
        self.window_ = window
        self.controller = window.controller
        self.runners: list[RaceRunner] = []
        self.runs: list[RaceRun] = []
        self._timer = QTimer(self)
        self._timer.setInterval(16)
        self._timer.timeout.connect(self._on_tick)

        intro = QLabel(
            "Each runner trains its own copy of the model from the same starting knobs. "
            "Guess first: which will reach the bottom soonest?"
        )
        intro.setWordWrap(True)

        grid = QGridLayout()
        self.entrant_rows: list[tuple[QCheckBox, QComboBox, QDoubleSpinBox]] = []
        for k, (name, on) in enumerate(DEFAULT_RUNNERS[:MAX_RUNS]):
            box = QCheckBox(f"Runner {k + 1}")
            box.setObjectName(f"race_runner:{k}")
            box.setChecked(on)
            combo = QComboBox()
            combo.setObjectName(f"race_optimizer:{k}")
            for opt in OPTIMIZERS:
                combo.addItem(LABELS[opt], opt)
            combo.setCurrentIndex(combo.findData(name))
            lr = QDoubleSpinBox()
            lr.setObjectName(f"race_lr:{k}")
            lr.setDecimals(4)
            lr.setRange(0.0001, 10.0)
            lr.setSingleStep(0.01)
            lr.setValue(DEFAULT_LR[name])
            lr.setToolTip("This runner's learning rate")
            combo.currentIndexChanged.connect(
                lambda _i, c=combo, s=lr: s.setValue(DEFAULT_LR[c.currentData()])
            )
            swatch = QLabel("━━")
            swatch.setStyleSheet(f"color: {RUN_COLORS[k]}; font-weight: bold;")
            grid.addWidget(swatch, k, 0)
            grid.addWidget(box, k, 1)
            grid.addWidget(combo, k, 2)
            grid.addWidget(QLabel("learning rate"), k, 3)
            grid.addWidget(lr, k, 4)
            self.entrant_rows.append((box, combo, lr))

        self.steps = QSpinBox()
        self.steps.setObjectName("race_steps")
        self.steps.setRange(10, 100_000)
        self.steps.setSingleStep(100)
        self.steps.setValue(500)
        self.freeze = QCheckBox("Freeze the other knobs")
        self.freeze.setObjectName("race_freeze")
        # off: the runners train every knob, as Train does (a race of two knobs of the
        # spiral's 105 says little about the rules); on, the map stays true under them
        self.freeze.setChecked(False)
        self.freeze.setToolTip(
            "Train only the two knobs of the map, so the map stays true under the paths "
            "(off: every knob trains, as Train does, and the paths may leave the map's slice)."
        )
        self.watch = QCheckBox(f"Watch (about {WATCH_S:.0f} s)")
        self.watch.setObjectName("race_watch")
        self.watch.setChecked(True)
        self.watch.setToolTip(
            f"Spread the race over about {WATCH_S:.0f} seconds so you can follow the paths; "
            "untick it to run the race as fast as the machine can."
        )
        self.run_button = QPushButton("Start the race")
        self.run_button.setObjectName("race_run")
        self.run_button.setDefault(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("race_stop")
        self.stop_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setObjectName("race_progress")
        self.progress.setFormat("%p%")
        self.progress.setVisible(False)  # while a race runs
        settings = QHBoxLayout()
        settings.addWidget(QLabel("Steps"))
        settings.addWidget(self.steps)
        settings.addWidget(self.freeze)
        settings.addWidget(self.watch)
        settings.addStretch(1)
        settings.addWidget(self.progress)
        settings.addWidget(self.run_button)
        settings.addWidget(self.stop_button)

        theme.apply_pyqtgraph_theme()
        self.map_plot = pg.PlotWidget()
        self.map_plot.setObjectName("race_map")
        self.map_item = self.map_plot.getPlotItem()
        plain_axes(self.map_item)
        self.map_image = pg.ImageItem()
        self.map_image.setLookupTable(theme.landscape_lut())
        self.map_item.addItem(self.map_image)
        self.map_legend = self.map_item.addLegend(offset=(5, 5))
        self.start_marker = pg.ScatterPlotItem(
            size=10, brush=pg.mkBrush(theme.MARKER_COLOR), pen=pg.mkPen("k")
        )
        self.map_item.addItem(self.start_marker)
        self.trails: list[pg.PlotCurveItem] = []
        self.map_note = QLabel()
        self.map_note.setObjectName("race_map_note")
        self.map_note.setWordWrap(True)

        self.loss_plot = pg.PlotWidget()
        self.loss_plot.setObjectName("race_loss")
        self.loss_item = self.loss_plot.getPlotItem()
        plain_axes(self.loss_item)
        self.loss_item.setLabel("bottom", "step")
        self.loss_item.setLabel("left", "training error")
        self.loss_legend = self.loss_item.addLegend(offset=(-5, 5))
        self.curves: list[pg.PlotDataItem] = []

        self.table = QTableWidget(0, 5)
        self.table.setObjectName("race_table")
        self.table.setHorizontalHeaderLabels(
            [
                "runner",
                "learning rate",
                "steps to converge",
                "final train error",
                "final test error",
            ]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        rows = self.table.verticalHeader().defaultSectionSize()
        self.table.setMinimumHeight(
            self.table.horizontalHeader().sizeHint().height() + 4 * rows + 6
        )
        self.use_button = QPushButton("Use this run's knobs")
        self.use_button.setObjectName("race_use")
        self.use_button.setEnabled(False)
        self.use_button.setToolTip(
            "Put the selected runner's final knobs on the window's knobs (Ctrl+Z takes it back)."
        )
        close = QPushButton("Close")
        close.clicked.connect(self.close)

        plots = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.map_plot, 1)
        left.addWidget(self.map_note)
        plots.addLayout(left, 1)
        plots.addWidget(self.loss_plot, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.use_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addLayout(settings)
        layout.addLayout(plots, 3)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.resize(960, 720)

        self.run_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.use_button.clicked.connect(self.use_selected)
        self.table.itemSelectionChanged.connect(self._on_selection_changed)

    # -- the race ----------------------------------------------------------------------------
    def configs(self) -> list[OptimizerConfig]:
        return [
            OptimizerConfig(combo.currentData(), lr=float(lr.value()))
            for box, combo, lr in self.entrant_rows
            if box.isChecked()
        ]

    def start(self) -> None:
        """Start a race from the window's knobs now (two to four runners)."""
        configs = self.configs()
        if not 2 <= len(configs) <= MAX_RUNS:
            self.map_note.setText(f"Pick 2 to {MAX_RUNS} runners (tick their boxes).")
            return
        self.controller.set_training(False)  # the start is the knobs as they are
        self._take_start()
        session = self.controller.session
        only = self.pair if self.freeze.isChecked() else None
        steps = int(self.steps.value())
        self.runners = [RaceRunner(session, c, steps, train_only=only) for c in configs]
        self.runs = []
        self._colors = [
            RUN_COLORS[k] for k, (box, _, _) in enumerate(self.entrant_rows) if box.isChecked()
        ]
        self._draw_map()
        self._reset_curves()
        self.table.setRowCount(0)
        self.use_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self._began = time.perf_counter()
        self._chunk = 4  # steps per runner per piece (grows or shrinks to ~2 ms)
        self.run_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self._timer.start()

    def stop(self) -> None:
        """Stop where the runners are; what they did so far is shown."""
        if self._timer.isActive():
            self._timer.stop()
            self._finish()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def _on_tick(self) -> None:
        now = time.perf_counter()
        end = now + FRAME_BUDGET_MS / 1000.0
        # a watched race: each runner no further than its share of the race's time
        share = min(1.0, (now - self._began) / WATCH_S) if self.watch.isChecked() else 1.0
        left = [r for r in self.runners if not r.finished]

        def behind(r: RaceRunner) -> int:  # steps a runner may still take this frame
            return math.ceil(share * r.steps) - r.done

        due = [r for r in left if behind(r) > 0]
        while due and time.perf_counter() < end:
            for r in due:
                t0 = time.perf_counter()
                r.advance(min(self._chunk, behind(r)))
                spent = time.perf_counter() - t0
                # pieces of about 2 ms: a frame holds several, none blocks it
                if spent < 0.001:
                    self._chunk = min(self._chunk * 2, 10_000)
                elif spent > 0.004 and self._chunk > 1:
                    self._chunk //= 2
            left = [r for r in left if not r.finished]
            due = [r for r in left if behind(r) > 0]
        total = sum(r.steps for r in self.runners)
        done = sum(r.steps if r.finished else r.done for r in self.runners)
        self.progress.setValue(round(100 * done / max(total, 1)))
        self._show_runs([r.result() for r in self.runners])
        if not left:
            self._timer.stop()
            self._finish()
            best = self.best_row()  # run to its end: the lesson hears who won
            winner = (
                ("", math.nan)
                if best is None
                else (_rule_name(self.runs[best].optimizer), self.runs[best].lr)
            )
            self.window_.lessons.runner.note_race(len(self.runs), winner)

    def _finish(self) -> None:
        self.progress.setVisible(False)
        self.runs = [r.result() for r in self.runners]
        self._draw_map([run.path for run in self.runs if run.path.size])
        self._show_runs(self.runs)
        self._fill_table()
        self.run_button.setEnabled(True)
        self.stop_button.setEnabled(False)

    # -- drawing -----------------------------------------------------------------------------
    def _draw_map(self, paths: list[np.ndarray] | None = None) -> None:
        """The error over the pair at the start (``self._start``: model, data, knobs,
        names) across the knobs' ranges, and as far as the runners' ``paths`` went, so no
        path runs off the map."""
        model, d, theta, names = self._start
        i, j = self.pair
        a, b = grid_axes(model, i, j, GRID_N)
        if paths:
            reach = np.concatenate([p[:, [i, j]] for p in paths])
            reach = reach[np.all(np.isfinite(reach), axis=1)]
            if reach.size:
                lo = np.minimum([a[0], b[0]], reach.min(axis=0))
                hi = np.maximum([a[-1], b[-1]], reach.max(axis=0))
                pad = 0.05 * (hi - lo)
                a = np.linspace(lo[0] - pad[0], hi[0] + pad[0], GRID_N)
                b = np.linspace(lo[1] - pad[1], hi[1] + pad[1], GRID_N)
        with np.errstate(all="ignore"):
            Z = np.log10(loss_grid(model, theta, i, j, d.X_train, d.y_train, a, b))
        Z = np.where(np.isfinite(Z), Z, np.nanmax(Z[np.isfinite(Z)]) if np.isfinite(Z).any() else 0)
        self.map_image.setImage(Z.T.astype(np.float32))  # ImageItem: first axis is x
        da, db = a[1] - a[0], b[1] - b[0]
        self.map_image.setRect(a[0] - da / 2, b[0] - db / 2, a[-1] - a[0] + da, b[-1] - b[0] + db)
        self.map_item.setLabel("bottom", names[i])
        self.map_item.setLabel("left", names[j])
        self.start_marker.setData([float(theta[i])], [float(theta[j])])
        n = len(names)
        frozen = self.freeze.isChecked()
        self.map_note.setText(
            f"The map is a slice through an error landscape with {n} dimensions: the "
            f"error across {names[i]} and {names[j]}, the "
            + (
                "other knobs frozen where they start (the runners move only these two)."
                if frozen and n > 2
                else "other knobs held where they start; the runners move them too, so "
                "the paths may leave this slice."
                if n > 2
                else "only two knobs: the map is the whole landscape."
            )
        )

    def _reset_curves(self) -> None:
        for item in self.trails:
            self.map_item.removeItem(item)
        for item in self.curves:
            self.loss_item.removeItem(item)
        self.map_legend.clear()
        self.loss_legend.clear()
        self.trails, self.curves = [], []
        for runner, color in zip(self.runners, self._colors, strict=True):
            name = _run_name(runner.config.name, runner.config.lr)
            trail = pg.PlotCurveItem(pen=pg.mkPen(color, width=2), name=name)
            self.map_item.addItem(trail)  # (and to the map's key, by its name)
            self.trails.append(trail)
            curve = self.loss_item.plot(pen=pg.mkPen(color, width=2), name=name)
            self.curves.append(curve)

    def _show_runs(self, runs: list[RaceRun]) -> None:
        i, j = self.pair
        for run, trail, curve in zip(runs, self.trails, self.curves, strict=True):
            trail.setData(run.path[:, i], run.path[:, j])
            steps = np.array([h[0] for h in run.history], dtype=float)
            train = np.array([h[1] for h in run.history], dtype=float)
            ok = np.isfinite(train) & (train > 0)
            curve.setData(steps[ok], train[ok])

    def _fill_table(self) -> None:
        self.table.setRowCount(len(self.runs))
        for row, run in enumerate(self.runs):
            converged = (
                "exploded"
                if run.diverged
                else f"{run.steps_to_converge:,}"
                if run.steps_to_converge is not None
                else "not yet"
            )
            cells = (
                LABELS[run.optimizer],
                f"{run.lr:g}",
                converged,
                _error(run.final_train_loss),
                _error(run.final_test_loss),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if col == 0:
                    item.setForeground(pg.mkColor(self._colors[row]))
                self.table.setItem(row, col, item)
        best = self.best_row()
        if best is not None:
            self.table.selectRow(best)

    def best_row(self) -> int | None:
        """The runner that converged soonest, else the lowest final training error."""
        ok = [k for k, r in enumerate(self.runs) if not r.diverged]
        if not ok:
            return None
        done = [k for k in ok if self.runs[k].steps_to_converge is not None]
        if done:
            return min(done, key=lambda k: self.runs[k].steps_to_converge)
        return min(ok, key=lambda k: self.runs[k].final_train_loss)

    # -- using a run -------------------------------------------------------------------------
    def _on_selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        ok = bool(rows) and not self.runs[rows[0].row()].diverged
        self.use_button.setEnabled(ok)

    def use_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        run = self.runs[rows[0].row()]
        c = self.controller
        if run.path.shape[1] != c.session.n_params:
            return  # the model changed since the race
        c.set_params_at(
            range(c.session.n_params),
            run.path[-1].tolist(),
            f"use the {LABELS[run.optimizer]} runner's knobs",
        )

    def showEvent(self, ev) -> None:  # noqa: N802 - Qt's name
        super().showEvent(ev)
        if not self.running and not self.runs:
            # before the first race: the map of the window's two knobs and where the
            # runners will start, not an empty plot
            self._take_start()
            self._draw_map()

    def _take_start(self) -> None:
        """The start is the window's knobs as they are, on the landscape's two knobs."""
        session = self.controller.session
        self.pair = self.window_.landscape_plot.pair
        self._start = (session.model, session.dataset, session.params.copy(), session.param_names)

    def closeEvent(self, ev) -> None:  # noqa: N802 - Qt's name
        self._timer.stop()
        super().closeEvent(ev)


def _rule_name(name: str) -> str:
    """An optimizer's name without its note: "Gradient descent", "Adam"."""
    return LABELS[name].split(" (")[0]


def _run_name(name: str, lr: float) -> str:
    return f"{_rule_name(name)} {lr:g}"


def _error(x: float) -> str:
    return f"{x:.4g}" if math.isfinite(x) else "—"
