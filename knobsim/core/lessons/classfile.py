"""A class file: what a teacher's class gets. Nothing here imports Qt.

A class file is a small JSON object, checked like a lesson file (every problem named in
one sentence)::

    {
      "format": 1,
      "title": "Year 9, Tuesday",
      "lessons": ["knobs", "train", 6],
      "hide": ["data_settings", "capacity_plot"],
      "pace": "watch"
    }

``lessons``: the lessons the class gets, in this order (ids or numbers as
``knobsim lessons`` lists them; left out: all of them). ``hide``: parts of the window
hidden all the time, with the names a lesson's ``"hide"`` takes. ``pace``: the training
speed the window starts at: ``"watch"``, ``"max"`` or steps per second.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from knobsim.core.lessons.lesson import (
    CONTROLS,
    Lesson,
    LessonFileError,
    find_lesson,
    read_json,
    speed_value,
)

FORMAT = 1
SUFFIX = ".json"
MAX_CLASS_BYTES = 64 * 1024
_KEYS = ("format", "title", "lessons", "hide", "pace")


class ClassFileError(ValueError):
    """A class file that cannot be used; the message says what to change."""


@dataclass(frozen=True)
class ClassSetup:
    """A parsed class file: ``lessons`` are lesson ids in the class's order (empty: all),
    ``pace`` is ``"watch"``, ``None`` (Max) or steps per second."""

    title: str = ""
    lessons: tuple[str, ...] = ()
    hide: tuple[str, ...] = ()
    pace: str | float | None = "watch"

    def pick(self, lessons: Sequence[Lesson]) -> list[Lesson]:
        """The class's lessons, in its order, from the ones that loaded."""
        if not self.lessons:
            return list(lessons)
        by_id = {lesson.id: lesson for lesson in lessons}
        return [by_id[i] for i in self.lessons if i in by_id]

    def to_json(self) -> dict:
        """The object a class file holds (what :func:`parse_class` reads back)."""
        pace = "max" if self.pace is None else self.pace
        if isinstance(pace, float) and pace.is_integer():
            pace = int(pace)
        out: dict = {"format": FORMAT}
        if self.title:
            out["title"] = self.title
        out["lessons"] = list(self.lessons)
        out["hide"] = list(self.hide)
        out["pace"] = pace
        return out


def parse_class(data: object, lessons: Sequence[Lesson]) -> ClassSetup:
    """A :class:`ClassSetup` from a class file's JSON object, checked against the
    ``lessons`` that exist; raises :class:`ClassFileError` naming the problem."""
    if not isinstance(data, dict):
        raise ClassFileError('a class file is one JSON object: {"format": 1, "lessons": [...]}.')
    unknown = [k for k in data if k not in _KEYS]
    if unknown:
        raise ClassFileError(f"unknown key {unknown[0]!r}; a class file has {', '.join(_KEYS)}.")
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise ClassFileError(f'"format" {fmt!r} is not one this knobsim reads (it reads {FORMAT}).')
    title = data.get("title", "")
    if not isinstance(title, str):
        raise ClassFileError('"title" must be text in quotes.')
    raw = data.get("lessons", [])
    if not isinstance(raw, list):
        raise ClassFileError('"lessons" is a list of lesson ids or numbers: ["knobs", 2].')
    chosen: list[str] = []
    for name in raw:
        if isinstance(name, bool) or not isinstance(name, str | int):
            raise ClassFileError(f'"lessons": {name!r} is not a lesson id or number.')
        found = find_lesson(lessons, str(name))
        if found is None:
            ids = ", ".join(lesson.id for lesson in lessons)
            raise ClassFileError(f'"lessons": there is no lesson {name!r}; the lessons are {ids}.')
        if found.id in chosen:
            raise ClassFileError(f'"lessons": {found.id!r} is listed twice.')
        chosen.append(found.id)
    hide = data.get("hide", [])
    if not isinstance(hide, list) or not all(isinstance(h, str) for h in hide):
        raise ClassFileError('"hide" is a list of names in quotes: ["data_settings"].')
    for name in hide:
        if name not in CONTROLS:
            raise ClassFileError(
                f'"hide": cannot hide {name!r}; the parts a class can hide are '
                f"{', '.join(CONTROLS)}."
            )
    try:
        pace = speed_value(data.get("pace", "watch"), "pace")
    except LessonFileError as exc:
        raise ClassFileError(str(exc).replace("setup: ", "")) from None
    return ClassSetup(title=title, lessons=tuple(chosen), hide=tuple(hide), pace=pace)


def load_class(path: str | Path, lessons: Sequence[Lesson]) -> ClassSetup:
    """Read and check a class file; raises :class:`ClassFileError` naming the problem."""
    try:
        data = read_json(path, MAX_CLASS_BYTES, "a class file")
    except LessonFileError as exc:
        raise ClassFileError(str(exc)) from None
    return parse_class(data, lessons)


def save_class(setup: ClassSetup, path: str | Path) -> None:
    """Write ``setup`` as a class file (readable, two-space indented)."""
    Path(path).write_text(json.dumps(setup.to_json(), indent=2) + "\n", encoding="utf-8")
