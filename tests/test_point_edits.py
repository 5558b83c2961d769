"""Points a person adds, moves and removes: new datasets, the old one untouched, bad
points refused with a message, and the edits kept by a saved session."""

from __future__ import annotations

import numpy as np
import pytest

from knobsim.core.data.catalog import dataset_for, session_for
from knobsim.core.data.datasets import MIN_TRAIN_POINTS, DataError, with_point, without_point
from knobsim.core.io.sessionfile import session_from_dict, session_to_dict


def test_add_move_remove_leave_the_original_alone():
    d = dataset_for("sine")
    added = with_point(d, [0.25], 2.0)
    assert added.n_train == d.n_train + 1 and added.n_test == d.n_test
    assert added.X_train[-1, 0] == 0.25 and added.y_train[-1] == 2.0
    assert added.name == d.name and added.task == d.task
    moved = with_point(added, [-0.5], -1.0, index=0)
    assert moved.X_train[0, 0] == -0.5 and moved.y_train[0] == -1.0
    assert np.array_equal(moved.X_train[1:], added.X_train[1:])
    removed = without_point(moved, 0)
    assert removed.n_train == d.n_train
    moved_test = with_point(d, [0.1], 0.1, index=2, split="test")
    assert moved_test.X_test[2, 0] == 0.1
    assert d.n_train == len(d.y_train) and not d.X_train.flags.writeable


def test_classification_points_carry_a_class():
    d = dataset_for("moons")
    assert with_point(d, [0.1, 0.2], 1).y_train[-1] == 1.0
    with pytest.raises(DataError, match="class is 0 or 1"):
        with_point(d, [0.1, 0.2], 0.5)
    with pytest.raises(DataError, match="2 input"):
        with_point(d, [0.1], 1)


@pytest.mark.parametrize(
    "x, y, message",
    [([np.nan], 0.0, "finite"), ([0.0], np.inf, "finite"), ([1e300], 0.0, "finite")],
)
def test_bad_points_are_refused_with_a_message(x, y, message):
    with pytest.raises(DataError, match=message):
        with_point(dataset_for("linear"), x, y)


def test_words_are_not_points_and_the_last_points_stay():
    with pytest.raises(DataError, match="corpus"):
        with_point(dataset_for("rhymes"), [0.0], 0.0)
    d = dataset_for("linear", points=5)
    while d.n_train > MIN_TRAIN_POINTS:
        d = without_point(d, 0)
    with pytest.raises(DataError, match="at least 2"):
        without_point(d, 0)
    with pytest.raises(DataError, match="no train point 7"):
        without_point(d, 7)


def test_a_saved_session_keeps_the_points_a_person_added():
    s = session_for("poly", "sine")
    s.set_dataset(with_point(s.dataset, [0.9], 3.0))
    back, _, _ = session_from_dict(session_to_dict(s))
    assert back.dataset.n_train == s.dataset.n_train
    assert back.dataset.y_train[-1] == 3.0
    assert back.train_loss == pytest.approx(s.train_loss)
