"""Optimizers as pure functions of (parameters, gradient, state). Nothing here imports Qt.

Every update returns new arrays and never writes into its inputs, so the session can keep
the old parameters for an undo or a divergence check. The hot path avoids needless
temporaries: the UI runs thousands of steps per second on models with a few dozen weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

OPTIMIZERS: tuple[str, ...] = ("gd", "sgd", "momentum", "rmsprop", "adam")

LABELS: dict[str, str] = {
    "gd": "Gradient descent (full batch)",
    "sgd": "Mini-batch SGD",
    "momentum": "Momentum",
    "rmsprop": "RMSProp",
    "adam": "Adam",
}

DESCRIPTIONS: dict[str, str] = {
    "gd": "Each step looks at every training point and moves the knobs a little way downhill.",
    "sgd": ("Each step looks at a small random handful of points, so steps are cheap but wobbly."),
    "momentum": (
        "Like a ball rolling downhill: it builds up speed in directions that keep pointing "
        "the same way."
    ),
    "rmsprop": (
        "Gives every knob its own step size, smaller for knobs whose slope has been large."
    ),
    "adam": (
        "Combines momentum with a step size per knob; a popular default that needs little tuning."
    ),
}

DEFAULT_LR: dict[str, float] = {
    "gd": 0.1,
    "sgd": 0.05,
    "momentum": 0.05,
    "rmsprop": 0.01,
    "adam": 0.02,
}

#: Mini-batch size that "sgd" uses when the config does not set one.
DEFAULT_SGD_BATCH = 10


@dataclass(frozen=True)
class OptimizerConfig:
    """Which optimizer to run and its hyper-parameters.

    Parameters
    ----------
    name : str
        One of :data:`OPTIMIZERS`.
    lr : float
        Learning rate (step size), finite and > 0.
    batch_size : int or None
        Mini-batch size; None means full batch (see :func:`minibatch_size`).
    momentum : float
        Momentum coefficient ``mu`` in [0, 1) ("momentum" only).
    beta1, beta2 : float
        Adam decay rates of the first and second moment, each in [0, 1).
    rho : float
        RMSProp decay rate of the squared-gradient average, in [0, 1).
    eps : float
        Small positive constant that keeps the RMSProp and Adam division finite.

    Raises
    ------
    ValueError
        If any field is out of range; the message says what to change.
    """

    name: str = "gd"
    lr: float = 0.1
    batch_size: int | None = None
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    rho: float = 0.9
    eps: float = 1e-8

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise ValueError(
                f"Unknown optimizer {self.name!r}; choose one of {', '.join(OPTIMIZERS)}."
            )
        if not _is_real(self.lr) or not math.isfinite(self.lr) or self.lr <= 0:
            raise ValueError(
                f"The learning rate must be a finite number above 0 (got {self.lr!r}); "
                "try a value such as 0.01 or 0.1."
            )
        if self.batch_size is not None:
            if isinstance(self.batch_size, bool) or not isinstance(
                self.batch_size, (int, np.integer)
            ):
                raise ValueError(
                    f"The batch size must be a whole number of points or None for the full "
                    f"batch (got {self.batch_size!r})."
                )
            if self.batch_size < 1:
                raise ValueError(
                    f"The batch size must be at least 1 point (got {self.batch_size}); "
                    "use None for the full batch."
                )
        for field in ("momentum", "beta1", "beta2", "rho"):
            value = getattr(self, field)
            if not _is_real(value) or not 0.0 <= value < 1.0:
                raise ValueError(
                    f"{field} must be at least 0 and below 1 (got {value!r}); "
                    "typical values are 0.9 to 0.999."
                )
        if not _is_real(self.eps) or not math.isfinite(self.eps) or self.eps <= 0:
            raise ValueError(
                f"eps must be a small finite number above 0 (got {self.eps!r}); "
                "the usual value is 1e-8."
            )


def _is_real(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def init_state(config: OptimizerConfig, n_params: int) -> dict[str, NDArray | int]:
    """Fresh optimizer state: zero velocities and moment estimates.

    Parameters
    ----------
    config : OptimizerConfig
    n_params : int
        Length of the parameter vector.

    Returns
    -------
    dict
        ``{}`` for "gd" and "sgd"; ``{"v"}`` for "momentum"; ``{"s"}`` for "rmsprop";
        ``{"m", "v", "t"}`` for "adam". Every array has shape ``(n_params,)`` and dtype
        float64. Adam's step count ``t`` is an int while all parameters have taken the same
        number of steps; once a lock (see :func:`update`) pauses some of them it becomes an
        int64 array with one count per parameter, so each bias correction resumes exactly.
    """
    if n_params < 0:
        raise ValueError(f"n_params must be 0 or more (got {n_params}).")
    name = config.name
    if name == "momentum":
        return {"v": np.zeros(n_params)}
    if name == "rmsprop":
        return {"s": np.zeros(n_params)}
    if name == "adam":
        return {
            "m": np.zeros(n_params),
            "v": np.zeros(n_params),
            "t": 0,
        }
    return {}


def update(
    config: OptimizerConfig,
    theta: NDArray[np.float64],
    g: NDArray[np.float64],
    state: dict[str, NDArray | int],
    mask: NDArray[np.bool_] | None = None,
) -> tuple[NDArray[np.float64], dict[str, NDArray | int]]:
    """One optimizer step. Pure: returns new arrays, never writes into its inputs.

    Parameters
    ----------
    config : OptimizerConfig
    theta : ndarray, shape (n_params,)
        Current parameters (float64).
    g : ndarray, shape (n_params,)
        Gradient of the loss at ``theta``.
    state : dict
        State from :func:`init_state` or from the previous call of :func:`update`.
    mask : ndarray of bool, shape (n_params,), optional
        True marks a locked (frozen) parameter: its value and its state entries come back
        unchanged, so unlocking it later resumes exactly where it stopped.

    Returns
    -------
    theta_new : ndarray, shape (n_params,)
    state_new : dict
        Same keys as ``state``, all new arrays (Adam's ``t`` may be an int; see
        :func:`init_state`).

    Raises
    ------
    ValueError
        If the shapes disagree or ``state`` was made for another optimizer.
    """
    if theta.shape != g.shape:
        raise ValueError(
            f"The gradient has shape {g.shape} but the parameters have shape {theta.shape}."
        )
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != theta.shape:
            raise ValueError(
                f"The lock mask has shape {mask.shape} but the parameters have shape {theta.shape}."
            )
        if not mask.any():
            mask = None  # nothing locked: take the fast path
    name = config.name
    lr = config.lr
    try:
        if name == "gd" or name == "sgd":
            # theta <- theta - lr * g
            new = np.multiply(g, -lr)
            new += theta
            new_state: dict[str, NDArray | int] = {}
        elif name == "momentum":
            # v <- mu * v - lr * g ;  theta <- theta + v   (heavy ball)
            v_old = _state_array(state, "v", theta)
            v = np.multiply(v_old, config.momentum)
            new = np.multiply(g, lr)
            v -= new
            np.add(theta, v, out=new)
            new_state = {"v": v}
        elif name == "rmsprop":
            # s <- rho * s + (1 - rho) * g^2 ;  theta <- theta - lr * g / (sqrt(s) + eps)
            s_old = _state_array(state, "s", theta)
            rho = config.rho
            s = np.multiply(g, g)
            s *= 1.0 - rho
            new = np.multiply(s_old, rho)
            s += new
            np.sqrt(s, out=new)
            new += config.eps
            np.divide(g, new, out=new)
            new *= -lr
            new += theta
            new_state = {"s": s}
        elif name == "adam":
            # m <- b1 * m + (1 - b1) * g ;  v <- b2 * v + (1 - b2) * g^2 ;  t <- t + 1
            # theta <- theta - lr * m_hat / (sqrt(v_hat) + eps),
            #   m_hat = m / (1 - b1^t),  v_hat = v / (1 - b2^t)   (bias correction)
            m_old = _state_array(state, "m", theta)
            v_old = _state_array(state, "v", theta)
            t_old = state["t"]
            b1, b2 = config.beta1, config.beta2
            m = np.multiply(g, 1.0 - b1)
            tmp = np.multiply(m_old, b1)
            m += tmp
            v = np.multiply(g, g)
            v *= 1.0 - b2
            np.multiply(v_old, b2, out=tmp)
            v += tmp
            if mask is None and isinstance(t_old, (int, np.integer)):
                # every parameter is at step t: fold the corrections into scalars,
                # m_hat / (sqrt(v_hat) + eps) = (sqrt(c2) / c1) * m / (sqrt(v) + eps * sqrt(c2))
                t: NDArray | int = int(t_old) + 1
                c1, sqrt_c2 = 1.0 - b1**t, math.sqrt(1.0 - b2**t)
                np.sqrt(v, out=tmp)
                tmp += config.eps * sqrt_c2
                new = np.divide(m, tmp)
                new *= -lr * sqrt_c2 / c1
            else:
                # locks have paused some parameters: each has its own step count t
                if isinstance(t_old, (int, np.integer)):
                    t = np.full(theta.shape, int(t_old) + 1, dtype=np.int64)
                else:
                    t = np.add(_state_array(state, "t", theta), 1)
                np.power(b2, t, out=tmp)
                np.subtract(1.0, tmp, out=tmp)
                np.divide(v, tmp, out=tmp)
                np.sqrt(tmp, out=tmp)  # sqrt(v_hat)
                tmp += config.eps
                new = np.power(b1, t, dtype=np.float64)
                np.subtract(1.0, new, out=new)
                np.divide(m, new, out=new)  # m_hat
                np.divide(new, tmp, out=new)
                new *= -lr
            new += theta
            new_state = {"m": m, "v": v, "t": t}
        else:  # pragma: no cover - OptimizerConfig rejects unknown names
            raise ValueError(f"Unknown optimizer {name!r}.")
    except KeyError as err:
        raise ValueError(
            f"The optimizer state has no entry {err.args[0]!r}: it was not made for "
            f"{name!r}. Call init_state(config, n_params) after changing the optimizer."
        ) from None

    if mask is not None:
        # frozen entries keep their value and their state, so unlocking resumes cleanly
        np.copyto(new, theta, where=mask)
        for key, arr in new_state.items():
            np.copyto(arr, state[key], where=mask)
    return new, new_state


def _state_array(state: dict[str, NDArray | int], key: str, theta: NDArray) -> NDArray:
    arr = state[key]
    shape = getattr(arr, "shape", None)
    if shape != theta.shape:
        raise ValueError(
            f"The optimizer state {key!r} has shape {shape} but the parameters have shape "
            f"{theta.shape}. Call init_state(config, n_params) after changing the model."
        )
    return arr  # type: ignore[return-value]


def minibatch_size(config: OptimizerConfig, n_train: int) -> int | None:
    """How many training points each step sees.

    Parameters
    ----------
    config : OptimizerConfig
    n_train : int
        Number of training points (at least 1).

    Returns
    -------
    int or None
        None means full batch. "gd" is always full batch; "sgd" uses ``batch_size`` or
        :data:`DEFAULT_SGD_BATCH` when that is None; the others use ``batch_size`` when set
        and full batch otherwise. A batch size above ``n_train`` is clipped to ``n_train``.
    """
    if n_train < 1:
        raise ValueError(f"There are no training points (n_train={n_train}); add some data.")
    if config.name == "gd":
        return None
    batch = config.batch_size
    if batch is None:
        if config.name != "sgd":
            return None
        batch = DEFAULT_SGD_BATCH
    return min(int(batch), n_train)


class BatchSampler:
    """Epoch-style shuffled mini-batches of training indices.

    Walks a random permutation of ``range(n_train)`` ``batch_size`` indices at a time and
    draws a fresh permutation when it runs out, so every point is used exactly once per
    epoch. When ``batch_size`` does not divide ``n_train`` the last batch of an epoch is
    shorter. Each batch is a read-only view into the epoch's permutation (no copy).

    Parameters
    ----------
    n_train : int
        Number of training points (at least 1).
    batch_size : int
        Points per batch (at least 1); clipped to ``n_train``.
    rng : numpy.random.Generator
        Source of the shuffles; the same seed gives the same batches.
    """

    __slots__ = ("n_train", "batch_size", "_rng", "_perm", "_pos", "epoch")

    def __init__(self, n_train: int, batch_size: int, rng: np.random.Generator) -> None:
        if n_train < 1:
            raise ValueError(f"There are no training points (n_train={n_train}); add some data.")
        if batch_size < 1:
            raise ValueError(f"The batch size must be at least 1 point (got {batch_size}).")
        self.n_train = int(n_train)
        self.batch_size = min(int(batch_size), self.n_train)
        self._rng = rng
        #: epoch of the most recent batch, counting from 0
        self.epoch = 0
        self._perm = self._shuffle()
        self._pos = 0

    def _shuffle(self) -> NDArray[np.int64]:
        # a new array each epoch: batches handed out earlier stay valid
        perm = self._rng.permutation(self.n_train)
        perm.flags.writeable = False
        return perm

    def next(self) -> NDArray[np.int64]:
        """The next batch of indices, shape ``(<= batch_size,)``."""
        pos = self._pos
        if pos >= self.n_train:
            self._perm = self._shuffle()
            self.epoch += 1
            pos = 0
        end = pos + self.batch_size
        self._pos = end
        return self._perm[pos:end]

    __next__ = next

    def __iter__(self) -> BatchSampler:
        return self
