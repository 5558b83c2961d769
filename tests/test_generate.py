"""The next-word model as a tiny language model: its table, its optimum, its sentences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from knobsim.core.data.corpus import (
    BUILTIN_CORPORA,
    builtin_corpus,
    corpus_from_dataset,
    optimum_from_counts,
    probabilities_from_counts,
)
from knobsim.core.data.datasets import DataError, make_dataset
from knobsim.core.models.generate import generate, temperature_probabilities
from knobsim.core.models.machines import NextWord, make_model
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session


@pytest.fixture(scope="module")
def trained() -> dict[str, Session]:
    """One session per built-in corpus, trained close to the count optimum."""
    sessions = {}
    for name in BUILTIN_CORPORA:
        data = builtin_corpus(name).to_dataset()
        session = Session(
            make_model("nextword", data), data, optimizer=OptimizerConfig("adam", lr=0.1), seed=3
        )
        session.step(600, record_every=100)
        sessions[name] = session
    return sessions


# -- the table of knobs ----------------------------------------------------------------------


@pytest.mark.parametrize("context", [1, 2])
def test_probabilities_sum_to_one_for_every_context(context):
    data = builtin_corpus("kitchen").to_dataset(context)
    model = make_model("nextword", data, context=context)
    theta = model.init_params(np.random.default_rng(0)) * 4  # wide logits, still rows of 1
    P = model.probabilities(theta)
    assert P.shape == (model.V**context, model.V)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.all(P > 0)


@pytest.mark.parametrize("context", [1, 2])
def test_turning_after_a_b_up_raises_p_b_given_a_and_lowers_every_other(context):
    model = NextWord((".", "a", "b", "c"), context=context)
    theta = model.init_params(np.random.default_rng(1))
    for knob in (1, model.n_params // 2 + 1, model.n_params - 1):  # a few rows and columns
        row, b = divmod(knob, model.V)
        assert model.param_names[knob] == f"{model.context_label(row)}→{model.vocab[b]}"
        before = model.probabilities(theta)[row]
        turned = theta.copy()
        turned[knob] += 0.5
        after = model.probabilities(turned)[row]
        assert after[b] > before[b]
        assert np.all(np.delete(after, b) < np.delete(before, b))
        # no other context notices
        np.testing.assert_array_equal(
            np.delete(model.probabilities(turned), row, axis=0),
            np.delete(model.probabilities(theta), row, axis=0),
        )


def test_two_word_context_has_vocabulary_cubed_knobs():
    corpus = builtin_corpus("rhymes")
    V = corpus.n_words
    one = make_model("nextword", corpus.to_dataset(1), context=1)
    two = make_model("nextword", corpus.to_dataset(2), context=2)
    assert (one.n_params, two.n_params) == (V**2, V**3)


# -- counts and the best possible error --------------------------------------------------------


def test_optimum_from_counts_by_hand():
    C = np.array([[0, 2, 1], [1, 1, 0], [2, 0, 0]])  # rows: '.' -> a,a,b ; a -> ., b ; b -> .,.
    expected = -(2 * math.log(2 / 3) + math.log(1 / 3) + 2 * math.log(1 / 2)) / 7
    assert optimum_from_counts(C) == pytest.approx(expected)
    P = probabilities_from_counts(np.vstack([C, [0, 0, 0]]))
    np.testing.assert_allclose(P[0], [0, 2 / 3, 1 / 3])
    assert np.all(np.isnan(P[3]))  # a context never seen has no target
    with pytest.raises(ValueError, match="all zero"):
        optimum_from_counts(np.zeros((2, 2)))


@pytest.mark.parametrize("context", [1, 2])
def test_model_counts_give_the_corpus_optimum(context):
    corpus = builtin_corpus("weather")
    data = corpus.to_dataset(context)
    model = make_model("nextword", data, context=context)
    C = model.counts(data.X_train, data.y_train)
    np.testing.assert_array_equal(C, corpus.counts(context))
    assert optimum_from_counts(C) == pytest.approx(corpus.optimum(context))
    # and the optimum is the loss of the table of count frequencies
    with np.errstate(divide="ignore"):
        theta = np.log(np.nan_to_num(probabilities_from_counts(C), nan=1.0)).reshape(-1)
    theta = np.maximum(theta, -700.0)  # log 0 -> a logit so low its word never comes
    assert model.loss(theta, data.X_train, data.y_train) == pytest.approx(
        corpus.optimum(context), rel=1e-9
    )


def test_training_gets_within_two_percent_of_the_optimum(trained):
    for name, session in trained.items():
        optimum = builtin_corpus(name).optimum()
        assert optimum < session.train_loss <= optimum * 1.02, name


@pytest.mark.parametrize("name", BUILTIN_CORPORA)
@pytest.mark.parametrize("context", [1, 2])
def test_corpus_round_trips_through_its_dataset(name, context):
    corpus = builtin_corpus(name)
    back = corpus_from_dataset(corpus.to_dataset(context))
    assert back == corpus


def test_corpus_from_dataset_refuses_other_data():
    with pytest.raises(DataError, match="not a corpus encoded in order"):
        corpus_from_dataset(make_dataset("linear"))
    data = builtin_corpus("rhymes").to_dataset()
    shuffled = type(data)(
        data.name, "nextword", data.X_train[::-1], data.y_train[::-1], data.X_test,
        data.y_test, vocab=data.vocab,
    )  # fmt: skip
    with pytest.raises(DataError, match="not a corpus encoded in order"):
        corpus_from_dataset(shuffled)


# -- sentences -----------------------------------------------------------------------------------


def test_temperature_sharpens_and_flattens():
    logits = np.array([[2.0, 1.0, 0.0, 1.0], [0.0, 0.0, 3.0, -1.0]])
    P1 = temperature_probabilities(logits, 1.0)
    np.testing.assert_allclose(P1, np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True))

    def entropy(P):
        return -(P * np.log(P)).sum(axis=1)

    assert np.all(entropy(temperature_probabilities(logits, 2.0)) > entropy(P1))
    assert np.all(entropy(temperature_probabilities(logits, 0.5)) < entropy(P1))
    np.testing.assert_array_equal(
        temperature_probabilities(logits, 0), [[1, 0, 0, 0], [0, 0, 1, 0]]
    )
    for bad in (-0.1, math.nan, math.inf, "warm"):
        with pytest.raises(ValueError, match="temperature"):
            temperature_probabilities(logits, bad)


@pytest.mark.parametrize("name", BUILTIN_CORPORA)
def test_greedy_generation_follows_the_most_frequent_continuation(trained, name):
    session = trained[name]
    model = session.model
    C = builtin_corpus(name).counts(1)
    words = generate(model, session.params, np.random.default_rng(0), 0.0, max_words=12)
    assert len(words) >= 2
    row = 0  # the sentence start
    for w in words:
        j = model.vocab.index(w)
        assert C[row, j] == C[row].max(), f"after {model.vocab[row]!r} came {w!r}"
        row = j
    # greedy ignores the dice: every generator gives the same sentence
    assert generate(model, session.params, np.random.default_rng(99), 0.0, max_words=12) == words


def test_greedy_from_the_rhymes_is_the_classic_loop(trained):
    session = trained["rhymes"]
    words = generate(session.model, session.params, np.random.default_rng(0), 0, max_words=9)
    assert words == ["the", "cat", "sat", "on", "the", "cat", "sat", "on", "the"]
    kitchen = trained["kitchen"]
    words = generate(kitchen.model, kitchen.params, np.random.default_rng(0), 0)
    assert words == ["i", "eat", "the", "bread", "."]


@pytest.mark.parametrize("temperature", [0.3, 1.0, 2.0])
def test_sampling_yields_only_vocabulary_words_and_ends_properly(trained, temperature):
    session = trained["weather"]
    model = session.model
    rng = np.random.default_rng(5)
    for _ in range(200):
        words = generate(model, session.params, rng, temperature, max_words=15)
        assert set(words) <= set(model.vocab)
        assert "." not in words[:-1]  # the boundary only ever closes the sentence
        assert words[-1] == "." or len(words) == 15


def test_sampling_is_reproducible_from_a_seed(trained):
    session = trained["kitchen"]

    def sentences(seed):
        rng = np.random.default_rng(seed)
        return [generate(session.model, session.params, rng, 1.0) for _ in range(20)]

    assert sentences(7) == sentences(7)
    assert sentences(7) != sentences(8)


def test_sampling_follows_the_models_probabilities():
    model = NextWord((".", "a", "b", "c"))
    theta = np.zeros(model.n_params)
    theta[model.param_index(".→a")] = math.log(6)  # after a start: a 6/8, b 1/8, c 1/8, . 0
    theta[model.param_index(".→.")] = -50.0
    rng = np.random.default_rng(0)
    firsts = [generate(model, theta, rng, 1.0, max_words=1)[0] for _ in range(4000)]
    share = {w: firsts.count(w) / len(firsts) for w in "abc"}
    assert share["a"] == pytest.approx(6 / 8, abs=0.03)
    assert share["b"] == pytest.approx(1 / 8, abs=0.03)
    assert "." not in firsts


def test_start_words_begin_the_sentence_and_set_the_context():
    model = NextWord((".", "a", "b", "c"), context=2)
    theta = np.full(model.n_params, -5.0)
    theta[model.param_index("a b→c")] = 5.0  # after "a b" comes c
    theta[model.param_index("b c→.")] = 5.0  # after "b c" the sentence ends
    rng = np.random.default_rng(0)
    assert generate(model, theta, rng, 0, start=["a", "b"]) == ["a", "b", "c", "."]
    assert generate(model, theta, rng, 0, start="a", max_words=1) == ["a"]
    with pytest.raises(ValueError, match="'d' is not one of the model's words"):
        generate(model, theta, rng, 0, start="d")
    with pytest.raises(ValueError, match="max_words"):
        generate(model, theta, rng, 0, max_words=0)
    with pytest.raises(ValueError, match="64 knobs, not 3"):
        generate(model, theta[:3], rng, 0)
