"""Guided lessons: the lesson files, the window they set up, and the goals they check.

A lesson is a JSON file (the format is in docs/lessons.md). Loading a folder never raises
for a bad file: it returns the lessons that loaded and one :class:`LessonError` per file
that did not. :func:`check_goal` is a pure function of a :class:`LessonState` snapshot.
Nothing here imports Qt.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knobsim.core.capacity.diagnosis import diagnose_session
from knobsim.core.data.catalog import COMPATIBLE, DEFAULT_DATASET, session_for
from knobsim.core.models.machines import ACTIVATIONS, MODELS, WordModel
from knobsim.core.training.optimizers import OPTIMIZERS
from knobsim.core.training.session import Session
from knobsim.resources import assets_dir

#: the newest lesson format this knobsim reads (a file may say ``"format": 1``)
FORMAT = 1
SUFFIX = ".json"
MAX_LESSON_BYTES = 256 * 1024

#: parts of the window a lesson may hide (``"hide": [...]``); the window maps each name
#: to its widget
CONTROLS: tuple[str, ...] = (
    "train",
    "step",
    "reset",
    "randomize",
    "model_settings",
    "model",
    "data_settings",
    "dataset",
    "noise",
    "points",
    "seed",
    "regenerate",
    "training_settings",
    "optimizer",
    "learning_rate",
    "batch_size",
    "l2",
    "speed",
    "capacity",
    "network",
    "landscape",
    "capacity_plot",
)

#: numbers a goal can compare; ``"knob:<name>"`` is a knob's value as well
QUANTITIES: dict[str, str] = {
    "train_error": "training error",
    "test_error": "test error",
    "steps": "steps trained",
    "lr": "learning rate",
    "l2": "L2",
    "points": "training points",
    "knobs": "knobs",
    "context": "words of context",
}
VERDICTS: dict[str, str] = {
    "underfit": "underfitting",
    "good": "a good fit",
    "overfit": "overfitting",
}

#: goal kind -> (required fields, optional fields); every goal may also say "by_hand"
GOAL_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "at_most": (("what", "value"), ()),
    "at_least": (("what", "value"), ()),
    "near": (("what", "value"), ("within",)),
    "verdict": (("is",), ()),
    "diverged": ((), ()),
    "test_error_rising": ((), ("by",)),
    "locked": (("knob",), ()),
    "looked_back": ((), ()),
    "looked_back_to_lowest_test": ((), ("within",)),
    "raced": ((), ("runners",)),
    "prediction": (("is",), ("score",)),
    "chose": (("options",), ()),
    "all_of": (("goals",), ()),
    "any_of": (("goals",), ()),
}
GOAL_KINDS = tuple(GOAL_FIELDS)
#: "near" without "within": this close counts
DEFAULT_WITHIN = 0.05
#: "test_error_rising" without "by": the test error is this share above its lowest
DEFAULT_RISE = 0.2
#: a "chose" goal offers 2 to this many answers
MAX_OPTIONS = 6
#: "raced" without "runners": a race of this many runners (Training › Race optimizers…)
DEFAULT_RUNNERS = 3
#: "looked_back_to_lowest_test" without "within": the step looked at has a test error at
#: most this share above the run's lowest
DEFAULT_LOOK_WITHIN = 0.1
#: "prediction" goals: "made" once ghost knobs are out, "revealed" once training scored them
PREDICTION_STAGES: dict[str, tuple[str, ...]] = {
    "made": ("guessing", "revealing", "scored"),
    "revealed": ("scored",),
}

_SETUP_TYPES: dict[str, str] = {
    "model": "text",
    "dataset": "text",
    "noise": "number",
    "points": "whole",
    "seed": "whole",
    "degree": "whole",
    "hidden": "hidden",
    "activation": "text",
    "l2": "number",
    "context": "whole",
    "optimizer": "text",
    "lr": "number",
    "batch_size": "whole",
    "speed": "speed",
    "knobs": "knobs",
    "locked": "names",
    "hide": "names",
}
_LESSON_KEYS = ("format", "id", "title", "text", "setup", "tasks", "done")
_TASK_KEYS = ("task", "goal")


class LessonFileError(ValueError):
    """A lesson file that cannot be used; the message says what to change."""


@dataclass(frozen=True)
class LessonError:
    """A lesson file that did not load: which file, and the problem in one sentence."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path.name}: {self.message}"


@dataclass(frozen=True)
class Setup:
    """How a lesson sets up the window. ``None`` means "knobsim's default"."""

    model: str
    dataset: str
    noise: float | None = None
    points: int | None = None
    seed: int = 0
    degree: int = 3
    hidden: str = "8"
    activation: str = "tanh"
    l2: float = 0.0
    context: int = 1
    optimizer: str = "gd"
    lr: float | None = None
    batch_size: int | None = None
    #: training speed in steps per second; "watch" = the Watch pace; None = as fast as the
    #: machine allows
    speed: float | str | None = None
    #: starting knob values by name; the other knobs start where the seed puts them
    knobs: tuple[tuple[str, float], ...] = ()
    locked: tuple[str, ...] = ()
    hide: tuple[str, ...] = ()


@dataclass(frozen=True)
class Task:
    """One step of a lesson: what to do (``text``) and how the app knows it is done."""

    text: str
    goal: Mapping[str, Any]


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    text: tuple[str, ...]  # paragraphs
    setup: Setup
    tasks: tuple[Task, ...]
    done: str = ""
    path: Path | None = None


@dataclass(frozen=True)
class LessonState:
    """What a goal can look at: a plain snapshot of the window's session and this task.

    ``steps``, ``diverged`` and ``test_min`` count from the start of the current task;
    ``step_count`` is the session's own counter (0 again after Reset). While the scrub bar
    looks back at a past step, ``shown_step`` is that step and ``shown_test_error`` its
    test error; ``run_test_min`` is the lowest test error on the run's loss curve (both
    as the loss plot draws them, with any L2 penalty).
    """

    train_error: float  # data error, without the L2 penalty
    test_error: float
    steps: int = 0
    step_count: int = 0
    diverged: bool = False
    test_min: float = math.inf
    lr: float = 0.1
    l2: float = 0.0
    points: int = 0
    knobs: int = 0
    context: int = 0
    verdict: str = "unknown"
    values: Mapping[str, float] = field(default_factory=dict)
    locked: frozenset[str] = frozenset()
    shown_step: int | None = None
    shown_test_error: float = math.nan
    run_test_min: float = math.inf
    #: the most runners of a race that ran to its end during this task (0: none)
    raced: int = 0
    #: the winning rule of the lesson's last race ("Adam"), and its learning rate
    race_winner: str = ""
    race_winner_lr: float = math.nan
    #: the option picked in this task (a "chose" goal), and the last one picked in the lesson
    chosen: str = ""
    guess: str = ""
    prediction: str = "off"  # Predict's phase: off, guessing, revealing or scored
    prediction_score: float = math.nan  # 0-100 once scored


# -- loading -------------------------------------------------------------------------------
def builtin_dir() -> Path:
    """The folder of the lessons that come with knobsim."""
    return assets_dir() / "lessons"


def load_lessons(folder: str | Path | None = None) -> tuple[list[Lesson], list[LessonError]]:
    """Every ``*.json`` lesson in ``folder`` (default: the built-in ones), by file name.

    Returns
    -------
    lessons : list of Lesson
        The files that loaded, sorted by file name (so ``01-...``, ``02-...`` set the order).
    errors : list of LessonError
        One per file that did not load (bad JSON, an unknown model, a missing field, an id
        used twice, ...). The other lessons are unaffected.
    """
    folder = builtin_dir() if folder is None else Path(folder)
    lessons: list[Lesson] = []
    errors: list[LessonError] = []
    if not folder.is_dir():
        return lessons, [LessonError(folder, "this folder does not exist.")]
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        try:
            lesson = load_lesson(path)
        except LessonFileError as exc:
            errors.append(LessonError(path, str(exc)))
            continue
        if lesson.id in seen:
            errors.append(
                LessonError(
                    path, f"the id {lesson.id!r} is already used by {seen[lesson.id].name}."
                )
            )
            continue
        seen[lesson.id] = path
        lessons.append(lesson)
    return lessons, errors


def load_lesson(path: str | Path) -> Lesson:
    """Read and check one lesson file; raises :class:`LessonFileError` naming the problem."""
    return parse_lesson(read_json(path, MAX_LESSON_BYTES, "a lesson"), Path(path))


def read_json(path: str | Path, max_bytes: int, what: str) -> object:
    """The decoded JSON of a small file (a lesson, a class setup); raises
    :class:`LessonFileError` saying what is wrong with the file."""
    path = Path(path)
    try:
        if path.stat().st_size > max_bytes:
            raise LessonFileError(f"the file is larger than {max_bytes // 1024} KB; is it {what}?")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise LessonFileError("the file is not UTF-8 text.") from None
    except OSError as exc:
        raise LessonFileError(f"the file cannot be read ({exc.strerror or exc}).") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise LessonFileError(
            f"this is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None


def parse_lesson(data: object, path: Path | None = None) -> Lesson:
    """A :class:`Lesson` from decoded JSON; raises :class:`LessonFileError`.

    Besides the structure, the setup is built once (data, model, knobs), so an unknown
    knob or a dataset the model cannot use is reported when the file loads, not later.
    """
    if not isinstance(data, dict):
        raise LessonFileError("a lesson file holds one JSON object { ... }.")
    _no_unknown(data, _LESSON_KEYS, "the lesson")
    fmt = data.get("format", FORMAT)
    if isinstance(fmt, bool) or not isinstance(fmt, int) or fmt < 1:
        raise LessonFileError(f'"format" must be a whole number like {FORMAT}, not {fmt!r}.')
    if fmt > FORMAT:
        raise LessonFileError(
            f"this lesson is written for a newer knobsim (format {fmt}); update knobsim."
        )
    lesson_id = _text(data, "id", "the lesson")
    if not all(ch.isalnum() or ch in "-_" for ch in lesson_id):
        raise LessonFileError(
            f'"id" may hold letters, digits, "-" and "_" only (it is typed after --lesson), '
            f"not {lesson_id!r}."
        )
    title = _text(data, "title", "the lesson")
    text = data.get("text")
    if isinstance(text, str):
        text = [text]
    if not (isinstance(text, list) and text and all(isinstance(t, str) for t in text)):
        raise LessonFileError('"text" is missing: give a paragraph, or a list of paragraphs.')
    if "setup" not in data:
        raise LessonFileError('"setup" is missing: it names at least the "model".')
    setup = parse_setup(data["setup"])
    tasks = data.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        raise LessonFileError(
            '"tasks" is missing: give a list of {"task": "...", "goal": {...}} objects.'
        )
    session = _try_build(setup)
    parsed = tuple(_parse_task(t, f"tasks[{i}]", session) for i, t in enumerate(tasks))
    done = data.get("done", "")
    if not isinstance(done, str):
        raise LessonFileError('"done" must be text (shown when every task is done).')
    return Lesson(
        id=lesson_id,
        title=title,
        text=tuple(t.strip() for t in text),
        setup=setup,
        tasks=parsed,
        done=done.strip(),
        path=path,
    )


def parse_setup(raw: object) -> Setup:
    """A :class:`Setup` from the ``"setup"`` object; raises :class:`LessonFileError`."""
    if not isinstance(raw, dict):
        raise LessonFileError('"setup" must be an object like {"model": "line"}.')
    _no_unknown(raw, tuple(_SETUP_TYPES), "setup")
    values: dict[str, Any] = {}
    for key, kind in _SETUP_TYPES.items():
        if key in raw:
            values[key] = _setup_value(key, kind, raw[key])
    model = values.get("model")
    if model is None:
        raise LessonFileError('setup: "model" is missing; choose one of ' + ", ".join(MODELS) + ".")
    if model not in MODELS:
        raise LessonFileError(f"setup: unknown model {model!r}; choose one of {', '.join(MODELS)}.")
    dataset = values.setdefault("dataset", DEFAULT_DATASET[model])
    if dataset not in COMPATIBLE[model]:
        raise LessonFileError(
            f"setup: the {model} model cannot use the dataset {dataset!r}; "
            f"choose one of {', '.join(COMPATIBLE[model])}."
        )
    optimizer = values.get("optimizer", "gd")
    if optimizer not in OPTIMIZERS:
        raise LessonFileError(
            f"setup: unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}."
        )
    activation = values.get("activation", "tanh")
    if activation not in ACTIVATIONS:
        raise LessonFileError(
            f"setup: unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}."
        )
    for name in values.get("hide", ()):
        if name not in CONTROLS:
            raise LessonFileError(
                f"setup: cannot hide {name!r}; the parts a lesson can hide are "
                f"{', '.join(CONTROLS)}."
            )
    return Setup(**values)


def speed_value(value: object, key: str = "speed") -> str | float | None:
    """A training speed as a file gives it: ``"watch"``, ``"max"`` (None) or steps per
    second; raises :class:`LessonFileError` naming ``key`` otherwise."""
    return _setup_value(key, "speed", value)  # type: ignore[return-value]


def _setup_value(key: str, kind: str, value: object) -> object:
    where = f'setup: "{key}"'
    if kind == "text":
        if not isinstance(value, str) or not value:
            raise LessonFileError(f"{where} must be a name in quotes, not {value!r}.")
        return value
    if kind == "number":
        if not _is_number(value) or value < 0:
            raise LessonFileError(f"{where} must be a number of 0 or more, not {value!r}.")
        if key == "lr" and value == 0:
            raise LessonFileError(f"{where} must be above 0.")
        return float(value)
    if kind == "whole":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise LessonFileError(f"{where} must be a whole number of 0 or more, not {value!r}.")
        return value
    if kind == "hidden":
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, list) and value and all(_is_whole(v) for v in value):
            return ",".join(str(v) for v in value)
        if isinstance(value, str):
            return value
        raise LessonFileError(f'{where} takes unit counts like 8, [4, 2] or "4,2".')
    if kind == "speed":
        if value == "max":
            return None
        if value == "watch":
            return "watch"
        if not _is_number(value) or value <= 0:
            raise LessonFileError(f'{where} is steps per second (a number), "watch" or "max".')
        return float(value)
    if kind == "knobs":
        if not isinstance(value, dict) or not all(_is_number(v) for v in value.values()):
            raise LessonFileError(f'{where} maps knob names to numbers: {{"w": 0, "b": 0}}.')
        return tuple((str(k), float(v)) for k, v in value.items())
    if kind == "names":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise LessonFileError(f'{where} is a list of names in quotes: ["b"].')
        return tuple(value)
    raise AssertionError(kind)  # pragma: no cover


def _parse_task(raw: object, where: str, session: Session) -> Task:
    if not isinstance(raw, dict):
        raise LessonFileError(f'{where} must be an object {{"task": "...", "goal": {{...}}}}.')
    _no_unknown(raw, _TASK_KEYS, where)
    text = _text(raw, "task", where)
    if "goal" not in raw:
        raise LessonFileError(f'{where}: "goal" is missing: say how the app knows it is done.')
    check_goal_syntax(raw["goal"], f"{where}.goal", session.param_names)
    return Task(text=text, goal=raw["goal"])


def check_goal_syntax(goal: object, where: str = "goal", knobs: Sequence[str] = ()) -> None:
    """Raise :class:`LessonFileError` if ``goal`` is not a goal :func:`check_goal` can read.

    ``knobs`` are the knob names of the lesson's model; a goal naming another knob is refused.
    """
    if not isinstance(goal, dict):
        raise LessonFileError(f'{where} must be an object like {{"kind": "diverged"}}.')
    kind = goal.get("kind")
    if kind not in GOAL_FIELDS:
        raise LessonFileError(
            f"{where}: unknown kind {kind!r}; choose one of {', '.join(GOAL_KINDS)}."
        )
    required, optional = GOAL_FIELDS[kind]
    _no_unknown(goal, ("kind", "by_hand", *required, *optional), f"{where} ({kind})")
    for name in required:
        if name not in goal:
            raise LessonFileError(f'{where}: a "{kind}" goal needs "{name}".')
    if not isinstance(goal.get("by_hand", False), bool):
        raise LessonFileError(f'{where}: "by_hand" is true or false.')
    if "what" in goal:
        what = goal["what"]
        if not isinstance(what, str) or not (
            what in QUANTITIES or (what.startswith("knob:") and what[5:])
        ):
            raise LessonFileError(
                f'{where}: "what" is one of {", ".join(QUANTITIES)}, or "knob:NAME"; not {what!r}.'
            )
        if what.startswith("knob:"):
            _known_knob(what[5:], knobs, where)
    for name in ("value", "within", "by", "score"):
        if name in goal and not _is_number(goal[name]):
            raise LessonFileError(f'{where}: "{name}" must be a number, not {goal[name]!r}.')
    if kind == "raced" and "runners" in goal:
        n = goal["runners"]
        if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= 4:
            raise LessonFileError(f'{where}: "runners" is a whole number from 2 to 4, not {n!r}.')
    if kind == "chose":
        options = goal["options"]
        if (
            not isinstance(options, list)
            or not 2 <= len(options) <= MAX_OPTIONS
            or not all(isinstance(o, str) and o.strip() for o in options)
            or len(set(options)) != len(options)
        ):
            raise LessonFileError(
                f'{where}: "options" is a list of 2 to {MAX_OPTIONS} different answers in quotes.'
            )
    if kind == "verdict" and goal["is"] not in VERDICTS:
        raise LessonFileError(f'{where}: "is" is one of {", ".join(VERDICTS)}, not {goal["is"]!r}.')
    if kind == "prediction" and goal["is"] not in PREDICTION_STAGES:
        raise LessonFileError(
            f'{where}: "is" is one of {", ".join(PREDICTION_STAGES)}, not {goal["is"]!r}.'
        )
    if kind == "locked":
        if not isinstance(goal["knob"], str):
            raise LessonFileError(f'{where}: "knob" is a knob name in quotes.')
        _known_knob(goal["knob"], knobs, where)
    if kind in ("all_of", "any_of"):
        goals = goal["goals"]
        if not isinstance(goals, list) or not goals:
            raise LessonFileError(f'{where}: "goals" is a list of one or more goals.')
        for i, sub in enumerate(goals):
            check_goal_syntax(sub, f"{where}.goals[{i}]", knobs)


def _known_knob(name: str, knobs: Sequence[str], where: str) -> None:
    if knobs and name not in knobs:
        raise LessonFileError(f"{where}: the lesson's model has no knob {name!r}.")


def _try_build(setup: Setup) -> Session:
    try:
        return build_session(setup)
    except ValueError as exc:
        raise LessonFileError(f"setup: {str(exc).rstrip('.')}.") from None


def _no_unknown(raw: Mapping[str, object], known: Sequence[str], where: str) -> None:
    unknown = [k for k in raw if k not in known]
    if unknown:
        raise LessonFileError(
            f"{where}: unknown field {unknown[0]!r}; the fields are {', '.join(known)}."
        )


def _text(raw: Mapping[str, object], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LessonFileError(f'{where}: "{key}" is missing (it is text in quotes).')
    return value.strip()


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def find_lesson(lessons: Sequence[Lesson], name: str) -> Lesson | None:
    """The lesson called ``name``: its id (any case), or its number in the list (1, 2, ...)."""
    key = name.strip().lower()
    for lesson in lessons:
        if lesson.id.lower() == key:
            return lesson
    if key.isdigit() and 1 <= int(key) <= len(lessons):
        return lessons[int(key) - 1]
    return None


# -- setting up --------------------------------------------------------------------------
def build_session(setup: Setup) -> Session:
    """The session a lesson starts from: its data, model, optimizer, knob values and locks.

    Raises
    ------
    ValueError
        A setup that cannot be built; the message says why.
    """
    return session_for(
        setup.model,
        setup.dataset,
        noise=setup.noise,
        points=setup.points,
        seed=setup.seed,
        optimizer=setup.optimizer,
        lr=setup.lr,
        batch_size=setup.batch_size,
        degree=setup.degree,
        hidden=setup.hidden,
        activation=setup.activation,
        l2=setup.l2,
        context=setup.context,
        knobs=setup.knobs,
        locked=setup.locked,
    )


# -- goals -----------------------------------------------------------------------------
def snapshot(
    session: Session,
    *,
    steps: int = 0,
    diverged: bool = False,
    test_min: float = math.inf,
    training: bool = False,
    shown: Session | None = None,
    raced: int = 0,
    prediction: str = "off",
    prediction_score: float = math.nan,
    race_winner: tuple[str, float] = ("", math.nan),
    chosen: str = "",
    guess: str = "",
) -> LessonState:
    """A :class:`LessonState` of ``session``; the task counters come from the caller.

    ``training`` says whether training runs now; the verdict reads it as the window's
    verdict box does (:func:`~knobsim.core.capacity.diagnosis.diagnose_session`). ``shown`` is the
    session as it was at the step the scrub bar looks back at (``Session.view_at``), if any.
    ``prediction`` and ``prediction_score`` are Predict's phase and score.
    """
    d, model, theta = session.dataset, session.model, session.params
    train = model.data_loss(theta, d.X_train, d.y_train)
    test = model.data_loss(theta, d.X_test, d.y_test)
    kind = diagnose_session(session, training=training).kind
    return LessonState(
        train_error=float(train),
        test_error=float(test),
        steps=int(steps),
        step_count=int(session.step_count),
        diverged=bool(diverged),
        test_min=float(min(test_min, test)),
        lr=float(session.config.lr),
        l2=float(model.l2),
        points=int(d.n_train),
        knobs=int(model.n_params),
        context=int(model.context) if isinstance(model, WordModel) else 0,
        verdict=kind,
        values=session.as_dict(),
        locked=frozenset(session.param_names[i] for i in session.locked),
        shown_step=None if shown is None else int(shown.step_count),
        shown_test_error=math.nan if shown is None else float(shown.test_loss),
        run_test_min=_lowest(session.history.test),
        raced=int(raced),
        race_winner=race_winner[0],
        race_winner_lr=float(race_winner[1]),
        chosen=chosen,
        guess=guess,
        prediction=prediction,
        prediction_score=float(prediction_score),
    )


def _lowest(values: Sequence[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return min(finite) if finite else math.inf


def quantity(state: LessonState, what: str) -> float | None:
    """The number a goal's ``"what"`` names, or None (a knob the model does not have)."""
    if what.startswith("knob:"):
        return state.values.get(what[5:])
    value = getattr(state, what, None) if what in QUANTITIES else None
    return None if value is None else float(value)


def check_goal(goal: Mapping[str, Any], state: LessonState) -> bool:
    """True when ``state`` meets ``goal`` (see :data:`GOAL_FIELDS` and docs/lessons.md).

    Parameters
    ----------
    goal : mapping
        ``{"kind": ..., ...}``, checked by :func:`check_goal_syntax`. ``"by_hand": true``
        on any goal adds "and no optimizer step since the last Reset".
    state : LessonState
    """
    if goal.get("by_hand") and state.step_count > 0:
        return False
    kind = goal["kind"]
    if kind in ("at_most", "at_least", "near"):
        value = quantity(state, goal["what"])
        if value is None or not math.isfinite(value):
            return False
        target = float(goal["value"])
        if kind == "at_most":
            return value <= target
        if kind == "at_least":
            return value >= target
        return abs(value - target) <= float(goal.get("within", DEFAULT_WITHIN))
    if kind == "verdict":
        return state.verdict == goal["is"]
    if kind == "diverged":
        return state.diverged
    if kind == "test_error_rising":
        rise = float(goal.get("by", DEFAULT_RISE))
        return (
            state.steps > 0
            and math.isfinite(state.test_min)
            and state.test_error >= (1.0 + rise) * state.test_min
        )
    if kind == "locked":
        return goal["knob"] in state.locked
    if kind == "looked_back":
        return state.shown_step is not None
    if kind == "looked_back_to_lowest_test":
        within = float(goal.get("within", DEFAULT_LOOK_WITHIN))
        return (
            state.shown_step is not None
            and math.isfinite(state.run_test_min)
            and state.shown_test_error <= (1.0 + within) * state.run_test_min
        )
    if kind == "raced":
        return state.raced >= int(goal.get("runners", DEFAULT_RUNNERS))
    if kind == "prediction":
        return state.prediction in PREDICTION_STAGES[goal["is"]] and (
            "score" not in goal or state.prediction_score >= float(goal["score"])
        )
    if kind == "chose":
        return state.chosen in goal["options"]
    if kind == "all_of":
        return all(check_goal(g, state) for g in goal["goals"])
    if kind == "any_of":
        return any(check_goal(g, state) for g in goal["goals"])
    raise ValueError(f"Unknown goal kind {kind!r}.")


def goal_status(goal: Mapping[str, Any], state: LessonState) -> str:
    """Where a person stands on ``goal``, in plain words: one line per condition."""
    parts = _status_parts(goal, state)
    if goal.get("by_hand") and state.step_count > 0:
        parts.append("Train turned the knobs: press Reset and use your hands")
    return "\n".join(parts)


def _status_parts(goal: Mapping[str, Any], state: LessonState) -> list[str]:
    kind = goal["kind"]
    ok = check_goal({**goal, "by_hand": False}, state)
    mark = "✓ " if ok else ""
    if kind in ("at_most", "at_least", "near"):
        what = goal["what"]
        label = f"knob {what[5:]}" if what.startswith("knob:") else QUANTITIES[what]
        value = quantity(state, what)
        now = "—" if value is None else _num(value)
        wanted = {
            "at_most": f"at most {_num(goal['value'])}",
            "at_least": f"at least {_num(goal['value'])}",
            "near": f"{_num(goal['value'])} ± {_num(goal.get('within', DEFAULT_WITHIN))}",
        }[kind]
        return [f"{mark}{label} {now} (goal: {wanted})"]
    if kind == "verdict":
        now = VERDICTS.get(state.verdict, "not judged yet")
        return [f"{mark}verdict: {now} (goal: {VERDICTS[goal['is']]})"]
    if kind == "diverged":
        return ["✓ training exploded" if ok else "training has not exploded yet"]
    if kind == "test_error_rising":
        if not math.isfinite(state.test_min) or state.steps == 0:
            return ["test error: not trained yet"]
        rise = state.test_error / state.test_min - 1.0 if state.test_min > 0 else 0.0
        goal_rise = float(goal.get("by", DEFAULT_RISE))
        return [f"{mark}test error {rise:+.0%} from its lowest (goal: +{goal_rise:.0%})"]
    if kind == "locked":
        knob = goal["knob"]
        return [f"✓ {knob} is locked" if ok else f"{knob} is not locked"]
    if kind == "looked_back":
        if state.shown_step is None:
            return ["showing now: drag the bar under the error plot back"]
        return [f"✓ looking back at step {state.shown_step:,}"]
    if kind == "prediction":
        if goal["is"] == "made":
            return ["✓ your guess is out" if ok else "press Predict and drag the ghost knobs"]
        if state.prediction != "scored":
            return ["press Train, then wait for the score"]
        wanted = f" (goal: {_num(goal['score'])})" if "score" in goal else ""
        return [f"{mark}your guess scored {_num(state.prediction_score)}{wanted}"]
    if kind == "looked_back_to_lowest_test":
        lowest = _num(state.run_test_min)
        if state.shown_step is None:
            return [f"showing now: drag the bar under the error plot back (lowest test {lowest})"]
        return [
            f"{mark}step {state.shown_step:,}: test error {_num(state.shown_test_error)} "
            f"(lowest in the run: {lowest})"
        ]
    if kind == "raced":
        runners = int(goal.get("runners", DEFAULT_RUNNERS))
        won = ""
        if state.race_winner:
            won = f"{state.race_winner} {_num(state.race_winner_lr)} won"
            if state.guess:
                right = state.guess == state.race_winner
                won += f" (your guess: {state.guess}{', right' if right else ''})"
        if ok:
            return [f"✓ a race of {state.raced} runners finished" + (f": {won}" if won else "")]
        wait = f"no race of {runners} runners yet: Training › Race optimizers…, then Start"
        return [f"last race: {won}", wait] if won else [wait]
    if kind == "chose":
        if ok:
            return [f"✓ your guess: {state.chosen}"]
        return ["pick your guess above: " + " or ".join(goal["options"])]
    if kind == "all_of":
        return [p for g in goal["goals"] for p in _status_parts(g, state)]
    if kind == "any_of":
        return [" or ".join(p for g in goal["goals"] for p in _status_parts(g, state))]
    return []


def task_note(goal: Mapping[str, Any], state: LessonState) -> str:
    """What a person answered or saw when ``goal`` was met, in words for a teacher's
    record: the guess picked, a race's winner, a prediction's score ("" for other goals)."""
    kind = goal["kind"]
    if kind == "chose":
        return f"guessed {state.chosen}"
    if kind == "raced" and state.race_winner:
        won = f"{state.race_winner} {_num(state.race_winner_lr)} won the race"
        return won + (f" (the guess was {state.guess})" if state.guess else "")
    if kind == "prediction" and state.prediction == "scored":
        return f"the prediction scored {_num(state.prediction_score)} out of 100"
    if kind in ("all_of", "any_of"):
        return "; ".join(n for g in goal["goals"] if (n := task_note(g, state)))
    return ""


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "—"
    if x == int(x) and abs(x) < 1e6:
        return f"{int(x):,}"
    return f"{x:.3g}"
