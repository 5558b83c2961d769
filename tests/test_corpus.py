"""Tests for knobsim.core.data.corpus: parsing, encoding, counts and the bigram optimum."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from knobsim.core.data.corpus import (
    BUILTIN_CORPORA,
    MAX_VOCAB,
    MIN_VOCAB,
    builtin_corpus,
    context_rows,
    load_corpus,
    parse_corpus,
)
from knobsim.core.data.datasets import DataError
from knobsim.resources import assets_dir

# ------------------------------------------------------------------ parsing


def test_parse_splits_sentences_and_words() -> None:
    c = parse_corpus("The cat sat!  The DOG didn't.\nA cat? ... 42 -- \n", "t")
    assert c.name == "t"
    assert c.sentences == (("the", "cat", "sat"), ("the", "dog", "didn't"), ("a", "cat"))
    assert c.vocab == (".", "the", "cat", "sat", "dog", "didn't", "a")
    assert c.n_words == 7


def test_parse_strips_quotes_but_keeps_inner_apostrophes() -> None:
    c = parse_corpus("'Tis the cat\u2019s 'mat'.", "q")
    assert c.sentences == (("tis", "the", "cat's", "mat"),)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "Corpus 'x' has no words"),
        ("... 12 !?", "Corpus 'x' has no words"),
        ("Go. Go go! GO?", r"uses only one distinct word \('go'\); it needs at least 2"),
        (
            " ".join(f"w{chr(97 + i)}x{chr(97 + i)}" for i in range(MAX_VOCAB + 1)),
            f"uses {MAX_VOCAB + 1} distinct words; the limit is {MAX_VOCAB}",
        ),
    ],
)
def test_parse_rejects_unusable_text(text: str, match: str) -> None:
    with pytest.raises(DataError, match=match):
        parse_corpus(text, "x")


def test_vocab_cap_is_inclusive() -> None:
    words = [f"w{chr(97 + i)}" for i in range(MAX_VOCAB)]
    assert parse_corpus(" ".join(words), "cap").n_words == MAX_VOCAB + 1
    assert MIN_VOCAB == 2


# ------------------------------------------------------------------ encoding and counts


def test_encode_context_1_matches_the_brief() -> None:
    c = parse_corpus("the cat sat", "t")  # vocab . the cat sat -> 0 1 2 3
    X, y = c.encode(1)
    assert X.dtype == y.dtype == np.int64
    np.testing.assert_array_equal(X, [[0], [1], [2], [3]])
    np.testing.assert_array_equal(y, [1, 2, 3, 0])


def test_encode_context_2_pads_with_two_boundaries() -> None:
    c = parse_corpus("the cat sat", "t")
    X, y = c.encode(2)
    assert X.shape == (4, 2)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 2], [2, 3]])
    np.testing.assert_array_equal(y, [1, 2, 3, 0])


@pytest.mark.parametrize("context", [0, 3, 1.5, True])
def test_encode_rejects_bad_context(context) -> None:
    with pytest.raises(DataError, match="context must be"):
        parse_corpus("a b", "t").encode(context)


@pytest.mark.parametrize("name", BUILTIN_CORPORA)
@pytest.mark.parametrize("context", [1, 2])
def test_counts_agree_with_encode(name: str, context: int) -> None:
    c = builtin_corpus(name)
    X, y = c.encode(context)
    V = c.n_words
    counts = c.counts(context)
    assert counts.shape == (V**context, V) and counts.dtype == np.int64
    assert counts.sum() == len(y) == sum(len(s) + 1 for s in c.sentences)
    # every sentence ends once, so the boundary column counts the sentences
    assert counts[:, 0].sum() == len(c.sentences)
    # rows follow i * V + j
    rows = context_rows(X, V)
    if context == 2:
        np.testing.assert_array_equal(rows, X[:, 0] * V + X[:, 1])
    i = 5
    assert counts[rows[i], y[i]] == np.sum((rows == rows[i]) & (y == y[i]))


def test_optimum_by_hand() -> None:
    # pairs: .->a  a->b  b->.  .->a  a->c  c->.   only "a" is uncertain: b or c, 50/50
    c = parse_corpus("a b. a c.", "tiny")
    assert c.vocab == (".", "a", "b", "c")
    np.testing.assert_array_equal(
        c.counts(1), [[0, 2, 0, 0], [0, 0, 1, 1], [1, 0, 0, 0], [1, 0, 0, 0]]
    )
    assert c.optimum(1) == pytest.approx(2 * math.log(2) / 6)
    assert c.optimum(2) == pytest.approx(2 * math.log(2) / 6)


def test_optimum_drops_with_longer_context() -> None:
    # 16 pairs. A sentence opens with "a" or "c" (4 coin flips); after "b" comes "x" or
    # "y" (4 more), but the word before "b" decides which, so two words of context
    # remove those flips.
    c = parse_corpus("a b x. c b y. a b x. c b y.", "ctx")
    assert c.optimum(1) == pytest.approx(8 * math.log(2) / 16)
    assert c.optimum(2) == pytest.approx(4 * math.log(2) / 16)


@pytest.mark.parametrize("name", BUILTIN_CORPORA)
def test_optimum_is_the_loss_of_the_count_table(name: str) -> None:
    c = builtin_corpus(name)
    X, y = c.encode(1)
    counts = c.counts(1)
    P = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)  # (V, V) row-normalised
    cross_entropy = -np.mean(np.log(P[X[:, 0], y]))
    assert c.optimum(1) == pytest.approx(cross_entropy)


def test_to_dataset_memorises_the_corpus() -> None:
    c = parse_corpus("the cat sat. the dog sat.", "pets")
    ds = c.to_dataset(2)
    assert ds.name == "corpus:pets" and ds.task == "nextword"
    assert ds.vocab == c.vocab
    assert ds.X_train.shape == (8, 2) and ds.X_train.dtype == np.int64
    assert ds.y_train.dtype == np.int64 and ds.n_inputs == 2
    np.testing.assert_array_equal(ds.X_test, ds.X_train)
    np.testing.assert_array_equal(ds.y_test, ds.y_train)


# ------------------------------------------------------------------ built-in corpora


def test_builtin_list_matches_the_files() -> None:
    files = sorted(p.stem for p in (assets_dir() / "corpora").glob("*.txt"))
    assert files == sorted(BUILTIN_CORPORA)


@pytest.mark.parametrize("name", BUILTIN_CORPORA)
def test_builtin_corpora_are_interesting(name: str) -> None:
    c = builtin_corpus(name)
    assert c.name == name and c.vocab[0] == "."
    assert 6 <= c.n_words - 1 <= MAX_VOCAB
    assert 20 <= len(c.sentences) <= 40
    counts = c.counts(1)
    followers = (counts > 0).sum(axis=1)
    assert np.any(followers == 1), "some word should have one sure continuation"
    assert np.any(followers >= 3), "some word should have several continuations"
    # neither deterministic nor uniform: the optimum sits well inside (0, log V)
    assert 0.3 < c.optimum(1) < 0.6 * math.log(c.n_words)
    assert c.optimum(2) <= c.optimum(1)


def test_unknown_builtin_corpus() -> None:
    with pytest.raises(DataError, match="Unknown corpus 'nope'; choose one of rhymes"):
        builtin_corpus("nope")


# ------------------------------------------------------------------ files


def test_load_corpus_names_it_after_the_file(tmp_path: Path) -> None:
    path = tmp_path / "birds.txt"
    path.write_text("The owl sat.\nThe owl flew!\n", encoding="utf-8")
    c = load_corpus(path)
    assert c.name == "birds"
    assert c.vocab == (".", "the", "owl", "sat", "flew")
    assert load_corpus(str(path)).sentences == c.sentences


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        (b"", "words.txt has no words"),
        (b"  \n\n 123 \n", "words.txt has no words"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "words.txt is not a UTF-8 text file"),
        (b"caf\xe9 au lait", "words.txt is not a UTF-8 text file"),
        (b"la la. la!", r"words.txt uses only one distinct word \('la'\)"),
        (
            b"one two three four five six seven eight nine ten eleven twelve thirteen.",
            "words.txt uses 13 distinct words; the limit is 12",
        ),
    ],
    ids=["empty", "no-words", "binary", "latin1", "one-word", "too-many"],
)
def test_load_corpus_errors(tmp_path: Path, payload: bytes, match: str) -> None:
    path = tmp_path / "words.txt"
    path.write_bytes(payload)
    with pytest.raises(DataError, match=match):
        load_corpus(path)


def test_load_corpus_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="gone.txt: file not found"):
        load_corpus(tmp_path / "gone.txt")


def test_load_corpus_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("a b. " * 300_000, encoding="utf-8")
    with pytest.raises(DataError, match="big.txt is 1.5 MB; files up to 1 MB"):
        load_corpus(path)
