"""What a learner did: lessons started and done, each task's result, challenge scores, and
the one-page HTML report of it (the final screen of each lesson as an embedded PNG).

Kept in one small JSON file in a folder the caller chooses, so it survives a restart.
Nothing here imports Qt.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as _dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from knobsim.core.io.sessionfile import write_atomic

PROGRESS_FILE = "progress.json"
#: the final screens of the lessons, one ``<lesson id>.png`` each, in this sub-folder
SCREENS_FOLDER = "progress-screens"
FORMAT = 1
#: the most challenge games kept (the oldest go first)
MAX_GAMES = 200
#: the most knob values kept per passed task (a next-word model has thousands)
MAX_VALUES = 32
PASSED = "passed"
SKIPPED = "skipped"


def now() -> str:
    """The time now, ISO 8601 in UTC to the second (how every record is stamped)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class TaskResult:
    """How one task ended: ``passed`` (with the knob values and errors then) or
    ``skipped`` (jumped over with Lessons › Go to a task)."""

    status: str
    when: str
    values: dict[str, float] = field(default_factory=dict)
    train_error: float = math.nan
    test_error: float = math.nan
    knobs: int = 0  # how many knobs the model had (``values`` keeps the first few)
    #: what the learner answered or saw, in words ("your guess: Momentum"; "" for none)
    note: str = ""


@dataclass
class LessonRecord:
    """One lesson as the learner met it. ``tasks`` are the task texts, ``results`` the
    outcome of each task reached so far, by task index."""

    id: str
    title: str
    tasks: list[str]
    started: str
    done: str = ""  # when every task was done ("" = not yet)
    results: dict[int, TaskResult] = field(default_factory=dict)


@dataclass(frozen=True)
class Game:
    """One finished game of Beat the optimizer."""

    challenge_id: str
    title: str
    score: float
    your_error: float
    optimizer_error: float
    when: str


@dataclass
class Progress:
    """Everything recorded, lessons in the order they were first started."""

    lessons: dict[str, LessonRecord] = field(default_factory=dict)
    games: list[Game] = field(default_factory=list)

    # -- recording ---------------------------------------------------------------------------
    def lesson_started(
        self, lesson_id: str, title: str, tasks: Sequence[str], when: str | None = None
    ) -> LessonRecord:
        """A lesson began (again). What was done before stays; a lesson whose tasks
        changed (another file with the same id) starts a fresh record."""
        record = self.lessons.get(lesson_id)
        if record is None or record.tasks != list(tasks):
            record = LessonRecord(lesson_id, title, list(tasks), when or now())
            self.lessons[lesson_id] = record
        record.title = title
        return record

    def task_passed(
        self,
        lesson_id: str,
        index: int,
        values: Mapping[str, float],
        train_error: float,
        test_error: float,
        when: str | None = None,
        note: str = "",
    ) -> None:
        """Task ``index`` of a started lesson was done, with these knob values (the first
        :data:`MAX_VALUES` are kept) and errors, and ``note``: a guess or a race's winner
        (:func:`knobsim.core.lessons.lesson.task_note`)."""
        kept = list(values.items())[:MAX_VALUES]
        self.lessons[lesson_id].results[index] = TaskResult(
            PASSED,
            when or now(),
            {str(k): float(v) for k, v in kept},
            float(train_error),
            float(test_error),
            len(values),
            str(note),
        )

    def task_skipped(self, lesson_id: str, index: int, when: str | None = None) -> None:
        """Task ``index`` was jumped over; a pass recorded before is kept."""
        results = self.lessons[lesson_id].results
        if index not in results:
            results[index] = TaskResult(SKIPPED, when or now())

    def lesson_done(self, lesson_id: str, when: str | None = None) -> None:
        """Every task of the lesson is done (the first time counts)."""
        record = self.lessons[lesson_id]
        if not record.done:
            record.done = when or now()

    def game_played(self, game: Game) -> None:
        self.games.append(game)
        del self.games[:-MAX_GAMES]

    def best_games(self) -> list[Game]:
        """The best game of each challenge played, in the order first played."""
        best: dict[str, Game] = {}
        for game in self.games:
            old = best.get(game.challenge_id)
            if old is None or game.score > old.score:
                best[game.challenge_id] = game
        return list(best.values())

    # -- the file ----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "lessons": [
                {
                    "id": r.id,
                    "title": r.title,
                    "tasks": r.tasks,
                    "started": r.started,
                    "done": r.done,
                    "results": {
                        str(i): {
                            "status": t.status,
                            "when": t.when,
                            "values": t.values,
                            "train_error": _json_number(t.train_error),
                            "test_error": _json_number(t.test_error),
                            "knobs": t.knobs,
                            "note": t.note,
                        }
                        for i, t in sorted(r.results.items())
                    },
                }
                for r in self.lessons.values()
            ],
            "games": [
                {
                    "challenge_id": g.challenge_id,
                    "title": g.title,
                    "score": _json_number(g.score),
                    "your_error": _json_number(g.your_error),
                    "optimizer_error": _json_number(g.optimizer_error),
                    "when": g.when,
                }
                for g in self.games
            ],
        }

    @classmethod
    def from_dict(cls, data: object) -> Progress:
        """The progress in decoded JSON; raises ``ValueError`` when it is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("lessons"), list):
            raise ValueError("This is not a knobsim progress file.")
        if not isinstance(data.get("format"), int) or data["format"] > FORMAT:
            raise ValueError("This progress file is from a newer knobsim.")
        progress = cls()
        try:
            for raw in data["lessons"]:
                record = LessonRecord(
                    str(raw["id"]),
                    str(raw["title"]),
                    [str(t) for t in raw["tasks"]],
                    str(raw["started"]),
                    str(raw.get("done", "")),
                )
                for i, t in raw.get("results", {}).items():
                    if t["status"] not in (PASSED, SKIPPED):
                        raise ValueError(f"unknown task status {t['status']!r}")
                    record.results[int(i)] = TaskResult(
                        t["status"],
                        str(t["when"]),
                        {str(k): float(v) for k, v in t.get("values", {}).items()},
                        _number(t.get("train_error")),
                        _number(t.get("test_error")),
                        int(t.get("knobs", 0)),
                        str(t.get("note", "")),
                    )
                progress.lessons[record.id] = record
            for g in data.get("games", []):
                progress.games.append(
                    Game(
                        str(g["challenge_id"]),
                        str(g["title"]),
                        _number(g["score"]),
                        _number(g["your_error"]),
                        _number(g["optimizer_error"]),
                        str(g["when"]),
                    )
                )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ValueError(f"This progress file is damaged ({exc}).") from None
        return progress


def load(folder: str | Path) -> Progress:
    """The progress kept in ``folder``; a missing or damaged file counts as none yet (a lost
    record must never stop a lesson)."""
    try:
        data = json.loads((Path(folder) / PROGRESS_FILE).read_text(encoding="utf-8"))
        return Progress.from_dict(data)
    except (OSError, ValueError):
        return Progress()


def save(progress: Progress, folder: str | Path) -> Path:
    """Write ``progress`` to ``folder`` (atomically: a crash leaves the old file).

    Raises ``OSError`` when the folder or the file cannot be written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PROGRESS_FILE
    write_atomic(json.dumps(progress.to_dict(), indent=1) + "\n", path)
    return path


def screen_path(folder: str | Path, lesson_id: str) -> Path:
    """Where the final screen of lesson ``lesson_id`` is kept (a PNG)."""
    return Path(folder) / SCREENS_FOLDER / f"{lesson_id}.png"


def load_screens(folder: str | Path, progress: Progress) -> dict[str, bytes]:
    """The final screens kept for the lessons in ``progress`` (the PNG bytes by lesson id)."""
    screens = {}
    for lesson_id in progress.lessons:
        with contextlib.suppress(OSError):
            screens[lesson_id] = screen_path(folder, lesson_id).read_bytes()
    return screens


# -- the report --------------------------------------------------------------------------------
_STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.4em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eee; }
.passed { color: #1a7f37; }
.skipped, .todo { color: #777; }
img { max-width: 100%; border: 1px solid #bbb; }
"""


def render_html(
    progress: Progress,
    *,
    learner: str = "",
    date: _dt.date | None = None,
    screens: Mapping[str, bytes] | None = None,
) -> str:
    """One self-contained HTML page of ``progress``: the title, the learner's name (if
    given), the date, per lesson its tasks and results and its final screen (a PNG as a
    ``data:`` URI), and the challenge scores. Every text is escaped."""
    date = date or _dt.date.today()
    screens = screens or {}
    name = learner.strip()
    title = f"knobsim: {name}'s work" if name else "knobsim: work done"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>{'Name: <b>' + escape(name) + '</b>. ' if name else ''}"
        f"Date: {escape(date.isoformat())}. "
        f"Lessons done: {sum(1 for r in progress.lessons.values() if r.done)} of "
        f"{len(progress.lessons)} started.</p>",
    ]
    if not progress.lessons:
        parts.append("<p>No lesson started yet.</p>")
    for record in progress.lessons.values():
        state = f"done {_day(record.done)}" if record.done else "not finished"
        parts.append(f"<h2>{escape(record.title)}</h2>")
        parts.append(f"<p>Started {escape(_day(record.started))}; {escape(state)}.</p>")
        rows = ["<tr><th>Task</th><th>What to do</th><th>Result</th></tr>"]
        for i, text in enumerate(record.tasks):
            rows.append(
                f"<tr><td>{i + 1}</td><td>{escape(text)}</td>"
                f"<td>{_result_cell(record.results.get(i))}</td></tr>"
            )
        parts.append(f"<table>{''.join(rows)}</table>")
        png = screens.get(record.id)
        if png:
            data = base64.b64encode(png).decode("ascii")
            parts.append(
                f'<p>The screen as the lesson ended:</p><p><img src="data:image/png;base64,'
                f'{data}" alt="{escape(record.title)}: the final screen" width="640"></p>'
            )
    parts.append("<h2>Beat the optimizer</h2>")
    best = progress.best_games()
    if not best:
        parts.append("<p>Not played yet.</p>")
    else:
        rows = [
            "<tr><th>Challenge</th><th>Best score</th><th>Your error</th>"
            "<th>Gradient descent's error</th><th>Games</th></tr>"
        ]
        for game in best:
            n = sum(1 for g in progress.games if g.challenge_id == game.challenge_id)
            rows.append(
                f"<tr><td>{escape(game.title)}</td><td>{_num(game.score, 3)}</td>"
                f"<td>{_num(game.your_error)}</td><td>{_num(game.optimizer_error)}</td>"
                f"<td>{n}</td></tr>"
            )
        parts.append(f"<table>{''.join(rows)}</table>")
        parts.append(
            "<p>The score is gradient descent's error divided by yours: above 1, you won.</p>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def _result_cell(result: TaskResult | None) -> str:
    if result is None:
        return '<span class="todo">not done yet</span>'
    if result.status == SKIPPED:
        return '<span class="skipped">skipped</span>'
    errors = [
        f"{label} {_num(value)}"
        for label, value in (
            ("training error", result.train_error),
            ("test error", result.test_error),
        )
        if math.isfinite(value)
    ]
    knobs = ", ".join(f"{escape(k)} = {_num(v)}" for k, v in list(result.values.items())[:8])
    more = max(result.knobs, len(result.values)) - 8
    if more > 0:
        knobs += f" and {more} more knobs"
    detail = "; ".join(x for x in (escape(result.note), ", ".join(errors), knobs) if x)
    return f'<span class="passed">passed</span>{": " + detail if detail else ""}'


def _num(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}g}" if math.isfinite(value) else "—"


def _day(when: str) -> str:
    return when[:10]


def _json_number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _number(value: object) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not a number")
    return float(value)


__all__ = [
    "Game",
    "LessonRecord",
    "Progress",
    "TaskResult",
    "load",
    "load_screens",
    "render_html",
    "save",
    "screen_path",
]
