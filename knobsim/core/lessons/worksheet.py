"""A printable worksheet for a lesson, made from its lesson file: the title, the lesson's
text, each task as a question with ruled lines to answer on, a prediction before and a
question after. HTML only; nothing here imports Qt.
"""

from __future__ import annotations

from html import escape

from knobsim.core.lessons.lesson import Lesson

#: ruled lines under each question
ANSWER_LINES = 3
PREDICT = (
    "Before you start: what do you think will happen to the error as the knobs turn? "
    "Write your guess."
)
AFTER = "In your own words: what did this lesson show you?"

_STYLE = """
body { font-family: sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.5em; margin-bottom: 0.3em; }
.who { margin-bottom: 1.2em; }
.q { margin-top: 1.2em; font-weight: bold; }
hr { border: none; border-top: 1px solid #888; margin: 1.6em 0 0 0; }
"""


def worksheet_html(lesson: Lesson, number: int = 0) -> str:
    """One printable HTML page for ``lesson`` (``number``: its place in the list, 0 = none).

    Each task becomes a numbered question followed by :data:`ANSWER_LINES` ruled lines;
    a prediction comes first and a question on what the lesson showed comes last. Every
    text is escaped.
    """
    head = f"Lesson {number}: {lesson.title}" if number else lesson.title
    questions = [PREDICT, *(task.text for task in lesson.tasks), AFTER]
    lines = "<hr>" * ANSWER_LINES
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(head)}: worksheet</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(head)}</h1>",
        '<p class="who">Name: ______________________ &nbsp; Date: ____________</p>',
        *(f"<p>{escape(p)}</p>" for p in lesson.text),
    ]
    for i, text in enumerate(questions, 1):
        parts.append(f'<p class="q">{i}. {escape(text)}</p>{lines}')
    parts.append("</body></html>")
    return "\n".join(parts)


__all__ = ["worksheet_html"]
