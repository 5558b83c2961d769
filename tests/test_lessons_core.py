"""Lesson files and goals, headless: loading, every kind of broken file, check_goal."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from knobsim.core.lessons.lesson import (
    GOAL_KINDS,
    LessonFileError,
    LessonState,
    Setup,
    build_session,
    builtin_dir,
    check_goal,
    check_goal_syntax,
    find_lesson,
    goal_status,
    load_lesson,
    load_lessons,
    parse_lesson,
    snapshot,
    task_note,
)

MINIMAL = {
    "id": "mine",
    "title": "My lesson",
    "text": "A line has two knobs.",
    "setup": {"model": "line"},
    "tasks": [{"task": "Press Train.", "goal": {"kind": "at_least", "what": "steps", "value": 1}}],
}


def write(folder, name, data) -> None:
    text = data if isinstance(data, str) else json.dumps(data)
    (folder / name).write_text(text, encoding="utf-8")


def state(**changes) -> LessonState:
    base = {"train_error": 0.3, "test_error": 0.3, "values": {"w": 0.5, "b": 0.0}}
    return LessonState(**{**base, **changes})


# -- the built-in lessons --------------------------------------------------------------------
def test_builtin_lessons_load_in_order_without_errors():
    lessons, errors = load_lessons()
    assert errors == []
    assert [lesson.id for lesson in lessons] == [
        "knobs",
        "train",
        "step-size",
        "memory",
        "underfit",
        "overfit",
        "next-word",
        "predict",
        "race",
        "word-map",
    ]
    for lesson in lessons:
        assert lesson.title and lesson.text and lesson.tasks and lesson.done
        assert lesson.path is not None and lesson.path.parent == builtin_dir()


def test_builtin_lessons_are_not_met_at_their_start():
    # a goal that is already true when the lesson opens would teach nothing
    for lesson in load_lessons()[0]:
        session = build_session(lesson.setup)
        assert not check_goal(lesson.tasks[0].goal, snapshot(session)), lesson.id


def test_find_lesson_by_id_or_number():
    lessons, _ = load_lessons()
    assert find_lesson(lessons, "overfit").id == "overfit"
    assert find_lesson(lessons, "OVERFIT").id == "overfit"
    assert find_lesson(lessons, "1").id == "knobs"
    assert find_lesson(lessons, "7").id == "next-word"
    assert find_lesson(lessons, "8").id == "predict"
    assert find_lesson(lessons, "9").id == "race"
    assert find_lesson(lessons, "10").id == "word-map"
    assert find_lesson(lessons, "11") is None
    assert find_lesson(lessons, "nope") is None


def test_setup_builds_the_session_it_describes():
    setup = Setup(
        model="poly",
        dataset="cubic",
        degree=3,
        points=20,
        noise=0.05,
        seed=4,
        optimizer="adam",
        lr=0.03,
        l2=0.01,
        knobs=(("c3", 1.5),),
        locked=("c0",),
    )
    s = build_session(setup)
    assert s.model.name == "poly" and s.model.degree == 3 and s.model.l2 == 0.01
    assert s.dataset.name == "cubic" and s.dataset.n_train == 20 and s.dataset.noise == 0.05
    assert s.config.name == "adam" and s.config.lr == 0.03
    assert s.value("c3") == 1.5 and s.is_locked("c0") and not s.is_locked("c3")
    assert s.step_count == 0 and len(s.history.steps) == 1  # one point at the start


# -- broken files ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "x", "title": ', "not valid JSON"),
        ("[1, 2]", "one JSON object"),
        ({**MINIMAL, "setup": {"model": "rocket"}}, "unknown model 'rocket'"),
        ({**MINIMAL, "setup": {}}, '"model" is missing'),
        ({k: v for k, v in MINIMAL.items() if k != "title"}, '"title" is missing'),
        ({k: v for k, v in MINIMAL.items() if k != "tasks"}, '"tasks" is missing'),
        ({k: v for k, v in MINIMAL.items() if k != "setup"}, '"setup" is missing'),
        ({**MINIMAL, "titel": "typo"}, "unknown field 'titel'"),
        ({**MINIMAL, "setup": {"model": "line", "nosie": 0.1}}, "unknown field 'nosie'"),
        ({**MINIMAL, "setup": {"model": "line", "dataset": "xor"}}, "cannot use the dataset"),
        ({**MINIMAL, "setup": {"model": "line", "knobs": {"c7": 1}}}, "no knob 'c7'"),
        ({**MINIMAL, "setup": {"model": "line", "hide": ["everything"]}}, "cannot hide"),
        ({**MINIMAL, "setup": {"model": "line", "lr": -1}}, '"lr" must be a number'),
        ({**MINIMAL, "id": "has space"}, '"id" may hold'),
        ({**MINIMAL, "format": 99}, "newer knobsim"),
        ({**MINIMAL, "tasks": [{"task": "x", "goal": {"kind": "win"}}]}, "unknown kind 'win'"),
        ({**MINIMAL, "tasks": [{"task": "x"}]}, '"goal" is missing'),
        (
            {**MINIMAL, "tasks": [{"task": "x", "goal": {"kind": "at_most", "what": "fun"}}]},
            'needs "value"',
        ),
        (
            {
                **MINIMAL,
                "tasks": [{"task": "x", "goal": {"kind": "at_most", "what": "fun", "value": 1}}],
            },
            '"what" is one of',
        ),
        (
            {
                **MINIMAL,
                "tasks": [
                    {
                        "task": "x",
                        "goal": {"kind": "all_of", "goals": [{"kind": "locked", "knob": "q"}]},
                    }
                ],
            },
            "tasks[0].goal.goals[0]: the lesson's model has no knob 'q'",
        ),
    ],
)
def test_a_broken_file_is_reported_with_its_problem(tmp_path, content, message):
    write(tmp_path, "broken.json", content)
    with pytest.raises(LessonFileError, match=None) as info:
        load_lesson(tmp_path / "broken.json")
    assert message in str(info.value)


def test_a_folder_with_one_broken_lesson_loads_the_others(tmp_path):
    write(tmp_path, "01-good.json", MINIMAL)
    write(tmp_path, "02-broken.json", {**MINIMAL, "id": "b", "setup": {"model": "rocket"}})
    write(tmp_path, "03-also-good.json", {**MINIMAL, "id": "other"})
    write(tmp_path, "04-same-id.json", MINIMAL)
    write(tmp_path, "notes.txt", "not a lesson")
    lessons, errors = load_lessons(tmp_path)
    assert [lesson.id for lesson in lessons] == ["mine", "other"]
    assert [e.path.name for e in errors] == ["02-broken.json", "04-same-id.json"]
    assert str(errors[0]).startswith("02-broken.json: setup: unknown model 'rocket'")
    assert "already used by 01-good.json" in str(errors[1])


def test_a_missing_folder_is_one_error(tmp_path):
    lessons, errors = load_lessons(tmp_path / "nowhere")
    assert lessons == [] and len(errors) == 1 and "does not exist" in errors[0].message


def test_text_may_be_one_string_or_paragraphs():
    one = parse_lesson(MINIMAL)
    many = parse_lesson({**MINIMAL, "text": ["First.", "Second."]})
    assert one.text == ("A line has two knobs.",) and many.text == ("First.", "Second.")


# -- goals ---------------------------------------------------------------------------------------
def test_every_goal_kind_is_covered_below():
    covered = {"at_most", "at_least", "near", "verdict", "diverged", "test_error_rising"}
    covered |= {"locked", "all_of", "any_of", "looked_back", "looked_back_to_lowest_test"}
    covered |= {"prediction"}
    covered |= {"raced", "chose"}
    assert set(GOAL_KINDS) == covered


def test_a_choice_goal_is_met_by_picking_one_of_its_answers_and_a_race_says_who_won():
    goal = {"kind": "chose", "options": ["Gradient descent", "Momentum", "Adam"]}
    check_goal_syntax(goal)
    assert not check_goal(goal, state())
    assert "Momentum or Adam" in goal_status(goal, state())
    assert check_goal(goal, state(chosen="Adam"))
    assert goal_status(goal, state(chosen="Adam")) == "✓ your guess: Adam"
    for bad in (["one"], ["a", "a"], ["a", ""], "a,b", [1, 2], ["a"] * 7):
        with pytest.raises(LessonFileError, match="options"):
            check_goal_syntax({"kind": "chose", "options": bad})
    race = {"kind": "raced", "runners": 3}
    won = {"raced": 3, "race_winner": "Adam", "race_winner_lr": 0.02}
    assert goal_status(race, state(**won)) == "✓ a race of 3 runners finished: Adam 0.02 won"
    assert goal_status(race, state(**won, guess="Adam")).endswith("(your guess: Adam, right)")
    assert goal_status(race, state(**won, guess="Momentum")).endswith("(your guess: Momentum)")
    # what a teacher's record says of each
    assert task_note(goal, state(chosen="Adam")) == "guessed Adam"
    assert task_note(race, state(**won, guess="Momentum")) == (
        "Adam 0.02 won the race (the guess was Momentum)"
    )
    made = {"kind": "prediction", "is": "revealed"}
    assert task_note(made, state(prediction="scored", prediction_score=62)) == (
        "the prediction scored 62 out of 100"
    )
    assert task_note({"kind": "all_of", "goals": [made, race]}, state(**won)) == (
        "Adam 0.02 won the race"
    )
    assert task_note({"kind": "diverged"}, state()) == ""


def test_a_race_goal_needs_a_race_of_that_many_runners_run_to_its_end():
    goal = {"kind": "raced", "runners": 3}
    assert not check_goal(goal, state())
    assert not check_goal(goal, state(raced=2))
    assert check_goal(goal, state(raced=3)) and check_goal(goal, state(raced=4))
    assert check_goal({"kind": "raced"}, state(raced=3))  # three by default
    assert "Race optimizers" in goal_status(goal, state())
    assert goal_status(goal, state(raced=3)).startswith("✓")
    for bad in (1, 5, 2.5, "3", True):
        with pytest.raises(LessonFileError, match="runners"):
            check_goal_syntax({"kind": "raced", "runners": bad})


def test_comparisons_and_by_hand():
    goal = {"kind": "at_most", "what": "train_error", "value": 0.05}
    assert not check_goal(goal, state(train_error=0.06))
    assert check_goal(goal, state(train_error=0.05))
    by_hand = {**goal, "by_hand": True}
    assert check_goal(by_hand, state(train_error=0.01, step_count=0))
    assert not check_goal(by_hand, state(train_error=0.01, step_count=3))
    assert "press Reset" in goal_status(by_hand, state(train_error=0.01, step_count=3))
    assert check_goal({"kind": "at_least", "what": "lr", "value": 1}, state(lr=2.0))
    assert not check_goal({"kind": "at_least", "what": "lr", "value": 1}, state(lr=0.5))
    nan = state(train_error=math.nan)
    assert not check_goal(goal, nan)


def test_knob_goals():
    near = {"kind": "near", "what": "knob:w", "value": 0.0, "within": 0.1}
    assert not check_goal(near, state())
    assert check_goal(near, state(values={"w": 0.05}))
    assert not check_goal(near, state(values={"b": 0.0}))  # no knob w: not met
    locked = {"kind": "locked", "knob": "b"}
    assert check_goal(locked, state(locked=frozenset({"b"})))
    assert not check_goal(locked, state())
    assert "b is not locked" in goal_status(locked, state())


def test_prediction_goals_follow_predicts_phase_and_score():
    made, revealed = {"kind": "prediction", "is": "made"}, {"kind": "prediction", "is": "revealed"}
    good = {**revealed, "score": 80}
    assert not check_goal(made, state())
    assert "press Predict" in goal_status(made, state())
    for phase in ("guessing", "revealing", "scored"):
        assert check_goal(made, state(prediction=phase))
    assert not check_goal(revealed, state(prediction="revealing"))
    assert "press Train" in goal_status(revealed, state(prediction="revealing"))
    assert check_goal(revealed, state(prediction="scored", prediction_score=12))
    assert not check_goal(good, state(prediction="scored", prediction_score=79))
    assert check_goal(good, state(prediction="scored", prediction_score=80))
    assert "your guess scored 79 (goal: 80)" in goal_status(
        good, state(prediction="scored", prediction_score=79)
    )
    with pytest.raises(LessonFileError, match='"is" is one of made, revealed'):
        check_goal_syntax({"kind": "prediction", "is": "guessed"})
    with pytest.raises(LessonFileError, match='"score" must be a number'):
        check_goal_syntax({**revealed, "score": "high"})


def test_verdict_diverged_and_rising():
    assert check_goal({"kind": "verdict", "is": "overfit"}, state(verdict="overfit"))
    assert not check_goal({"kind": "verdict", "is": "overfit"}, state(verdict="good"))
    assert check_goal({"kind": "diverged"}, state(diverged=True))
    assert not check_goal({"kind": "diverged"}, state())
    rising = {"kind": "test_error_rising", "by": 0.5}
    assert check_goal(rising, state(test_error=0.31, test_min=0.2, steps=10))
    assert not check_goal(rising, state(test_error=0.29, test_min=0.2, steps=10))
    assert not check_goal(rising, state(test_error=0.31, test_min=0.2, steps=0))
    assert "+55%" in goal_status(rising, state(test_error=0.31, test_min=0.2, steps=10))


def test_looking_back():
    goal = {"kind": "looked_back"}
    assert not check_goal(goal, state())
    assert "drag the bar" in goal_status(goal, state())
    assert check_goal(goal, state(shown_step=12))
    assert "✓ looking back at step 12" in goal_status(goal, state(shown_step=12))


def test_looking_back_to_the_lowest_test_error():
    goal = {"kind": "looked_back_to_lowest_test", "within": 0.1}
    assert not check_goal(goal, state(run_test_min=0.2))  # showing now
    assert "drag the bar" in goal_status(goal, state(run_test_min=0.2))
    assert check_goal(goal, state(shown_step=40, shown_test_error=0.21, run_test_min=0.2))
    assert not check_goal(goal, state(shown_step=400, shown_test_error=0.3, run_test_min=0.2))
    assert "step 40: test error 0.21" in goal_status(
        goal, state(shown_step=40, shown_test_error=0.21, run_test_min=0.2)
    )
    # from a real run that overfits: the step with the lowest test error meets it, the end not
    lessons, _ = load_lessons()
    s = build_session(find_lesson(lessons, "overfit").setup)
    s.step(3000, record_every=10)
    steps = s.timeline.steps
    tests = [s.view_at(int(k)).test_loss for k in steps]
    best, last = int(steps[int(np.argmin(tests))]), int(steps[-2])
    assert check_goal(goal, snapshot(s, shown=s.view_at(best)))
    assert not check_goal(goal, snapshot(s, shown=s.view_at(last)))
    assert not check_goal(goal, snapshot(s))


def test_all_of_and_any_of():
    low = {"kind": "at_most", "what": "train_error", "value": 0.1}
    fast = {"kind": "at_least", "what": "lr", "value": 1}
    assert not check_goal({"kind": "all_of", "goals": [low, fast]}, state(train_error=0.01))
    assert check_goal({"kind": "any_of", "goals": [low, fast]}, state(train_error=0.01))
    assert check_goal({"kind": "all_of", "goals": [low, fast]}, state(train_error=0.01, lr=1))
    text = goal_status({"kind": "all_of", "goals": [low, fast]}, state(train_error=0.01))
    assert "✓ training error 0.01" in text and "learning rate 0.1 (goal: at least 1)" in text


def test_snapshot_reads_the_session():
    s = build_session(Setup(model="line", dataset="linear", knobs=(("w", 0.0), ("b", 0.0))))
    before = snapshot(s)
    assert before.step_count == 0 and before.verdict == "untrained"
    assert before.values == {"w": 0.0, "b": 0.0} and before.knobs == 2 and before.points == 30
    s.step(200)
    after = snapshot(s, steps=200, test_min=before.test_error)
    assert after.train_error < before.train_error and after.verdict == "good"
    assert after.test_min == min(before.test_error, after.test_error)
    assert np.isclose(after.train_error, s.train_loss)  # no L2 here: the same number


def test_the_example_in_the_docs_is_a_working_lesson(tmp_path):
    doc = Path(__file__).resolve().parent.parent / "docs" / "lessons.md"
    if not doc.exists():
        pytest.skip(f"no source checkout with {doc}")
    text = doc.read_text(encoding="utf-8")
    example = text.split("```json\n", 1)[1].split("```", 1)[0]
    (tmp_path / "slope.json").write_text(example, encoding="utf-8")
    lesson = load_lesson(tmp_path / "slope.json")
    session = build_session(lesson.setup)
    goal = lesson.tasks[0].goal
    assert not check_goal(goal, snapshot(session))
    x, y = session.dataset.X_train[:, 0], session.dataset.y_train
    session.set_param("w", float(np.polyfit(x, y, 1)[0]))  # the best slope; b stays locked
    assert check_goal(goal, snapshot(session))
