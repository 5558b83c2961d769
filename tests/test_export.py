"""CSV exports of the history and the weights."""

from __future__ import annotations

import csv
import io

from knobsim.core.data.datasets import make_dataset
from knobsim.core.io.export import history_csv, weights_csv
from knobsim.core.models.machines import make_model
from knobsim.core.training.session import Session


def _session():
    data = make_dataset("sine", n_points=20, seed=0)
    return Session(make_model("poly", data, degree=3), data, seed=0)


def test_history_csv_has_every_recorded_step():
    session = _session()
    session.step(10)
    rows = list(csv.reader(io.StringIO(history_csv(session))))
    assert rows[0] == ["step", "train_loss", "test_loss"]
    assert [int(r[0]) for r in rows[1:]] == list(range(11))
    assert float(rows[-1][1]) == session.train_loss


def test_weights_csv_is_exact_and_marks_locks():
    session = _session()
    session.set_param("c2", 0.1 + 0.2)
    session.set_locked("c1", True)
    rows = list(csv.reader(io.StringIO(weights_csv(session))))
    assert rows[0] == ["name", "value", "locked"]
    assert [r[0] for r in rows[1:]] == ["c0", "c1", "c2", "c3"]
    assert float(rows[3][1]) == 0.1 + 0.2
    assert rows[2][2] == "yes" and rows[1][2] == "no"
