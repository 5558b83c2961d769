"""Hostile input, generated: random CSV files, random corpus files, random settings.

Each loader either succeeds, and then what it returns is finite, well shaped and usable by
every model that suits it, or it refuses with a ``DataError`` (``ValueError`` for model
settings) whose message is one non-empty line. Never any other exception.

The number of examples is bounded (``KNOBSIM_FUZZ_EXAMPLES``, at most 100 per test); on CI
(``CI`` set) tests/conftest.py loads the derandomized "ci" profile, so a run is repeatable.
"""

from __future__ import annotations

import math
import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from knobsim.core.data.corpus import (
    BOUNDARY,
    MAX_CONTEXT,
    MAX_VOCAB,
    MIN_VOCAB,
    builtin_corpus,
    load_corpus,
)
from knobsim.core.data.datasets import (
    DATASETS,
    MIN_POINTS,
    DataError,
    Dataset,
    load_csv,
    make_dataset,
)
from knobsim.core.models.machines import ACTIVATIONS, MODELS, make_model
from knobsim.core.training.session import Session

EXAMPLES = min(100, int(os.environ.get("KNOBSIM_FUZZ_EXAMPLES", 80)))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
#: the models the window offers for a file of each task (ui.window.main_window.FILE_MODELS)
FILE_MODELS = {"regression": ("line", "poly", "mlp"), "classification": ("logistic", "mlp")}


def assert_one_line_message(exc: BaseException) -> None:
    message = str(exc)
    assert message.strip(), f"{type(exc).__name__} without a message"
    assert "\n" not in message and "\r" not in message, f"not one line: {message!r}"
    assert len(message) < 600, f"a message nobody reads: {message[:120]!r}..."


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------- CSV
# Cells of every kind a spreadsheet, a script or a wrong file can hold.
_NUMBER_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(-1e6, 1e6).map(lambda v: f"{v:.6g}"),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["0", "1", "-0", "1e308", "-1e308", "1e309", "1e-320", "5e-324", "1e200"]),
)
_ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "Infinity",
        "1,5",
        "1.5.2",
        "0x10",
        "1_000",
        "abc",
        "x",
        "label",
        '"',
        '"1"',
        "'",
        "#",
        "# comment",
        "\u2212" + "2",
        "\u00a0",
        "\ufeff1",
        "\u0661",
        "true",
        "None",
    ]
)
_CELL = st.one_of(_NUMBER_TEXT, _ODD_TEXT, st.text(max_size=6))
_DELIMITER = st.sampled_from([",", ";", "\t", " ", "|", ":", ", "])
_NEWLINE = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def csv_bytes(draw) -> bytes:
    """Anything from a fine file to junk: random rows, cells, delimiters, encodings."""
    delimiter = draw(_DELIMITER)
    rows = draw(st.lists(st.lists(_CELL, min_size=0, max_size=5), max_size=25))
    newline = draw(_NEWLINE)
    text = newline.join(delimiter.join(row) for row in rows)
    if draw(st.booleans()):
        text = "x" + delimiter + "y" + newline + text
    text += draw(st.sampled_from(["", newline, newline * 3]))
    if draw(st.booleans()):
        text = "\ufeff" + text  # a byte-order mark, as Excel writes
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 3)) == 0:  # binary junk somewhere
        junk = draw(st.binary(min_size=1, max_size=40))
        at = draw(st.integers(0, len(data)))
        data = data[:at] + junk + data[at:]
    return data


@st.composite
def nearly_good_csv(draw) -> bytes:
    """A well-formed x,y or x1,x2,label file, often with one thing wrong in it.

    Keeps many examples on the "loads" side, where the result itself is checked.
    """
    n_cols = draw(st.sampled_from([2, 3]))
    n_rows = draw(st.integers(0, 40))
    scale = draw(st.sampled_from([1.0, 1.0, 1e-6, 1e6, 1e15, 1e99, 1e150, 1e300]))
    values = st.floats(-1.0, 1.0).map(lambda v: v * scale)
    rows = []
    for _ in range(n_rows):
        row = [f"{draw(values)!r}" for _ in range(n_cols - 1)]
        last = (
            draw(st.sampled_from(["0", "1", "1.0", "0.0"])) if n_cols == 3 else repr(draw(values))
        )
        rows.append(row + [last])
    if rows and draw(st.integers(0, 2)) == 0:  # one cell made wrong
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, n_cols - 1))
        rows[r][c] = draw(_CELL)
    if rows and draw(st.integers(0, 4)) == 0:  # one row too long or too short
        r = draw(st.integers(0, len(rows) - 1))
        rows[r] = rows[r][:-1] if draw(st.booleans()) else rows[r] + ["0"]
    delimiter = draw(st.sampled_from([",", ",", ";", "\t"]))
    lines = [delimiter.join(row) for row in rows]
    if draw(st.booleans()):
        header = ["x", "y"] if n_cols == 2 else ["x1", "x2", "label"]
        lines.insert(0, delimiter.join(header))
    if lines and draw(st.integers(0, 3)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["", "# note", " "])))
    text = "\n".join(lines) + "\n"
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text.encode("utf-8")


def check_dataset(ds: Dataset) -> None:
    """A loaded file is finite, well shaped, split sensibly, and every suitable model can
    start on it with a finite training error and finite gradients."""
    assert ds.task in FILE_MODELS
    n_inputs = 1 if ds.task == "regression" else 2
    for X, y in ((ds.X_train, ds.y_train), (ds.X_test, ds.y_test)):
        assert X.dtype == y.dtype == np.float64
        assert X.ndim == 2 and X.shape[1] == n_inputs
        assert y.shape == (X.shape[0],)
        assert np.all(np.isfinite(X)) and np.all(np.isfinite(y))
    assert ds.n_train >= MIN_POINTS and ds.n_test >= 1
    if ds.task == "classification":
        assert set(np.unique(ds.y_train)) == {0.0, 1.0}, "both classes stay in training"
        assert set(np.unique(ds.y_test)) <= {0.0, 1.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an overflow is checked below
        for name in FILE_MODELS[ds.task]:
            model = make_model(name, ds)
            ranges = model.param_ranges()
            assert np.all(np.isfinite(ranges)) and np.all(ranges[:, 0] < ranges[:, 1]), name
            session = Session(model, ds, optimizer="adam", seed=0)
            assert math.isfinite(session.train_loss), f"{name}: error {session.train_loss}"
            assert np.all(np.isfinite(session.grad())), name
            session.step(3)
            assert np.all(np.isfinite(session.params)), name


def load_or_refuse(path) -> Dataset | None:
    try:
        ds = load_csv(path)
    except DataError as exc:
        assert_one_line_message(exc)
        return None
    return ds


@FUZZ
@given(data=csv_bytes())
def test_random_csv_loads_or_is_refused_with_a_message(tmp_path, data):
    ds = load_or_refuse(write(tmp_path, "random.csv", data))
    event("refused" if ds is None else "loaded")
    if ds is not None:
        check_dataset(ds)


@FUZZ
@given(data=nearly_good_csv())
def test_nearly_good_csv_loads_or_is_refused_with_a_message(tmp_path, data):
    ds = load_or_refuse(write(tmp_path, "nearly.csv", data))
    event("refused" if ds is None else "loaded")
    if ds is not None:
        check_dataset(ds)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b'x,y\n"1,2\n' + b"3,4\n" * 40_000, id="unclosed quote swallows the file"),
        pytest.param(b"1," + b"7" * 200_000 + b"\n" + b"1,2\n" * 5, id="a 200k-digit cell"),
        pytest.param(b"x" * 300_000, id="one endless word"),
        pytest.param(b"1e200,1\n-1e200,2\n3,3\n4,4\n5,5\n", id="numbers that overflow squared"),
        pytest.param(b"1,1e200\n2,-1e200\n3,3\n4,4\n5,5\n", id="targets that overflow squared"),
        pytest.param(b"0,1\n5e-324,2\n1e-323,3\n0,4\n5e-324,5\n", id="denormal x spread"),
    ],
)
def test_pathological_csv_files(tmp_path, data):
    """Cases found while fuzzing, kept as fixed examples."""
    ds = load_or_refuse(write(tmp_path, "odd.csv", data))
    if ds is not None:
        check_dataset(ds)


# ------------------------------------------------------------------------------- corpus
_WORDS = ["the", "cat", "sat", "on", "a", "mat", "dog", "ran", "don't", "Über", "naïve", "猫"]
_SEPARATORS = [" ", "  ", "\t", ", ", ". ", "! ", "? ", "\n", "\r\n", " 42 ", " -- ", "…", "’"]


@st.composite
def corpus_bytes(draw) -> bytes:
    """Sentences from a small vocabulary, random text, or junk, in various encodings."""
    kind = draw(st.sampled_from(["words", "words", "text", "many words"]))
    if kind == "words":
        tokens = draw(st.lists(st.sampled_from(_WORDS), max_size=60))
        text = "".join(t + draw(st.sampled_from(_SEPARATORS)) for t in tokens)
    elif kind == "many words":  # more distinct words than the table allows, or just about
        n = draw(st.integers(MAX_VOCAB - 2, MAX_VOCAB + 3))
        text = ". ".join(f"w{chr(97 + i)} z" for i in range(n))
    else:
        text = draw(st.text(max_size=200))
    if draw(st.booleans()):
        text = "\ufeff" + text
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "latin-1", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 4)) == 0:
        junk = draw(st.binary(min_size=1, max_size=40))
        at = draw(st.integers(0, len(data)))
        data = data[:at] + junk + data[at:]
    return data


@FUZZ
@given(data=corpus_bytes())
def test_random_corpus_loads_or_is_refused_with_a_message(tmp_path, data):
    try:
        corpus = load_corpus(write(tmp_path, "story.txt", data))
    except DataError as exc:
        assert_one_line_message(exc)
        event("refused")
        return
    event("loaded")
    assert corpus.name == "story"
    assert corpus.vocab[0] == BOUNDARY
    assert MIN_VOCAB <= len(corpus.vocab) - 1 <= MAX_VOCAB
    assert len(set(corpus.vocab)) == len(corpus.vocab)
    assert corpus.sentences and all(corpus.sentences)
    assert {w for s in corpus.sentences for w in s} == set(corpus.vocab[1:])
    for context in range(1, MAX_CONTEXT + 1):
        ds = corpus.to_dataset(context)
        assert ds.task == "nextword" and ds.X_train.shape == (ds.n_train, context)
        assert ds.y_train.shape == (ds.n_train,)
        V = len(corpus.vocab)
        assert ds.X_train.min() >= 0 and ds.X_train.max() < V and ds.y_train.max() < V
        model = make_model("nextword", ds, context=context)
        session = Session(model, ds, optimizer="adam")
        assert math.isfinite(session.train_loss)
        session.step(3)
        assert np.all(np.isfinite(session.params))


# ----------------------------------------------------------------------------- settings
_ODD_FLOATS = st.floats(allow_nan=True, allow_infinity=True)


def mostly(valid: st.SearchStrategy, odd: st.SearchStrategy) -> st.SearchStrategy:
    """Three draws in four from ``valid``, so the "made" side is checked too."""
    return st.integers(0, 3).flatmap(lambda i: odd if i == 0 else valid)


_COUNT = mostly(
    st.one_of(st.none(), st.integers(2, 300)),
    st.one_of(
        st.integers(-(10**6), 10**6),
        st.sampled_from([-1, 0, 1, 100_000, 100_001, 10**30]),
        _ODD_FLOATS,
        st.booleans(),
        st.text(max_size=4),
    ),
)


@FUZZ
@given(
    name=mostly(st.sampled_from(DATASETS), st.text(max_size=8)),
    n_points=_COUNT,
    noise=mostly(
        st.one_of(st.none(), st.floats(0.0, 2.0), st.sampled_from([0.0, 1000.0])),
        st.one_of(_ODD_FLOATS, st.sampled_from([-1.0, 1000.5, 1e300]), st.text(max_size=4)),
    ),
    n_test=_COUNT,
    seed=mostly(st.integers(0, 2**64), st.one_of(st.integers(-5, -1), st.floats(), st.text())),
)
def test_random_dataset_settings(name, n_points, noise, n_test, seed):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # huge noise must not overflow
            ds = make_dataset(name, n_points=n_points, noise=noise, n_test=n_test, seed=seed)
    except ValueError as exc:  # DataError is a ValueError
        assert_one_line_message(exc)
        event("refused")
        return
    event("made")
    assert ds.name == name
    assert ds.n_train == (n_points if n_points is not None else ds.n_train) >= MIN_POINTS
    assert ds.n_test >= 1
    for a in (ds.X_train, ds.y_train, ds.X_test, ds.y_test):
        assert np.all(np.isfinite(a))


_DATA = {
    "regression": make_dataset("sine", n_points=12, seed=0),
    "classification": make_dataset("xor", n_points=12, seed=0),
    "nextword": builtin_corpus("rhymes").to_dataset(),
}
#: the data each model runs on
_SUITS = {
    "line": ("regression",),
    "poly": ("regression",),
    "logistic": ("classification",),
    "mlp": ("regression", "classification"),
    "nextword": ("nextword",),
}


@FUZZ
@given(
    name_task=mostly(
        st.sampled_from(sorted(_SUITS.items())).flatmap(
            lambda kv: st.tuples(st.just(kv[0]), st.sampled_from(kv[1]))
        ),
        st.tuples(
            st.one_of(st.sampled_from(MODELS), st.text(max_size=6)), st.sampled_from(sorted(_DATA))
        ),
    ),
    degree=mostly(
        st.integers(0, 15), st.one_of(st.integers(-3, 20), st.sampled_from([10**9]), _ODD_FLOATS)
    ),
    hidden=mostly(
        st.one_of(
            st.lists(st.integers(1, 16), min_size=1, max_size=2).map(tuple),
            st.sampled_from(["8", "4,2", " 16 , 16 "]),
        ),
        st.one_of(
            st.lists(st.integers(-2, 20), max_size=4).map(tuple),
            st.lists(_ODD_FLOATS, min_size=1, max_size=2),
            st.text(alphabet="0123456789, -x", max_size=8),
        ),
    ),
    activation=mostly(st.sampled_from(ACTIVATIONS), st.text(max_size=6)),
    l2=mostly(st.floats(0, 10), _ODD_FLOATS),
    context=mostly(st.integers(1, 2), st.integers(-1, 4)),
)
def test_random_model_settings(name_task, degree, hidden, activation, l2, context):
    name, task = name_task
    data = _DATA[task]
    try:
        model = make_model(
            name,
            data,
            degree=degree,
            hidden=hidden,
            activation=activation,
            l2=l2,
            context=context,
        )
    except ValueError as exc:
        assert_one_line_message(exc)
        event("refused")
        return
    event(f"made {model.name}")
    assert model.n_params == len(model.param_names) == len(set(model.param_names)) >= 1
    ranges = model.param_ranges()
    assert ranges.shape == (model.n_params, 2)
    assert np.all(np.isfinite(ranges)) and np.all(ranges[:, 0] < ranges[:, 1])
    theta = model.init_params(np.random.default_rng(0))
    assert theta.shape == (model.n_params,) and np.all(np.isfinite(theta))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert math.isfinite(model.loss(theta, data.X_train, data.y_train))
        assert np.all(np.isfinite(model.grad(theta, data.X_train, data.y_train)))


@pytest.mark.parametrize("value", [1e101, -1e300])
def test_a_session_file_with_data_too_large_to_compute_with_is_refused(value):
    """Found with the CSV cases above: a hand-edited session file could bring in data
    whose squared error is infinite from the first step."""
    import json

    from knobsim.core.io import sessionfile

    data = make_dataset("sine", n_points=10, seed=0)
    doc = json.loads(sessionfile.dumps(Session(make_model("poly", data), data)))
    doc["dataset"]["y_train"][0] = value
    with pytest.raises(sessionfile.SessionFileError, match="too large to compute with") as exc:
        sessionfile.loads(json.dumps(doc))
    assert_one_line_message(exc.value)


@pytest.mark.parametrize("name", ["nextword", "embed"])
def test_a_word_model_reading_more_words_than_the_data_holds_is_refused(name):
    """Found by the case above: an embedding asked for two-word contexts of one-word data
    raised numpy's "cannot reshape"; the next-word table silently read the wrong rows."""
    data = builtin_corpus("rhymes").to_dataset(1)
    with pytest.raises(ValueError, match="1-word contexts") as info:
        make_model(name, data, context=2)
    assert_one_line_message(info.value)
    assert make_model(name, builtin_corpus("rhymes").to_dataset(2), context=2).context == 2
