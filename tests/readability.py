"""How hard a text is to read: the Flesch-Kincaid grade level (the lessons' bar, in
tests/test_plain_words.py; a test instrument, not part of the app).

Grade = 0.39 (words per sentence) + 11.8 (syllables per word) - 15.59: roughly the school
year (US grade) a reader needs. Syllables are counted by the usual rule of thumb (groups
of vowels, a silent final e), which is within one syllable for most English words; it is
a measure for keeping lesson texts short and plain, not an exact one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENTENCE_END = re.compile(r"[.!?:;]+(?:\s|$)|\n+")


@dataclass(frozen=True)
class Reading:
    words: int
    sentences: int
    syllables: int

    @property
    def words_per_sentence(self) -> float:
        return self.words / max(self.sentences, 1)

    @property
    def grade(self) -> float:
        """The Flesch-Kincaid grade level (0 for an empty text)."""
        if not self.words:
            return 0.0
        return 0.39 * self.words_per_sentence + 11.8 * self.syllables / self.words - 15.59


def syllables(word: str) -> int:
    """Syllables in one English word, by the rule of thumb (at least 1)."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 0
    n = len(re.findall(r"[aeiouy]+", w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and n > 1:
        n -= 1  # a silent e: "make", "rate"
    return max(1, n)


def reading(text: str) -> Reading:
    """Words, sentences and syllables of ``text``."""
    words = _WORD.findall(text)
    sentences = [s for s in _SENTENCE_END.split(text) if _WORD.search(s)]
    return Reading(len(words), len(sentences), sum(syllables(w) for w in words))
