"""The word-embedding model on the roles corpus: sharing between words, held-out test."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from knobsim.core.data.catalog import session_for
from knobsim.core.data.corpus import builtin_corpus, parse_corpus
from knobsim.core.io import sessionfile
from knobsim.core.io.export import weights_csv
from knobsim.core.models.machines import Embedding

#: the words of the roles corpus by the part they play in its sentences
ROLES = {
    "animals": ("cat", "dog", "fox", "owl"),
    "verbs": ("sleeps", "hides", "plays"),
    "places": ("park", "house", "wood"),
}


def _trained(model: str, steps: int = 400, seed: int = 0):
    session = session_for(model, "roles", optimizer="adam", lr=0.05, seed=seed)
    for _ in range(steps):
        session.step()
    return session


def test_held_out_sentences_are_the_test_set():
    c = parse_corpus("the cat sat. the dog sat.\n---\nthe cat ran.", "pets")
    assert c.sentences == (("the", "cat", "sat"), ("the", "dog", "sat"))
    assert c.held_out == (("the", "cat", "ran"),)
    assert "ran" in c.vocab
    ds = c.to_dataset(1)
    assert len(ds.y_train) == 8 and len(ds.y_test) == 4
    np.testing.assert_array_equal(ds.y_test, [c.vocab.index(w) for w in ("the", "cat", "ran", ".")])


def test_roles_corpus_holds_out_pairs_it_never_trains_on():
    c = builtin_corpus("roles")
    assert len(c.held_out) == 12
    train_pairs = {(a, b) for s in c.sentences for a, b in itertools.pairwise(s)}
    unseen = {(a, b) for s in c.held_out for a, b in itertools.pairwise(s)} - train_pairs
    assert unseen and all(a in ROLES["animals"] and b in ROLES["verbs"] for a, b in unseen)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_training_pulls_words_of_one_role_together(seed):
    session = _trained("embed", seed=seed)
    model = session.model
    E = model.embeddings(session.params)  # (V, 2)
    at = {w: E[model.vocab.index(w)] for ws in ROLES.values() for w in ws}

    def dist(a, b):
        return float(np.linalg.norm(at[a] - at[b]))

    within = [dist(a, b) for ws in ROLES.values() for a, b in itertools.combinations(ws, 2)]
    between = [
        dist(a, b)
        for r1, r2 in itertools.combinations(ROLES, 2)
        for a in ROLES[r1]
        for b in ROLES[r2]
    ]
    # seeds 0-2 at 400 Adam steps: within 1.5-2.1 apart on average, between 5.4-6.0
    assert 2 * np.mean(within) < np.mean(between)


@pytest.mark.parametrize("steps", [100, 400])
def test_with_little_data_embeddings_beat_the_table_on_held_out_sentences(steps):
    table, embed = _trained("nextword", steps), _trained("embed", steps)
    assert embed.model.n_params < table.model.n_params
    # both learn the training sentences about as well ...
    assert embed.train_loss == pytest.approx(table.train_loss, abs=0.05)
    # ... but sharing makes the unseen "animal verb" pairs less surprising
    assert embed.test_loss < table.test_loss - 0.2


def test_embedding_session_round_trips_through_a_file():
    session = session_for("embed", "roles", dim=3, context=2, seed=4)
    session.step()
    again, _, notes = sessionfile.loads(sessionfile.dumps(session))
    assert isinstance(again.model, Embedding) and notes == []
    assert (again.model.dim, again.model.context) == (3, 2)
    np.testing.assert_array_equal(again.params, session.params)
    np.testing.assert_array_equal(again.dataset.y_test, session.dataset.y_test)
    assert "emb[cat].z" in weights_csv(session)
