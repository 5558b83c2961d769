"""Toy datasets: built-in generators, the user's CSV files, and the Dataset container.

Nothing here imports Qt. Every error a person can cause is a :class:`DataError` whose
message is one sentence saying what is wrong and where.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import operator
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

TASKS = ("regression", "classification", "nextword")
REGRESSION = ("linear", "quadratic", "cubic", "sine", "step", "abs")
CLASSIFICATION = ("blobs", "xor", "circles", "moons", "spiral")
DATASETS = REGRESSION + CLASSIFICATION

MIN_POINTS = 2
MAX_POINTS = 100_000
MIN_CSV_ROWS = 4
#: noise far beyond the data's own size ([-1, 1]) drowns it; beyond 1e150 it overflows
MAX_NOISE = 1000.0
MAX_FILE_BYTES = 32 * 1024 * 1024  # 100k rows of three numbers fit with room to spare
#: data values beyond this size overflow the squared error (1e200 squared is infinite)
MAX_ABS_VALUE = 1e100


class DataError(ValueError):
    """Bad data; the message is one sentence a person can act on."""


class Defaults(NamedTuple):
    """Default size and noise of a built-in dataset."""

    n_points: int
    noise: float


DEFAULTS: dict[str, Defaults] = {
    "linear": Defaults(30, 0.1),
    "quadratic": Defaults(30, 0.1),
    "cubic": Defaults(30, 0.1),
    "sine": Defaults(30, 0.1),
    "step": Defaults(30, 0.1),
    "abs": Defaults(30, 0.1),
    "blobs": Defaults(200, 0.1),
    "xor": Defaults(200, 0.05),
    "circles": Defaults(200, 0.05),
    "moons": Defaults(200, 0.08),
    "spiral": Defaults(400, 0.04),
}


@dataclass(frozen=True, eq=False)
class Dataset:
    """A train/test split for one task.

    Attributes
    ----------
    name : str
        ``"sine"``, ``"circles"``, ``"csv:points.csv"``, ``"corpus:rhymes"``.
    task : str
        ``"regression"``, ``"classification"`` or ``"nextword"``.
    X_train, X_test : NDArray
        Regression ``(n, 1)`` float64; classification ``(n, 2)`` float64;
        nextword ``(n, context)`` int64 word indices.
    y_train, y_test : NDArray
        ``(n,)``: float64 targets; float64 labels 0.0/1.0; int64 next-word indices.
    vocab : tuple of str
        Nextword only: the word for each index, ``"."`` first.
    noise : float or None
        The noise a built-in dataset was drawn with (None for files and corpora).

    Notes
    -----
    The arrays are stored as read-only views, so no one can change a dataset under a
    model that was fitted to it. Equality is identity (arrays do not compare as bools).
    """

    name: str
    task: str
    X_train: NDArray
    y_train: NDArray
    X_test: NDArray
    y_test: NDArray
    vocab: tuple[str, ...] = ()
    noise: float | None = None

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}; got {self.task!r}.")
        for split in ("train", "test"):
            X = np.asarray(getattr(self, f"X_{split}"))
            y = np.asarray(getattr(self, f"y_{split}"))
            if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
                raise ValueError(
                    f"X_{split} must be (n, n_inputs) and y_{split} (n,); "
                    f"got {X.shape} and {y.shape}."
                )
            object.__setattr__(self, f"X_{split}", _read_only(X))
            object.__setattr__(self, f"y_{split}", _read_only(y))
        if self.X_test.shape[1] != self.X_train.shape[1]:
            raise ValueError(
                f"X_train and X_test need the same number of columns; "
                f"got {self.X_train.shape[1]} and {self.X_test.shape[1]}."
            )
        object.__setattr__(self, "vocab", tuple(self.vocab))

    @property
    def n_train(self) -> int:
        """Number of training points."""
        return int(self.X_train.shape[0])

    @property
    def n_test(self) -> int:
        """Number of test points."""
        return int(self.X_test.shape[0])

    @property
    def n_inputs(self) -> int:
        """Columns of X: 1 (regression), 2 (classification) or the context length."""
        return int(self.X_train.shape[1])

    @property
    def x_range(self) -> NDArray[np.float64]:
        """Training input range per column, ``(n_inputs, 2)`` rows of ``(min, max)``."""
        X = np.asarray(self.X_train, dtype=np.float64)  # (n_train, n_inputs)
        return np.stack([X.min(axis=0), X.max(axis=0)], axis=1)


def _read_only(a: NDArray) -> NDArray:
    view = a.view()
    view.flags.writeable = False
    return view


# ---------------------------------------------------------------------------------------
# Built-in generators. Each draws its random numbers in a fixed order that does not
# depend on `noise`, so with one seed the noise slider only scales the jitter.

_TRUE_CURVES: dict[str, Callable[[NDArray[np.float64]], NDArray[np.float64]]] = {
    # both knobs of a line matter: slope and intercept are nonzero
    "linear": lambda x: 0.8 * x + 0.3,
    "quadratic": lambda x: 2.0 * x**2 + 0.3 * x - 0.8,
    # two turning points inside [-1, 1] and lopsided, so every coefficient matters
    "cubic": lambda x: 3.0 * x**3 + 0.5 * x**2 - 2.2 * x - 0.2,
    # one full period: a line underfits, degree 3-5 fits
    "sine": lambda x: np.sin(np.pi * x),
    "step": lambda x: np.where(x >= 0.0, 0.8, -0.8),
    "abs": lambda x: 2.0 * np.abs(x) - 1.0,
}


def true_curve(name: str, x: ArrayLike) -> NDArray[np.float64]:
    """Noise-free target of a built-in regression dataset.

    Parameters
    ----------
    name : str
        One of :data:`REGRESSION`.
    x : array_like, shape (n,)

    Returns
    -------
    NDArray[np.float64], shape (n,)
    """
    if name not in _TRUE_CURVES:
        raise DataError(
            f"{name!r} is not a regression dataset; choose one of {', '.join(REGRESSION)}."
        )
    return np.asarray(_TRUE_CURVES[name](np.asarray(x, dtype=np.float64)), dtype=np.float64)


def _draw_regression(
    name: str, n: int, noise: float, rng: np.random.Generator
) -> tuple[NDArray, NDArray]:
    x = rng.uniform(-1.0, 1.0, size=n)  # (n,)
    eps = rng.standard_normal(n)  # (n,)
    y = true_curve(name, x) + noise * eps
    return x[:, None], y


def _polar(r: NDArray, angle: NDArray) -> NDArray:
    return np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)  # (m, 2)


def _blobs(m: int, label: int, rng: np.random.Generator) -> NDArray:
    # off-centre so the best logistic boundary needs its bias
    centre = np.array([[-0.5, -0.25], [0.45, 0.5]])[label]
    return centre + 0.18 * rng.standard_normal((m, 2))


def _xor(m: int, label: int, rng: np.random.Generator) -> NDArray:
    # keep a thin gap along the axes so noise=0 is cleanly separable
    mag = rng.uniform(0.05, 1.0, size=(m, 2))
    s1 = rng.choice([-1.0, 1.0], size=m)
    s2 = s1 if label == 1 else -s1  # label 1 where x1 * x2 > 0
    return mag * np.stack([s1, s2], axis=1)


def _circles(m: int, label: int, rng: np.random.Generator) -> NDArray:
    u = rng.uniform(0.0, 1.0, size=m)
    angle = rng.uniform(0.0, 2.0 * np.pi, size=m)
    # sqrt: uniform over the area of the inner disc (label 0) or of the outer ring
    r0, r1 = (0.0, 0.45) if label == 0 else (0.70, 0.95)
    r = np.sqrt(r0**2 + u * (r1**2 - r0**2))
    return _polar(r, angle)


def _moons(m: int, label: int, rng: np.random.Generator) -> NDArray:
    t = rng.uniform(0.0, np.pi, size=m)
    if label == 0:
        P = np.stack([np.cos(t), np.sin(t)], axis=1)
    else:
        P = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    # the classic moons span x in [-1, 2], y in [-0.5, 1]; centre and shrink to [-1, 1]
    return (P - np.array([0.5, 0.25])) / 1.5


def _spiral(m: int, label: int, rng: np.random.Generator) -> NDArray:
    t = np.sqrt(rng.uniform(0.01, 1.0, size=m))  # sqrt: even density along the arm
    angle = 1.75 * 2.0 * np.pi * t + np.pi * label
    return _polar(t, angle)


_CLASS_SHAPES: dict[str, Callable[[int, int, np.random.Generator], NDArray]] = {
    "blobs": _blobs,
    "xor": _xor,
    "circles": _circles,
    "moons": _moons,
    "spiral": _spiral,
}


def _draw_classification(
    name: str, n: int, noise: float, rng: np.random.Generator
) -> tuple[NDArray, NDArray]:
    n0 = n // 2
    shape = _CLASS_SHAPES[name]
    X = np.concatenate([shape(n0, 0, rng), shape(n - n0, 1, rng)])  # (n, 2)
    y = np.concatenate([np.zeros(n0), np.ones(n - n0)])  # (n,) balanced
    X = X + noise * rng.standard_normal((n, 2))
    order = rng.permutation(n)  # interleave the classes for minibatches
    return X[order], y[order]


def _check_count(value: object, what: str, low: int) -> int:
    try:
        if isinstance(value, bool):
            raise TypeError
        n = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise DataError(f"{what} must be a whole number; got {value!r}.") from None
    if not low <= n <= MAX_POINTS:
        raise DataError(f"{what} must be between {low} and {MAX_POINTS:,}; got {n:,}.")
    return n


def make_dataset(
    name: str,
    *,
    n_points: int | None = None,
    noise: float | None = None,
    n_test: int | None = None,
    seed: int = 0,
) -> Dataset:
    """Draw a built-in dataset.

    Parameters
    ----------
    name : str
        One of :data:`DATASETS`. Regression data lives on x in [-1, 1] with targets
        roughly in [-1.5, 1.5]; classification data on roughly [-1, 1]^2 with balanced
        labels 0.0/1.0.
    n_points : int, optional
        Training points, 2 to 100 000. Default from :data:`DEFAULTS`.
    noise : float, optional
        Regression: standard deviation of Gaussian noise on y. Classification: standard
        deviation of Gaussian jitter on the positions (0 gives the clean shape).
        Default from :data:`DEFAULTS`.
    n_test : int, optional
        Test points, fresh draws from the same distribution. Defaults to ``n_points``.
    seed : int
        The same seed gives the same data. Train and test come from two independent
        child streams of the seed, so changing ``n_points`` leaves the test set alone;
        changing only ``noise`` keeps the positions and rescales the noise.

    Returns
    -------
    Dataset
        Regression: ``X (n, 1)``, ``y (n,)`` float64.
        Classification: ``X (n, 2)``, ``y (n,)`` float64 in {0.0, 1.0}.

    Raises
    ------
    DataError
        Unknown name, a count out of range, or a negative, non-finite or too large
        (above :data:`MAX_NOISE`) noise.
    """
    if name not in DATASETS:
        raise DataError(f"Unknown dataset {name!r}; choose one of {', '.join(DATASETS)}.")
    default = DEFAULTS[name]
    n_train = _check_count(
        default.n_points if n_points is None else n_points, "n_points", MIN_POINTS
    )
    n_test = _check_count(n_train if n_test is None else n_test, "n_test", 1)
    noise = default.noise if noise is None else noise
    try:
        noise = float(noise)
    except (TypeError, ValueError):
        raise DataError(f"noise must be a number; got {noise!r}.") from None
    if not math.isfinite(noise) or noise < 0.0:
        raise DataError(f"noise must be a finite number of at least 0; got {noise}.")
    if noise > MAX_NOISE:
        raise DataError(f"noise must be at most {MAX_NOISE:g}; got {noise:g}.")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise DataError(f"seed must be a whole number of 0 or more; got {seed!r}.")

    draw = _draw_regression if name in REGRESSION else _draw_classification
    train_rng, test_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    X_train, y_train = draw(name, n_train, noise, train_rng)
    X_test, y_test = draw(name, n_test, noise, test_rng)
    task = "regression" if name in REGRESSION else "classification"
    return Dataset(name, task, X_train, y_train, X_test, y_test, noise=noise)


# ---------------------------------------------------------------------------------------
# Arrays and files from the user.


def _split(
    y: NDArray, task: str, test_fraction: float, rng: np.random.Generator
) -> tuple[NDArray, NDArray]:
    """Shuffled train/test indices: at least one test point and two training points;
    classification keeps both classes in training and splits them in proportion."""
    n = len(y)
    k = min(max(1, round(n * test_fraction)), n - 2)  # test points
    if task == "classification":
        idx0 = rng.permutation(np.flatnonzero(y == 0.0))
        idx1 = rng.permutation(np.flatnonzero(y == 1.0))
        k0 = round(k * len(idx0) / n)
        k0 = min(max(k0, k - (len(idx1) - 1), 0), len(idx0) - 1)  # each class keeps one
        k1 = k - k0
        test = np.concatenate([idx0[:k0], idx1[:k1]])
        train = np.concatenate([idx0[k0:], idx1[k1:]])
    else:
        perm = rng.permutation(n)
        test, train = perm[:k], perm[k:]
    return train[rng.permutation(len(train))], test[rng.permutation(len(test))]


# -- points a person adds, moves and removes --------------------------------------------------
#: a person may remove training points down to this many
MIN_TRAIN_POINTS = 2


def with_point(
    dataset: Dataset,
    x: Sequence[float],
    y: float,
    *,
    index: int | None = None,
    split: str = "train",
) -> Dataset:
    """A copy of ``dataset`` with a point added at (``x``, ``y``) (``index`` None) or with
    point ``index`` of ``split`` moved there. ``x`` has one value per input column; ``y``
    is the target, or the class (0 or 1) for classification. The name stays.

    Raises
    ------
    DataError
        Next-word data (its points are words, not places), a value that is not finite or
        too large, a class other than 0 or 1, an index out of range.
    """
    X_new, y_new = _checked_point(dataset, x, y)
    X, Y = _split_arrays(dataset, split)
    if index is None:
        X, Y = np.vstack([X, X_new]), np.append(Y, y_new)
    else:
        _check_index(dataset, split, index)
        X, Y = X.copy(), Y.copy()
        X[index], Y[index] = X_new[0], y_new
    return _replace_split(dataset, split, X, Y)


def without_point(dataset: Dataset, index: int, *, split: str = "train") -> Dataset:
    """A copy of ``dataset`` without point ``index`` of ``split``; at least
    ``MIN_TRAIN_POINTS`` training points and one test point stay."""
    _check_index(dataset, split, index)
    X, Y = _split_arrays(dataset, split)
    keep = MIN_TRAIN_POINTS if split == "train" else 1
    if len(Y) <= keep:
        raise DataError(f"The {split} set needs at least {keep} point(s); this one stays.")
    return _replace_split(dataset, split, np.delete(X, index, axis=0), np.delete(Y, index))


def _checked_point(dataset: Dataset, x: Sequence[float], y: float) -> tuple[NDArray, float]:
    if dataset.task == "nextword":
        raise DataError("Next-word data is made of sentences: edit the corpus instead.")
    X_new = np.asarray(x, dtype=np.float64).reshape(1, -1)
    if X_new.shape[1] != dataset.n_inputs:
        raise DataError(f"A point here has {dataset.n_inputs} input(s), not {X_new.shape[1]}.")
    y = float(y)
    values = np.append(X_new, y)
    if not np.all(np.isfinite(values)) or np.any(np.abs(values) > MAX_ABS_VALUE):
        raise DataError(f"A point needs finite values of at most {MAX_ABS_VALUE:g} in size.")
    if dataset.task == "classification" and y not in (0.0, 1.0):
        raise DataError(f"A point's class is 0 or 1, not {y:g}.")
    return X_new, y


def _split_arrays(dataset: Dataset, split: str) -> tuple[NDArray, NDArray]:
    if split not in ("train", "test"):
        raise DataError(f"A point is in the train or the test set, not {split!r}.")
    return getattr(dataset, f"X_{split}"), getattr(dataset, f"y_{split}")


def _check_index(dataset: Dataset, split: str, index: int) -> None:
    n = len(_split_arrays(dataset, split)[1])
    if not 0 <= index < n:
        raise DataError(f"There is no {split} point {index} (there are {n}).")


def _replace_split(dataset: Dataset, split: str, X: NDArray, y: NDArray) -> Dataset:
    return dataclasses.replace(dataset, **{f"X_{split}": X, f"y_{split}": y})


def dataset_from_arrays(
    name: str,
    task: str,
    X: ArrayLike,
    y: ArrayLike,
    *,
    test_fraction: float = 0.3,
    seed: int = 0,
) -> Dataset:
    """Validate arrays, shuffle them and split them into train and test.

    Parameters
    ----------
    name : str
        Name of the dataset, e.g. ``"csv:points.csv"``.
    task : str
        ``"regression"`` or ``"classification"``.
    X : array_like, shape (n,) or (n, 1) for regression, (n, 2) for classification
    y : array_like, shape (n,)
        Regression targets, or classification labels that are all 0 or 1.
    test_fraction : float
        Share of the points held out for testing, strictly between 0 and 1. At least one
        point is held out and two are kept for training; classification splits each class
        in proportion and keeps both classes in the training set.
    seed : int
        Seed of the shuffle.

    Returns
    -------
    Dataset
        float64 arrays, ``X (n, n_inputs)``, ``y (n,)``.

    Raises
    ------
    DataError
        Wrong task, shapes, too few or too many points, NaN or infinity, values beyond
        ±1e100, labels other than 0 and 1, only one class, or a test fraction outside (0, 1).
    """
    if task not in ("regression", "classification"):
        raise DataError(f"task must be 'regression' or 'classification'; got {task!r}.")
    n_inputs = 1 if task == "regression" else 2
    try:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"{name}: X and y must hold only numbers.") from None
    if task == "regression" and X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[1] != n_inputs or y.ndim != 1 or len(y) != len(X):
        raise DataError(
            f"{name}: {task} needs X of shape (n, {n_inputs}) and y of shape (n,); "
            f"got {X.shape} and {y.shape}."
        )
    n = len(y)
    if n < MIN_CSV_ROWS:
        raise DataError(f"{name} has {n} points; it needs at least {MIN_CSV_ROWS}.")
    if n > MAX_POINTS:
        raise DataError(f"{name} has {n:,} points; the limit is {MAX_POINTS:,}.")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise DataError(f"{name} holds NaN or infinity; every value must be a finite number.")
    if max(np.max(np.abs(X)), np.max(np.abs(y))) > MAX_ABS_VALUE:
        raise DataError(
            f"{name} holds values too large to compute with; rescale them so every value "
            f"is within ±{MAX_ABS_VALUE:g}."
        )
    if task == "classification":
        if not np.all((y == 0.0) | (y == 1.0)):
            bad = y[(y != 0.0) & (y != 1.0)][0]
            raise DataError(f"{name}: label {bad:g} must be 0 or 1.")
        if np.all(y == y[0]):
            raise DataError(f"{name}: every label is {y[0]:g}; it needs both 0 and 1.")
    test_fraction = float(test_fraction)
    if not 0.0 < test_fraction < 1.0:
        raise DataError(f"test_fraction must be between 0 and 1; got {test_fraction}.")

    train, test = _split(y, task, test_fraction, np.random.default_rng(seed))
    return Dataset(name, task, X[train], y[train], X[test], y[test])


def read_user_text(path: str | os.PathLike[str], *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a small UTF-8 text file chosen by a person.

    Parameters
    ----------
    path : str or PathLike
    max_bytes : int
        Larger files are refused before reading.

    Returns
    -------
    str
        The text, with a UTF-8 byte-order mark removed.

    Raises
    ------
    DataError
        Missing, a folder, unreadable, too large, binary, or not UTF-8.
    """
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: file not found; check the name and the folder.")
    if not p.is_file():
        raise DataError(f"{p} is a folder or device, not a file; choose a file.")
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise DataError(
                f"{p.name} is {size / 1e6:.1f} MB; files up to {max_bytes / 1e6:.0f} MB "
                f"can be loaded."
            )
        raw = p.read_bytes()
    except OSError as e:
        raise DataError(f"{p.name} cannot be read ({e.strerror}); check its permissions.") from e
    try:
        if b"\x00" in raw:
            raise UnicodeError  # binary, or UTF-16
        return raw.decode("utf-8-sig")
    except UnicodeError:
        raise DataError(
            f"{p.name} is not a UTF-8 text file; save it as plain text (UTF-8) and try again."
        ) from None


def _pick_delimiter(line: str) -> str:
    # ';' and tab only ever appear as delimiters; ',' may be a decimal comma under ';'
    for d in (";", "\t"):
        if d in line:
            return d
    return ","


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _csv_rows(reader, fname: str) -> Iterator[list[str]]:
    """The reader's rows; a cell too long to read is a DataError, not a ``csv.Error``."""
    start = 1
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error:  # "field larger than field limit": an unclosed quote, or junk
            raise DataError(
                f"{fname}, row {start}: a cell runs on for more than "
                f"{csv.field_size_limit():,} characters; close its quote or check the file."
            ) from None
        start = reader.line_num + 1
        yield raw


def _cell(cell: str) -> str:
    """A cell quoted for a message, shortened if long."""
    return repr(cell if len(cell) <= 40 else cell[:37] + "...")


def load_csv(path: str | os.PathLike[str], *, test_fraction: float = 0.3, seed: int = 0) -> Dataset:
    """Load a person's CSV file as a regression or classification dataset.

    Two columns ``x,y`` make a regression dataset; three columns ``x1,x2,label`` with
    labels 0 or 1 make a classification dataset. The delimiter is ``,``, ``;`` or tab,
    chosen from the first row. A first row with no number in it is a header. Blank
    lines and lines starting with ``#`` are skipped.

    Parameters
    ----------
    path : str or PathLike
    test_fraction : float
        Share of the rows held out for testing, see :func:`dataset_from_arrays`.
    seed : int
        Seed of the shuffle before the split.

    Returns
    -------
    Dataset
        Named ``"csv:<file name>"``.

    Raises
    ------
    DataError
        Naming the file and, for a bad cell or row, its line number (1-based): a missing,
        unreadable, empty or binary file; a cell that is not a number; a row with the
        wrong number of columns; NaN, infinity or a value beyond ±1e100; a label other
        than 0 or 1; only one class; fewer than 4 or more than 100 000 rows; a cell too
        long to read (an unclosed quote).
    """
    p = Path(path)
    text = read_user_text(p)
    fname = p.name
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), None)
    if first is None:
        raise DataError(f"{fname} is empty; it needs rows of x,y or x1,x2,label.")
    delimiter = _pick_delimiter(first)

    rows: list[list[float]] = []
    n_cols = 0
    header_seen = False
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for raw in _csv_rows(reader, fname):
        line = reader.line_num
        cells = [c.strip() for c in raw]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not n_cols:
            n_cols = len(cells)
            if n_cols not in (2, 3):
                raise DataError(
                    f"{fname}, row {line} has {n_cols} column{'s' * (n_cols != 1)}; "
                    f"expected 2 (x,y) or 3 (x1,x2,label) separated by commas."
                )
            if not any(_is_number(c) for c in cells):
                header_seen = True
                continue
        elif len(cells) != n_cols:
            above = "the header has" if header_seen and not rows else "the rows above have"
            raise DataError(
                f"{fname}, row {line} has {len(cells)} columns but {above} {n_cols}; "
                f"every row needs the same number."
            )
        values = []
        for col, cell in enumerate(cells, start=1):
            is_label = n_cols == 3 and col == 3
            if not cell:
                raise DataError(
                    f"{fname}, row {line}: column {col} is empty; fill it in or delete the row."
                )
            try:
                v = float(cell)
            except ValueError:
                if is_label:
                    msg = f"label {_cell(cell)} must be 0 or 1"
                elif delimiter == ";" and _is_number(cell.replace(",", ".", 1)):
                    msg = f"{_cell(cell)} is not a number; use a dot as the decimal point"
                else:
                    msg = f"{_cell(cell)} is not a number"
                raise DataError(f"{fname}, row {line}: {msg}.") from None
            if math.isnan(v):
                raise DataError(f"{fname}, row {line} holds NaN; every cell must be a number.")
            if math.isinf(v):
                raise DataError(
                    f"{fname}, row {line} holds infinity; every cell must be a finite number."
                )
            if abs(v) > MAX_ABS_VALUE:
                raise DataError(
                    f"{fname}, row {line}: {_cell(cell)} is too large to compute with; "
                    f"rescale the column so every value is within ±{MAX_ABS_VALUE:g}."
                )
            if is_label and v not in (0.0, 1.0):
                raise DataError(f"{fname}, row {line}: label {_cell(cell)} must be 0 or 1.")
            values.append(v)
        rows.append(values)
        if len(rows) > MAX_POINTS:
            raise DataError(
                f"{fname} has more than {MAX_POINTS:,} data rows; shorten it to at most "
                f"{MAX_POINTS:,}."
            )

    if len(rows) < MIN_CSV_ROWS:
        raise DataError(
            f"{fname} has {len(rows)} data row{'s' * (len(rows) != 1)}; "
            f"it needs at least {MIN_CSV_ROWS}."
        )
    data = np.array(rows, dtype=np.float64)  # (n, n_cols)
    if n_cols == 2:
        task, X, y = "regression", data[:, :1], data[:, 1]
    else:
        task, X, y = "classification", data[:, :2], data[:, 2]
        if np.all(y == y[0]):
            raise DataError(f"{fname}: every label is {y[0]:g}; the file needs both 0 and 1.")
    return dataset_from_arrays(f"csv:{fname}", task, X, y, test_fraction=test_fraction, seed=seed)
