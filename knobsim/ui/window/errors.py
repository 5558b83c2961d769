"""The last line of defence: an uncaught error in any slot is logged and shown, not fatal.

PySide6 hands exceptions raised inside slots and event handlers to ``sys.excepthook``;
ours writes the traceback to a log file, shows a dialog with the details and lets the
event loop carry on, so a bug never throws away what a person has made.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

LOG_NAME = "knobsim-errors.log"


#: ``KNOBSIM_DATA_DIR=FOLDER`` moves the per-user data folder (tests, portable installs)
DATA_DIR_ENV = "KNOBSIM_DATA_DIR"


def data_dir() -> Path:
    """The per-user application-data folder: the error log, the autosave, best scores.

    ``KNOBSIM_DATA_DIR`` when set, else Qt's AppDataLocation (on Linux
    ``~/.local/share/knobsim/knobsim``). Created on first use when possible.
    """
    base = os.environ.get(DATA_DIR_ENV) or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation
    )
    path = Path(base or Path.home() / ".knobsim")
    with contextlib.suppress(OSError):
        path.mkdir(parents=True, exist_ok=True)
    return path


class ErrorHandler:
    """A ``sys.excepthook`` that logs, shows a dialog, and never exits."""

    def __init__(
        self, parent: Callable[[], QWidget | None] | None = None, log_path: str | Path | None = None
    ) -> None:
        self._parent = parent or (lambda: None)
        self._log_path = Path(log_path) if log_path is not None else None
        self._showing = False
        self.count = 0
        self.previous = sys.excepthook

    @property
    def log_path(self) -> Path:
        if self._log_path is None:
            self._log_path = data_dir() / LOG_NAME
        return self._log_path

    def __call__(
        self, kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        self.count += 1
        details = "".join(traceback.format_exception(kind, value, tb))
        try:
            with self.log_path.open("a", encoding="utf-8") as f:
                f.write(f"--- {_dt.datetime.now().isoformat(timespec='seconds')}\n{details}\n")
            where = f"The details were saved to {self.log_path}."
        except (OSError, ValueError):
            where = "The details could not be saved to a log file."
        print(details, file=sys.stderr)
        if self._showing or QApplication.instance() is None:
            return  # one dialog at a time; the rest go to the log
        self._showing = True
        try:
            box = QMessageBox(self._parent())
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("knobsim hit a problem")
            box.setText(
                f"Something went wrong: {value}\n\nknobsim keeps running and nothing you "
                f"made was lost. {where}"
            )
            box.setDetailedText(details)
            box.setObjectName("error_dialog")
            show(box)
        finally:
            self._showing = False

    def install(self) -> ErrorHandler:
        sys.excepthook = self
        return self

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self.previous


def show(box: QMessageBox) -> None:
    """Show a message box modally (a seam tests replace)."""
    box.exec()
