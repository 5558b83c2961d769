"""The File menu's session side: Save, Save As, Open, Open Recent, exports, unsaved changes.

Reading and writing go through ``knobsim.core.io.sessionfile`` (atomic, validated); this
module only asks people for paths and answers, and keeps the window title honest.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from knobsim.core.io import export, sessionfile
from knobsim.core.io.sessionfile import SUFFIX, SessionFileError
from knobsim.core.lessons.predict import BEST_KEY, bests_from_app
from knobsim.ui.controller.session_controller import SessionController, speed_index_of
from knobsim.ui.window.exporting import ExportError, export_png, export_svg, record_gif

SESSION_FILTER = f"knobsim sessions (*{SUFFIX});;All files (*)"
RECENT_KEY = "files/recent"
MAX_RECENT = 8
GIF_FRAMES = 60
GIF_STEPS_PER_FRAME = 10

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


def _is_real(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class SessionFiles(QObject):
    """Owns the session's file: its path, whether it has unsaved changes, and the menu."""

    def __init__(self, window: QMainWindow, controller: SessionController) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.path: Path | None = None
        self.dirty = False
        self._quiet = False
        for signal in (
            controller.paramsChanged,
            controller.modelChanged,
            controller.dataChanged,
            controller.optimizerChanged,
        ):
            signal.connect(self._on_changed)
        controller.lockChanged.connect(self._on_changed)
        self._update_title()

    # -- menu ------------------------------------------------------------------------------
    def install(self, menu: QMenu) -> None:
        """Put the session actions at the top of the File menu."""
        first = menu.actions()[0] if menu.actions() else None
        self.open_action = self._action(
            "&Open session…",
            "open_session",
            QKeySequence.StandardKey.Open,
            self._on_open_triggered,
            "Open a saved .knobsim session.",
        )
        self.recent_menu = QMenu("Open &recent", self.window)
        self.recent_menu.setObjectName("open_recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.save_action = self._action(
            "&Save session",
            "save_session",
            QKeySequence.StandardKey.Save,
            self.save,
            "Save the knobs, data, settings and history.",
        )
        self.save_as_action = self._action(
            "Save session &as…",
            "save_session_as",
            QKeySequence("Ctrl+Shift+S"),
            self.save_as,
            "Save the session under a new name.",
        )
        export_menu = QMenu("&Export", self.window)
        export_menu.setObjectName("export_menu")
        for label, name, slot in (
            ("Data and output plot…", "export_fit", lambda: self.export_plot("fit")),
            ("Error-over-time plot…", "export_loss", lambda: self.export_plot("loss")),
            ("Loss landscape…", "export_landscape", lambda: self.export_plot("landscape")),
            ("Network picture…", "export_network", lambda: self.export_plot("network")),
            ("Error history as CSV…", "export_history", lambda: self.export_csv("history")),
            ("Weights as CSV…", "export_weights", lambda: self.export_csv("weights")),
            ("Training run as GIF…", "export_gif", self.export_gif),
        ):
            export_menu.addAction(self._action(label, name, None, slot, ""))
        for item in (
            self.open_action,
            self.recent_menu.menuAction(),
            self.save_action,
            self.save_as_action,
            export_menu.menuAction(),
        ):
            menu.insertAction(first, item)
        menu.insertSeparator(first)

    def _action(self, text, name, shortcut, slot, tip) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(shortcut)
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(lambda *_: slot())
        self.window.addAction(action)
        return action

    # -- seams for dialogs (tests replace these) -------------------------------------------
    def ask_open_path(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open a knobsim session", str(self._folder()), SESSION_FILTER
        )
        return path or None

    def ask_save_path(self, title: str, suggestion: str, file_filter: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(
            self.window, title, str(self._folder() / suggestion), file_filter
        )
        return path or None

    def ask_unsaved(self) -> str:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved changes",
            "The knobs have changed since the session was last saved. Save them first?",
            parent=self.window,
        )
        box.setObjectName("unsaved_changes")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        answer = box.exec()
        return {
            QMessageBox.StandardButton.Save: SAVE,
            QMessageBox.StandardButton.Discard: DISCARD,
        }.get(QMessageBox.StandardButton(answer), CANCEL)

    def show_error(self, title: str, message: str) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self.window
        )
        box.setObjectName("session_error")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    # -- sessions ----------------------------------------------------------------------------
    def maybe_discard(self) -> bool:
        """True when it is fine to replace the session (saved, discarded, or clean)."""
        if not self.dirty:
            return True
        answer = self.ask_unsaved()
        if answer == SAVE:
            return self.save()
        return answer == DISCARD

    def open_session(self, path: str | os.PathLike[str] | None = None) -> bool:
        """Load a session; on any problem say so and keep the current one untouched."""
        if not self.maybe_discard():
            return False
        path = path or self.ask_open_path()
        if not path:
            return False
        try:
            session, app, notes = sessionfile.load(path)
        except SessionFileError as exc:
            self.show_error("This session cannot be opened", str(exc))
            return False
        c = self.controller
        c.set_training(False)
        self._quiet = True
        try:
            c.load_session(session)
            self._apply_app_state(app)
        finally:
            self._quiet = False
        self.path = Path(path)
        self._set_dirty(False)
        self._remember(self.path)
        message = f"Opened {self.path.name}."
        if notes:
            message += " " + " ".join(notes)
        self.window.statusBar().showMessage(message, 8000)
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        suggestion = self.path.name if self.path else f"{self.controller.model.name}{SUFFIX}"
        path = self.ask_save_path("Save the session", suggestion, SESSION_FILTER)
        if not path:
            return False
        if not path.endswith(SUFFIX) and not Path(path).suffix:
            path += SUFFIX
        return self._write(Path(path))

    def set_path(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path else None
        if self.path:
            self._remember(self.path)
        self._set_dirty(False)

    def _write(self, path: Path) -> bool:
        self.controller.sync()  # the optimizer's memory, from a training process
        try:
            sessionfile.save(self.controller.session, path, app=self.app_state())
        except (OSError, ValueError) as exc:
            self.show_error(
                "The session was not saved",
                f"{path.name} could not be written: {exc}. The previous file, "
                "if any, is unchanged.",
            )
            return False
        self.path = path
        self._set_dirty(False)
        self._remember(path)
        self.window.statusBar().showMessage(f"Saved {path.name}.", 5000)
        return True

    def app_state(self) -> dict:
        """The window's own settings saved beside the session."""
        speed = self.controller.speed
        state = {"pace": "max" if speed is None else speed}
        landscape = getattr(self.window, "landscape_plot", None)
        if landscape is not None and getattr(landscape, "pair", None):
            names = self.controller.session.param_names
            state["landscape"] = [names[i] for i in landscape.pair]
        mode = getattr(self.window, "predict_mode", None)
        if mode is not None and mode.bests:
            state[BEST_KEY] = dict(mode.bests)
        return state

    def _apply_app_state(self, app: dict) -> None:
        pace = app.get("pace")
        speed = app.get("speed")  # files before the Watch pace: an index without it
        if pace == "watch" or pace == "max" or (_is_real(pace) and pace > 0):
            self.controller.set_speed(speed_index_of(pace))
        elif isinstance(speed, int) and not isinstance(speed, bool):
            self.controller.set_speed(speed + 1)
        mode = getattr(self.window, "predict_mode", None)
        if mode is not None:
            mode.bests = bests_from_app(app)
        pair = app.get("landscape")
        landscape = getattr(self.window, "landscape_plot", None)
        names = self.controller.session.param_names
        if (
            landscape is not None
            and isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(n, str) and n in names for n in pair)
            and pair[0] != pair[1]
        ):
            landscape.set_pair(names.index(pair[0]), names.index(pair[1]))

    # -- exports -----------------------------------------------------------------------------
    def _plot_widget(self, which: str) -> QWidget | None:
        w = self.window
        return {
            "fit": getattr(w, "fit_plot", None),
            "loss": getattr(w, "loss_plot", None),
            "landscape": getattr(w, "landscape_plot", None),
            "network": getattr(w, "network_view", None),
        }.get(which)

    def export_plot(self, which: str, path: str | None = None) -> bool:
        widget = self._plot_widget(which)
        if widget is None:
            return False
        path = path or self.ask_save_path(
            "Export the plot",
            f"knobsim-{which}.png",
            "PNG image (*.png);;SVG vector graphics (*.svg)",
        )
        if not path:
            return False
        try:
            if path.lower().endswith(".svg"):
                export_svg(widget, path, title=f"knobsim {which}")
            else:
                if not path.lower().endswith(".png"):
                    path += ".png"
                export_png(widget, path)
        except ExportError as exc:
            self.show_error("The export failed", str(exc))
            return False
        self.window.statusBar().showMessage(f"Exported {Path(path).name}.", 5000)
        return True

    def export_csv(self, which: str, path: str | None = None) -> bool:
        path = path or self.ask_save_path("Export as CSV", f"knobsim-{which}.csv", "CSV (*.csv)")
        if not path:
            return False
        text = (export.history_csv if which == "history" else export.weights_csv)(
            self.controller.session
        )
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            self.show_error("The export failed", f"{Path(path).name}: {exc.strerror}.")
            return False
        self.window.statusBar().showMessage(f"Exported {Path(path).name}.", 5000)
        return True

    def export_gif(
        self,
        path: str | None = None,
        *,
        frames: int = GIF_FRAMES,
        steps_per_frame: int = GIF_STEPS_PER_FRAME,
    ) -> bool:
        """Train ``frames * steps_per_frame`` steps, grabbing the window as it goes."""
        path = path or self.ask_save_path(
            "Record training as a GIF", "knobsim-training.gif", "GIF animation (*.gif)"
        )
        if not path:
            return False
        c = self.controller
        c.set_training(False)
        progress = QProgressDialog("Recording training…", "Stop", 0, frames, self.window)
        progress.setObjectName("gif_progress")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def advance() -> bool:
            c.step_many(steps_per_frame)
            return not c.last_step_diverged

        def on_progress(i: int, n: int) -> bool:
            progress.setValue(i)
            return not progress.wasCanceled()

        try:
            record_gif(
                self.window.centralWidget(), advance, path, frames=frames, progress=on_progress
            )
        except ExportError as exc:
            self.show_error("The recording failed", str(exc))
            return False
        finally:
            progress.close()
        self.window.statusBar().showMessage(f"Recorded {Path(path).name}.", 5000)
        return True

    # -- bookkeeping -------------------------------------------------------------------------
    def _on_open_triggered(self) -> None:
        self.open_session()

    def _on_changed(self, *_args) -> None:
        if not self._quiet and not self.dirty and not self.controller.shown_only:
            self._set_dirty(True)

    def mark_recovered(self, app: dict) -> None:
        """The session was recovered from the autosave: take its window settings, and
        mark it unsaved (it is in no file yet), so closing asks to save it."""
        self._quiet = True
        try:
            self._apply_app_state(app)
        finally:
            self._quiet = False
        self.path = None
        self._set_dirty(True)
        self.window.statusBar().showMessage("Restored the session saved before the crash.", 8000)

    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self._update_title()

    def _update_title(self) -> None:
        name = self.path.name if self.path else "untitled"
        self.window.setWindowTitle(f"{name}{' *' if self.dirty else ''} — knobsim")

    def recent(self) -> list[str]:
        value = QSettings().value(RECENT_KEY, [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value or []]

    def _remember(self, path: Path) -> None:
        items = [str(path.resolve())] + [p for p in self.recent() if p != str(path.resolve())]
        QSettings().setValue(RECENT_KEY, items[:MAX_RECENT])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        items = self.recent()
        if not items:
            none = self.recent_menu.addAction("No recent sessions")
            none.setEnabled(False)
            return
        for p in items:
            action = self.recent_menu.addAction(Path(p).name)
            action.setToolTip(p)
            action.triggered.connect(lambda *_, p=p: self.open_session(p))

    def _folder(self) -> Path:
        if self.path:
            return self.path.parent
        recent = self.recent()
        return Path(recent[0]).parent if recent else Path.home()
