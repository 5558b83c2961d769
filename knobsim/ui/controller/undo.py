"""The undo commands: a hand move, a structural change, a setting.

One convention: pushing a command makes the change (its first ``redo`` does what every
later redo does), through the controller's public ``apply_values``, ``apply_setting`` and
``install``. No maths here.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QUndoCommand

from knobsim.core.data.datasets import Dataset
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session

if TYPE_CHECKING:
    from knobsim.ui.controller.session_controller import SessionController

#: hand moves of one knob closer together than this merge into one undo step
MERGE_WINDOW_S = 0.8


class HandMove(QUndoCommand):
    """Some knobs moved by hand: undo puts exactly those knobs back."""

    def __init__(
        self,
        controller: SessionController,
        indices: Sequence[int],
        old: Sequence[float],
        new: Sequence[float],
        text: str,
    ) -> None:
        super().__init__(text)
        self.controller = controller
        self.indices = list(indices)
        self.old = np.array(old, dtype=float)
        self.new = np.array(new, dtype=float)
        self.names = tuple(controller.session.param_names)
        self.stamp = time.monotonic()

    def id(self) -> int:  # noqa: A003 - Qt's name
        return 1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, HandMove) or other.indices != self.indices:
            return False
        if other.stamp - self.stamp > MERGE_WINDOW_S:
            return False
        self.new = other.new
        self.stamp = other.stamp
        return True

    def redo(self) -> None:
        self.controller.apply_values(self.indices, self.new, self.names)

    def undo(self) -> None:
        self.controller.apply_values(self.indices, self.old, self.names)


class SessionChange(QUndoCommand):
    """A new model, new data or a reset: the whole session is swapped, both ways.

    The command holds the session that is not in place, so undo followed by redo loses
    nothing, not even training done after the change.
    """

    def __init__(self, controller: SessionController, after: Session, text: str) -> None:
        super().__init__(text)
        self.controller = controller
        self.other = after

    def redo(self) -> None:
        self.other = self.controller.install(self.other)

    def undo(self) -> None:
        self.other = self.controller.install(self.other)


class DataEdit(QUndoCommand):
    """Points added, moved or removed by hand: undo puts the data back as it was. The
    moves of one drag (one ``gesture``) merge into one step."""

    def __init__(
        self, controller: SessionController, old: Dataset, new: Dataset, text: str, gesture
    ) -> None:
        super().__init__(text)
        self.controller = controller
        self.old, self.new = old, new
        self.gesture = gesture

    def id(self) -> int:  # noqa: A003 - Qt's name
        return 3

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, DataEdit) or other.gesture is None:
            return False
        if other.gesture != self.gesture:
            return False
        self.new = other.new
        return True

    def redo(self) -> None:
        self.controller.apply_data(self.new)

    def undo(self) -> None:
        self.controller.apply_data(self.old)


class SettingChange(QUndoCommand):
    """An optimizer setting, the L2 strength or a lock: undo puts back only that."""

    def __init__(self, controller: SessionController, key: str, old, new, text: str) -> None:
        super().__init__(text)
        self.controller = controller
        self.key = key
        self.old = old
        self.new = new
        self.stamp = time.monotonic()

    def id(self) -> int:  # noqa: A003 - Qt's name
        return 2

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, SettingChange) or other.key != self.key:
            return False
        if other.key.startswith("lock:") or other.stamp - self.stamp > MERGE_WINDOW_S:
            return False
        self.new, self.stamp = other.new, other.stamp
        self.setText(other.text())
        return True

    def redo(self) -> None:
        self.controller.apply_setting(self.key, self.new)

    def undo(self) -> None:
        self.controller.apply_setting(self.key, self.old)


def describe_config_change(old: OptimizerConfig, new: OptimizerConfig) -> str:
    """Undo text for an optimizer settings change."""
    if new.name != old.name:
        return f"switch the optimizer to {new.name}"
    if new.lr != old.lr:
        return f"set the learning rate to {new.lr:g}"
    if new.batch_size != old.batch_size:
        return f"set the batch size to {new.batch_size or 'all'}"
    return "change the optimizer settings"
