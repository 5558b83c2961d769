"""Lessons in the window: the Lessons menu, the start page, and the lesson beside the plots.

The lesson files and their goals live in ``knobsim.core.lessons.lesson``; this module sets the
window up as a lesson says, follows the session through the controller's signals and shows
how the person is doing. It never blocks: no modal dialogs, so tests and screenshots run on.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QMouseEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from knobsim.core.lessons.classfile import SUFFIX as CLASS_SUFFIX
from knobsim.core.lessons.classfile import ClassFileError, ClassSetup, load_class, save_class
from knobsim.core.lessons.lesson import (
    Lesson,
    LessonError,
    LessonFileError,
    LessonState,
    build_session,
    check_goal,
    find_lesson,
    goal_status,
    load_lesson,
    load_lessons,
    snapshot,
)
from knobsim.ui.controller.session_controller import SessionController, speed_index_of
from knobsim.ui.teaching.predict import PredictMode
from knobsim.ui.teaching.progress import StudentWork
from knobsim.ui.widgets import named_button

#: QSettings key: the start page was offered once, on the first launch
FIRST_LAUNCH_KEY = "lessons/start_page_shown"
OPEN_LESSON_TITLE = "Open a lesson file"
LESSON_FILTER = "knobsim lessons (*.json);;All files (*)"
#: the lesson dock's width when it opens, in pixels
DOCK_WIDTH = 250
CLASS_FILTER = f"Class setups (*{CLASS_SUFFIX});;All files (*)"
#: a goal met while a hand still holds a control (a mouse button or a key down) counts
#: when the hand lets go, or after it rests this long without moving anything (ms)
HOLD_MS = 500
#: a wheel turn counts as a hand on the control until this long after the last notch (ms)
WHEEL_SETTLE_MS = 300

#: lesson control name -> objectName of the widget it hides (its form row goes with it)
_WIDGETS = {
    "train": "train",
    "step": "step",
    "reset": "reset",
    "randomize": "randomize",
    "model": "model",
    "dataset": "dataset",
    "noise": "noise",
    "points": "points",
    "seed": "seed",
    "regenerate": "regenerate",
    "optimizer": "optimizer",
    "learning_rate": "learning_rate",
    "batch_size": "batch_size",
    "l2": "l2",
    "speed": "speed",
    "capacity": "capacity_box",
}
#: control name -> objectName of a widget inside the group box it hides
_GROUPS = {"model_settings": "model", "data_settings": "dataset", "training_settings": "optimizer"}
#: control name -> objectName of a view; its titled box is hidden
_VIEWS = {"network": "network_view", "landscape": "landscape_plot", "capacity_plot": "sweep_plot"}


class LessonRunner(QObject):
    """Follows a lesson's tasks, checking the current goal whenever the session changes.

    The task counters (optimizer steps, an explosion, the lowest test error) start again
    with every task. Checks are coalesced: many signals in one pass of the event loop
    cost one check.

    A goal counts only where the hand leaves it: while a mouse button or a key is down
    (a slider dragged, a key held) or a wheel is turning, a met goal waits for the hand to
    let go, or for :data:`HOLD_MS` without any change; a value only passed through on
    the way elsewhere never counts.

    Signals
    -------
    progressed
        The status line, the current task or the lesson's state changed.
    lessonCompleted
        Every task of the lesson is done.
    lessonStarted
        A lesson began (``skipped`` tasks before ``task_index`` were jumped over).
    taskPassed(int, object)
        The task of this index was done, in this :class:`LessonState`.
    """

    progressed = Signal()
    lessonCompleted = Signal()
    lessonStarted = Signal()
    taskPassed = Signal(int, object)

    def __init__(self, controller: SessionController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self.prediction: PredictMode | None = None  # the window's Predict, when it has one
        self.lesson: Lesson | None = None
        self.task_index = 0
        self.skipped = 0
        self.status = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.check_now)
        # a met goal under a hand that has not let go: counted if nothing moves this long
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.setInterval(HOLD_MS)
        self._hold.timeout.connect(lambda: self.check_now(held=True))
        self._settle = QTimer(self)  # a check once the wheel has settled
        self._settle.setSingleShot(True)
        self._settle.setInterval(WHEEL_SETTLE_MS + 10)
        self._settle.timeout.connect(self._schedule_check)
        self._buttons_down = False
        self._keys_down: set[int] = set()
        self._wheel_until = 0.0
        self._watching = False
        self._guess = ""
        self._race_winner: tuple[str, float] = ("", math.nan)
        self._reset_counters()
        for signal in (
            controller.paramsChanged,
            controller.historyChanged,
            controller.optimizerChanged,
            controller.modelChanged,
            controller.dataChanged,
        ):
            signal.connect(self._on_controller_changed)
        controller.lockChanged.connect(self._on_controller_changed)
        controller.trainingExploded.connect(self._on_controller_training_exploded)

    @property
    def completed(self) -> bool:
        return self.lesson is not None and self.task_index >= len(self.lesson.tasks)

    def start(self, lesson: Lesson, task: int = 0) -> None:
        """Follow ``lesson`` from its task ``task`` (0 = the first; a teacher may jump)."""
        self.lesson = lesson
        self.task_index = min(max(0, task), len(lesson.tasks) - 1)
        self.skipped = self.task_index  # the tasks before it were jumped over, not done
        self._guess = ""  # the last answer picked in this lesson
        self._race_winner = ("", math.nan)  # the winner of its last race
        self._reset_counters()
        self._watch_hands(True)
        self.lessonStarted.emit()
        self.check_now()

    def note_race(self, runners: int, winner: tuple[str, float] = ("", math.nan)) -> None:
        """A race of ``runners`` runners ran to its end (Training › Race optimizers…);
        ``winner`` is the winning rule's name ("Adam") and learning rate."""
        self._raced = max(self._raced, int(runners))
        self._race_winner = winner
        self._schedule_check()

    @property
    def chosen(self) -> str:
        """The answer picked for the current task's question ("" before one is)."""
        return self._chosen

    def choose(self, option: str) -> None:
        """A person picked ``option`` for the current task's question (a "chose" goal)."""
        self._chosen = self._guess = option
        self._schedule_check()

    def stop(self) -> None:
        self.lesson = None
        self.status = ""
        self._timer.stop()
        self._hold.stop()
        self._watch_hands(False)
        self.progressed.emit()

    @property
    def hand_busy(self) -> bool:
        """True while a mouse button or a key is down, or a wheel turned just now."""
        return self._buttons_down or bool(self._keys_down) or time.monotonic() < self._wheel_until

    def state(self) -> LessonState:
        """The snapshot the current goal is checked against."""
        self._count_steps()
        score = self.prediction.last_score if self.prediction is not None else None
        return snapshot(
            self._controller.session,
            steps=self._steps,
            diverged=self._diverged,
            test_min=self._test_min,
            training=self._controller.is_training,
            shown=None if self._controller.scrub_step is None else self._controller.shown,
            raced=self._raced,
            race_winner=self._race_winner,
            chosen=self._chosen,
            guess=self._guess,
            prediction=self.prediction.phase if self.prediction is not None else "off",
            prediction_score=score.points if score is not None else math.nan,
        )

    def check_now(self, *, held: bool = False) -> None:
        """Check the goal now; move on to the next task (and the next) while goals are met.

        A goal met while a hand holds a control waits (see the class doc); ``held`` says
        the hand has rested :data:`HOLD_MS` without changing anything, so it counts.
        """
        self._timer.stop()
        lesson = self.lesson
        if lesson is None or self.completed:
            return
        state = self.state()
        self._test_min = state.test_min
        while check_goal(lesson.tasks[self.task_index].goal, state):
            if self.hand_busy and not held:
                self._hold.start()  # counts if the hand rests here, or when it lets go
                break
            self._hold.stop()
            self.taskPassed.emit(self.task_index, state)
            self.task_index += 1
            self._reset_counters()
            if self.completed:
                self.status = ""
                self._watch_hands(False)
                self.progressed.emit()
                self.lessonCompleted.emit()
                return
            state = self.state()
            self._test_min = state.test_min
        self.status = goal_status(lesson.tasks[self.task_index].goal, state)
        self.progressed.emit()

    def _reset_counters(self) -> None:
        session = self._controller.session
        self._session = session
        self._step_count = session.step_count
        self._steps = 0
        self._diverged = False
        self._test_min = math.inf
        self._raced = 0  # the most runners of a race run to its end in this task
        self._chosen = ""  # the answer picked in this task

    def _count_steps(self) -> None:
        # optimizer steps since the task began: the session's counter grows with each step
        # and drops to 0 on Reset or with a new session (those are not steps)
        session = self._controller.session
        if session is self._session and session.step_count > self._step_count:
            self._steps += session.step_count - self._step_count
        self._session = session
        self._step_count = session.step_count

    def _on_controller_changed(self, *_args) -> None:
        if self.lesson is None:
            return
        self._count_steps()
        self._hold.stop()  # something moved: a goal met before must be met again
        self._schedule_check()

    def _schedule_check(self) -> None:
        if self.lesson is not None and not self._timer.isActive():
            self._timer.start()

    # -- hands ---------------------------------------------------------------------------
    def _watch_hands(self, on: bool) -> None:
        app = QApplication.instance()
        if app is None or on == self._watching:
            return
        self._watching = on
        self._buttons_down, self._keys_down, self._wheel_until = False, set(), 0.0
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)

    def eventFilter(self, _watched: QObject, ev: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Follow the hands (never consumes an event): buttons and keys down, wheel turns."""
        t = ev.type()
        if t in _PRESSES and isinstance(ev, QMouseEvent):
            self._buttons_down = ev.buttons() != Qt.MouseButton.NoButton
        elif t == QEvent.Type.MouseButtonRelease and isinstance(ev, QMouseEvent):
            self._buttons_down = ev.buttons() != Qt.MouseButton.NoButton
            if not self._buttons_down:
                self._schedule_check()  # the hand let go: where it left the knobs counts
        elif t == QEvent.Type.KeyPress and isinstance(ev, QKeyEvent):
            if not ev.isAutoRepeat():
                self._keys_down.add(ev.key())
        elif t == QEvent.Type.KeyRelease and isinstance(ev, QKeyEvent):
            if not ev.isAutoRepeat() and ev.key() in self._keys_down:
                self._keys_down.discard(ev.key())
                if not self._keys_down:
                    self._schedule_check()
        elif t == QEvent.Type.Wheel:
            self._wheel_until = time.monotonic() + WHEEL_SETTLE_MS / 1000.0
            self._settle.start()
        elif t == QEvent.Type.ApplicationDeactivate:
            # a release outside the app is never seen: nothing is held any more
            self._buttons_down, self._keys_down = False, set()
            self._schedule_check()
        return False

    def _on_controller_training_exploded(self, _message: str) -> None:
        if self.lesson is None:
            return
        self._diverged = True
        self._on_controller_changed()


_PRESSES = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)


def _label(name: str, *, rich: bool = False) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    if rich:
        label.setTextFormat(Qt.TextFormat.RichText)
    return label


def _muted(label: QLabel) -> QLabel:
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class LessonPanel(QWidget):
    """One lesson: its text, its tasks (done, now, later), the goal's status, and buttons.

    Object names: ``lesson_panel``, ``lesson_number``, ``lesson_title``, ``lesson_text``,
    ``lesson_tasks``, ``lesson_status``, ``lesson_done``, ``next_lesson``,
    ``restart_lesson``, ``show_lessons``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lesson_panel")
        self.number_label = _muted(_label("lesson_number"))
        self.title_label = _label("lesson_title")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.text_label = _label("lesson_text", rich=True)
        self.tasks_label = _label("lesson_tasks", rich=True)  # done and current
        self.later_label = _label("lesson_tasks_later", rich=True)  # the tasks after it
        # the current task's question (a "chose" goal): one button per answer
        self.choice_box = QWidget()
        self.choice_box.setObjectName("lesson_choice")
        self.choice_box.setAccessibleName("Your guess")
        QVBoxLayout(self.choice_box).setContentsMargins(16, 0, 0, 0)
        self.choice_box.hide()
        self._choices: list[QRadioButton] = []
        self._runner: LessonRunner | None = None
        self.status_label = _label("lesson_status")
        self.status_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.status_label.setMargin(6)
        self.status_label.setAccessibleName("How you are doing")
        self.done_label = _label("lesson_done", rich=True)
        self.done_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.done_label.setMargin(6)
        self.done_label.setStyleSheet(
            "QLabel#lesson_done { background: #d9f0d3; color: #00441b; border-radius: 4px; }"
        )
        self.done_label.hide()
        self.hint_label = _label("lesson_hint_text", rich=False)
        self.hint_label.hide()
        self.hint_button = named_button(
            "Hint",
            "lesson_hint",
            "Which knob lowers the error most, which way and about how far (H).",
        )

        self.restart_button = named_button(
            "Start over", "restart_lesson", "Set the window up as the lesson began and start again."
        )
        self.lessons_button = named_button(
            "All lessons", "show_lessons", "Back to the list of lessons."
        )
        self.next_button = named_button(
            "Next lesson ›", "next_lesson", "Open when every task of this lesson is done."
        )
        self.next_button.setEnabled(False)
        font = self.next_button.font()
        font.setBold(True)
        self.next_button.setFont(font)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(8, 8, 8, 8)
        column.setSpacing(8)
        column.addWidget(self.number_label)
        column.addWidget(self.title_label)
        column.addWidget(self.text_label)
        column.addWidget(self.tasks_label)
        column.addWidget(self.choice_box)  # right under the current task
        column.addWidget(self.later_label)
        column.addWidget(self.status_label)
        column.addWidget(self.done_label)
        column.addWidget(self.hint_label)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        small = QHBoxLayout()
        small.addWidget(self.hint_button)
        small.addWidget(self.lessons_button)
        small.addWidget(self.restart_button)
        buttons = QVBoxLayout()
        buttons.setContentsMargins(8, 0, 8, 8)
        buttons.addWidget(self.next_button)
        buttons.addLayout(small)
        self.next_button.setMinimumHeight(32)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

    def show_lesson(self, lesson: Lesson, number: int, count: int) -> None:
        self.number_label.setText(f"Lesson {number} of {count}" if number else "Your lesson")
        self.title_label.setText(lesson.title)
        self.text_label.setText("".join(f"<p>{_html(p)}</p>" for p in lesson.text))
        self.done_label.hide()
        self.hint_label.hide()
        self.next_button.setEnabled(False)

    def _show_choice(self, runner: LessonRunner, goal) -> None:
        """The answers of a "chose" goal as buttons under the tasks; none for other goals."""
        options = list(goal["options"]) if goal is not None and goal["kind"] == "chose" else []
        self._runner = runner
        if [b.text().replace("&&", "&") for b in self._choices] != options:
            layout = self.choice_box.layout()
            for b in self._choices:
                layout.removeWidget(b)
                b.deleteLater()
            self._choices = []
            for k, option in enumerate(options):
                button = QRadioButton(option.replace("&", "&&"))
                button.setObjectName(f"lesson_choice:{k}")
                button.clicked.connect(lambda _on=False, o=option: self._on_choice_clicked(o))
                layout.addWidget(button)
                self._choices.append(button)
        for b, option in zip(self._choices, options, strict=True):
            b.setChecked(option == runner.chosen)
        self.choice_box.setVisible(bool(options))

    def _on_choice_clicked(self, option: str) -> None:
        if self._runner is not None:
            self._runner.choose(option)

    def show_hint(self, text: str) -> None:
        self.hint_label.setText(text)
        self.hint_label.show()

    def show_progress(self, runner: LessonRunner, has_next: bool) -> None:
        lesson = runner.lesson
        if lesson is None:
            return
        rows, later = [], []
        for i, task in enumerate(lesson.tasks):
            text = _html(task.text)
            if i < runner.skipped:
                rows.append(f"<p style='color:gray'>↷ {text} (skipped)</p>")
            elif i < runner.task_index:
                rows.append(f"<p style='color:gray'>✓ {text}</p>")
            elif i == runner.task_index:
                rows.append(f"<p><b>▶ {text}</b></p>")
            else:
                later.append(f"<p style='color:gray'>○ {text}</p>")
        self.tasks_label.setText("".join(rows))
        self.later_label.setText("".join(later))
        self.later_label.setVisible(bool(later))
        done = runner.completed
        self._show_choice(runner, None if done else lesson.tasks[runner.task_index].goal)
        self.status_label.setVisible(not done)
        self.status_label.setText(runner.status)
        if done:
            self.done_label.setText(
                f"<b>Done!</b> {_html(lesson.done)}" if lesson.done else "Done!"
            )
        self.done_label.setVisible(done)
        self.next_button.setEnabled(done)
        self.next_button.setText("Next lesson ›" if has_next else "Beat the optimizer ›")


class StartPage(QWidget):
    """The list of lessons, the files that did not load, and the way to the game.

    Object names: ``start_page``, ``lesson_list``, ``lesson_errors``, ``start_lesson``,
    ``open_challenge``, ``open_lesson_file``.
    """

    lessonChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("start_page")
        title = _label("start_title")
        title.setText("Lessons")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        self.intro = _label("start_intro")
        self.list = QListWidget()
        self.list.setObjectName("lesson_list")
        self.list.setAccessibleName("Lessons")
        self.list.setWordWrap(True)
        self.errors_label = _label("lesson_errors", rich=True)
        self.errors_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.errors_label.hide()
        self.start_button = named_button("Start lesson", "start_lesson")
        self.challenge_button = named_button(
            "Beat the optimizer…",
            "open_challenge",
            "A game: a few knob moves by hand, then gradient descent from the same start.",
        )
        self.file_button = named_button(
            "Open a lesson file…",
            "open_lesson_file",
            "A lesson you or your teacher wrote (a .json file).",
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(title)
        layout.addWidget(self.intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.errors_label)
        layout.addWidget(self.start_button)
        layout.addWidget(self.challenge_button)
        layout.addWidget(self.file_button)

        self.list.itemActivated.connect(lambda _item: self._choose())
        self.start_button.clicked.connect(self._choose)

    def show_lessons(self, lessons: list[Lesson], errors: list[LessonError]) -> None:
        self.list.clear()
        for i, lesson in enumerate(lessons, 1):
            item = QListWidgetItem(f"{i}. {lesson.title}")
            item.setToolTip(lesson.text[0])
            self.list.addItem(item)
        if lessons:
            self.list.setCurrentRow(0)
        n = len(lessons)
        self.intro.setText(
            f"{n} short lessons, a few minutes each. Each sets up the window, asks you to do "
            "one thing with the knobs, and notices when you have done it."
            if n
            else "No lessons could be loaded."
        )
        self.start_button.setEnabled(bool(lessons))
        if errors:
            rows = "".join(
                f"<li><b>{_html(e.path.name)}</b>: {_html(e.message)}</li>" for e in errors
            )
            what = "This lesson file" if len(errors) == 1 else "These lesson files"
            self.errors_label.setText(f"{what} could not be read:<ul>{rows}</ul>")
        self.errors_label.setVisible(bool(errors))

    def _choose(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.lessonChosen.emit(row)


class LessonDock(QDockWidget):
    """The dock beside the window: the start page or the lesson (``lessons_dock``)."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Lessons", parent)
        self.setObjectName("lessons_dock")
        self.setAllowedAreas(
            Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.start_page = StartPage()
        self.panel = LessonPanel()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.start_page)
        self.stack.addWidget(self.panel)
        self.setWidget(self.stack)
        self.setMinimumWidth(200)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        super().closeEvent(event)
        self.closed.emit()


class Lessons(QObject):
    """Lessons for a main window: the menu, the dock, and setting the window up.

    Install with :func:`install`. ``start(name)`` opens a lesson by id or number;
    ``show_start_page()`` lists them. Lesson files that did not load are listed on the
    start page and mentioned in the status bar, never raised.
    """

    def __init__(self, window: QMainWindow, folder: str | Path | None = None) -> None:
        super().__init__(window)
        self.setObjectName("lessons")
        self.window = window
        self.controller: SessionController = window.controller
        self.lessons: list[Lesson] = []
        self.errors: list[LessonError] = []
        self.current: Lesson | None = None
        self._hidden: list[Callable[[], None]] = []  # each puts one hidden part back
        self.class_setup: ClassSetup | None = None  # a teacher's class file, when opened
        self._class_hidden: list[Callable[[], None]] = []
        self._all_lessons: list[Lesson] = []
        self._challenge = None
        self.runner = LessonRunner(self.controller, self)
        mode = getattr(window, "predict_mode", None)
        if mode is not None:
            self.runner.prediction = mode
            mode.changed.connect(self.runner._on_controller_changed)
        self.dock = LessonDock(window)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self.dock.hide()
        self.panel = self.dock.panel
        self.start_page = self.dock.start_page
        self._build_menu()
        self.work = StudentWork(self)  # the learner's record; File › Export progress…

        self.runner.progressed.connect(self._on_runner_progressed)
        self.runner.lessonCompleted.connect(self._on_runner_lesson_completed)
        self.dock.closed.connect(self._on_dock_closed)
        self.start_page.lessonChosen.connect(lambda row: self.start(self.lessons[row]))
        self.start_page.challenge_button.clicked.connect(self.open_challenge)
        self.start_page.file_button.clicked.connect(self._on_open_file_triggered)
        self.panel.next_button.clicked.connect(self.next_lesson)
        self.panel.restart_button.clicked.connect(self.restart)
        self.panel.lessons_button.clicked.connect(self.show_start_page)
        self.panel.hint_button.clicked.connect(window.hint_action.trigger)
        window.hintShown.connect(self.panel.show_hint)
        self.load(folder)

    # -- loading -----------------------------------------------------------------------------
    def load(self, folder: str | Path | None = None) -> None:
        """Load the lessons of ``folder`` (default: the built-in ones) into the list."""
        self._all_lessons, self.errors = load_lessons(folder)
        self.lessons = (
            self.class_setup.pick(self._all_lessons) if self.class_setup else self._all_lessons
        )
        self.start_page.show_lessons(self.lessons, self.errors)
        self._fill_menu()
        if self.errors:
            n = len(self.errors)
            first = self.errors[0]
            more = f" (and {n - 1} more)" if n > 1 else ""
            self._message(
                f"A lesson file could not be read: {str(first).rstrip('.')}{more}. "
                "See Lessons › Choose a lesson."
            )

    def apply_class(self, setup: ClassSetup) -> None:
        """A teacher's class: its lessons in its order, its parts hidden for good (lessons
        hide more on top), its training pace."""
        self.class_setup = setup
        self.lessons = setup.pick(self._all_lessons)
        self.start_page.show_lessons(self.lessons, self.errors)
        self._fill_menu()
        self._show_hidden()
        for restore in self._class_hidden:
            restore()
        self._class_hidden = []
        for name in setup.hide:
            self._hide(name, into=self._class_hidden)
        if self.current is not None:
            for name in self.current.setup.hide:
                self._hide(name)
        self.controller.set_speed(speed_index_of(setup.pace))
        title = f" for {setup.title}" if setup.title else ""
        self._message(f"Class setup{title}: {len(self.lessons)} lessons.")

    def class_now(self, title: str = "") -> ClassSetup:
        """The class setup of the window as it is: its lessons, what the class file hid,
        and the current pace."""
        hide = self.class_setup.hide if self.class_setup else ()
        return ClassSetup(
            title=title,
            lessons=tuple(lesson.id for lesson in self.lessons),
            hide=hide,
            pace=self.controller.speed,
        )

    def open_file(self, path: str | Path) -> bool:
        """Load the lessons in ``path``'s folder and start the one in ``path``."""
        path = Path(path)
        try:
            lesson = load_lesson(path)
        except LessonFileError as exc:
            self.load(path.parent)
            self.show_start_page()
            self._message(f"{path.name}: {exc}")
            return False
        self.load(path.parent)
        found = find_lesson(self.lessons, lesson.id)
        return self.start(found or lesson)

    # -- lessons -----------------------------------------------------------------------------
    def open(self, name: str | Path) -> bool:  # noqa: A003 - reads as "open a lesson"
        """Start a lesson by id or number, or from a lesson file (``*.json``)."""
        path = Path(name)
        if path.suffix.lower() == ".json" or path.is_file():
            return self.open_file(path)
        return self.start(str(name))

    def start(self, lesson: Lesson | str, task: int = 0) -> bool:
        """Set the window up for ``lesson`` (a Lesson, its id or its number) and begin it,
        at its task ``task`` (0 = the first: a teacher can jump to any task)."""
        if isinstance(lesson, str):
            found = find_lesson(self.lessons, lesson)
            if found is None:
                self._message(f"There is no lesson {lesson!r}.")
                return False
            lesson = found
        try:
            session = build_session(lesson.setup)
        except ValueError as exc:
            self._message(f"The lesson {lesson.title!r} cannot start: {exc}")
            return False
        files = getattr(self.window, "files", None)
        if self.current is None and files is not None and not files.maybe_discard():
            return False  # unsaved work of the person's own, and they chose to keep it
        self.current = lesson
        self._apply(lesson, session)
        if files is not None:
            files.set_path(None)  # a lesson begins a fresh, untitled session
        number = self._number(lesson)
        self.panel.show_lesson(lesson, number, len(self.lessons))
        self.dock.stack.setCurrentWidget(self.panel)
        self._show_dock()
        for action in self.menu_lessons:
            action.setChecked(action.data() == lesson.id)
        self.runner.start(lesson, task)
        return True

    def restart(self) -> None:
        if self.current is not None:
            self.start(self.current)

    def next_lesson(self) -> None:
        """The lesson after the current one; after the last, the game."""
        nxt = self._following()
        if nxt is None:
            self.open_challenge()
        else:
            self.start(nxt)

    def leave(self) -> None:
        """Stop the lesson: the window keeps its state, hidden parts come back."""
        self.runner.stop()
        self.current = None
        self._show_hidden()
        for action in self.menu_lessons:
            action.setChecked(False)

    def show_start_page(self) -> None:
        self.dock.stack.setCurrentWidget(self.start_page)
        self._show_dock()

    def show_on_first_launch(self) -> bool:
        """Offer the start page the first time knobsim opens for this user."""
        settings = QSettings()
        if settings.value(FIRST_LAUNCH_KEY, False, type=bool):
            return False
        settings.setValue(FIRST_LAUNCH_KEY, True)
        if self.current is None:
            self.show_start_page()
        return True

    def open_challenge(self):
        """Open the "Beat the optimizer" window (not modal) and return it."""
        from knobsim.ui.teaching.challenge import ChallengeDialog

        if self._challenge is None:
            self._challenge = ChallengeDialog(self.window)
            self._challenge.gameFinished.connect(self.work.game_finished)
        self._challenge.show()
        self._challenge.raise_()
        return self._challenge

    # -- setting the window up ---------------------------------------------------------------
    def _apply(self, lesson: Lesson, session) -> None:
        c = self.controller
        setup = lesson.setup
        c.set_training(False)
        seed = self.window.findChild(QSpinBox, "seed")
        if seed is not None:  # the window draws new data with this seed (Points, Noise)
            with QSignalBlocker(seed):
                seed.setValue(setup.seed)
        # a fresh start with the lesson's own optimizer settings: nothing before it to undo
        c.load_session(session)
        c.set_speed(speed_index_of(setup.speed))
        banner = self.window.findChild(QFrame, "explosion_banner")
        if banner is not None:
            banner.hide()
        self._show_hidden()
        for name in setup.hide:
            self._hide(name)

    def _hide(self, name: str, into: list[Callable[[], None]] | None = None) -> None:
        """Hide the part ``name``; its undo goes to ``into`` (default: the lesson's)."""
        into = self._hidden if into is None else into
        w = self.window
        if name in _GROUPS:
            inner = w.findChild(QWidget, _GROUPS[name])
            target = inner.parentWidget() if inner is not None else None
            while target is not None and not isinstance(target, QGroupBox):
                target = target.parentWidget()
        elif name in _VIEWS:
            target = _titled_box(w.findChild(QWidget, _VIEWS[name]))
        else:
            target = w.findChild(QWidget, _WIDGETS.get(name, name))
        if target is not None:
            into.extend(_hide_widget(target))
        panel = getattr(w, "capacity_panel", None)
        if name == "train" and panel is not None:
            panel.set_can_train(False)  # the verdict advises no button that is not there
            into.append(lambda: panel.set_can_train(True))

    def _show_hidden(self) -> None:
        for restore in reversed(self._hidden):
            restore()
        self._hidden.clear()

    # -- menu --------------------------------------------------------------------------------
    def _build_menu(self) -> None:
        bar = self.window.menuBar()
        self.menu = QMenu("&Lessons", self.window)
        self.menu.setObjectName("lessons_menu")
        help_menu = next(
            (a.menu() for a in bar.actions() if a.text().replace("&", "") == "Help"), None
        )
        if help_menu is not None:
            bar.insertMenu(help_menu.menuAction(), self.menu)
            lessons_help = QAction("&Lessons", self.window)
            lessons_help.setObjectName("help_lessons")
            lessons_help.triggered.connect(self.show_start_page)
            first = help_menu.actions()[0] if help_menu.actions() else None
            help_menu.insertAction(first, lessons_help)
        else:
            bar.addMenu(self.menu)
        self.menu_lessons: list[QAction] = []
        file_menu = getattr(self.window, "file_menu", None)
        if file_menu is not None:  # File › class setup, above Quit
            quit_action = file_menu.actions()[-1]
            for text, name, tip, slot in (
                ("Open c&lass setup…", "open_class", "Open a teacher's class file: its "
                 "lessons, its hidden parts, its pace.", self._on_open_class_triggered),
                ("Sa&ve class setup…", "save_class", "Save this window's lessons, hidden "
                 "parts and pace as a class file (knobsim --class FILE opens it).",
                 self._on_save_class_triggered),
            ):  # fmt: skip
                action = QAction(text, self.window)
                action.setObjectName(name)
                action.setToolTip(tip)
                action.triggered.connect(slot)
                file_menu.insertAction(quit_action, action)
            file_menu.insertSeparator(quit_action)

    def _fill_menu(self) -> None:
        menu = self.menu
        menu.clear()
        choose = menu.addAction("&Choose a lesson…")
        choose.setObjectName("choose_lesson")
        choose.triggered.connect(self.show_start_page)
        menu.addSeparator()
        self.menu_lessons = []
        for i, lesson in enumerate(self.lessons, 1):
            action = menu.addAction(f"&{i}. {lesson.title}" if i < 10 else f"{i}. {lesson.title}")
            action.setCheckable(True)
            action.setData(lesson.id)
            action.triggered.connect(lambda _=False, lesson=lesson: self.start(lesson))
            self.menu_lessons.append(action)
        jump = menu.addMenu("&Go to a task")
        jump.setObjectName("goto_task")
        jump.setToolTip("For a teacher: open any lesson at any of its tasks.")
        for i, lesson in enumerate(self.lessons, 1):
            tasks = jump.addMenu(f"{i}. {lesson.title}")
            for k, task in enumerate(lesson.tasks):
                words = task.text.split()
                short = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
                action = tasks.addAction(f"Task {k + 1}: {short}")
                action.setObjectName(f"goto:{lesson.id}:{k + 1}")
                action.triggered.connect(lambda _=False, lesson=lesson, k=k: self.start(lesson, k))
        menu.addSeparator()
        restart = menu.addAction("&Start over")
        restart.triggered.connect(self.restart)
        leave = menu.addAction("&Leave the lesson")
        leave.setObjectName("leave_lesson")
        leave.triggered.connect(self._on_leave_triggered)
        menu.addSeparator()
        open_file = menu.addAction("&Open a lesson file…")
        open_file.triggered.connect(self._on_open_file_triggered)
        game = menu.addAction("&Beat the optimizer…")
        game.setObjectName("beat_the_optimizer")
        game.triggered.connect(self.open_challenge)

    # -- slots -------------------------------------------------------------------------------
    def _on_runner_progressed(self) -> None:
        if self.current is not None:
            self.panel.show_progress(self.runner, self._following() is not None)

    def _on_runner_lesson_completed(self) -> None:
        lesson = self.current
        if lesson is None:
            return
        nxt = self._following()
        offer = f"Next: {nxt.title}." if nxt else "Try Beat the optimizer next."
        self._message(f"Lesson done: {lesson.title}. {offer}")

    def _on_dock_closed(self) -> None:
        if self.current is not None:
            self.leave()

    def _on_leave_triggered(self) -> None:
        self.leave()
        self.dock.hide()

    def open_class(self, path: str | Path) -> bool:
        """Open a class file; on a problem say so and change nothing."""
        try:
            setup = load_class(path, self._all_lessons)
        except ClassFileError as exc:
            self._message(f"{Path(path).name}: {exc}")
            files = getattr(self.window, "files", None)
            if files is not None:  # a window-modal box that does not block (files.show_error)
                files.show_error("Class setup", f"{Path(path).name} cannot be used: {exc}")
            return False
        self.apply_class(setup)
        self.show_start_page()
        return True

    def save_class(self, path: str | Path) -> bool:
        """Write the window's class setup (see :meth:`class_now`) to ``path``."""
        path = Path(path)
        if path.suffix.lower() != CLASS_SUFFIX:
            path = path.with_suffix(CLASS_SUFFIX)
        try:
            save_class(self.class_now(title=path.stem), path)
        except OSError as exc:
            self._message(f"Could not save {path.name}: {exc.strerror or exc}.")
            return False
        self._message(f"Saved the class setup to {path.name}.")
        return True

    def _on_open_class_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open a class setup", "", CLASS_FILTER)
        if path:
            self.open_class(path)

    def _on_save_class_triggered(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Save class setup", "", CLASS_FILTER)
        if path:
            self.save_class(path)

    def _on_open_file_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, OPEN_LESSON_TITLE, "", LESSON_FILTER)
        if path:
            self.open_file(path)

    # -- helpers -----------------------------------------------------------------------------
    def _show_dock(self) -> None:
        opening = not self.dock.isVisible() and not self.dock.isFloating()
        self.dock.show()
        self.dock.raise_()
        if opening:
            # narrow: at 1280 pixels the knobs and the plots need the width more
            self.window.resizeDocks([self.dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)

    def _number(self, lesson: Lesson) -> int:
        ids = [x.id for x in self.lessons]
        return ids.index(lesson.id) + 1 if lesson.id in ids else 0

    def _following(self) -> Lesson | None:
        if self.current is None:
            return None
        n = self._number(self.current)
        return self.lessons[n] if 0 < n < len(self.lessons) else None

    def _message(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 10000)


def _titled_box(view: QWidget | None) -> QWidget | None:
    """The small box with a title the window shows ``view`` in, else ``view`` itself."""
    box = view.parentWidget() if view is not None else None
    layout = box.layout() if box is not None else None
    if (
        type(box) is QWidget
        and layout is not None
        and layout.count() == 2
        and isinstance(layout.itemAt(0).widget(), QLabel)
    ):
        return box
    return view


def _hide_widget(target: QWidget) -> list[Callable[[], None]]:
    """Hide ``target`` the way its container wants (a form row, a tab, or itself).

    Returns the undo: nothing when it was hidden already.
    """
    form, row = _form_row(target)
    if form is not None:
        if not form.isRowVisible(row):
            return []
        form.setRowVisible(row, False)
        return [lambda: form.setRowVisible(row, True)]
    stack = target.parentWidget()
    tabs = stack.parentWidget() if isinstance(stack, QStackedWidget) else None
    if isinstance(tabs, QTabWidget) and tabs.indexOf(target) >= 0:
        i = tabs.indexOf(target)
        if not tabs.isTabVisible(i):
            return []
        tabs.setTabVisible(i, False)
        undo = [lambda: tabs.setTabVisible(i, True)]
        if not any(tabs.isTabVisible(j) for j in range(tabs.count())) and not tabs.isHidden():
            tabs.hide()  # no tab left: an empty page would be all that shows
            undo.append(tabs.show)
        return undo
    if target.isHidden():
        return []
    target.hide()
    return [target.show]


def _form_row(widget: QWidget) -> tuple[QFormLayout | None, int]:
    """The form layout and row holding ``widget`` (directly or in a row's own layout)."""
    parent = widget.parentWidget()
    layout = parent.layout() if parent is not None else None
    if not isinstance(layout, QFormLayout):
        return None, -1
    row, _role = layout.getWidgetPosition(widget)
    if row >= 0:
        return layout, row
    for r in range(layout.rowCount()):
        item = layout.itemAt(r, QFormLayout.ItemRole.FieldRole)
        inner = item.layout() if item is not None else None
        if isinstance(inner, QLayout) and _layout_holds(inner, widget):
            return layout, r
    return None, -1


def _layout_holds(layout: QLayout, widget: QWidget) -> bool:
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item.widget() is widget:
            return True
        if item.layout() is not None and _layout_holds(item.layout(), widget):
            return True
    return False


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def install(window: QMainWindow, folder: str | Path | None = None) -> Lessons:
    """Give ``window`` its Lessons menu, Help › Lessons and the (hidden) lesson dock."""
    return Lessons(window, folder)


__all__ = ["LessonDock", "LessonPanel", "LessonRunner", "Lessons", "StartPage", "install"]
