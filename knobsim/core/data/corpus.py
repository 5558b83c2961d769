"""Tiny text corpora for the next-word (bigram) model. Nothing here imports Qt.

A corpus is a handful of short sentences over at most :data:`MAX_VOCAB` distinct words,
so its whole transition table fits on screen as sliders.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from knobsim.core.data.datasets import DataError, Dataset, read_user_text
from knobsim.resources import assets_dir

BOUNDARY = "."  # the sentence boundary token, always index 0
MAX_VOCAB = 12  # distinct words, not counting BOUNDARY
MIN_VOCAB = 2
MAX_CONTEXT = 2  # as many words as the NextWord model can look back
MAX_CORPUS_BYTES = 1024 * 1024
BUILTIN_CORPORA: tuple[str, ...] = ("rhymes", "weather", "kitchen", "roles")
#: a line of just this in a corpus file: the sentences after it are held out as the test set
HELD_OUT_MARK = "---"

_SENTENCE_END = re.compile(r"[.!?\n]+")
_HELD_OUT = re.compile(r"^[ \t]*---[ \t]*$", re.MULTILINE)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")  # letters, with inner apostrophes


@dataclass(frozen=True)
class Corpus:
    """Sentences of lowercased words and the vocabulary they use.

    Attributes
    ----------
    name : str
    sentences : tuple of tuple of str
        Each sentence's words, lowercased, no punctuation; no sentence is empty.
    vocab : tuple of str
        ``"."`` (the sentence boundary) first, then the words by first appearance.
    held_out : tuple of tuple of str
        Sentences kept out of training, the test set (after a ``---`` line in a file);
        empty when the corpus is there to be memorised.
    """

    name: str
    sentences: tuple[tuple[str, ...], ...]
    vocab: tuple[str, ...]
    held_out: tuple[tuple[str, ...], ...] = ()

    @property
    def n_words(self) -> int:
        """Vocabulary size V, counting the boundary token."""
        return len(self.vocab)

    def encode(self, context: int = 1) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Every (context, next word) pair of every sentence, as word indices.

        Each sentence is padded with ``context`` boundary tokens in front and one behind:
        with context 1, "the cat sat" gives (".", "the"), ("the", "cat"), ("cat", "sat"),
        ("sat", "."); with context 2 the first pair is ((".", "."), "the").

        Parameters
        ----------
        context : int
            Number of preceding words the model sees, 1 to :data:`MAX_CONTEXT`.

        Returns
        -------
        X : NDArray[np.int64], shape (n_pairs, context)
            Preceding words, oldest first.
        y : NDArray[np.int64], shape (n_pairs,)
            The word that follows.
        """
        return self._encode(self.sentences, context)

    def _encode(
        self, sentences: tuple[tuple[str, ...], ...], context: int
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        context = _check_context(context)
        index = {w: i for i, w in enumerate(self.vocab)}
        X: list[list[int]] = []
        y: list[int] = []
        for sentence in sentences:
            ids = [0] * context + [index[w] for w in sentence] + [0]
            for t in range(len(sentence) + 1):
                X.append(ids[t : t + context])
                y.append(ids[t + context])
        return np.array(X, dtype=np.int64).reshape(-1, context), np.array(y, dtype=np.int64)

    def counts(self, context: int = 1) -> NDArray[np.int64]:
        """Transition counts, rows aligned with a logits table.

        Parameters
        ----------
        context : int

        Returns
        -------
        NDArray[np.int64], shape (V**context, V)
            ``counts[r, j]`` is how often word ``j`` follows context row ``r``, where the
            row of context words ``(i1, ..., ik)`` is ``i1 * V**(k-1) + ... + ik``
            (row-major; ``i * V + j`` for context 2).
        """
        X, y = self.encode(context)
        V = self.n_words
        rows = context_rows(X, V)  # (n_pairs,)
        flat = np.bincount(rows * V + y, minlength=V**context * V)
        return flat.reshape(V**context, V).astype(np.int64)

    def optimum(self, context: int = 1) -> float:
        """The best possible mean cross-entropy, in nats, on this corpus.

        This is the conditional entropy H(next | context) of the counts: the loss of the
        table that predicts each row's observed frequencies. A softmax table reaches it
        only in the limit where impossible words get logits of minus infinity, so a
        trained model approaches it from above.

        Parameters
        ----------
        context : int

        Returns
        -------
        float
            ``-1/N * sum_{r,j} c[r,j] * log(c[r,j] / sum_j c[r,j])`` with N pairs.
        """
        return optimum_from_counts(self.counts(context))

    def to_dataset(self, context: int = 1) -> Dataset:
        """The corpus as a ``"nextword"`` dataset.

        The test set is the held-out sentences; without any, the corpus is there to be
        memorised, so the test set is the training set: the same arrays, every pair once.

        Parameters
        ----------
        context : int

        Returns
        -------
        Dataset
            Named ``"corpus:<name>"``; ``X (n_pairs, context)`` and ``y (n_pairs,)``
            int64, with ``vocab``.
        """
        X, y = self.encode(context)
        X_test, y_test = self._encode(self.held_out, context) if self.held_out else (X, y)
        return Dataset(f"corpus:{self.name}", "nextword", X, y, X_test, y_test, vocab=self.vocab)


def context_rows(X: NDArray[np.int64], V: int) -> NDArray[np.int64]:
    """Row index of each context in a ``(V**context, V)`` table.

    Parameters
    ----------
    X : NDArray[np.int64], shape (n, context)
        Context word indices, oldest first.
    V : int
        Vocabulary size, counting the boundary.

    Returns
    -------
    NDArray[np.int64], shape (n,)
        ``sum_k X[:, k] * V**(context - 1 - k)``.
    """
    X = np.asarray(X, dtype=np.int64)
    context = X.shape[1]
    place = V ** np.arange(context - 1, -1, -1, dtype=np.int64)  # (context,)
    return X @ place


def probabilities_from_counts(C: NDArray) -> NDArray[np.float64]:
    """Each row of a count table divided by its total: the frequencies a model aims at.

    Parameters
    ----------
    C : array_like, shape (n_rows, V)
        Transition counts, e.g. :meth:`Corpus.counts` or ``NextWord.counts``.

    Returns
    -------
    NDArray[np.float64], shape (n_rows, V)
        ``C[r, j] / sum_j C[r, j]``; a context never seen in the data has no target,
        so its row is NaN.
    """
    C = np.asarray(C, dtype=np.float64)
    total = C.sum(axis=1, keepdims=True)  # (n_rows, 1)
    return np.divide(C, total, out=np.full_like(C, np.nan), where=total > 0)


def optimum_from_counts(C: NDArray) -> float:
    """The lowest mean cross-entropy, in nats, any next-word table can reach on data
    with these transition counts.

    It is the conditional entropy H(next | context): the loss of the table that predicts
    each row's observed frequencies. A softmax table reaches it only in the limit where
    impossible words get logits of minus infinity, so training approaches it from above.

    Parameters
    ----------
    C : array_like, shape (n_rows, V)
        Transition counts, not all zero.

    Returns
    -------
    float
        ``-1/N * sum_{r,j} C[r,j] * log(C[r,j] / sum_j C[r,j])`` with N = ``C.sum()``.
    """
    C = np.asarray(C, dtype=np.float64)
    n = C.sum()
    if not n > 0:
        raise ValueError("The counts are all zero; there is no data to be wrong about.")
    seen = C > 0  # 0 * log 0 = 0: words never seen cost nothing
    P = probabilities_from_counts(C)
    return float(-(C[seen] * np.log(P[seen])).sum() / n)


def corpus_from_dataset(dataset: Dataset) -> Corpus:
    """The corpus that :meth:`Corpus.to_dataset` encoded, rebuilt from its pairs.

    Lets a view re-encode the text with another context length when all it holds is
    the session's dataset (the next words, in order, spell every sentence and its end).

    Parameters
    ----------
    dataset : Dataset
        A ``"nextword"`` dataset made by ``to_dataset`` with any context.

    Returns
    -------
    Corpus
        The same sentences, held-out sentences and vocabulary; the name without the
        ``"corpus:"`` prefix.

    Raises
    ------
    DataError
        The dataset is not an in-order encoding of a corpus.
    """
    name = dataset.name.removeprefix("corpus:")
    y = np.asarray(dataset.y_train, dtype=np.int64)  # (n_pairs,)
    X = np.asarray(dataset.X_train, dtype=np.int64)
    previous = np.concatenate([[0], y[:-1]])  # the word before each next word (0 = start)
    if (
        dataset.task != "nextword"
        or len(dataset.vocab) < MIN_VOCAB + 1
        or dataset.vocab[0] != BOUNDARY
        or y.size == 0
        or y[-1] != 0
        or X.ndim != 2
        or X.shape[0] != y.size
        or not np.array_equal(X[:, -1], previous)
    ):
        raise DataError(f"{dataset.name!r} is not a corpus encoded in order; load the text again.")
    y_test = np.asarray(dataset.y_test, dtype=np.int64)
    same = np.array_equal(y_test, y) and np.array_equal(dataset.X_test, X)
    held_out = () if same or y_test.size == 0 else _spelled(y_test, dataset.vocab)
    return Corpus(name, _spelled(y, dataset.vocab), tuple(dataset.vocab), held_out)


def _spelled(y: NDArray[np.int64], vocab: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The sentences that the next words ``y`` of an in-order encoding spell."""
    ends = np.flatnonzero(y == 0)  # each sentence is followed by the boundary
    starts = np.concatenate([[0], ends[:-1] + 1])
    return tuple(
        tuple(vocab[i] for i in y[a:b]) for a, b in zip(starts, ends, strict=True) if b > a
    )


def _check_context(context: int) -> int:
    if isinstance(context, bool) or not isinstance(context, (int, np.integer)):
        raise DataError(f"context must be a whole number; got {context!r}.")
    if not 1 <= context <= MAX_CONTEXT:
        raise DataError(f"context must be between 1 and {MAX_CONTEXT}; got {context}.")
    return int(context)


def _sentences(text: str) -> tuple[tuple[str, ...], ...]:
    sentences = []
    for chunk in _SENTENCE_END.split(text):
        words = tuple(w.lower() for w in _WORD.findall(chunk))
        if words:
            sentences.append(words)
    return tuple(sentences)


def _parse(text: str, name: str, source: str) -> Corpus:
    text = text.replace("\u2019", "'")  # the typographic apostrophe
    train, test = _split_held_out(text)
    sentences = _sentences(train)
    held_out = _sentences(test)
    if held_out and not sentences:
        raise DataError(f"{source} has no sentences before its {HELD_OUT_MARK} line to train on.")
    vocab = tuple(dict.fromkeys(w for s in sentences + held_out for w in s))
    if not vocab:
        raise DataError(f"{source} has no words; it needs a few short sentences.")
    if len(vocab) < MIN_VOCAB:
        raise DataError(
            f"{source} uses only one distinct word ({vocab[0]!r}); "
            f"it needs at least {MIN_VOCAB} so there is something to predict."
        )
    if len(vocab) > MAX_VOCAB:
        raise DataError(
            f"{source} uses {len(vocab)} distinct words; the limit is {MAX_VOCAB}, "
            f"so reuse words or shorten it."
        )
    return Corpus(name, sentences, (BOUNDARY,) + vocab, held_out)


def _split_held_out(text: str) -> tuple[str, str]:
    """The text before the first ``---`` line, and the held-out text after it."""
    parts = _HELD_OUT.split(text, maxsplit=1)
    return parts[0], parts[1] if len(parts) == 2 else ""


def parse_corpus(text: str, name: str) -> Corpus:
    """Split text into sentences of lowercase words.

    Sentences end at ``.``, ``!``, ``?`` and newlines; words are runs of letters, with
    apostrophes inside them ("don't"). Digits and other punctuation are dropped, and
    empty sentences ignored.

    Parameters
    ----------
    text : str
    name : str
        Name of the corpus.

    Returns
    -------
    Corpus

    Raises
    ------
    DataError
        No words, only one distinct word, or more than :data:`MAX_VOCAB` distinct words.
    """
    return _parse(text, name, f"Corpus {name!r}")


def load_corpus(path: str | os.PathLike[str]) -> Corpus:
    """Load a corpus from a UTF-8 text file; its name is the file name without suffix.

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    Corpus

    Raises
    ------
    DataError
        Naming the file: missing, unreadable, larger than 1 MB, binary, empty, only one
        distinct word, or more than :data:`MAX_VOCAB` distinct words.
    """
    p = Path(path)
    text = read_user_text(p, max_bytes=MAX_CORPUS_BYTES)
    return _parse(text, p.stem, p.name)


def builtin_corpus(name: str) -> Corpus:
    """Load one of the corpora shipped in ``assets/corpora``.

    Parameters
    ----------
    name : str
        One of :data:`BUILTIN_CORPORA`.

    Returns
    -------
    Corpus
    """
    if name not in BUILTIN_CORPORA:
        raise DataError(f"Unknown corpus {name!r}; choose one of {', '.join(BUILTIN_CORPORA)}.")
    return load_corpus(assets_dir() / "corpora" / f"{name}.txt")
