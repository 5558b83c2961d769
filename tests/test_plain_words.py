"""Plain words: every lesson reads at a primary-school level (Flesch-Kincaid grade, in
short sentences), and the glossary explains each term a learner meets, as plainly."""

from __future__ import annotations

import pytest
from readability import reading, syllables

from knobsim.core.lessons.glossary import WORDS, explain, terms_in
from knobsim.core.lessons.lesson import load_lessons

#: the bar: a text a 12-year-old reads easily (US grade 6), sentences of 14 words or
#: fewer on average; each glossary line, which must name the idea, up to grade 8
LESSON_GRADE = 6.0
LESSON_WORDS_PER_SENTENCE = 14.0
GLOSSARY_GRADE = 8.0

LESSONS, ERRORS = load_lessons()


def _all_text(lesson) -> str:
    return "\n".join([*lesson.text, *(t.text for t in lesson.tasks), lesson.done])


def test_the_built_in_lessons_load():
    assert not ERRORS and len(LESSONS) >= 7


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.id for lesson in LESSONS])
def test_every_lesson_reads_at_the_bar(lesson):
    r = reading(_all_text(lesson))
    assert r.grade <= LESSON_GRADE, f"{lesson.id}: grade {r.grade:.1f}"
    assert r.words_per_sentence <= LESSON_WORDS_PER_SENTENCE, (
        f"{lesson.id}: {r.words_per_sentence:.1f} words a sentence"
    )


@pytest.mark.parametrize("term", sorted(WORDS))
def test_every_glossary_line_is_plain(term):
    assert reading(WORDS[term]).grade <= GLOSSARY_GRADE, (term, reading(WORDS[term]).grade)


def test_the_measure_tells_hard_from_easy_text():
    hard = (
        "Regularization penalizes parameter magnitudes, attenuating the variance "
        "attributable to idiosyncratic fluctuations within the training observations."
    )
    easy = "The knob turns. The line moves. The error goes down."
    assert reading(hard).grade > 15 > LESSON_GRADE > reading(easy).grade
    assert [syllables(w) for w in ("knob", "rate", "little", "error", "parameter")] == [
        1, 1, 2, 2, 4,
    ]  # fmt: skip


def test_the_terms_the_issue_names_are_explained():
    for term in (
        "mean squared error", "cross-entropy", "l2", "learning rate", "batch",
        "verdict", "parameter", "overfitting",
    ):  # fmt: skip
        assert term in WORDS


def test_terms_are_found_in_screen_text_longest_first():
    assert terms_in("Error (mean squared error)") == ["mean squared error"]
    assert terms_in("train and test error, Batch size, L2") == ["test error", "batch", "l2"]
    assert terms_in("Gradient descent (full batch)") == ["gradient descent", "batch"]
    assert terms_in("errors") == []  # whole words only
    assert explain("Learning rate").startswith("learning rate: How big a step")
    assert explain("nothing here") == ""
