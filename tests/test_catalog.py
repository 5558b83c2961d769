"""The one session builder and the one name -> dataset resolver (``knobsim.core.data.catalog``)."""

from __future__ import annotations

import numpy as np
import pytest

from knobsim.core.data.catalog import COMPATIBLE, DEFAULT_DATASET, dataset_for, session_for
from knobsim.core.data.corpus import BUILTIN_CORPORA, builtin_corpus
from knobsim.core.data.datasets import DATASETS, DataError, make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.optimizers import DEFAULT_LR, OptimizerConfig
from knobsim.core.training.session import Session


def _same_data(a, b) -> None:
    assert a.name == b.name and a.task == b.task
    for field in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


# -- dataset_for -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", DATASETS)
def test_a_builtin_dataset_is_drawn_with_its_noise_points_and_seed(name):
    _same_data(
        dataset_for(name, noise=0.3, points=25, seed=4),
        make_dataset(name, n_points=25, noise=0.3, seed=4),
    )


@pytest.mark.parametrize("name", BUILTIN_CORPORA)
def test_a_builtin_corpus_with_its_words_of_context(name):
    data = dataset_for(name, context=2)
    _same_data(data, builtin_corpus(name).to_dataset(2))
    assert data.X_train.shape[1] == 2


def test_a_file_is_a_corpus_for_the_nextword_model_and_points_for_the_others(tmp_path):
    text = tmp_path / "pets.txt"
    text.write_text("The cat sat. The dog sat.")
    corpus = dataset_for(str(text), "nextword")
    assert corpus.name == "corpus:pets" and corpus.task == "nextword"
    points = tmp_path / "points.csv"
    points.write_text("x,y\n" + "".join(f"{i / 10},{i / 5}\n" for i in range(10)))
    for model in ("line", None):
        data = dataset_for(points, model, seed=1)
        assert data.task == "regression" and data.n_train + data.n_test == 10


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("line", "Unknown dataset 'mnist'; choose one of linear,"),
        ("nextword", "Unknown corpus 'mnist'; choose one of rhymes,"),
    ],
)
def test_an_unknown_name_lists_the_choices(model, message):
    with pytest.raises(DataError, match=message):
        dataset_for("mnist", model)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(DataError, match="gone.txt: file not found"):
        dataset_for(tmp_path / "gone.txt", "nextword")
    with pytest.raises(DataError, match="not found"):
        dataset_for(tmp_path / "gone.csv", "poly")


# -- session_for -----------------------------------------------------------------------------
@pytest.mark.parametrize("model", list(COMPATIBLE))
def test_each_model_starts_on_its_default_data_as_a_hand_built_session_would(model):
    data = dataset_for(DEFAULT_DATASET[model], seed=3)
    config = OptimizerConfig("adam", lr=0.05)
    by_hand = Session(make_model(model, data), data, optimizer=config, seed=3)
    built = session_for(model, DEFAULT_DATASET[model], seed=3, optimizer=config)
    _same_data(built.dataset, by_hand.dataset)
    assert built.model.describe() == by_hand.model.describe()
    np.testing.assert_array_equal(built.params, by_hand.params)
    assert built.config == config and built.seed == 3


def test_the_data_may_be_a_dataset_or_a_name_drawn_with_its_own_seed():
    data = make_dataset("cubic", seed=0)
    from_data = session_for("poly", data, seed=7, degree=4)
    from_name = session_for("poly", "cubic", data_seed=0, seed=7, degree=4)
    assert from_data.dataset is data
    _same_data(from_name.dataset, data)
    np.testing.assert_array_equal(from_name.params, from_data.params)  # the start: seed 7
    other = session_for("poly", "cubic", seed=7, degree=4)  # the data drawn with seed 7
    assert not np.array_equal(other.dataset.y_train, data.y_train)


def test_the_model_options_reach_the_model():
    s = session_for("mlp", "moons", hidden="4,2", activation="relu", l2=0.01)
    assert s.model.hidden == (4, 2) and s.model.activation == "relu" and s.model.l2 == 0.01
    words = session_for("nextword", "rhymes", context=2)
    assert words.model.context == 2 and words.dataset.X_train.shape[1] == 2


@pytest.mark.parametrize("name", list(DEFAULT_LR))
def test_an_optimizer_by_name_runs_at_its_usual_rate_unless_told(name):
    assert session_for("line", "linear", optimizer=name).config == OptimizerConfig(
        name, lr=DEFAULT_LR[name]
    )
    told = session_for("line", "linear", optimizer=name, lr=0.3, batch_size=5).config
    assert (told.name, told.lr, told.batch_size) == (name, 0.3, 5)


def test_an_optimizer_config_carries_its_own_rate():
    with pytest.raises(ValueError, match="inside the OptimizerConfig"):
        session_for("line", "linear", optimizer=OptimizerConfig("gd"), lr=0.5)


def test_starting_knobs_and_locks_by_name():
    s = session_for("line", "linear", knobs={"w": 0.5, "b": -0.25}, locked=["b"])
    np.testing.assert_array_equal(s.params, [0.5, -0.25])
    assert s.is_locked("b") and not s.is_locked("w")
    assert len(s.history) == 1  # one starting point on the loss curve
    s.step(5)
    assert s.params[1] == -0.25  # training leaves a locked knob alone


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"knobs": {"q": 1.0}}, "the line model has no knob 'q' \\(w, b\\)"),
        ({"locked": ["q"]}, "no knob 'q'"),
        ({"data": "circles"}, "needs regression data"),
        ({"optimizer": "lbfgs"}, "Unknown optimizer 'lbfgs'"),
        ({"model": "rocket"}, "Unknown model 'rocket'"),
    ],
)
def test_settings_that_do_not_fit_say_why(kwargs, message):
    args = {"model": "line", "data": "linear"} | kwargs
    with pytest.raises(ValueError, match=message):
        session_for(args.pop("model"), args.pop("data"), **args)
