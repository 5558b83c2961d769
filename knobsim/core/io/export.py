"""Plain-text exports of a session: the error history and the weights as CSV. No Qt."""

from __future__ import annotations

import csv
import io
import math

from knobsim.core.training.session import Session


def history_csv(session: Session) -> str:
    """The loss history as CSV: ``step,train_loss,test_loss`` (empty cells for NaN)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["step", "train_loss", "test_loss"])
    h = session.history
    for step, train, test in zip(h.steps.tolist(), h.train.tolist(), h.test.tolist(), strict=True):
        w.writerow([step, _cell(train), _cell(test)])
    return out.getvalue()


def weights_csv(session: Session) -> str:
    """The weights as CSV: ``name,value,locked``, values written exactly (repr)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["name", "value", "locked"])
    locked = session.locked
    for i, (name, value) in enumerate(
        zip(session.param_names, session.params.tolist(), strict=True)
    ):
        w.writerow([name, repr(value), "yes" if i in locked else "no"])
    return out.getvalue()


def _cell(v: float) -> str:
    return repr(v) if math.isfinite(v) else ""
