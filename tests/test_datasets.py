"""Tests for knobsim.core.data.datasets: built-in generators, arrays and CSV files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knobsim.core.data import datasets
from knobsim.core.data.datasets import (
    CLASSIFICATION,
    DATASETS,
    DEFAULTS,
    REGRESSION,
    DataError,
    Dataset,
    dataset_from_arrays,
    load_csv,
    make_dataset,
    true_curve,
)
from knobsim.core.lessons.lesson import LessonFileError, load_lesson

# ------------------------------------------------------------------ built-in datasets


def test_lists_and_defaults_cover_every_dataset() -> None:
    assert DATASETS == REGRESSION + CLASSIFICATION
    assert set(DEFAULTS) == set(DATASETS)
    for d in DEFAULTS.values():
        assert d.n_points >= 2 and d.noise >= 0.0


@pytest.mark.parametrize("name", REGRESSION)
def test_regression_shapes_dtypes_and_range(name: str) -> None:
    ds = make_dataset(name, n_points=50, n_test=20, seed=1)
    assert ds.name == name and ds.task == "regression"
    assert ds.X_train.shape == (50, 1) and ds.y_train.shape == (50,)
    assert ds.X_test.shape == (20, 1) and ds.y_test.shape == (20,)
    assert ds.X_train.dtype == ds.y_train.dtype == np.float64
    assert (ds.n_train, ds.n_test, ds.n_inputs) == (50, 20, 1)
    assert np.all(np.abs(ds.X_train) <= 1.0)
    assert np.all(np.abs(ds.y_train) <= 1.5 + 5 * DEFAULTS[name].noise)
    assert ds.vocab == ()


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classification_shapes_balance_and_range(name: str) -> None:
    ds = make_dataset(name, n_points=101, seed=2)
    assert ds.task == "classification"
    assert ds.X_train.shape == (101, 2) and ds.y_train.shape == (101,)
    assert ds.X_test.shape == (101, 2), "n_test defaults to n_points"
    assert ds.X_train.dtype == ds.y_train.dtype == np.float64
    assert set(np.unique(ds.y_train)) == {0.0, 1.0}
    assert abs(int(ds.y_train.sum()) - 101 / 2) <= 0.5
    assert np.all(np.abs(ds.X_train) < 1.5)
    assert np.abs(ds.X_train).max() > 0.6, "data should fill roughly [-1, 1]^2"
    # shuffled, so a minibatch of the first points holds both classes
    assert 0 < ds.y_train[:20].sum() < 20


@pytest.mark.parametrize("name", DATASETS)
def test_same_seed_same_data_other_seed_other_data(name: str) -> None:
    a = make_dataset(name, seed=3)
    b = make_dataset(name, seed=3)
    c = make_dataset(name, seed=4)
    for attr in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, attr), getattr(b, attr))
    assert not np.array_equal(a.X_train, c.X_train)
    assert not np.array_equal(a.X_train, a.X_test[: a.n_train]), "test points are fresh"


def test_test_set_does_not_move_when_n_points_changes() -> None:
    a = make_dataset("sine", n_points=10, n_test=15, seed=5)
    b = make_dataset("sine", n_points=40, n_test=15, seed=5)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    np.testing.assert_array_equal(a.y_test, b.y_test)


@pytest.mark.parametrize("name", REGRESSION)
def test_noise_only_scales_the_residual(name: str) -> None:
    clean = make_dataset(name, noise=0.0, seed=6)
    noisy = make_dataset(name, noise=0.3, seed=6)
    np.testing.assert_array_equal(clean.X_train, noisy.X_train)
    np.testing.assert_allclose(clean.y_train, true_curve(name, clean.X_train[:, 0]))
    residual = noisy.y_train - clean.y_train
    assert 0.15 < residual.std() < 0.45


def test_true_curves_have_the_promised_shapes() -> None:
    x = np.linspace(-1.0, 1.0, 201)
    for name in REGRESSION:
        y = true_curve(name, x)
        assert y.shape == x.shape and np.all(np.abs(y) <= 1.5), name
    np.testing.assert_allclose(true_curve("linear", [0.0, 1.0]), [0.3, 1.1])
    np.testing.assert_allclose(true_curve("sine", [-0.5, 0.0, 0.5]), [-1.0, 0.0, 1.0], atol=1e-12)
    # a cubic has two turning points inside [-1, 1]
    dy = np.diff(true_curve("cubic", x))
    assert np.count_nonzero(np.diff(np.sign(dy))) == 2
    with pytest.raises(DataError, match="not a regression dataset"):
        true_curve("moons", x)


def test_sine_is_not_a_line() -> None:
    ds = make_dataset("sine", n_points=200, noise=0.0, seed=0)
    x, y = ds.X_train[:, 0], ds.y_train
    residual = y - np.polyval(np.polyfit(x, y, 1), x)
    assert residual.std() > 0.3, "a straight line must underfit a full sine period"
    residual5 = y - np.polyval(np.polyfit(x, y, 5), x)
    assert residual5.std() < 0.05


def test_clean_circles_are_disc_inside_ring() -> None:
    ds = make_dataset("circles", n_points=400, noise=0.0, seed=7)
    r = np.hypot(*ds.X_train.T)
    assert r[ds.y_train == 0].max() < r[ds.y_train == 1].min()


def test_clean_xor_labels_follow_the_quadrants() -> None:
    ds = make_dataset("xor", n_points=400, noise=0.0, seed=8)
    np.testing.assert_array_equal(ds.y_train, (ds.X_train.prod(axis=1) > 0).astype(float))


def test_clean_blobs_sit_on_two_sides_of_a_line() -> None:
    ds = make_dataset("blobs", n_points=400, noise=0.0, seed=9)
    m0 = ds.X_train[ds.y_train == 0].mean(axis=0)
    m1 = ds.X_train[ds.y_train == 1].mean(axis=0)
    assert np.linalg.norm(m1 - m0) > 1.0
    s = (ds.X_train - (m0 + m1) / 2) @ (m1 - m0)  # signed side of the midway line
    assert np.mean((s > 0) == (ds.y_train == 1)) > 0.99


def test_clean_moons_interleave() -> None:
    ds = make_dataset("moons", n_points=400, noise=0.0, seed=10)
    X0, X1 = ds.X_train[ds.y_train == 0], ds.X_train[ds.y_train == 1]
    # each moon reaches past the other's tip, so no vertical line separates them
    assert X0[:, 0].max() > X1[:, 0].min()
    assert np.abs(ds.X_train).max() <= 1.0 + 1e-12
    # and yet no point of one moon lies on the other: the clean gap is visible
    gap = np.min(np.linalg.norm(X0[:, None, :] - X1[None, :, :], axis=2))
    assert gap > 0.05


def test_clean_spiral_arms_alternate_along_a_ray() -> None:
    ds = make_dataset("spiral", n_points=400, noise=0.0, seed=11)
    r = np.hypot(*ds.X_train.T)
    assert r.max() <= 1.0 + 1e-12
    # the two arms are the same curve turned by half a turn
    flipped = -ds.X_train[ds.y_train == 1]
    X0 = ds.X_train[ds.y_train == 0]
    nearest = np.min(np.linalg.norm(flipped[:, None, :] - X0[None, :, :], axis=2), axis=1)
    assert np.median(nearest) < 0.05


def test_arrays_are_read_only() -> None:
    ds = make_dataset("linear")
    with pytest.raises(ValueError):
        ds.X_train[0, 0] = 1.0


def test_x_range_is_per_column_min_max() -> None:
    ds = make_dataset("moons", n_points=50)
    expected = np.stack([ds.X_train.min(axis=0), ds.X_train.max(axis=0)], axis=1)
    np.testing.assert_array_equal(ds.x_range, expected)
    assert ds.x_range.shape == (2, 2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "banana"}, "Unknown dataset 'banana'; choose one of linear,"),
        ({"name": "sine", "n_points": 1}, "n_points must be between 2 and 100,000; got 1"),
        ({"name": "sine", "n_points": 100_001}, "n_points must be between 2"),
        ({"name": "sine", "n_points": 2.5}, "n_points must be a whole number"),
        ({"name": "sine", "n_test": 0}, "n_test must be between 1"),
        ({"name": "sine", "noise": -0.1}, "noise must be a finite number of at least 0"),
        ({"name": "sine", "noise": float("nan")}, "noise must be a finite number"),
        ({"name": "sine", "noise": float("inf")}, "noise must be a finite number"),
    ],
)
def test_make_dataset_rejects_bad_arguments(kwargs: dict, match: str) -> None:
    name = kwargs.pop("name")
    with pytest.raises(DataError, match=match):
        make_dataset(name, **kwargs)


def test_a_lesson_with_bad_data_is_refused_in_the_data_s_own_words(tmp_path: Path) -> None:
    """Callers that refuse bad values (a lesson's setup, the controller) catch
    ``ValueError``: a data problem reaches them as one, with its sentence intact."""
    with pytest.raises(DataError) as problem:
        make_dataset("linear", n_points=1)
    lesson = {
        "id": "few",
        "title": "Too few points",
        "text": "One point is not a line.",
        "setup": {"model": "line", "dataset": "linear", "points": 1},
        "tasks": [{"task": "Train.", "goal": {"kind": "at_least", "what": "steps", "value": 1}}],
    }
    path = write(tmp_path, json.dumps(lesson), "few.json")
    with pytest.raises(LessonFileError) as refused:
        load_lesson(path)
    assert str(refused.value) == f"setup: {problem.value}"


# ------------------------------------------------------------------ arrays


def test_dataset_from_arrays_splits_and_is_seeded() -> None:
    X = np.arange(20.0)
    y = 2.0 * X
    a = dataset_from_arrays("mine", "regression", X, y, test_fraction=0.25, seed=1)
    b = dataset_from_arrays("mine", "regression", X, y, test_fraction=0.25, seed=1)
    c = dataset_from_arrays("mine", "regression", X, y, test_fraction=0.25, seed=2)
    assert (a.n_train, a.n_test) == (15, 5)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    assert not np.array_equal(a.X_test, c.X_test)
    # a split is a partition of the rows, pairs kept together
    all_x = np.concatenate([a.X_train[:, 0], a.X_test[:, 0]])
    np.testing.assert_array_equal(np.sort(all_x), X)
    np.testing.assert_array_equal(a.y_train, 2.0 * a.X_train[:, 0])


def test_dataset_from_arrays_keeps_both_classes_in_training() -> None:
    X = np.zeros((5, 2))
    y = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
    ds = dataset_from_arrays("few", "classification", X, y, test_fraction=0.9)
    assert set(ds.y_train) == {0.0, 1.0}
    assert ds.n_test >= 1


def test_dataset_from_arrays_holds_out_at_least_one_point() -> None:
    ds = dataset_from_arrays(
        "four", "regression", np.arange(4.0), np.arange(4.0), test_fraction=0.01
    )
    assert (ds.n_train, ds.n_test) == (3, 1)


@pytest.mark.parametrize(
    ("task", "X", "y", "match"),
    [
        ("nextword", np.zeros((5, 1)), np.zeros(5), "task must be"),
        ("regression", np.zeros((5, 2)), np.zeros(5), r"needs X of shape \(n, 1\)"),
        ("classification", np.zeros((5, 2)), np.zeros(4), "needs X of shape"),
        ("regression", np.zeros(3), np.zeros(3), "has 3 points; it needs at least 4"),
        ("regression", [0, 1, np.nan, 3], np.zeros(4), "NaN or infinity"),
        ("classification", np.zeros((4, 2)), [0, 1, 2, 1], "label 2 must be 0 or 1"),
        ("classification", np.zeros((4, 2)), [1, 1, 1, 1], "every label is 1"),
    ],
)
def test_dataset_from_arrays_rejects_bad_arrays(task, X, y, match) -> None:
    with pytest.raises(DataError, match=match):
        dataset_from_arrays("mine", task, X, y)


def test_dataset_from_arrays_rejects_bad_test_fraction() -> None:
    with pytest.raises(DataError, match="test_fraction must be between 0 and 1"):
        dataset_from_arrays("mine", "regression", np.arange(5.0), np.arange(5.0), test_fraction=1)


# ------------------------------------------------------------------ CSV files


def write(tmp_path: Path, text: str, name: str = "points.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_csv_regression_with_header(tmp_path: Path) -> None:
    path = write(tmp_path, "x,y\n0,0.5\n1,1.5\n2,2.5\n\n3,3.5\n4,4.5\n")
    ds = load_csv(path)
    assert ds.name == "csv:points.csv" and ds.task == "regression"
    assert ds.n_train + ds.n_test == 5
    assert ds.X_train.shape[1] == 1
    np.testing.assert_allclose(ds.y_train, ds.X_train[:, 0] + 0.5)


def test_load_csv_classification_without_header(tmp_path: Path) -> None:
    rows = [f"{i * 0.1},{-i * 0.1},{i % 2}" for i in range(10)]
    ds = load_csv(write(tmp_path, "\n".join(rows)), test_fraction=0.3, seed=4)
    assert ds.task == "classification" and ds.n_inputs == 2
    assert (ds.n_train, ds.n_test) == (7, 3)
    assert set(ds.y_train) == {0.0, 1.0}
    np.testing.assert_allclose(ds.y_train, np.round(ds.X_train[:, 0] * 10) % 2)


def test_load_csv_is_seeded(tmp_path: Path) -> None:
    path = write(tmp_path, "\n".join(f"{i},{i}" for i in range(30)))
    a, b, c = load_csv(path, seed=1), load_csv(path, seed=1), load_csv(path, seed=2)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize(
    "text",
    [
        "x;y\n1;2\n2;3\n3;4\n4;5\n",
        "x\ty\n1\t2\n2\t3\n3\t4\n4\t5\n",
        '"x","y"\r\n1,2\r\n2,3\r\n3,4\r\n4,5\r\n',
        "\ufeffx,y\n1,2\n2,3\n3,4\n4,5\n",  # Excel's byte-order mark
        "# my points\nx,y\n1,2\n\n2,3\n3,4\n# more\n4,5\n",
        " 1 , 2 \n2,3\n3,4\n4,5\n",
    ],
    ids=["semicolon", "tab", "quoted-crlf", "bom", "comments", "spaces"],
)
def test_load_csv_accepts_common_dialects(tmp_path: Path, text: str) -> None:
    ds = load_csv(write(tmp_path, text))
    assert ds.n_train + ds.n_test == 4
    np.testing.assert_array_equal(
        np.sort(np.concatenate([ds.y_train, ds.y_test])), [2.0, 3.0, 4.0, 5.0]
    )


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "points.csv is empty"),
        ("\n  \n\n", "points.csv is empty"),
        ("x,y\n1,2\n2,abc\n3,4\n4,5\n", r"points.csv, row 3: 'abc' is not a number\."),
        ("1,2\n2,3\n3,4\n\n\n\n4,5,6,7\n", r"row 7 has 4 columns but the rows above have 2"),
        ("1,2,3,4\n1,2,3,4\n", r"row 1 has 4 columns; expected 2 \(x,y\) or 3 \(x1,x2,label\)"),
        ("1\n2\n3\n4\n", "row 1 has 1 column; expected 2"),
        ("x,y\n1,2,0\n2,3,1\n", "row 2 has 3 columns but the header has 2"),
        ("1,2\n2,3\n3,4\n4,nan\n5,6\n", "row 4 holds NaN"),
        ("1,2\n2,3\n3,4\n5,6\n-inf,6\n", "row 5 holds infinity"),
        ("1,2\n2,1e999\n3,4\n5,6\n", "row 2 holds infinity"),
        ("1,2\n2,\n3,4\n5,6\n", "row 2: column 2 is empty"),
        ("0,0,0\n1,1,1\n2,2,2\n3,3,1\n", "row 3: label '2' must be 0 or 1"),
        ("0,0,0\n1,1,1\n2,2,cat\n3,3,1\n", "row 3: label 'cat' must be 0 or 1"),
        ("0,0,1\n1,1,1\n2,2,1\n3,3,1\n", "every label is 1; the file needs both 0 and 1"),
        ("x,y\n1,2\n2,3\n3,4\n", "points.csv has 3 data rows; it needs at least 4"),
        ("x,y\n", "points.csv has 0 data rows; it needs at least 4"),
        ("x;y\n1,5;2\n", r"row 2: '1,5' is not a number; use a dot as the decimal point"),
    ],
)
def test_load_csv_errors_name_file_and_row(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(DataError, match=match):
        load_csv(write(tmp_path, text))


def test_load_csv_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="nothere.csv: file not found"):
        load_csv(tmp_path / "nothere.csv")


def test_load_csv_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is a folder or device, not a file"):
        load_csv(tmp_path)


@pytest.mark.parametrize(
    "payload",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"1,2\n\xff\xfe3,4\n", "1,2\n".encode("utf-16")],
    ids=["png", "latin", "utf16"],
)
def test_load_csv_binary_file(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "image.csv"
    path.write_bytes(payload)
    with pytest.raises(DataError, match="image.csv is not a UTF-8 text file"):
        load_csv(path)


def test_load_csv_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "1,2\n2,3\n3,4\n4,5\n")

    def deny(self: Path) -> bytes:  # chmod 0 does not stop root, so fake the refusal
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(
        DataError, match=r"points.csv cannot be read \(Permission denied\); check its permissions"
    ):
        load_csv(path)


def test_load_csv_refuses_a_file_past_the_real_row_limit(tmp_path: Path) -> None:
    with pytest.raises(
        DataError, match=r"more than 100,000 data rows; shorten it to at most 100,000\."
    ):
        load_csv(write(tmp_path, "0,0\n1,1\n" * 50_000 + "2,2\n"))


def test_load_csv_too_many_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datasets, "MAX_POINTS", 10)  # the same code path, 10^4 times faster
    with pytest.raises(DataError, match="more than 10 data rows"):
        load_csv(write(tmp_path, "0,0\n1,1\n" * 6))
    load_csv(write(tmp_path, "0,0\n1,1\n" * 5))


def test_dataset_validates_its_shapes() -> None:
    with pytest.raises(ValueError, match="task must be one of"):
        Dataset("x", "ranking", np.zeros((2, 1)), np.zeros(2), np.zeros((2, 1)), np.zeros(2))
    with pytest.raises(ValueError, match="same number of columns"):
        Dataset("x", "regression", np.zeros((2, 1)), np.zeros(2), np.zeros((2, 2)), np.zeros(2))
