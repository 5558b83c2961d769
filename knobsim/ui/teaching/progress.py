"""Students' work in the window: the record kept as lessons and games go, File › Export
progress… (HTML and PDF) and File › Print worksheet… (PDF and HTML).

The record and the pages are made in ``core.lessons.progress`` and ``core.lessons.worksheet``;
this module listens to the lessons and the game, grabs a lesson's final screen, and writes
the files. No dialog blocks a test: each question goes through a small ``ask_*`` seam.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from PySide6.QtCore import QMarginsF, QObject, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QProgressDialog

from knobsim.core.lessons import progress as pg
from knobsim.core.lessons.challenge import challenge as challenge_by_id
from knobsim.core.lessons.lesson import Lesson, LessonState, task_note
from knobsim.core.lessons.worksheet import worksheet_html
from knobsim.ui.window.errors import data_dir

HTML_FILTER = "Web page (*.html);;All files (*)"
PDF_FILTER = "PDF (*.pdf);;All files (*)"
#: the final screen is grabbed this long after the last task passes, once the lesson
#: panel shows "Done!" (ms)
GRAB_DELAY_MS = 150


class WriteError(Exception):
    """A page that could not be written; the message is for people."""


def write_pdf(html: str, path: str | Path) -> Path:
    """Lay ``html`` out on A4 pages into the PDF ``path`` (its ``data:`` PNGs included)."""
    path = Path(path)
    doc = QTextDocument()
    doc.setHtml(html)  # Qt's rich text decodes the data: URIs of the images itself
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setTitle(doc.metaInformation(QTextDocument.MetaInformation.DocumentTitle))
    writer.setCreator("knobsim")
    doc.print_(writer)
    del writer  # closes the file
    if not path.is_file() or path.stat().st_size == 0:
        raise WriteError(f"Could not write {path.name}; check the folder and its permissions.")
    return path


def write_pages(html: str, html_path: str | Path) -> tuple[Path, Path]:
    """Write ``html`` to ``html_path`` and the same page as a PDF beside it (``.pdf``)."""
    html_path = Path(html_path)
    if html_path.suffix.lower() not in (".html", ".htm"):
        html_path = html_path.with_name(html_path.name + ".html")
    try:
        html_path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise WriteError(f"Could not write {html_path.name}: {exc.strerror or exc}.") from None
    return html_path, write_pdf(html, html_path.with_suffix(".pdf"))


class StudentWork(QObject):
    """The learner's record for a window with lessons (``lessons``: a ``Lessons``), and
    the File actions ``export_progress`` and ``print_worksheet``.

    The record lives in ``folder`` (default: the per-user data folder), so it survives
    a restart; ``progress`` is the record now.
    """

    def __init__(self, lessons, folder: str | Path | None = None) -> None:
        super().__init__(lessons)
        self.setObjectName("student_work")
        self.lessons = lessons
        self.window = lessons.window
        self.folder = Path(folder) if folder is not None else data_dir()
        self.progress = pg.load(self.folder)
        self._save_failed = False
        runner = lessons.runner
        runner.lessonStarted.connect(self._on_runner_lesson_started)
        runner.taskPassed.connect(self._on_runner_task_passed)
        runner.lessonCompleted.connect(self._on_runner_lesson_completed)
        self._build_actions()

    # -- the record ------------------------------------------------------------------------
    def _on_runner_lesson_started(self) -> None:
        runner = self.lessons.runner
        lesson = runner.lesson
        if lesson is None:
            return
        self.progress.lesson_started(lesson.id, lesson.title, [t.text for t in lesson.tasks])
        for i in range(runner.skipped):
            self.progress.task_skipped(lesson.id, i)
        self._save()

    def _on_runner_task_passed(self, index: int, state: LessonState) -> None:
        lesson = self.lessons.runner.lesson
        if lesson is None or lesson.id not in self.progress.lessons:
            return
        self.progress.task_passed(
            lesson.id,
            index,
            state.values,
            state.train_error,
            state.test_error,
            note=task_note(lesson.tasks[index].goal, state),
        )
        self._save()

    def _on_runner_lesson_completed(self) -> None:
        lesson = self.lessons.runner.lesson
        if lesson is None:
            return
        self.progress.lesson_done(lesson.id)
        self._save()
        # once the panel says "Done!" on screen
        QTimer.singleShot(GRAB_DELAY_MS, self, lambda: self._grab_final_screen(lesson))

    def _grab_final_screen(self, lesson: Lesson) -> None:
        if self.lessons.current is not lesson:
            return  # the learner moved on already: this is not the lesson's last screen
        path = pg.screen_path(self.folder, lesson.id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        self.window.grab().save(str(path), "PNG")

    def game_finished(self, result) -> None:
        """A game of Beat the optimizer ended (a ``core.lessons.challenge.Result``)."""
        self.progress.game_played(
            pg.Game(
                result.challenge_id,
                challenge_by_id(result.challenge_id).title,
                result.score,
                result.your_error,
                result.optimizer_error,
                pg.now(),
            )
        )
        self._save()

    def _save(self) -> None:
        try:
            pg.save(self.progress, self.folder)
        except OSError as exc:
            if not self._save_failed:  # say it once; the record stays in memory
                self._save_failed = True
                self._message(f"Your progress could not be kept: {exc.strerror or exc}.")
        else:
            self._save_failed = False

    # -- File › Export progress… -----------------------------------------------------------
    def export_progress(self, path: str | Path | None = None, learner: str | None = None) -> bool:
        """Write the record as one HTML page and a PDF beside it; say where, offer to open.

        ``learner`` and ``path`` are asked for when not given; cancelling either writes
        nothing. A path that cannot be written is said in a message; the record is kept.
        """
        if learner is None:
            learner = self.ask_learner()
            if learner is None:
                return False
        if path is None:
            stem = re.sub(r"[^\w-]+", "-", learner.strip()).strip("-").lower()
            path = self.ask_save_path(
                "Export progress",
                f"knobsim-progress{'-' + stem if stem else ''}.html",
                HTML_FILTER,
            )
            if path is None:
                return False
        busy = QProgressDialog("Writing your progress…", "", 0, 2, self.window)
        busy.setObjectName("progress_export_busy")
        busy.setCancelButton(None)
        busy.setWindowModality(Qt.WindowModality.WindowModal)
        busy.setMinimumDuration(400)  # shown only when it is slow
        try:
            html = pg.render_html(
                self.progress,
                learner=learner,
                date=_dt.date.today(),
                screens=pg.load_screens(self.folder, self.progress),
            )
            busy.setValue(1)
            html_path, pdf_path = write_pages(html, path)
            busy.setValue(2)
        except WriteError as exc:
            self._error("The progress was not exported", str(exc))
            return False
        finally:
            busy.close()
        self._written(html_path, pdf_path, "progress")
        return True

    # -- File › Print worksheet… -----------------------------------------------------------
    def print_worksheet(self, lesson: Lesson | None = None, path: str | Path | None = None) -> bool:
        """Write a worksheet for ``lesson`` (asked for, the current one first) as a PDF and
        an HTML page beside it."""
        lessons = self.lessons.lessons
        if lesson is None:
            lesson = self.ask_lesson()
            if lesson is None:
                return False
        if path is None:
            path = self.ask_save_path(
                "Print worksheet", f"knobsim-worksheet-{lesson.id}.pdf", PDF_FILTER
            )
            if path is None:
                return False
        ids = [x.id for x in lessons]
        number = ids.index(lesson.id) + 1 if lesson.id in ids else 0
        pdf_path = Path(path)
        if pdf_path.suffix.lower() != ".pdf":
            pdf_path = pdf_path.with_name(pdf_path.name + ".pdf")
        try:
            html_path, pdf_path = write_pages(
                worksheet_html(lesson, number), pdf_path.with_suffix(".html")
            )
        except WriteError as exc:
            self._error("The worksheet was not written", str(exc))
            return False
        self._written(pdf_path, html_path, "worksheet")
        return True

    # -- seams for dialogs (tests replace these) -------------------------------------------
    def ask_learner(self) -> str | None:
        name, ok = QInputDialog.getText(
            self.window, "Export progress", "Your name (you may leave it empty):"
        )
        return name if ok else None

    def ask_save_path(self, title: str, suggestion: str, file_filter: str) -> str | None:
        folder = Path.home() / "Documents"
        start = folder if folder.is_dir() else Path.home()
        path, _ = QFileDialog.getSaveFileName(
            self.window, title, str(start / suggestion), file_filter
        )
        return path or None

    def ask_lesson(self) -> Lesson | None:
        lessons = self.lessons.lessons
        if not lessons:
            self._message("There is no lesson to make a worksheet from.")
            return None
        current = self.lessons.current
        names = [f"{i}. {x.title}" for i, x in enumerate(lessons, 1)]
        at = next((i for i, x in enumerate(lessons) if current and x.id == current.id), 0)
        name, ok = QInputDialog.getItem(
            self.window, "Print worksheet", "A worksheet for the lesson:", names, at, False
        )
        return lessons[names.index(name)] if ok and name in names else None

    # -- helpers -----------------------------------------------------------------------------
    def _build_actions(self) -> None:
        menu = getattr(self.window, "file_menu", None)
        if menu is None:
            return
        quit_action = menu.actions()[-1]
        self.export_action = self._action(
            "Export &progress…",
            "export_progress",
            "Your lessons, each task's result, your scores and each lesson's last screen, "
            "as a web page and a PDF for your teacher.",
            lambda: self.export_progress(),
        )
        self.worksheet_action = self._action(
            "Print &worksheet…",
            "print_worksheet",
            "A lesson's questions with space to answer, as a PDF to print.",
            lambda: self.print_worksheet(),
        )
        menu.insertAction(quit_action, self.export_action)
        menu.insertAction(quit_action, self.worksheet_action)
        menu.insertSeparator(quit_action)

    def _action(self, text: str, name: str, tip: str, slot) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda *_: slot())
        return action

    def _written(self, main: Path, other: Path, what: str) -> None:
        where = f"Wrote {main.name} and {other.name} in {main.parent}."
        self._message(where)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            f"The {what} is written",
            f"{where}\n\nOpen {main.name} now?",
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Close,
            self.window,
        )
        box.setObjectName(f"{what}_written")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.button(QMessageBox.StandardButton.Open).clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(main)))
        )
        box.open()  # not modal to the app: the window stays usable, a test runs on

    def _error(self, title: str, message: str) -> None:
        files = getattr(self.window, "files", None)
        if files is not None:
            files.show_error(title, message)
        self._message(message)

    def _message(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 10000)


__all__ = ["StudentWork", "WriteError", "write_pages", "write_pdf"]
