"""Autosave and crash recovery.

While knobsim runs, the session is saved every half minute (when it changed) and on quit
to the per-user application-data folder, beside a lock file holding the process id. A
clean quit removes the lock; a lock left by a process that is gone means knobsim did not
close properly, and the next start offers the autosaved session back.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from knobsim.core import sessionfile
from knobsim.ui.controller import SessionController

AUTOSAVE_NAME = "autosave.knobsim"
LOCK_NAME = "running.lock"
INTERVAL_MS = 30_000


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def crashed_session(folder: Path) -> Path | None:
    """The autosave left by a knobsim that did not quit cleanly, if there is one."""
    lock, save = folder / LOCK_NAME, folder / AUTOSAVE_NAME
    if not (lock.exists() and save.exists()):
        return None
    try:
        pid = int(lock.read_text().strip() or 0)
    except (OSError, ValueError):
        pid = 0
    if pid != os.getpid() and _alive(pid):
        return None  # another knobsim is running right now; leave its files alone
    return save


class Autosave(QObject):
    """Saves ``controller.session`` periodically and on ``stop``; owns the lock file."""

    def __init__(
        self,
        controller: SessionController,
        folder: Path,
        *,
        app_state: Callable[[], dict] | None = None,
        interval_ms: int = INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.folder = Path(folder)
        self.app_state = app_state or dict
        self.path = self.folder / AUTOSAVE_NAME
        self.lock = self.folder / LOCK_NAME
        self._saved: tuple[int, int] | None = None
        self.last_error = ""
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.save_now)

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.lock.write_text(str(os.getpid()))
        self._timer.start()

    def save_now(self) -> bool:
        """Save if anything changed since the last autosave; False if saving failed."""
        s = self.controller.session
        key = (id(s), s.version)
        if key == self._saved and self.path.exists():
            return True
        self.controller.sync()  # the optimizer's memory, from a training process
        try:
            sessionfile.save(s, self.path, app=self.app_state())
        except (OSError, ValueError) as exc:
            self.last_error = f"Autosave failed: {exc}"
            return False
        self._saved = key
        return True

    def stop(self) -> None:
        """A clean quit: save one last time and remove the lock."""
        self._timer.stop()
        self.save_now()
        with contextlib.suppress(OSError):
            self.lock.unlink()


def offer_recovery(folder: Path, ask: Callable[[Path], bool]):
    """After a crash, ask whether to restore the autosave; returns the session or None.

    A recovery file that cannot be read is set aside (renamed) so it is not offered again.
    """
    found = crashed_session(folder)
    if found is None or not ask(found):
        return None
    try:
        return sessionfile.load(found)[0]
    except sessionfile.SessionFileError:
        with contextlib.suppress(OSError):
            found.rename(found.with_suffix(".unreadable"))
        return None


def ask_restore(path: Path) -> bool:
    """The question a person sees at start-up after a crash."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Restore your knobs?",
        "knobsim did not close properly last time. Restore the session it saved automatically?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    box.setObjectName("restore_autosave")
    box.setInformativeText(f"The autosave is in {path.parent}.")
    return box.exec() == QMessageBox.StandardButton.Yes
