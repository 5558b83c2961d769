"""The safe learning rate where a learner sets the learning rate: a mark on its slider and
a line under it that warns, before Train, when the rate is above it. The maths is in
``core.models.curvature``."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer

from knobsim.core.models.curvature import has_closed_form, session_safe_lr
from knobsim.ui.controller.session_controller import SessionController
from knobsim.ui.widgets import MARK_COLOUR, LogFloatControl, ReadoutLabel

#: the rate follows the knobs at most this often (Lanczos on an MLP takes a few ms)
REFRESH_MS = 200
#: optimizers whose steps the bound describes (plain gradient steps)
PLAIN = ("gd", "sgd")


class SafeRateLine(ReadoutLabel):
    """Under the learning-rate control (objectName ``safe_lr``): "Safe up to 0.99 here";
    red, saying what will happen, when the learning rate is above it. ``shown`` is the
    rate the line and the mark were drawn for (None: no mark, an optimizer the bound does
    not describe)."""

    def __init__(self, controller: SessionController, control: LogFloatControl) -> None:
        super().__init__()
        self.setObjectName("safe_lr")
        # one line, every text short enough for the control column: a wrapped line would
        # push the settings below it down (and the column into scrolling) as a hand moves
        self.setWordWrap(False)
        # its text changes as a hand turns the knobs (and while training): drawn without
        # asking the control column to lay itself out again
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setToolTip(
            "Gradient descent is stable below 2 / (the steepest curvature of the error at "
            "the knobs). Above it, each step overshoots the bottom by more than it gained, "
            "and the error grows without end. The red line on the slider marks it."
        )
        self.controller = controller
        self.control = control
        self.shown: float | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        for signal in (controller.paramsChanged, controller.dataChanged):
            signal.connect(self._refresh_soon)
        controller.modelChanged.connect(self.refresh)
        controller.optimizerChanged.connect(self.refresh)
        self.refresh()

    def _refresh_soon(self) -> None:
        c = self.controller
        if not c.is_training and has_closed_form(c.model):
            self.refresh()  # a few microseconds: the line is never behind a hand
        elif not self._timer.isActive():
            self._timer.start()

    def refresh(self) -> None:
        """Compute the rate at the knobs shown now, and draw it."""
        self._timer.stop()
        c = self.controller
        config = c.config
        safe = session_safe_lr(c.shown) if config.name in PLAIN else None
        if safe is not None and not math.isfinite(safe):
            safe = None
        self.shown = safe
        self.control.set_mark(safe)
        style = ""
        if config.name not in PLAIN:
            text = "(The safe rate is for GD and SGD.)"
        elif safe is None:
            text = "Any learning rate is stable here."
        elif config.lr > safe:
            text = f"⚠ Above the safe rate {safe:.3g}: blows up!"
            style = f"color: {MARK_COLOUR};"
        else:
            text = f"Safe below {safe:.3g} (the red line)."
        # a hand drags the knobs through here every frame: a new style sheet restyles
        # the label and a new text asks for a relayout, so each only when it changes
        if self.text() != text:
            self.setText(text)
        if self.styleSheet() != style:
            self.setStyleSheet(style)
