"""Pure-numpy models: each one a machine whose knobs are a flat parameter vector.

Models are stateless: they hold hyper-parameters and receive ``theta`` in every call,
so the training session owns the one and only copy of the weights. Nothing here
imports Qt.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from knobsim.core.models.ranges import (
    fitted_halves,
    least_squares,
    logistic_fit,
    symmetric,
    widened,
)

if TYPE_CHECKING:
    from knobsim.core.data.datasets import Dataset

Array = NDArray[np.float64]

MODELS: tuple[str, ...] = ("line", "poly", "logistic", "mlp", "nextword", "embed")
LABELS: dict[str, str] = {
    "line": "Line  (y = w·x + b)",
    "poly": "Polynomial",
    "logistic": "Logistic regression",
    "mlp": "Neural network (MLP)",
    "nextword": "Next-word model",
    "embed": "Word embeddings",
}
DESCRIPTIONS: dict[str, str] = {
    "line": "A straight line: two knobs, the slope w and the intercept b.",
    "poly": "A curve built from polynomial wiggles; the degree sets how many knobs it has.",
    "logistic": "Draws one straight boundary between two classes: two weights and a bias.",
    "mlp": "A small neural network: every connection and every bias is a knob.",
    "nextword": "A tiny language model: a table of knobs 'after word A, how strongly word B'.",
    "embed": "A tiny neural language model: each word is a point on a map, two knobs each.",
}
ACTIVATIONS: tuple[str, ...] = ("tanh", "relu", "sigmoid")
MAX_DEGREE = 15
MAX_HIDDEN = 16
MAX_DIM = 8  # embedding knobs per word
#: the strongest L2 penalty: far beyond it the penalty alone pins every knob to 0, and
#: near 1e308 it overflows the error
MAX_L2 = 1000.0


def nice_ceil(v: float) -> float:
    """Round ``v`` up to 1, 2 or 5 times a power of ten (a tidy slider limit)."""
    v = abs(float(v))
    if not math.isfinite(v) or v <= 0:
        return 1.0
    exp = math.floor(math.log10(v))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10.0**exp >= v * (1 - 1e-12):
            return m * 10.0**exp
    return 10.0 ** (exp + 1)  # pragma: no cover - unreachable


def _sigmoid(z: NDArray) -> NDArray:
    """1 / (1 + e^-z), exact for tiny probabilities too; never warns."""
    # e^-z overflows to inf for z < -709, and 1 / inf = 0 is the right limit
    out = np.array(z, dtype=np.float64)  # a copy to work in (an array even for a scalar)
    np.negative(out, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def _softplus(z: NDArray) -> NDArray:
    """log(1 + e^z) without overflow: max(z, 0) + log1p(e^-|z|).

    Vectorised ufuncs throughout: np.logaddexp(0, z) gives the same numbers but runs
    element by element, about 8x slower on a landscape grid.
    """
    t = np.array(z, dtype=np.float64)  # a copy to work in (an array even for a scalar)
    np.abs(t, out=t)
    np.negative(t, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    t += np.maximum(z, 0.0)
    return t


def _logsumexp(L: NDArray) -> NDArray:
    """log(sum(exp(L))) over the last axis, without overflow."""
    m = L.max(axis=-1, keepdims=True)
    return np.log(np.exp(L - m).sum(axis=-1)) + m[..., 0]


def _bce_from_logits(z: NDArray, y: NDArray) -> NDArray:
    """Mean binary cross-entropy over the last axis, from logits (stable)."""
    # -[y log s(z) + (1-y) log(1-s(z))] = softplus(z) - y z
    return (_softplus(z).sum(axis=-1) - z @ y) / z.shape[-1]


def _bce_and_delta(z: Array, y: Array) -> tuple[float, Array]:
    """Mean binary cross-entropy of logits ``z`` (n,) and dL/dz = (sigmoid(z) - y) / n."""
    n = z.shape[0]
    # np.logaddexp(0, z) is one call, the split _softplus six but vectorised: the first
    # is quicker for a mini-batch, the second for a full batch; the numbers are the same
    sp = np.logaddexp(0.0, z) if n <= 64 else _softplus(z)
    loss = (float(sp.sum()) - float(z @ y)) / n
    # sigmoid(z) = e^(z - softplus(z)): two ufuncs on what we already have
    d = np.subtract(z, sp, out=sp)
    np.exp(d, out=d)
    d -= y
    d *= 1.0 / n
    return loss, d


class InputScaler:
    """Affine map of each input column from its training range onto [-1, 1]."""

    def __init__(self, lo: Sequence[float], hi: Sequence[float]) -> None:
        lo_a = np.asarray(lo, dtype=float)
        hi_a = np.asarray(hi, dtype=float)
        span = hi_a - lo_a
        # a constant column stays put; so does one spread so thinly (denormal numbers)
        # that half its span would underflow and the scaling divide by zero
        span = np.where(span / 2 >= np.finfo(float).tiny, span, 2.0)
        self.lo = lo_a
        self.hi = hi_a
        self.center = (hi_a + lo_a) / 2
        self.half = span / 2

    @classmethod
    def identity(cls, n_inputs: int) -> InputScaler:
        return cls([-1.0] * n_inputs, [1.0] * n_inputs)

    @classmethod
    def fit(cls, X: NDArray) -> InputScaler:
        X = np.asarray(X, dtype=float)
        return cls(X.min(axis=0), X.max(axis=0))

    def __call__(self, X: NDArray) -> Array:
        return (np.asarray(X, dtype=float) - self.center) / self.half


class Model(ABC):
    """The protocol every model follows; see docs/architecture.md.

    Subclasses set ``name``, ``task``, ``n_inputs``, ``param_names`` and implement
    ``_outputs(thetas, X)`` (batched forward), ``_data_loss_many`` and
    ``_data_loss_and_grad`` (on ``features(X)``, so a training loop prepares its data once).
    """

    name: str = ""
    task: str = "regression"
    n_inputs: int = 1
    param_names: list[str]

    def __init__(self, l2: float = 0.0) -> None:
        l2 = float(l2)
        if not math.isfinite(l2) or l2 < 0:
            raise ValueError(f"L2 strength must be zero or a positive number, not {l2}.")
        if l2 > MAX_L2:
            raise ValueError(f"L2 strength must be at most {MAX_L2:g}, not {l2:g}.")
        self.l2 = l2

    # -- the protocol --------------------------------------------------------------
    @property
    def n_params(self) -> int:
        return len(self.param_names)

    def param_index(self, name: str) -> int:
        try:
            return self.param_names.index(name)
        except ValueError:
            raise KeyError(f"{self.name} has no parameter {name!r}.") from None

    @abstractmethod
    def init_params(self, rng: np.random.Generator) -> Array:
        """Seeded starting weights, shape (n_params,)."""

    @abstractmethod
    def default_ranges(self) -> Array:
        """The knobs' ranges before any data is seen, shape (n_params, 2)."""

    def param_ranges(self) -> Array:
        """Slider range per parameter, shape (n_params, 2): the model's own, or the ones
        fitted to the data (``set_ranges``), widened where a knob pushed against an end
        (``widen_ranges``). A copy."""
        return self._knob_ranges().copy()

    def param_range(self, index: int) -> tuple[float, float]:
        lo, hi = self._knob_ranges()[index]
        return float(lo), float(hi)

    def set_ranges(self, ranges: Array) -> None:
        """Fit the knobs' ranges (to the data): ``reset_ranges`` comes back to these."""
        ranges = np.array(ranges, dtype=float).reshape(self.n_params, 2)
        if not (np.all(np.isfinite(ranges)) and np.all(ranges[:, 0] < ranges[:, 1])):
            raise ValueError("Knob ranges need finite ends, low < high.")
        self._fitted = ranges
        self._ranges = ranges.copy()

    def reset_ranges(self) -> None:
        """Back to the fitted ranges (a fresh start forgets how far knobs were pushed)."""
        fitted = self.__dict__.get("_fitted")
        self._ranges = (fitted if fitted is not None else self.default_ranges()).copy()

    def widen_ranges(self, theta: Array, free: NDArray[np.bool_] | None = None) -> bool:
        """Widen the range of each knob whose value in ``theta`` sits at or past an end
        (only where ``free``: a knob a hand holds keeps its range, so the handle stays
        under the hand). True when a range changed. See ``ranges.widened``."""
        out = widened(self._knob_ranges(), theta, free)
        if out is None:
            return False
        self._ranges = out
        return True

    def _knob_ranges(self) -> Array:
        ranges = self.__dict__.get("_ranges")
        if ranges is None:
            ranges = self._ranges = np.array(self.default_ranges(), dtype=float)
        return ranges

    @abstractmethod
    def predict(self, theta: Array, X: NDArray) -> Array:
        """The model's output for inputs X: y_hat (n,), P(class 1) (n,) or probs (n, V)."""

    def data_loss(self, theta: Array, X: NDArray, y: NDArray) -> float:
        return float(self._data_loss_many(np.asarray(theta, float)[None, :], X, y)[0])

    def loss(self, theta: Array, X: NDArray, y: NDArray) -> float:
        """Mean data loss plus the L2 penalty ``l2 * sum(theta**2)``."""
        return float(self.loss_many(np.asarray(theta, float)[None, :], X, y)[0])

    def loss_many(self, thetas: Array, X: NDArray, y: NDArray) -> Array:
        """Loss for a stack of parameter vectors, (k, n_params) -> (k,), vectorised."""
        thetas = np.asarray(thetas, dtype=float)
        return self._data_loss_many(thetas, X, y) + self.penalty_many(thetas)

    def penalty_many(self, thetas: Array) -> Array | float:
        """The L2 penalty ``l2 * sum(theta**2)`` of each row of thetas (k, n_params)."""
        return self.l2 * np.einsum("kp,kp->k", thetas, thetas) if self.l2 else 0.0

    def loss_and_grad(self, theta: Array, X: NDArray, y: NDArray) -> tuple[float, Array]:
        """Loss and its gradient (n_params,) at one theta."""
        return self.loss_and_grad_features(np.asarray(theta, dtype=float), self.features(X), y)

    def features(self, X: NDArray) -> NDArray:
        """The inputs as this model's maths reads them, one row per sample.

        Scaled inputs, a design matrix, table rows: whatever does not depend on the
        weights. Rows of ``features(X)`` are the features of the rows of ``X``, so a
        training loop computes this once for its data and slices mini-batches from it.
        """
        return np.asarray(X, dtype=float)

    def loss_and_grad_features(self, theta: Array, F: NDArray, y: NDArray) -> tuple[float, Array]:
        """``loss_and_grad`` on prepared ``F = features(X)``: the training hot path.

        ``theta`` must be a float64 array of shape (n_params,).
        """
        loss, g = self._data_loss_and_grad(theta, F, y)
        if self.l2:
            # d/dtheta l2*|theta|^2 = 2*l2*theta
            loss += self.l2 * float(theta @ theta)
            g += 2.0 * self.l2 * theta
        return loss, g

    def grad(self, theta: Array, X: NDArray, y: NDArray) -> Array:
        return self.loss_and_grad(theta, X, y)[1]

    def describe(self) -> str:
        """A short human description, e.g. 'poly, degree 3 (4 knobs)'."""
        return f"{self.name} ({self.n_params} knobs)"

    # -- each model supplies these -------------------------------------------------
    @abstractmethod
    def _data_loss_many(self, thetas: Array, X: NDArray, y: NDArray) -> Array:
        """Mean data loss for each row of thetas (k, n_params) -> (k,)."""

    @abstractmethod
    def _data_loss_and_grad(self, theta: Array, F: NDArray, y: NDArray) -> tuple[float, Array]:
        """Mean data loss and its gradient (n_params,) at one theta, on ``F = features(X)``.

        The gradient is a new array (the caller may add to it in place).
        """


class _Regression(Model):
    """Shared MSE plumbing for models whose output is a real number per sample."""

    task = "regression"

    def predict(self, theta: Array, X: NDArray) -> Array:
        return self._outputs(np.asarray(theta, float)[None, :], X)[0]

    def _data_loss_many(self, thetas: Array, X: NDArray, y: NDArray) -> Array:
        r = self._outputs(thetas, X) - np.asarray(y, float)  # (k, n)
        return np.mean(r * r, axis=-1)


class _Linear(Model):
    """Models that are linear in their knobs: output = features(X) @ theta, (k, n)."""

    @abstractmethod
    def features(self, X: NDArray) -> Array:
        """Design matrix (n, n_params): the output is features @ theta."""

    def _outputs(self, thetas: Array, X: NDArray) -> Array:
        return thetas @ self.features(X).T  # (k, n)

    def _data_loss_and_grad(self, theta: Array, F: NDArray, y: NDArray) -> tuple[float, Array]:
        r = F @ theta  # residuals (n,)
        r -= y
        n = F.shape[0]
        # dL/dtheta = 2/n * F^T r
        g = r @ F
        g *= 2.0 / n
        return float(r @ r) / n, g


class Line(_Linear, _Regression):
    """y = w·x + b in the data's own units, mean squared error."""

    name = "line"
    n_inputs = 1

    def __init__(
        self,
        l2: float = 0.0,
        *,
        w_limit: float = 2.0,
        b_limit: float = 2.0,
        data_box: tuple[float, float, float, float] | None = None,
    ) -> None:
        super().__init__(l2)
        self.param_names = ["w", "b"]
        self.w_limit = float(w_limit)
        self.b_limit = float(b_limit)
        #: (mean x, mean y, std x, std y) of the data, where the first line is drawn
        self.data_box = data_box

    @classmethod
    def for_data(cls, X: NDArray, y: NDArray, l2: float = 0.0) -> Line:
        """Fit the knob ranges to the data so the best line sits well inside them."""
        x = np.asarray(X, float).reshape(-1)
        y = np.asarray(y, float)
        xs, ys = float(np.std(x)), float(np.std(y))
        w_ols = float(np.cov(x, y, bias=True)[0, 1] / xs**2) if xs > 0 else 0.0
        b_ols = float(np.mean(y) - w_ols * np.mean(x))
        w_scale = ys / xs if xs > 0 else 1.0
        w_lim, b_lim = fitted_halves([w_ols, b_ols], [w_scale, float(np.max(np.abs(y)))])
        box = (float(np.mean(x)), float(np.mean(y)), xs, ys)
        return cls(l2, w_limit=float(w_lim), b_limit=float(b_lim), data_box=box)

    def init_params(self, rng: np.random.Generator) -> Array:
        u = rng.uniform(-0.5, 0.5, size=2)
        lim = np.array([self.w_limit, self.b_limit])
        if self.data_box is None:
            return u * lim
        # a line through the data's cloud, so the first picture shows it over the points:
        # a slope up to the cloud's own (std y / std x), crossing the middle x within half
        # a std of the mean y (knobs anywhere in their ranges can put it off the plot)
        mx, my, sx, sy = self.data_box
        w = 2 * u[0] * (min(sy / sx, self.w_limit / 2) if sx > 0 else self.w_limit / 2)
        b = my + u[1] * sy - w * mx
        return np.clip([w, b], -lim, lim)

    def default_ranges(self) -> Array:
        return np.array([[-self.w_limit, self.w_limit], [-self.b_limit, self.b_limit]])

    def features(self, X: NDArray) -> Array:
        # y_hat = w x + b = [x, 1] @ [w, b], so dL/dw = 2/n sum(r x), dL/db = 2/n sum(r)
        x = np.asarray(X, float).reshape(-1)
        return np.stack([x, np.ones_like(x)], axis=1)  # (n, 2)

    def describe(self) -> str:
        return "line (2 knobs)"


def legendre_features(u: NDArray, degree: int) -> Array:
    """Legendre polynomials P_0..P_degree at u in [-1, 1], shape (n, degree + 1)."""
    u = np.asarray(u, float).reshape(-1)
    P = np.empty((u.shape[0], degree + 1))
    P[:, 0] = 1.0
    if degree >= 1:
        P[:, 1] = u
    for j in range(1, degree):
        # Bonnet's recursion: (j+1) P_{j+1} = (2j+1) u P_j - j P_{j-1}
        P[:, j + 1] = ((2 * j + 1) * u * P[:, j] - j * P[:, j - 1]) / (j + 1)
    return P


class Polynomial(_Linear, _Regression):
    """y = sum_j c_j P_j(u), u = x scaled to [-1, 1], P_j the Legendre polynomials.

    The knob c_j sets how much of the j-th degree "wiggle" the curve holds. Legendre
    rather than plain powers u**j: the same curves, but the knobs barely interfere
    with each other, so gradient descent can actually fit degree 15 (with u**j the
    problem's condition number grows like 10**degree and training crawls).
    """

    name = "poly"
    n_inputs = 1

    def __init__(self, degree: int = 3, l2: float = 0.0, *, scaler: InputScaler | None = None):
        super().__init__(l2)
        try:
            degree = int(degree)
        except (TypeError, ValueError, OverflowError):  # None, "three", nan, inf
            raise ValueError(f"Polynomial degree must be a whole number, not {degree!r}.") from None
        if not 0 <= degree <= MAX_DEGREE:
            raise ValueError(f"Polynomial degree must be between 0 and {MAX_DEGREE}, not {degree}.")
        self.degree = degree
        self.scaler = scaler or InputScaler.identity(1)
        self.param_names = [f"c{j}" for j in range(degree + 1)]

    def init_params(self, rng: np.random.Generator) -> Array:
        return rng.normal(0.0, 0.3, size=self.n_params)

    def default_ranges(self) -> Array:
        return np.tile([-3.0, 3.0], (self.n_params, 1))

    def features(self, X: NDArray) -> Array:
        # (n, degree+1); dL/dc = 2/n * F^T r
        return legendre_features(
            self.scaler(np.asarray(X, float).reshape(-1, 1))[:, 0], self.degree
        )

    def describe(self) -> str:
        return f"polynomial of degree {self.degree} ({self.n_params} knobs)"


class Logistic(Model):
    """P(class 1 | x) = sigmoid(w1·x1 + w2·x2 + b), binary cross-entropy."""

    name = "logistic"
    task = "classification"
    n_inputs = 2

    def __init__(self, l2: float = 0.0, *, scaler: InputScaler | None = None) -> None:
        super().__init__(l2)
        self.scaler = scaler or InputScaler.identity(2)
        self.param_names = ["w1", "w2", "b"]

    def init_params(self, rng: np.random.Generator) -> Array:
        return rng.normal(0.0, 0.5, size=3)

    def default_ranges(self) -> Array:
        return np.array([[-6.0, 6.0], [-6.0, 6.0], [-4.0, 4.0]])

    def features(self, X: NDArray) -> Array:
        U = self.scaler(X)
        return np.column_stack([U, np.ones(U.shape[0])])  # (n, 3)

    def logits_many(self, thetas: Array, X: NDArray) -> Array:
        return thetas @ self.features(X).T  # (k, n)

    def predict(self, theta: Array, X: NDArray) -> Array:
        return _sigmoid(self.logits_many(np.asarray(theta, float)[None, :], X)[0])

    def _data_loss_many(self, thetas: Array, X: NDArray, y: NDArray) -> Array:
        return _bce_from_logits(self.logits_many(thetas, X), np.asarray(y, float))

    def _data_loss_and_grad(self, theta: Array, F: NDArray, y: NDArray) -> tuple[float, Array]:
        z = F @ theta  # logits (n,)
        loss, dz = _bce_and_delta(z, np.asarray(y, float))
        # dL/dtheta = F^T dL/dz
        return loss, dz @ F

    def describe(self) -> str:
        return "logistic regression (3 knobs)"


def _act(name: str, a: NDArray, out: NDArray | None = None) -> NDArray:
    """The activation of pre-activations ``a``, written to ``out`` (may be ``a`` itself)."""
    if name == "tanh":
        return np.tanh(a, out=out)
    if name == "relu":
        return np.maximum(a, 0.0, out=out)
    # sigmoid(a) = (1 + tanh(a/2)) / 2: no overflow warning, whatever the weights
    out = np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def _act_grad_times(name: str, h: NDArray, delta: NDArray) -> NDArray:
    """``delta * act'(a)`` in place in ``delta``, from the activation ``h = act(a)``."""
    if name == "relu":
        delta *= h > 0  # relu'(a) = [a > 0] = [h > 0]
    elif name == "tanh":
        t = h * h
        np.subtract(1.0, t, out=t)  # tanh' = 1 - h^2
        delta *= t
    else:
        t = 1.0 - h
        t *= h  # sigmoid' = h (1 - h)
        delta *= t
    return delta


class MLP(Model):
    """A fully connected network with one or two hidden layers.

    Regression: 1 input, linear output, MSE. Classification: 2 inputs, sigmoid output,
    binary cross-entropy. Parameters are laid out layer by layer, W then b, each
    weight named ``W<layer>[from,to]`` and each bias ``b<layer>[unit]``. So each layer's
    W (n_in, n_out) and b (n_out,) together are one (n_in + 1, n_out) block ``[W; b]``
    of theta, and a layer is one matmul of its input with a row of ones appended.
    The held-knob shortcuts of a landscape live in ``core.models.landscape``.
    """

    name = "mlp"

    def __init__(
        self,
        hidden: Sequence[int] = (8,),
        activation: str = "tanh",
        task: str = "regression",
        l2: float = 0.0,
        *,
        scaler: InputScaler | None = None,
    ) -> None:
        super().__init__(l2)
        try:
            hidden = tuple(int(h) for h in hidden)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"Hidden layer sizes must be whole numbers, not {hidden!r}.") from None
        if not 1 <= len(hidden) <= 2:
            raise ValueError(f"An MLP has one or two hidden layers, not {len(hidden)}.")
        for h in hidden:
            if not 1 <= h <= MAX_HIDDEN:
                raise ValueError(f"Hidden layers have 1 to {MAX_HIDDEN} units, not {h}.")
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"Unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}."
            )
        if task not in ("regression", "classification"):
            raise ValueError(f"An MLP does regression or classification, not {task!r}.")
        self.hidden = hidden
        self.activation = activation
        self.task = task
        self.n_inputs = 1 if task == "regression" else 2
        self.scaler = scaler or InputScaler.identity(self.n_inputs)
        self.sizes = (self.n_inputs, *hidden, 1)
        self.param_names = []
        self._slices: list[tuple[slice, tuple[int, int], slice]] = []
        offset = 0
        for layer, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:], strict=True), 1):
            w = slice(offset, offset + n_in * n_out)
            offset += n_in * n_out
            bias = slice(offset, offset + n_out)
            offset += n_out
            self._slices.append((w, (n_in, n_out), bias))
            self.param_names += [f"W{layer}[{i},{j}]" for i in range(n_in) for j in range(n_out)]
            self.param_names += [f"b{layer}[{j}]" for j in range(n_out)]
        #: per layer (start, stop, n_in, n_out): theta[start:stop] is its block [W; b]
        self._blocks = [
            (w.start, bias.stop, n_in, n_out) for w, (n_in, n_out), bias in self._slices
        ]

    @property
    def layer_slices(self) -> list[tuple[slice, tuple[int, int], slice]]:
        """(weight slice, weight shape (n_in, n_out), bias slice) per layer."""
        return list(self._slices)

    def init_params(self, rng: np.random.Generator) -> Array:
        theta = np.zeros(self.n_params)
        for w, (n_in, n_out), bias in self._slices:
            # Xavier for tanh/sigmoid, He for ReLU: keeps the units out of saturation
            gain = 2.0 if self.activation == "relu" else 1.0
            theta[w] = rng.normal(0.0, math.sqrt(gain / n_in), size=n_in * n_out)
            theta[bias] = rng.normal(0.0, 0.1, size=n_out)
        return theta

    def default_ranges(self) -> Array:
        return np.tile([-5.0, 5.0], (self.n_params, 1))

    def layer_of(self, index: int) -> tuple[int, int]:
        """(layer, unit) that knob ``index`` feeds: a weight into the unit, or its bias."""
        for layer, (w, (_, n_out), bias) in enumerate(self._slices):
            if w.start <= index < bias.stop:
                return layer, (index - w.start) % n_out
        raise IndexError(f"The network has no knob {index}.")

    def block(self, theta: Array, layer: int) -> Array:
        """Layer ``layer``'s weights and biases as one block ``[W; b]``, (..., n_in + 1, n_out):
        W and b lie one after the other in theta (a view, for one theta or a stack)."""
        start, stop, n_in, n_out = self._blocks[layer]
        return theta[..., start:stop].reshape(theta.shape[:-1] + (n_in + 1, n_out))

    def act(self, a: NDArray, out: NDArray | None = None) -> NDArray:
        """The activation of pre-activations ``a``, written to ``out`` (may be ``a``)."""
        return _act(self.activation, a, out=out)

    def features(self, X: NDArray) -> Array:
        """Scaled inputs with a column of ones appended, (n, n_inputs + 1): the ones carry
        the first layer's bias, so the layer is one matmul with its block ``[W; b]``."""
        U = self.scaler(X)
        return np.column_stack([U, np.ones(U.shape[0])])

    # -- the forward pass, and the backward under it ---------------------------------------
    def forward(self, theta: Array, h: Array, layer: int = 0) -> list[Array]:
        """Every layer's output, from the input ``h = features(X).T`` (n_inputs + 1, n).

        ``theta`` is one weight vector (n_params,) or a stack of them (k, n_params);
        ``...`` below is () or (k,). Outputs are kept transposed, units by samples, so
        a layer is one matmul: ``[h (n_inputs + 1, n), h1 (..., n_h1 + 1, n),
        (h2 (..., n_h2 + 1, n),) z (..., n)]``, each with a row of ones for the next
        layer's bias, ``z`` the output before any sigmoid. With ``layer``, from that
        layer on, ``h`` its input (one for all the thetas, or one each).
        """
        outs = [h]
        lead = theta.shape[:-1]  # () for one theta, (k,) for a stack
        for start, stop, n_in, n_out in self._blocks[layer:-1]:
            Wb = theta[..., start:stop].reshape(lead + (n_in + 1, n_out))  # [W; b]
            h = np.empty(lead + (n_out + 1, h.shape[-1]))
            h[..., n_out, :] = 1.0  # the ones that carry the next layer's bias
            a = h[..., :n_out, :]
            np.matmul(Wb.swapaxes(-1, -2), outs[-1], out=a)  # a = W^T h_in + b
            _act(self.activation, a, out=a)  # h = act(a), in place
            outs.append(h)
        w_out = theta[..., self._blocks[-1][0] :]  # [W; b] of the one output unit
        if theta.ndim == 1:
            outs.append(w_out @ h)  # z, (n,)
        else:
            outs.append(np.matmul(w_out[:, None, :], h)[:, 0, :])  # z, (k, n)
        return outs

    def backward(self, theta: Array, outs: list[Array], dz: Array) -> Array:
        """The gradient (n_params,) at one theta from ``outs = forward(theta, F.T)`` and the
        loss's ``dz = dL/dz`` (n,)."""
        g = np.empty_like(theta)
        start, stop, n_in, _ = self._blocks[-1]
        # the output unit z = [w; b] . h: dL/d[w; b] = h dz (the ones give dL/db = sum dz)
        np.matmul(outs[-2], dz, out=g[start:stop])
        delta = np.multiply.outer(theta[start : stop - 1], dz)  # dL/dh = w dz, (n_in, n)
        for i in range(len(self._blocks) - 2, -1, -1):
            start, stop, n_in, n_out = self._blocks[i]
            _act_grad_times(self.activation, outs[i + 1][:n_out], delta)  # dL/da = dL/dh act'(a)
            # dL/d[W; b] = h_in delta^T, (n_in + 1, n_out)
            np.matmul(outs[i], delta.T, out=g[start:stop].reshape(n_in + 1, n_out))
            if i:
                delta = theta[start : stop - n_out].reshape(n_in, n_out) @ delta  # dL/dh_in
        return g

    def _data_loss_and_grad(self, theta: Array, F: NDArray, y: NDArray) -> tuple[float, Array]:
        # The training hot path: for a mini-batch of ten points numpy's per-call overhead,
        # not arithmetic, is the cost, so a few ufuncs per layer and contiguous blocks.
        outs = self.forward(theta, F.T)
        z = outs[-1]  # (n,)
        if self.task == "classification":
            loss, dz = _bce_and_delta(z, np.asarray(y, float))
        else:
            dz = np.subtract(z, y)  # residuals
            loss = float(dz @ dz) / z.shape[0]
            dz *= 2.0 / z.shape[0]  # dL/dz = 2/n (z - y) for MSE
        return loss, self.backward(theta, outs, dz)

    def data_loss_of_outputs(self, z: Array, y: NDArray) -> Array:
        """Mean data loss of outputs ``z`` (..., n) before any sigmoid, (...)."""
        y = np.asarray(y, float)
        if self.task == "classification":
            return _bce_from_logits(z, y)
        r = z - y
        return np.einsum("...n,...n->...", r, r) / r.shape[-1]

    def _data_loss_many(self, thetas: Array, X: NDArray, y: NDArray) -> Array:
        return self.data_loss_of_outputs(self.forward(thetas, self.features(X).T)[-1], y)

    def predict(self, theta: Array, X: NDArray) -> Array:
        z = self.forward(np.asarray(theta, float), self.features(X).T)[-1]
        return _sigmoid(z) if self.task == "classification" else z

    def hidden_outputs(self, theta: Array, X: NDArray) -> list[Array]:
        """Every layer's activations for one theta: [(n, h1), ((n, h2)), (n,) output]."""
        *hidden, z = self.forward(np.asarray(theta, float), self.features(X).T)[1:]
        out = _sigmoid(z) if self.task == "classification" else z
        return [h[:-1].T for h in hidden] + [out]  # without the rows of ones

    def describe(self) -> str:
        shape = "-".join(str(s) for s in self.sizes)
        return f"{shape} {self.activation} network ({self.n_params} knobs)"


class WordModel(Model):
    """What every next-word model shares: a vocabulary, ``context`` words that choose a
    row of a (V**context, V) table of next-word logits, softmax and cross-entropy.

    Subclasses set ``param_names`` and give ``logits_table``.
    """

    task = "nextword"

    def __init__(self, vocab: Sequence[str], context: int = 1, l2: float = 0.0) -> None:
        super().__init__(l2)
        vocab = tuple(vocab)
        if len(vocab) < 2:
            raise ValueError("A next-word model needs at least two words in its vocabulary.")
        if context not in (1, 2):
            raise ValueError(f"The context is one or two words, not {context}.")
        self.vocab = vocab
        self.context = int(context)
        self.n_inputs = self.context
        self.n_rows = len(vocab) ** self.context

    @property
    def V(self) -> int:
        return len(self.vocab)

    def context_label(self, row: int) -> str:
        """The words of table row ``row``, e.g. 'the' or 'the cat'."""
        words = []
        for _ in range(self.context):
            row, j = divmod(row, self.V)
            words.append(self.vocab[j])
        return " ".join(reversed(words))

    def context_row(self, words: Sequence[int]) -> int:
        row = 0
        for w in words:
            row = row * self.V + int(w)
        return row

    def context_words(self) -> NDArray[np.int64]:
        """The words of every table row, oldest first, (n_rows, context)."""
        rows = np.arange(self.n_rows)
        return np.stack(
            [(rows // self.V ** (self.context - 1 - c)) % self.V for c in range(self.context)],
            axis=1,
        )

    def _rows(self, X: NDArray) -> NDArray[np.int64]:
        X = np.asarray(X, dtype=np.int64).reshape(len(X), -1)
        row = np.zeros(X.shape[0], dtype=np.int64)
        for c in range(X.shape[1]):
            row = row * self.V + X[:, c]
        return row

    def counts(self, X: NDArray, y: NDArray) -> Array:
        """(n_rows, V) transition counts of the data."""
        return self._counts(self._rows(X), y)

    def _counts(self, rows: NDArray[np.int64], y: NDArray) -> Array:
        idx = rows * self.V + np.asarray(y, dtype=np.int64)
        return np.bincount(idx, minlength=self.n_rows * self.V).reshape(self.n_rows, self.V)

    @abstractmethod
    def logits_table(self, theta: Array) -> Array:
        """The next-word logits after every context, (n_rows, V)."""

    def probabilities(self, theta: Array) -> Array:
        """Softmax of every row of the logits table, (n_rows, V)."""
        L = self.logits_table(np.asarray(theta, float))
        return np.exp(L - _logsumexp(L)[:, None])


class NextWord(WordModel):
    """A next-word model: a table of logits "after context A, how strongly word B".

    ``context`` words choose a row of the (V**context, V) table; softmax over the row
    gives the next-word probabilities; the loss is the mean cross-entropy (nats).
    """

    name = "nextword"

    def __init__(self, vocab: Sequence[str], context: int = 1, l2: float = 0.0) -> None:
        super().__init__(vocab, context, l2)
        self.param_names = [
            f"{self.context_label(r)}→{w}" for r in range(self.n_rows) for w in self.vocab
        ]

    def logits_table(self, theta: Array) -> Array:
        return np.asarray(theta, float).reshape(self.n_rows, self.V)

    def init_params(self, rng: np.random.Generator) -> Array:
        return rng.normal(0.0, 0.5, size=self.n_params)

    def default_ranges(self) -> Array:
        return np.tile([-6.0, 6.0], (self.n_params, 1))

    def predict(self, theta: Array, X: NDArray) -> Array:
        """Next-word probabilities for each context, (n, V)."""
        return self.probabilities(theta)[self._rows(X)]

    def features(self, X: NDArray) -> NDArray[np.int64]:
        """The table row of each sample's context, (n,)."""
        return self._rows(X)

    @staticmethod
    def _cross_entropy(L: Array, C: Array, lse: Array) -> Array:
        """Mean cross-entropy of tables ``L`` (..., R, V) on counts ``C`` (R, V), given
        ``lse = logsumexp(L)`` over each row, (..., R)."""
        # CE = 1/n sum_rows [n_r * logsumexp(L_r) - sum_j C_rj L_rj]
        return (lse @ C.sum(axis=1) - np.einsum("...rv,rv->...", L, C)) / C.sum()

    def _data_loss_many(self, thetas: Array, X: NDArray, y: NDArray) -> Array:
        C = self.counts(X, y).astype(float)  # (R, V)
        L = thetas.reshape(-1, self.n_rows, self.V)  # (k, R, V)
        return self._cross_entropy(L, C, _logsumexp(L))

    def _data_loss_and_grad(self, theta: Array, F: NDArray, y: NDArray) -> tuple[float, Array]:
        C = self._counts(F, y).astype(float)  # (R, V)
        L = theta.reshape(self.n_rows, self.V)
        lse = _logsumexp(L)  # (R,)
        loss = float(self._cross_entropy(L, C, lse))
        # dCE/dL_rj = (n_r * softmax(L_r)_j - C_rj) / n
        g = (C.sum(axis=1)[:, None] * np.exp(L - lse[:, None]) - C) / C.sum()
        return loss, g.reshape(-1)

    def describe(self) -> str:
        return f"next-word model, {self.context}-word context ({self.n_params} knobs)"


#: the names of an embedding's components: emb[cat].x, emb[cat].y, emb[cat].z, emb[cat].4, ...
_AXES = ("x", "y", "z")


class Embedding(WordModel):
    """A neural next-word model: each word a point in ``dim`` knobs, shared by every
    context it appears in.

    ``h`` is the embeddings of the ``context`` words, concatenated; the next word's scores
    are ``h @ W + b``; softmax, mean cross-entropy (nats). The knobs are the embeddings
    ``E`` (V, dim), then the output weights ``W`` (context * dim, V), then ``b`` (V,).
    """

    name = "embed"

    def __init__(
        self, vocab: Sequence[str], dim: int = 2, context: int = 1, l2: float = 0.0
    ) -> None:
        super().__init__(vocab, context, l2)
        if isinstance(dim, bool) or not 1 <= int(dim) <= MAX_DIM:
            raise ValueError(f"An embedding has 1 to {MAX_DIM} knobs per word, not {dim}.")
        self.dim = int(dim)
        axes = [_AXES[a] if a < len(_AXES) else str(a + 1) for a in range(self.dim)]
        inputs = (
            axes
            if self.context == 1
            else [f"{c + 1}.{a}" for c in range(self.context) for a in axes]
        )
        self.param_names = (
            [f"emb[{w}].{a}" for w in self.vocab for a in axes]
            + [f"W[{i}→{w}]" for i in inputs for w in self.vocab]
            + [f"b[{w}]" for w in self.vocab]
        )

    def unpack(self, thetas: Array) -> tuple[Array, Array, Array]:
        """Views of E (k, V, dim), W (k, context * dim, V) and b (k, V) of thetas (k, P)."""
        V, d, h = self.V, self.dim, self.context * self.dim
        E = thetas[:, : V * d].reshape(-1, V, d)
        W = thetas[:, V * d : V * d + h * V].reshape(-1, h, V)
        return E, W, thetas[:, V * d + h * V :]

    def embeddings(self, theta: Array) -> Array:
        """Each word's point, (V, dim), in vocab order."""
        return self.unpack(np.asarray(theta, float)[None, :])[0][0].copy()

    def embedding_index(self, word: int, axis: int) -> int:
        """The knob of component ``axis`` of word ``word``'s embedding."""
        return int(word) * self.dim + int(axis)

    def init_params(self, rng: np.random.Generator) -> Array:
        theta = rng.normal(0.0, 0.5, size=self.n_params)
        theta[-self.V :] = 0.0  # no word preferred before training
        return theta

    def default_ranges(self) -> Array:
        return np.tile([-4.0, 4.0], (self.n_params, 1))

    def features(self, X: NDArray) -> NDArray[np.int64]:
        """The context words of each sample, oldest first, (n, context)."""
        return np.asarray(X, dtype=np.int64).reshape(len(X), self.context)

    def _logits(self, thetas: Array, F: NDArray[np.int64]) -> tuple[Array, Array]:
        E, W, b = self.unpack(thetas)
        h = E[:, F].reshape(len(thetas), len(F), self.context * self.dim)  # (k, n, c * dim)
        return h, np.einsum("knh,khv->knv", h, W) + b[:, None, :]  # logits (k, n, V)

    def logits_table(self, theta: Array) -> Array:
        return self._logits(np.asarray(theta, float)[None, :], self.context_words())[1][0]

    def predict(self, theta: Array, X: NDArray) -> Array:
        """Next-word probabilities for each context, (n, V)."""
        L = self._logits(np.asarray(theta, float)[None, :], self.features(X))[1][0]
        return np.exp(L - _logsumexp(L)[:, None])

    def _data_loss_many(self, thetas: Array, X: NDArray, y: NDArray) -> Array:
        L = self._logits(thetas, self.features(X))[1]  # (k, n, V)
        y = np.asarray(y, dtype=np.int64)
        picked = np.take_along_axis(L, y[None, :, None], axis=2)[..., 0]  # (k, n)
        # CE = mean(logsumexp(L_i) - L_i,y_i)
        return np.mean(_logsumexp(L) - picked, axis=-1)

    def _data_loss_and_grad(self, theta: Array, F: NDArray, y: NDArray) -> tuple[float, Array]:
        y = np.asarray(y, dtype=np.int64)
        n = len(y)
        h, L = self._logits(theta[None, :], F)
        h, L = h[0], L[0]  # (n, context * dim), (n, V)
        lse = _logsumexp(L)  # (n,)
        loss = float(np.mean(lse - L[np.arange(n), y]))
        # dCE/dlogits = (softmax - onehot) / n
        dL = np.exp(L - lse[:, None])
        dL[np.arange(n), y] -= 1.0
        dL /= n
        _, W, _ = self.unpack(theta[None, :])
        # dW = h^T dL, db = sum over samples, dh = dL W^T scattered back to each word's row
        dE = np.zeros((self.V, self.dim))
        dh = (dL @ W[0].T).reshape(n, self.context, self.dim)
        np.add.at(dE, F, dh)
        g = np.concatenate([dE.ravel(), (h.T @ dL).ravel(), dL.sum(axis=0)])
        return loss, g

    def describe(self) -> str:
        return (
            f"word embeddings, {self.dim} knobs per word, {self.context}-word context "
            f"({self.n_params} knobs)"
        )


def parse_hidden(text: str | Sequence[int]) -> tuple[int, ...]:
    """'8' -> (8,), '4,2' -> (4, 2); raises ValueError with a readable message."""
    if not isinstance(text, str):
        try:
            return tuple(int(h) for h in text)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"Hidden layer sizes must be whole numbers, not {text!r}.") from None
    try:
        hidden = tuple(int(part) for part in text.replace(" ", "").split(","))
    except ValueError:
        raise ValueError(f"--hidden takes unit counts like '8' or '4,2', not {text!r}.") from None
    return hidden


def make_model(
    name: str,
    dataset: Dataset,
    *,
    degree: int = 3,
    hidden: Sequence[int] | str = (8,),
    activation: str = "tanh",
    l2: float = 0.0,
    context: int = 1,
    dim: int = 2,
) -> Model:
    """Build model ``name`` fitted to ``dataset`` (knob ranges and input scaling).

    Raises ``ValueError`` when the model cannot run on that kind of data.
    """
    if name not in MODELS:
        raise ValueError(f"Unknown model {name!r}; choose one of {', '.join(MODELS)}.")
    task = dataset.task
    needs = {"line": "regression", "poly": "regression", "logistic": "classification"}
    if name in needs and task != needs[name]:
        raise ValueError(
            f"The {name} model needs {needs[name]} data, but {dataset.name!r} is {task} data."
        )
    if name in ("nextword", "embed"):
        if task != "nextword":
            raise ValueError(f"The {name} model needs a text corpus, not {dataset.name!r}.")
        model: WordModel = (
            NextWord(dataset.vocab, context=context, l2=l2)
            if name == "nextword"
            else Embedding(dataset.vocab, dim=dim, context=context, l2=l2)
        )
        held = np.asarray(dataset.X_train).reshape(len(dataset.X_train), -1).shape[1]
        if held != model.context:
            raise ValueError(
                f"The data holds {held}-word contexts, but the {name} model reads "
                f"{model.context}; encode the corpus with context {model.context}."
            )
        return model
    if name == "mlp" and task not in ("regression", "classification"):
        raise ValueError(f"The mlp model needs numeric data, not the corpus {dataset.name!r}.")
    if name == "line":
        return Line.for_data(dataset.X_train, dataset.y_train, l2=l2)
    # built-in data is drawn on [-1, 1] already; scaling it by the sample's own range would
    # move the knobs' meaning whenever points are added (and blow up a degree-15 curve
    # just outside the old range). A person's file is scaled by its training range.
    builtin = getattr(dataset, "noise", None) is not None
    n_in = dataset.X_train.shape[1]
    scaler = InputScaler.identity(n_in) if builtin else InputScaler.fit(dataset.X_train)
    X, y = dataset.X_train, dataset.y_train
    if name == "poly":
        poly = Polynomial(degree, l2, scaler=scaler)
        y_scale = float(np.max(np.abs(y))) if y.size else 1.0
        # the best curve's knobs, but a degree-15 fit through 20 points can ask for
        # hundreds: beyond ten times the data's scale, a hand pushing widens the range
        best = least_squares(poly.features(X), y) if y.size else np.zeros(poly.n_params)
        poly.set_ranges(symmetric(fitted_halves(best, y_scale, 10 * max(y_scale, 0.1))))
        return poly
    if name == "logistic":
        logistic = Logistic(l2, scaler=scaler)
        if y.size and 0 < np.mean(y) < 1:  # both classes: a fit exists
            best = logistic_fit(logistic.features(X), y)
            logistic.set_ranges(symmetric(fitted_halves(best, 2.0, 50.0)))
        return logistic
    return MLP(parse_hidden(hidden), activation, task, l2, scaler=scaler)
