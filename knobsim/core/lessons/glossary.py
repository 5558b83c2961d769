"""The words a learner meets in knobsim, each in one plain line. Nothing here imports Qt.

The window shows them on hover over any label, button or heading that uses the word, and
all together in Help › Words. Each line is short and uses everyday words (the tests hold
the lines to the same reading level as the lessons).
"""

from __future__ import annotations

import re

#: term -> one line a twelve-year-old can read. Alternative spellings map in ALIASES.
WORDS: dict[str, str] = {
    "activation": "The bend a hidden unit puts into the signal it passes on.",
    "adam": "An optimizer that sizes each knob's steps by how much that knob has moved.",
    "batch": "The handful of training points one step looks at.",
    "bias": "A knob that shifts a unit's output up or down, whatever comes in.",
    "capacity": "How many knobs a model has: how much it can bend to fit the data.",
    "context": "The words the next-word model reads before it guesses the next one.",
    "converged": "Training has stopped getting better: the knobs have stopped moving.",
    "cross-entropy": (
        "The error for guesses with chances: small when the right answer got a high chance."
    ),
    "error": "How wrong the model is on the points, on average. Smaller is better.",
    "gradient": "Which way and how steeply each knob makes the error go up.",
    "gradient descent": "Turning each knob a bit downhill, step after step.",
    "hidden layer": "A row of units between input and output that a network makes up.",
    "knob": "One number inside the model that you, or training, can turn.",
    "l2": "A gentle pull of every knob back towards zero, to keep the fit calm.",
    "learning rate": "How big a step training takes each time. Too big, and it jumps away.",
    "loss landscape": "A map of the error for every setting of two knobs. Dark is low.",
    "mean squared error": "Take each point's miss, square it, and average: the error for curves.",
    "momentum": "An optimizer that keeps some speed from its last steps, like a rolling ball.",
    "optimizer": "The rule that turns the knobs from the slope of the error.",
    "overfitting": "So many knobs that the model learns the noise: test error goes up.",
    "parameter": "Another word for a knob: a number the model learns from data.",
    "safe learning rate": "The largest step size that does not make training blow up.",
    "sgd": "Gradient descent that looks at a small random batch of points each step.",
    "softmax": "Turns a row of scores into chances that add up to one.",
    "step": "One turn of all the knobs by the optimizer.",
    "temperature": "How adventurous the word picker is: low picks the likely word.",
    "test error": "The error on points held back from training: how well the model guesses.",
    "training error": "The error on the points the model learns from.",
    "underfitting": "Too few knobs to follow the data: both errors stay high.",
    "verdict": "knobsim's short reading of the two errors: underfit, good fit or overfit.",
    "weight": "A knob on a wire: how strongly one unit's signal counts in the next.",
}

#: other ways the same words are written on screen
ALIASES: dict[str, str] = {
    "parameters": "parameter",
    "knobs": "knob",
    "weights": "weight",
    "biases": "bias",
    "batch size": "batch",
    "mini-batch": "batch",
    "l2 regularization": "l2",
    "overfit": "overfitting",
    "underfit": "underfitting",
    "hidden layers": "hidden layer",
    "steps": "step",
    "train error": "training error",
}

_ALL = {**{w: w for w in WORDS}, **ALIASES}
# longest first, so "test error" wins over "error" and "gradient descent" over "gradient"
_PATTERN = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(w) for w in sorted(_ALL, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)


def terms_in(text: str) -> list[str]:
    """The glossary terms ``text`` uses, in the order they first appear, each once; a
    word that is part of a longer term also found ("error" in "test error") is left out."""
    seen: list[str] = []
    for match in _PATTERN.finditer(text or ""):
        term = _ALL[match.group(1).lower()]
        if term not in seen:
            seen.append(term)
    return [t for t in seen if not any(t != o and t in o.split() for o in seen)]


def explain(text: str) -> str:
    """One line per glossary term in ``text``: ``"learning rate: How big a step..."``;
    empty when it uses none."""
    return "\n".join(f"{term}: {WORDS[term]}" for term in terms_in(text))
