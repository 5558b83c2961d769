"""Session files: exact round trips, atomic saves, and every kind of bad file."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knobsim.core.data.corpus import builtin_corpus
from knobsim.core.data.datasets import load_csv, make_dataset
from knobsim.core.io import sessionfile
from knobsim.core.io.sessionfile import SessionFileError
from knobsim.core.models.machines import make_model
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session


def _sessions():
    yield (
        "line",
        Session(
            make_model("line", make_dataset("linear", seed=1)),
            make_dataset("linear", seed=1),
            seed=3,
        ),
    )
    d = make_dataset("sine", n_points=20, seed=2)
    yield (
        "poly",
        Session(
            make_model("poly", d, degree=7, l2=0.01),
            d,
            optimizer=OptimizerConfig("adam", lr=0.03),
            seed=5,
        ),
    )
    d = make_dataset("moons", seed=0)
    yield "logistic", Session(make_model("logistic", d), d, optimizer="momentum")
    d = make_dataset("circles", seed=0)
    yield (
        "mlp",
        Session(
            make_model("mlp", d, hidden=(4, 2), activation="relu"),
            d,
            optimizer=OptimizerConfig("sgd", lr=0.05, batch_size=10),
        ),
    )
    d = make_dataset("abs", seed=0)
    yield "mlp-reg", Session(make_model("mlp", d, hidden=(16,), activation="sigmoid"), d)
    d = builtin_corpus("rhymes").to_dataset(2)
    yield (
        "nextword",
        Session(
            make_model("nextword", d, context=2), d, optimizer=OptimizerConfig("rmsprop", lr=0.01)
        ),
    )


SESSIONS = list(_sessions())


@pytest.mark.parametrize(("name", "session"), SESSIONS, ids=[n for n, _ in SESSIONS])
def test_save_then_load_is_identical(tmp_path, name, session):
    session.step(37)
    session.set_param(session.param_names[0], 0.123456789012345678)
    session.set_locked(session.param_names[-1], True)
    path = sessionfile.save(session, tmp_path / f"{name}.knobsim", app={"speed": 3})
    loaded, app, notes = sessionfile.load(path)
    assert app == {"speed": 3} and notes == []
    np.testing.assert_array_equal(loaded.params, session.params)  # to the last bit
    assert loaded.params.tobytes() == session.params.tobytes()
    assert loaded.model.describe() == session.model.describe()
    assert loaded.model.l2 == session.model.l2
    assert loaded.config == session.config
    assert loaded.locked == session.locked
    assert loaded.step_count == session.step_count
    assert loaded.seed == session.seed
    for a in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(loaded.dataset, a), getattr(session.dataset, a))
    assert loaded.dataset.vocab == session.dataset.vocab
    np.testing.assert_array_equal(loaded.history.steps, session.history.steps)
    np.testing.assert_array_equal(loaded.history.train, session.history.train)
    assert loaded.history.marks == session.history.marks
    assert loaded.train_loss == session.train_loss
    # the restored session trains on exactly as the original does
    session.step(5)
    loaded.step(5)
    np.testing.assert_array_equal(loaded.params, session.params)


def test_loaded_csv_data_travels_inside_the_file(tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text("x,y\n" + "".join(f"{i},{i * 0.5}\n" for i in range(12)))
    data = load_csv(csv)
    session = Session(make_model("line", data), data)
    path = sessionfile.save(session, tmp_path / "s.knobsim")
    csv.unlink()
    loaded, _, _ = sessionfile.load(path)
    assert loaded.dataset.name == "csv:points.csv"
    np.testing.assert_array_equal(loaded.dataset.X_train, data.X_train)


def test_an_interrupted_save_leaves_the_old_file(tmp_path):
    _, session = SESSIONS[0]
    path = sessionfile.save(session, tmp_path / "s.knobsim")
    before = path.read_bytes()

    def crash_half_way(f, text):
        f.write(text[: len(text) // 2])
        raise OSError("disk full")

    session.set_param("w", 1.0)
    with pytest.raises(OSError, match="disk full"):
        sessionfile.save(session, path, _write=crash_half_way)
    assert path.read_bytes() == before
    sessionfile.load(path)  # still readable
    assert [p.name for p in tmp_path.iterdir()] == ["s.knobsim"]  # no temp file left


def _valid_dict():
    _, session = SESSIONS[1]
    return sessionfile.session_to_dict(session)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version=99), "newer knobsim"),
        (lambda d: d.update(format="something-else"), "not a knobsim session"),
        (lambda d: d.pop("params"), "weights"),
        (lambda d: d["params"].pop("c0"), "missing c0"),
        (lambda d: d["params"].update(c99=1.0), "unexpected c99"),
        (lambda d: d.update(params=[1.0, 2.0]), "2 weights"),
        (lambda d: d["params"].update(c1="big"), "not a number"),
        (lambda d: d["model"].update(name="gpt"), "unknown model"),
        (lambda d: d["model"].update(degree=40), "between 0 and 15"),
        (lambda d: d["optimizer"].update(lr=-1), "learning rate"),
        (lambda d: d["dataset"].update(X_train="x"), "table of numbers"),
        (lambda d: d["dataset"].update(y_train=[1.0]), "malformed"),
        (lambda d: d.update(locked=["nope"]), "locked knob"),
        (
            lambda d: d["history"].update(steps=[3, 1], train=[1.0, 1.0], test=[1.0, 1.0]),
            "in order",
        ),
        (lambda d: d["history"].update(steps=[3, 1]), "different lengths"),
    ],
)
def test_bad_contents_are_refused_with_a_message(mutate, message):
    d = _valid_dict()
    mutate(d)
    with pytest.raises(SessionFileError, match=message):
        sessionfile.session_from_dict(d, source="x.knobsim")


def test_unknown_fields_are_ignored_and_reported():
    d = _valid_dict()
    d["future_feature"] = {"a": 1}
    session, _, notes = sessionfile.session_from_dict(d)
    assert "future_feature" in notes[0]
    assert session.model.name == "poly"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"\xff\xfe\xfa", "not UTF-8"),
        (b"hello", "not valid JSON"),
        (b"[1, 2, 3]", "expected a JSON object"),
    ],
)
def test_bad_bytes_are_refused(raw, message):
    with pytest.raises(SessionFileError, match=message):
        sessionfile.loads(raw)


def test_truncated_file_says_so(tmp_path):
    text = json.dumps(_valid_dict())
    with pytest.raises(SessionFileError, match="truncated"):
        sessionfile.loads(text[: len(text) // 2])


def test_non_finite_weights_are_refused():
    text = json.dumps(_valid_dict()).replace('"c0": ', '"c0": NaN, "_": ', 1)
    with pytest.raises(SessionFileError, match="NaN"):
        sessionfile.loads(text)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(SessionFileError, match="not found"):
        sessionfile.load(tmp_path / "nope.knobsim")
    with pytest.raises(SessionFileError, match="folder"):
        sessionfile.load(tmp_path)


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=int(os.environ.get("KNOBSIM_FUZZ_EXAMPLES", 60)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(raw=st.binary(max_size=200))
def test_random_bytes_never_crash(raw):
    try:
        sessionfile.loads(raw)
    except SessionFileError as exc:
        assert str(exc)


@settings(
    max_examples=int(os.environ.get("KNOBSIM_FUZZ_EXAMPLES", 80)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    path=st.lists(
        st.sampled_from(
            [
                "model",
                "dataset",
                "params",
                "optimizer",
                "history",
                "locked",
                "version",
                "seed",
                "step_count",
                "name",
                "degree",
                "lr",
                "steps",
                "X_train",
                "c0",
            ]
        ),
        min_size=1,
        max_size=3,
    ),
    value=_json_values,
)
def test_random_edits_load_or_fail_with_a_message(path, value):
    d = _valid_dict()
    target = d
    for key in path[:-1]:
        nxt = target.get(key) if isinstance(target, dict) else None
        if not isinstance(nxt, dict):
            break
        target = nxt
    if isinstance(target, dict):
        target[path[-1]] = value
    try:
        session, _, _ = sessionfile.session_from_dict(d)
    except SessionFileError as exc:
        assert str(exc)
    else:
        assert np.all(np.isfinite(session.params))
