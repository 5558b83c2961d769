"""Autosave and crash recovery: the session saved every half minute and on quit.

The autosave goes to the per-user data folder beside a lock file holding the process id. A
clean quit removes the lock; a lock left by a process that is gone means knobsim did not
close properly, and the next start offers the autosaved session back. Nothing here decides
what the window shows; ``knobsim.app`` asks and opens the window.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QObject, QTimer, Signal

from knobsim.core.io import sessionfile
from knobsim.core.training.session import Session
from knobsim.ui.controller.session_controller import SessionController

AUTOSAVE_NAME = "autosave.knobsim"
LOCK_NAME = "running.lock"
#: knobsims running at once, each with its own autosave (the first has the plain names)
MAX_RUNNING = 16
#: seconds between autosaves; ``KNOBSIM_AUTOSAVE_SECONDS`` overrides it (tests use 1)
INTERVAL_ENV = "KNOBSIM_AUTOSAVE_SECONDS"
INTERVAL_S = 30.0


def interval_from_env() -> int:
    """The autosave interval: ``KNOBSIM_AUTOSAVE_SECONDS`` when it is a positive number,
    else 30 seconds."""
    try:
        seconds = float(os.environ.get(INTERVAL_ENV, INTERVAL_S))
    except ValueError:
        seconds = INTERVAL_S
    if not 0 < seconds < 86_400:  # also refuses nan
        seconds = INTERVAL_S
    return max(100, round(seconds * 1000))


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


def slot(folder: Path, n: int) -> tuple[Path, Path]:
    """The autosave and lock file of the ``n``-th knobsim running at once (from 0)."""
    if n == 0:
        return folder / AUTOSAVE_NAME, folder / LOCK_NAME
    return folder / f"autosave-{n + 1}{sessionfile.SUFFIX}", folder / f"running-{n + 1}.lock"


def _holder(lock: Path) -> int | None:
    """The process id in a lock file: None without one, 0 when it cannot be read."""
    try:
        return int(lock.read_text().strip() or 0)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return 0


def _held(pid: int | None) -> bool:
    # our own id in a lock at start-up is a process before us that had the same id
    return pid is not None and pid != os.getpid() and _alive(pid)


def crashed_session(folder: Path) -> Path | None:
    """The autosave left by a knobsim that did not quit cleanly, if there is one."""
    for n in range(MAX_RUNNING):
        save, lock = slot(folder, n)
        pid = _holder(lock)
        if pid is not None and not _held(pid) and save.exists():
            return save
    return None


class Autosave(QObject):
    """Saves ``controller.session`` periodically and on ``stop``; owns the lock file.

    ``saveFailed`` carries a sentence for the status bar, once per distinct problem.
    """

    saveFailed = Signal(str)

    #: how often the window looks whether the writer thread is done (ms)
    WATCH_MS = 25

    def __init__(
        self,
        controller: SessionController,
        folder: Path,
        *,
        app_state: Callable[[], dict] | None = None,
        interval_ms: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.folder = Path(folder)
        self.app_state = app_state or dict
        self.path = self.folder / AUTOSAVE_NAME
        self.lock = self.folder / LOCK_NAME
        self._changed = True  # nothing saved yet
        self._saved_app: dict | None = None
        self.last_error = ""
        for signal in (
            controller.paramsChanged,
            controller.modelChanged,
            controller.dataChanged,
            controller.historyChanged,
            controller.optimizerChanged,
            controller.lockChanged,
        ):
            signal.connect(self._on_session_changed)
        # The writer thread gets the text, the path and a list for its outcome, never this
        # object: a thread holding the last reference to a QObject frees it there, away
        # from the thread that owns its timers (Qt: "Timers cannot be stopped from another
        # thread", then a crash later; seen once in CI when a test ended mid-write).
        self._writer: threading.Thread | None = None
        self._outcome: list[str] = []  # the writer's: "" when written, else why not
        self._watch = QTimer(self)
        self._watch.setInterval(self.WATCH_MS)
        self._watch.timeout.connect(self._on_watch_timeout)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms if interval_ms is not None else interval_from_env())
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def interval(self) -> int:
        """Milliseconds between autosaves."""
        return self._timer.interval()

    @property
    def pending(self) -> bool:
        """True while a change waits for the next autosave or is being written."""
        return self._changed or (self._writer is not None and self._writer.is_alive())

    def start(self, path: Path | None = None) -> bool:
        """Take a lock and save every ``interval`` ms from now on; False (and
        ``saveFailed``) when it cannot.

        ``path`` is a recovered autosave this run carries on; otherwise the first place
        that no running knobsim holds and no crashed one left work in.
        """
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for n in range(MAX_RUNNING):
                save, lock = slot(self.folder, n)
                pid = _holder(lock)
                if save == path or (
                    path is None and (pid is None or not (_held(pid) or save.exists()))
                ):
                    break
            else:
                raise OSError(f"{MAX_RUNNING} knobsims are running or left work here")
            self.path, self.lock = save, lock
            self.lock.write_text(str(os.getpid()))
            if path is None:  # a clean quit's last autosave: not this run's work
                self.path.unlink(missing_ok=True)
        except OSError as exc:
            self.last_error = f"Autosave is off: {exc}"
            self.saveFailed.emit(self.last_error)
            return False
        self._timer.start()
        return True

    def save_now(self, *, wait: bool = False) -> bool:
        """Save if anything changed since the last autosave.

        The session is read here (after bringing a training process's state back) and
        written to disk on a thread, so a slow disk never stalls the window; with
        ``wait`` the write finishes first. Returns False when saving failed (for a
        write on the thread, ``saveFailed`` tells it later).
        """
        # the exact weights and optimizer memory from a training process; training goes
        # back to it at the next tick
        self.controller.sync()
        app = self.app_state()
        if not self._changed and app == self._saved_app and self.path.exists():
            return self._finish() if wait else True
        try:
            text = sessionfile.dumps(self.controller.session, app=app)
        except ValueError as exc:
            self._on_written(str(exc))
            return False
        self._finish()  # the previous write (a slow disk) before this one
        self._changed = False
        self._saved_app = app
        self._outcome = []
        self._writer = threading.Thread(
            target=_write, args=(text, self.path, self._outcome), name="knobsim-autosave",
            daemon=True,
        )  # fmt: skip
        self._writer.start()
        if wait:
            return self._finish()
        self._watch.start()
        return True

    def _on_watch_timeout(self) -> None:
        if self._writer is None or not self._writer.is_alive():
            self._finish()

    def _finish(self) -> bool:
        """Wait for the write in progress and take its outcome; False when it (or the
        last one) failed."""
        self._watch.stop()
        if self._writer is not None:
            self._writer.join()
            self._writer = None
            self._on_written(self._outcome[0] if self._outcome else "the write did not finish")
        return not self.last_error

    def stop(self) -> None:
        """A clean quit: save one last time and remove the lock."""
        self._timer.stop()
        self.save_now(wait=True)
        with contextlib.suppress(OSError):
            self.lock.unlink()

    def _on_written(self, reason: str) -> None:
        if not reason:
            self.last_error = ""
            return
        message = f"Autosave failed: {reason}"
        if message != self.last_error:
            self.saveFailed.emit(message)
        self.last_error = message
        self._changed = True  # try again next time

    def _on_session_changed(self, *_args) -> None:
        if not self.controller.shown_only:  # a look back changes what is shown only
            self._changed = True

    def _on_timer_timeout(self) -> None:
        self.save_now()


class Recovered(NamedTuple):
    """A restored autosave: its session, the window settings saved with it, its file."""

    session: Session
    app: dict
    path: Path


def set_aside(path: Path, suffix: str = ".unreadable") -> Path:
    """Rename an autosave so it is not offered again, never over one set aside before;
    returns the new path (``autosave-<time><suffix>``)."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}-{stamp}{suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}-{stamp}-{n}{suffix}")
    path.rename(target)
    return target


def offer_recovery(
    folder: Path,
    ask: Callable[[Path, Session], bool | None],
    tell: Callable[[str], None] | None = None,
) -> Recovered | None:
    """After a crash, ask whether to restore the autosave; returns what it holds when
    the answer is yes, else None.

    ``ask`` returns True (restore), False (discard: the autosave is deleted) or None (no
    answer: it is kept as ``autosave-<time>.knobsim``, which File › Open reads). One that
    cannot be read is never offered and never deleted: it is renamed
    (``autosave-<time>.unreadable``) and ``tell`` says where it is.
    """
    found = crashed_session(folder)
    if found is None:
        return None
    try:
        session, app, _notes = sessionfile.load(found)
    except Exception as exc:  # noqa: BLE001 - a broken file must never stop the start
        try:
            kept = f"It was kept as {set_aside(found)}."
        except OSError as err:
            kept = f"It could not be set aside ({err.strerror}); it stays at {found}."
        if tell is not None:
            tell(
                "knobsim did not close properly last time, but its autosave could not "
                f"be read: {exc} {kept}"
            )
        return None
    answer = ask(found, session)
    if answer is None:
        with contextlib.suppress(OSError):
            set_aside(found, sessionfile.SUFFIX)
        return None
    if not answer:
        with contextlib.suppress(OSError):
            found.unlink()
        return None
    return Recovered(session, app, found)


def ask_restore(path: Path, session: Session) -> bool | None:
    """The question a person sees at start-up after a crash: True for Restore, False for
    Discard, None when the box closed without an answer."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Restore your knobs?",
        "knobsim did not close properly last time. Restore the session it saved automatically?",
    )
    box.setObjectName("restore_autosave")
    restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    restore.setObjectName("restore_button")
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    discard.setObjectName("discard_button")
    box.setDefaultButton(restore)  # no escape button: Esc must not delete the work
    try:
        when = _dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%H:%M:%S on %d %b")
    except OSError:
        when = "just before"
    box.setInformativeText(
        f"{session.model.describe()} on {session.dataset.name}, step {session.step_count:,}, "
        f"saved at {when}. Discard deletes it."
    )
    box.exec()
    clicked = box.clickedButton()
    return True if clicked is restore else False if clicked is discard else None


def tell_unreadable(message: str) -> None:
    """Say that the autosave could not be read (and where it was kept)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Restore failed: the autosave cannot be read",
        message,
        QMessageBox.StandardButton.Ok,
    )
    box.setObjectName("autosave_unreadable")
    box.exec()


def _write(text: str, path: Path, outcome: list[str]) -> None:
    """On the writer thread: write ``text`` to ``path`` and append "" to ``outcome``, or
    why not. Nothing of Qt here (see ``Autosave.__init__``)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sessionfile.write_atomic(text, path)
    except OSError as exc:
        outcome.append(str(exc) or type(exc).__name__)
        return
    outcome.append("")
