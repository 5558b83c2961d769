"""Builds knobsim's Qt application and window; renders it headless for screenshots."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSize, QTimer
from PySide6.QtWidgets import QApplication

from knobsim import __version__
from knobsim.core.lessons.classfile import ClassSetup
from knobsim.core.training.session import Session

if TYPE_CHECKING:
    from knobsim.ui.window.main_window import MainWindow

ORGANIZATION = "knobsim"
APPLICATION = "knobsim"
#: when the training process starts, after the window shows (ms)
PREWARM_MS = 300


def ensure_app(argv: list[str] | None = None) -> QApplication:
    """The running QApplication, created (with knobsim's names) when there is none."""
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName(ORGANIZATION)
        QCoreApplication.setApplicationName(APPLICATION)
        QCoreApplication.setApplicationVersion(__version__)
        app = QApplication(argv if argv is not None else [sys.argv[0]])
        app.setDesktopFileName("knobsim")
        from knobsim.ui.theme import apply_app_theme

        apply_app_theme(app)  # light by default, dark when the system is dark
    from knobsim.ui.theme import apply_pyqtgraph_theme
    from knobsim.ui.window.collector import collect_on_gui_thread

    collect_on_gui_thread(app)
    apply_pyqtgraph_theme()
    return app  # type: ignore[return-value]


def create_window(session: Session | None = None, *, restore: bool = True):
    """Build the main window around ``session`` without entering the event loop."""
    ensure_app()
    from knobsim.ui.window.main_window import MainWindow

    return MainWindow(session, restore=restore)


def start(
    argv: list[str] | None = None,
    *,
    session: Session | None = None,
    session_path: str | None = None,
    lesson: str | None = None,
    class_setup: ClassSetup | None = None,
) -> MainWindow:
    """Everything ``knobsim`` does before its event loop; returns the shown window.

    After a crash (an autosave left behind with its lock) it first asks whether to
    restore; a restored session replaces ``session``, ``session_path`` and ``lesson``.
    Then the window opens with the error handler installed (``window.error_handler``)
    and autosaving (``window.autosave``) into the per-user data folder. The first time
    knobsim opens for a user (with nothing else asked for), the lessons' start page
    opens beside the window.
    """
    from knobsim.ui.window.autosave import Autosave, ask_restore, offer_recovery, tell_unreadable
    from knobsim.ui.window.errors import ErrorHandler, data_dir

    ensure_app(argv)
    folder = data_dir()
    recovered = offer_recovery(folder, ask_restore, tell_unreadable)
    if recovered is not None:
        session, session_path, lesson = recovered.session, None, None
    window = create_window(session)
    if session_path:
        window.set_session_path(session_path)
    if recovered is not None:
        window.files.mark_recovered(recovered.app)
    window.error_handler = ErrorHandler(lambda: window).install()
    window.autosave = Autosave(
        window.controller, folder, app_state=window.files.app_state, parent=window
    )
    window.autosave.saveFailed.connect(lambda m: window.statusBar().showMessage(m, 10_000))
    window.autosave.start(recovered.path if recovered is not None else None)
    window.show()
    # start the training process once the window is up, so Train trains in it at once
    QTimer.singleShot(PREWARM_MS, window.controller.prewarm)
    if class_setup is not None:
        window.lessons.apply_class(class_setup)
        if lesson is None:
            window.lessons.show_start_page()
    if lesson is not None:
        window.lessons.open(lesson)
    elif session is None:
        window.lessons.show_on_first_launch()
    return window


def run(
    argv: list[str] | None = None,
    *,
    session: Session | None = None,
    session_path: str | None = None,
    lesson: str | None = None,
    class_setup: ClassSetup | None = None,
) -> int:
    """``start`` the window and run until it closes; a clean quit autosaves one last
    time and removes the lock, so nothing is offered back at the next start."""
    app = ensure_app(argv)
    window = start(
        argv, session=session, session_path=session_path, lesson=lesson, class_setup=class_setup
    )
    try:
        return app.exec()
    finally:
        window.autosave.stop()
        window.error_handler.uninstall()


def screenshot(
    session: Session,
    out: str | os.PathLike[str],
    *,
    steps: int = 0,
    size: tuple[int, int] = (1280, 800),
    sweep: bool = False,
    lesson: str | None = None,
) -> int:
    """Render the window headless after ``steps`` training steps and save it as a PNG.

    With ``sweep`` the capacity sweep runs first (on its worker thread, as in the window).
    With ``lesson`` (an id, number or file) the window shows that lesson, set up as it
    begins; ``steps`` then train the lesson's model.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    path = Path(out)
    if path.parent and not path.parent.exists():
        print(f"knobsim: error: the folder {path.parent} does not exist", file=sys.stderr)
        return 2
    report = None
    if steps and not lesson:  # a lesson brings its own session: steps train that one
        report = session.step(steps, record_every=max(1, steps // 500))
    app = ensure_app()
    window = create_window(session, restore=False)
    window.resize(QSize(*size))
    window.show()
    if lesson is not None:
        window.lessons.open(lesson)
        # in chunks, as the training clock would, so the lesson sees the run unfold
        for n in [steps // 20] * 20 + [steps % 20]:
            if n and (report is None or not report.diverged):
                report = window.controller.session.step(n, record_every=max(1, steps // 500))
                window.controller.paramsChanged.emit()
                window.controller.historyChanged.emit()
                app.processEvents()
        window.files.set_path(None)  # nothing to save: close without asking
    if report is not None and report.diverged:
        window.controller.trainingExploded.emit(report.message)
    for _ in range(3):
        app.processEvents()
    if sweep:
        panel = window.capacity_panel
        window.analysis_tabs.setCurrentWidget(panel.sweep_plot)
        panel.start_sweep()
        deadline = time.monotonic() + 120.0
        while panel.runner.is_running and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        app.processEvents()
    window.landscape_plot.compute_now()
    app.processEvents()
    image = window.grab()
    ok = image.save(str(path), "PNG")
    window.files.dirty = False  # a screenshot never asks about unsaved changes
    window.close()
    if not ok:
        print(f"knobsim: error: could not write {path}", file=sys.stderr)
        return 2
    print(f"knobsim: wrote {path} ({image.width()}x{image.height()})")
    return 0
