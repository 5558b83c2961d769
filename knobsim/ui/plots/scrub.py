"""The scrub bar under the loss plot: look back at any step of the run, branch there,
or replay the run. Thin: the controller holds what is shown (``controller.shown``).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSlider, QVBoxLayout, QWidget

from knobsim.core.training.pace import watch_ticks
from knobsim.ui import theme
from knobsim.ui.controller.session_controller import SessionController
from knobsim.ui.plots.plot_items import LOG_STEP_FLOOR
from knobsim.ui.widgets import ReadoutLabel

#: the replay's frame interval (ms)
REPLAY_FRAME_MS = 16


class StepLine(pg.InfiniteLine):
    """A vertical line at a step, for a plot whose step axis may be logarithmic.

    The loss plot's log step axis calls ``setLogMode``; on it the line's position is
    log10 of the step (step 0 sits where the curves draw it, at ``LOG_STEP_FLOOR``).
    """

    def __init__(self) -> None:
        pen = pg.mkPen(theme.MARK_COLOR, width=1.5, style=Qt.PenStyle.DashLine)
        super().__init__(pos=0, angle=90, pen=pen, movable=False)
        self.step = 0
        self.log_x = False
        self.setZValue(20)

    def set_step(self, step: int) -> None:
        self.step = int(step)
        self._place()

    def setLogMode(self, x: bool, y: bool) -> None:  # noqa: N802 - pyqtgraph's name
        self.log_x = bool(x)
        self._place()

    def _place(self) -> None:
        self.setValue(
            math.log10(max(self.step, LOG_STEP_FLOOR)) if self.log_x else float(self.step)
        )


class ScrubBar(QWidget):
    """A slider over the run's timeline, one tick per kept entry (the dense start and
    end of a run get room of their own), the step shown, and three buttons.

    Dragging shows the run at that step in every view (``controller.scrub_to``); the
    right end is the present. The loss plot gets a dashed line at the step shown.
    Replay moves the slider from the start (or where it stands) to the present at the
    Watch pace (``core.training.pace.watch_ticks``): the run plays back as Watch would have shown
    it live, so a run trained at Max can be watched afterwards. Esc, the button or a hand
    on the slider stops it.
    """

    def __init__(
        self, controller: SessionController, plot_item: pg.PlotItem, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("scrub_panel")
        self._controller = controller
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("scrubBar")
        self.slider.setToolTip(
            "Drag to see the knobs, the fit and the errors as they were at any step of the run."
        )
        self.slider.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # the step changes every frame while training: a QLabel would lay the whole
        # window out again each time
        self.step_label = ReadoutLabel(self)
        self.step_label.setTextFormat(Qt.TextFormat.PlainText)
        self.step_label.setObjectName("scrub_step")
        self.continue_button = QPushButton("Continue from here", self)
        self.continue_button.setObjectName("continueFromHere")
        self.continue_button.setToolTip(
            "Take the knobs as they were at this step and train on from here; "
            "the rest of the run is dropped (Ctrl+Z brings it back)."
        )
        self.back_button = QPushButton("Back to now", self)
        self.back_button.setObjectName("backToNow")
        self.back_button.setToolTip("Show the knobs as they are now.")
        self.replay_button = QPushButton("Replay", self)
        self.replay_button.setObjectName("replayRun")
        self.replay_button.setCheckable(True)
        self.replay_button.setToolTip("Play the run back at a pace you can follow (Esc stops).")
        # the slider across the loss plot's whole width (a run is long: every pixel of the
        # bar is a stretch of it), the step shown and the buttons in rows under it
        self.step_label.setFixedWidth(self.fontMetrics().horizontalAdvance("step 10,000,000"))
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        middle = QHBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.addWidget(self.step_label)
        middle.addStretch(1)
        middle.addWidget(self.replay_button)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.continue_button)
        row.addWidget(self.back_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.slider)
        layout.addLayout(middle)
        layout.addLayout(row)

        self.line = StepLine()
        self.line.hide()
        plot_item.addItem(self.line, ignoreBounds=True)
        self._timer = QTimer(self)
        self._timer.setInterval(REPLAY_FRAME_MS)
        self._timer.timeout.connect(self._on_replay_timer_timeout)
        self._ticks = np.zeros(0, dtype=np.int64)  # the replay's tick for each frame
        self._frame = 0
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self._escape.setContext(Qt.ShortcutContext.WindowShortcut)
        self._escape.setEnabled(False)
        self._escape.activated.connect(self.stop_replay)

        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self.slider.sliderPressed.connect(self.stop_replay)
        self.continue_button.clicked.connect(controller.continue_from_here)
        self.back_button.clicked.connect(controller.back_to_now)
        self.replay_button.toggled.connect(self._on_replay_button_toggled)
        controller.scrubChanged.connect(self.refresh)
        controller.historyChanged.connect(self.refresh)
        controller.trainingToggled.connect(self._on_training_toggled)
        self.refresh()

    # -- reading the controller ---------------------------------------------------------
    def refresh(self) -> None:
        """Range, position, label, buttons and the loss plot's line from the controller."""
        c = self._controller
        timeline = c.session.timeline
        n = len(timeline)  # (while training, every frame: no list of steps made)
        shown = c.scrub_step
        if shown is None:
            tick = n - 1
            self.step_label.setText(f"step {c.session.step_count:,}")
            self.step_label.setToolTip("The present: drag left to look back.")
        else:
            tick = int(np.searchsorted(timeline.steps, shown, side="right")) - 1
            self.step_label.setText(f"step {shown:,}")
            self.step_label.setToolTip(
                f"Looking back at step {shown:,} of {c.session.step_count:,}."
            )
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, n - 1))
        if self.slider.value() != tick and not self.slider.isSliderDown():
            self.slider.setValue(tick)
        self.slider.blockSignals(False)
        self.continue_button.setEnabled(shown is not None)
        self.back_button.setEnabled(shown is not None)
        self.replay_button.setEnabled(n > 1 or self.replaying)
        if shown is None:
            self.line.hide()
        else:
            self.line.set_step(shown)
            self.line.show()

    @property
    def replaying(self) -> bool:
        return self._timer.isActive()

    # -- a hand on the slider -----------------------------------------------------------
    def _on_slider_value_changed(self, tick: int) -> None:
        self.stop_replay()  # a hand (a replay moves the slider with its signals blocked)
        self._show_tick(tick)

    def _show_tick(self, tick: int) -> None:
        steps = self._controller.session.timeline.steps
        tick = int(np.clip(tick, 0, len(steps) - 1))
        if tick == len(steps) - 1:
            self._controller.back_to_now()
        else:
            self._controller.scrub_to(int(steps[tick]))

    # -- replay -------------------------------------------------------------------------
    def start_replay(self) -> None:
        """Play the run back from where the slider stands (from the start at the present)."""
        c = self._controller
        c.set_training(False)  # the run to replay is the one there is now
        timeline = c.session.timeline
        n = len(timeline)
        if n < 2:
            self.replay_button.setChecked(False)
            return
        first = 0 if c.scrub_step is None else min(self.slider.value(), n - 2)
        history = c.session.history
        self._ticks = watch_ticks(timeline.steps, history.steps, history.train, first)
        self._frame = 0
        self._escape.setEnabled(True)
        self._timer.start()
        with QSignalBlocker(self.replay_button):
            self.replay_button.setChecked(True)
        self.replay_button.setText("Stop")
        self._show_tick(int(self._ticks[0]))

    def stop_replay(self) -> None:
        """Stop a replay where it stands (the views keep showing that step)."""
        if not self.replaying:
            return
        self._timer.stop()
        self._escape.setEnabled(False)
        with QSignalBlocker(self.replay_button):
            self.replay_button.setChecked(False)
        self.replay_button.setText("Replay")
        self.refresh()

    def _on_replay_button_toggled(self, on: bool) -> None:
        if on:
            self.start_replay()
        else:
            self.stop_replay()

    def _on_replay_timer_timeout(self) -> None:
        self._frame = min(self._frame + 1, len(self._ticks) - 1)
        tick = int(self._ticks[self._frame])
        with QSignalBlocker(self.slider):
            self.slider.setValue(tick)
        self._show_tick(tick)
        if self._frame == len(self._ticks) - 1:
            self.stop_replay()

    def _on_training_toggled(self, on: bool) -> None:
        if on:
            self.stop_replay()
