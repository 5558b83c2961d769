"""The ``.knobsim`` session file: JSON with a format version. Nothing here imports Qt.

A file holds everything needed to put a session back exactly: the model and its
capacity, the data itself (so a loaded CSV or corpus survives without the original
file), the weights to the last bit (floats are written with ``repr``, which
round-trips), the optimizer settings, locked knobs and the loss history.
Loading validates everything before building anything, so a bad file changes nothing.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from knobsim.core.data.catalog import session_for
from knobsim.core.data.datasets import MAX_ABS_VALUE, TASKS, DataError, Dataset
from knobsim.core.models.machines import MLP, MODELS, Embedding, Polynomial, WordModel
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session

FORMAT = "knobsim-session"
VERSION = 1
SUFFIX = ".knobsim"
#: refuse files larger than this before parsing (a session with 100k points is ~10 MB)
MAX_BYTES = 64 * 1024 * 1024

_TOP_KEYS = {
    "format",
    "version",
    "model",
    "dataset",
    "params",
    "locked",
    "optimizer",
    "optimizer_state",
    "sampler_state",
    "seed",
    "step_count",
    "history",
    "app",
}


class SessionFileError(DataError):
    """A session file that cannot be loaded; the message says why, in one sentence."""


def session_to_dict(session: Session, *, app: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything about ``session`` as plain JSON-ready data.

    ``app`` carries the window's own settings (speed, landscape pair, ...) untouched.
    """
    model, data, cfg = session.model, session.dataset, session.config
    spec: dict[str, Any] = {"name": model.name, "l2": model.l2}
    if isinstance(model, Polynomial):
        spec["degree"] = model.degree
    if isinstance(model, MLP):
        spec["hidden"] = list(model.hidden)
        spec["activation"] = model.activation
    if isinstance(model, WordModel):
        spec["context"] = model.context
    if isinstance(model, Embedding):
        spec["dim"] = model.dim
    h = session.history
    out = {
        "format": FORMAT,
        "version": VERSION,
        "model": spec,
        "dataset": {
            "name": data.name,
            "task": data.task,
            "X_train": data.X_train.tolist(),
            "y_train": data.y_train.tolist(),
            "X_test": data.X_test.tolist(),
            "y_test": data.y_test.tolist(),
            "vocab": list(data.vocab),
            "noise": data.noise,
        },
        "params": session.as_dict(),
        "locked": [model.param_names[i] for i in sorted(session.locked)],
        "optimizer": {
            "name": cfg.name,
            "lr": cfg.lr,
            "batch_size": cfg.batch_size,
            "momentum": cfg.momentum,
            "beta1": cfg.beta1,
            "beta2": cfg.beta2,
            "rho": cfg.rho,
            "eps": cfg.eps,
        },
        "optimizer_state": {
            k: (v.tolist() if isinstance(v, np.ndarray) else v)
            for k, v in session.optimizer_state.items()
        },
        "sampler_state": session.sampler_state,
        "seed": session.seed,
        "step_count": session.step_count,
        "history": {
            "steps": h.steps.tolist(),
            "train": [_json_float(v) for v in h.train.tolist()],
            "test": [_json_float(v) for v in h.test.tolist()],
            "marks": [[int(s), str(label)] for s, label in h.marks],
        },
    }
    if app:
        out["app"] = app
    return out


def session_from_dict(d: Any, *, source: str = "the session") -> tuple[Session, dict, list[str]]:
    """Build a session from ``session_to_dict`` output.

    Returns
    -------
    session, app settings, notes
        ``notes`` lists things a person may want to know (unknown fields ignored).

    Raises
    ------
    SessionFileError
        Anything malformed, with a sentence naming ``source`` and the problem.
    """

    def fail(msg: str) -> SessionFileError:
        return SessionFileError(f"{source}: {msg}")

    if not isinstance(d, dict):
        raise fail("this is not a knobsim session (expected a JSON object).")
    if d.get("format") != FORMAT:
        raise fail("this is not a knobsim session file (its 'format' field is missing).")
    version = d.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise fail("the format version is missing or not a whole number.")
    if version > VERSION:
        raise fail(
            f"it was saved by a newer knobsim (format {version}; this one reads up to "
            f"{VERSION}). Update knobsim to open it."
        )
    if version < 1:
        raise fail(f"format version {version} does not exist.")
    notes = []
    unknown = sorted(set(d) - _TOP_KEYS)
    if unknown:
        notes.append(f"Ignored unknown fields: {', '.join(unknown)}.")

    dataset = _dataset(_section(d, "dataset", fail), fail)
    spec = _section(d, "model", fail)
    name = spec.get("name")
    if name not in MODELS:
        raise fail(f"unknown model {name!r}; knobsim knows {', '.join(MODELS)}.")
    options = dict(
        degree=_int(spec.get("degree", 3), "model degree", fail),
        hidden=tuple(
            _int(h, "hidden units", fail) for h in _list(spec.get("hidden", [8]), "hidden", fail)
        ),
        activation=str(spec.get("activation", "tanh")),
        l2=_float(spec.get("l2", 0.0), "L2 strength", fail),
        context=_int(spec.get("context", 1), "context", fail),
        dim=_int(spec.get("dim", 2), "embedding size", fail),
    )
    opt = _section(d, "optimizer", fail)
    try:
        config = OptimizerConfig(
            name=str(opt.get("name", "gd")),
            lr=_float(opt.get("lr", 0.1), "learning rate", fail),
            batch_size=None
            if opt.get("batch_size") is None
            else _int(opt["batch_size"], "batch size", fail),
            **{
                k: _float(opt[k], k, fail)
                for k in ("momentum", "beta1", "beta2", "rho", "eps")
                if k in opt
            },
        )
    except ValueError as exc:
        if isinstance(exc, SessionFileError):
            raise
        raise fail(str(exc)) from None

    seed = _int(d.get("seed", 0), "seed", fail)
    try:
        session = session_for(name, dataset, seed=seed, optimizer=config, **options)
    except ValueError as exc:
        raise fail(str(exc)) from None
    model = session.model

    params = d.get("params")
    if isinstance(params, dict):
        missing = [n for n in model.param_names if n not in params]
        extra = [n for n in params if n not in set(model.param_names)]  # keys are str
        if missing or extra:
            raise fail(
                f"the weights do not fit a {model.describe()}: "
                + (f"missing {', '.join(missing[:3])}" if missing else "")
                + ("; " if missing and extra else "")
                + (f"unexpected {', '.join(extra[:3])}" if extra else "")
                + "."
            )
        values = [params[n] for n in model.param_names]
    elif isinstance(params, list):
        if len(params) != model.n_params:
            raise fail(f"{len(params)} weights for a model with {model.n_params} knobs.")
        values = params
    else:
        raise fail("the weights ('params') are missing.")
    theta = np.array([_float(v, "weight", fail) for v in values], dtype=float)

    session.set_params(theta, by_hand=False)
    for n in _list(d.get("locked", []), "locked", fail):
        if not isinstance(n, str) or n not in set(model.param_names):
            raise fail(f"locked knob {n!r} is not a knob of this model.")
        session.set_locked(n, True)
    state = d.get("optimizer_state")
    if isinstance(state, dict):
        try:
            session.set_optimizer_state(state)
        except (ValueError, TypeError):
            notes.append("The optimizer's memory did not fit and was started afresh.")
    sampler = d.get("sampler_state")
    if isinstance(sampler, dict):
        try:
            session.set_sampler_state(sampler)
        except (ValueError, TypeError, KeyError):
            notes.append("The mini-batch order could not be restored; it starts afresh.")
    _restore_history(session, d.get("history"), _int(d.get("step_count", 0), "step", fail), fail)
    app = d.get("app") if isinstance(d.get("app"), dict) else {}
    return session, app, notes


def dumps(session: Session, *, app: dict[str, Any] | None = None) -> str:
    return json.dumps(session_to_dict(session, app=app), allow_nan=False, indent=1)


def save(
    session: Session,
    path: str | os.PathLike[str],
    *,
    app: dict[str, Any] | None = None,
    _write: Callable[[Any, str], None] | None = None,
) -> Path:
    """Write atomically: a temporary file in the same folder, fsync, then rename.

    A crash at any moment leaves either the old file or the new one, never half of one.
    """
    return write_atomic(dumps(session, app=app), path, _write=_write)


def write_atomic(
    text: str,
    path: str | os.PathLike[str],
    *,
    _write: Callable[[Any, str], None] | None = None,
) -> Path:
    """Write ``text`` (from ``dumps``) atomically, as ``save`` does; safe off the main
    thread (the autosave writes there)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            (_write or _write_text)(f, text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def load(path: str | os.PathLike[str]) -> tuple[Session, dict, list[str]]:
    """Read and validate a session file; raises ``SessionFileError`` with a message."""
    p = Path(path)
    name = p.name
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise SessionFileError(f"{name}: file not found.") from None
    except OSError as exc:
        raise SessionFileError(f"{name}: cannot be read ({exc.strerror}).") from None
    if p.is_dir():
        raise SessionFileError(f"{name}: is a folder, not a session file.")
    if size > MAX_BYTES:
        raise SessionFileError(f"{name}: too large for a session ({size // 2**20} MB).")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise SessionFileError(f"{name}: cannot be read ({exc.strerror}).") from None
    return loads(raw, source=name)


def loads(raw: bytes | str, *, source: str = "the session") -> tuple[Session, dict, list[str]]:
    if isinstance(raw, bytes):
        if b"\x00" in raw[:4096]:
            raise SessionFileError(f"{source}: this is a binary file, not a knobsim session.")
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise SessionFileError(f"{source}: not a text file (not UTF-8).") from None
    if not raw.strip():
        raise SessionFileError(f"{source}: the file is empty.")
    try:
        d = json.loads(raw, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        if exc.pos >= len(raw.rstrip()) - 1:
            raise SessionFileError(
                f"{source}: the file ends too early (truncated at {where})."
            ) from None
        raise SessionFileError(f"{source}: not valid JSON ({exc.msg} at {where}).") from None
    except ValueError as exc:
        raise SessionFileError(f"{source}: {exc}") from None
    except RecursionError:
        raise SessionFileError(f"{source}: the JSON is nested too deeply.") from None
    return session_from_dict(d, source=source)


# -- helpers -------------------------------------------------------------------------------
def _reject_constant(name: str) -> float:
    raise ValueError(f"holds {name}, which is not a number a session can hold.")


def _json_float(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _write_text(f, text: str) -> None:
    f.write(text)


def _section(d: dict, key: str, fail) -> dict:
    value = d.get(key)
    if not isinstance(value, dict):
        raise fail(f"the '{key}' section is missing or malformed.")
    return value


def _list(value: Any, what: str, fail) -> list:
    if not isinstance(value, list):
        raise fail(f"'{what}' should be a list.")
    return value


def _float(value: Any, what: str, fail) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(f"the {what} {value!r} is not a number.")
    value = float(value)
    if not math.isfinite(value):
        raise fail(f"the {what} is not a finite number.")
    return value


def _int(value: Any, what: str, fail) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(f"the {what} {value!r} is not a whole number.")
    return value


def _array(value: Any, what: str, fail, *, dtype=float) -> np.ndarray:
    try:
        a = np.array(value, dtype=dtype)
    except (TypeError, ValueError, OverflowError):
        raise fail(f"'{what}' must be a table of numbers.") from None
    if a.dtype == object:
        raise fail(f"'{what}' must be a table of numbers.")
    if dtype is float and not np.all(np.isfinite(a)):
        raise fail(f"'{what}' holds NaN or infinity.")
    if dtype is float and a.size and np.max(np.abs(a)) > MAX_ABS_VALUE:
        raise fail(f"'{what}' holds values beyond ±{MAX_ABS_VALUE:g}, too large to compute with.")
    return a


def _dataset(d: dict, fail) -> Dataset:
    task = d.get("task")
    if task not in TASKS:
        raise fail(f"unknown data task {task!r}.")
    dtype = np.int64 if task == "nextword" else float
    arrays = {}
    for key in ("X_train", "y_train", "X_test", "y_test"):
        arrays[key] = _array(d.get(key), key, fail, dtype=dtype)
    vocab = d.get("vocab", [])
    if not isinstance(vocab, list) or not all(isinstance(w, str) for w in vocab):
        raise fail("'vocab' must be a list of words.")
    if task == "nextword":
        V = len(vocab)
        if V < 2:
            raise fail("a next-word session needs a vocabulary of at least two words.")
        for key in ("X_train", "y_train", "X_test", "y_test"):
            a = arrays[key]
            if a.size and (a.min() < 0 or a.max() >= V):
                raise fail(f"'{key}' refers to words outside the vocabulary.")
    else:
        arrays = {k: v.astype(float) for k, v in arrays.items()}
    noise = d.get("noise")
    try:
        return Dataset(
            str(d.get("name", "data")),
            task,
            arrays["X_train"],
            arrays["y_train"],
            arrays["X_test"],
            arrays["y_test"],
            vocab=tuple(vocab),
            noise=float(noise) if isinstance(noise, int | float) else None,
        )
    except ValueError as exc:
        raise fail(f"the data is malformed: {exc}") from None


def _restore_history(session: Session, h: Any, step_count: int, fail) -> None:
    if h is None:
        return
    if not isinstance(h, dict):
        raise fail("the 'history' section is malformed.")
    steps = _list(h.get("steps", []), "history steps", fail)
    train = _list(h.get("train", []), "history train", fail)
    test = _list(h.get("test", []), "history test", fail)
    if not (len(steps) == len(train) == len(test)):
        raise fail("the history's columns have different lengths.")
    if not all(isinstance(s, int) and not isinstance(s, bool) for s in steps) or any(
        b < a for a, b in zip(steps, steps[1:], strict=False)
    ):
        raise fail("the history's steps must be whole numbers in order.")
    if len(steps) > 2 * session.history.limit:
        raise fail("the history is longer than a session keeps.")

    def col(values):
        out = []
        for v in values:
            if v is None:
                out.append(math.nan)
            elif isinstance(v, bool) or not isinstance(v, int | float):
                raise fail("the history holds something that is not a number.")
            else:
                out.append(float(v))
        return out

    marks = _list(h.get("marks", []), "history marks", fail)
    session.history.clear()
    if steps:
        session.history.extend(steps, col(train), col(test))
    for m in marks:
        if not (isinstance(m, list) and len(m) == 2 and isinstance(m[0], int)):
            raise fail("a history mark is malformed.")
        session.history.mark(int(m[0]), str(m[1]))
    session.step_count = max(step_count, steps[-1] if steps else 0)
    session.restart_timeline()
