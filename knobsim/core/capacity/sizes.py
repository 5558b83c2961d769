"""A model's capacity (how many knobs it has) and changing it without losing the knobs.

The polynomial's capacity is its degree, the MLP's the width of its first hidden layer.
Changing the capacity keeps every knob that still exists and starts the new ones where
they barely change the model's output. Nothing here imports Qt.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from knobsim.core.models.machines import MAX_DEGREE, MAX_HIDDEN, MLP, Model, Polynomial

Array = NDArray[np.float64]

#: standard deviation of a new hidden unit's incoming weights: small, so its tanh
#: starts near the linear part, and random, so units added together do not stay twins
NEW_UNIT_SCALE = 0.1


def capacity_range(model: Model) -> tuple[int, int] | None:
    """Smallest and largest capacity of ``model``'s kind, or None if it has no capacity knob.

    Polynomial: degree 0 to 15. MLP: 1 to 16 units in the first hidden layer.
    """
    if isinstance(model, Polynomial):
        return 0, MAX_DEGREE
    if isinstance(model, MLP):
        return 1, MAX_HIDDEN
    return None


def capacity_of(model: Model) -> int | None:
    """The degree of a polynomial, the first hidden layer's width of an MLP, else None."""
    if isinstance(model, Polynomial):
        return model.degree
    if isinstance(model, MLP):
        return model.hidden[0]
    return None


def capacity_name(model: Model) -> str:
    """What the capacity is called: 'degree', 'hidden units' or 'layer-1 units'."""
    if isinstance(model, Polynomial):
        return "degree"
    if isinstance(model, MLP) and len(model.hidden) > 1:
        return "layer-1 units"
    return "hidden units"


def with_capacity(model: Model, capacity: int) -> Model:
    """The same kind of model with another capacity (same scaling, activation and L2).

    Raises
    ------
    ValueError
        When the model has no capacity to change, or ``capacity`` is out of its range.
    """
    capacity = int(capacity)
    if isinstance(model, Polynomial):
        return Polynomial(capacity, model.l2, scaler=model.scaler)
    if isinstance(model, MLP):
        hidden = (capacity, *model.hidden[1:])
        return MLP(hidden, model.activation, model.task, model.l2, scaler=model.scaler)
    raise ValueError(
        f"The {model.name} model has a fixed number of knobs; "
        "choose a polynomial or a neural network to change it."
    )


def with_hidden(model: MLP, hidden: Sequence[int]) -> MLP:
    """The same network with other hidden layer widths (same scaling, activation, L2)."""
    return MLP(tuple(hidden), model.activation, model.task, model.l2, scaler=model.scaler)


def neutral_params(model: Model, rng: np.random.Generator) -> Array:
    """Starting values for knobs that are added to a model, shape (n_params,).

    Chosen so that adding them barely changes the output: a polynomial's new
    coefficients are 0. In an MLP every bias is 0 and every weight into the output is 0,
    so a new unit of the last hidden layer says nothing until training turns its outgoing
    weight; the weights between hidden layers are small and random, so new units differ
    from each other and get a gradient (a new first-layer unit of a two-layer network
    nudges the second layer by a hair).
    """
    theta = np.zeros(model.n_params)
    if isinstance(model, MLP):
        for w, (a, b), _ in model.layer_slices[:-1]:
            theta[w] = rng.normal(0.0, NEW_UNIT_SCALE, size=a * b)
    return theta


def carry_over(old_model: Model, old_theta: Sequence[float], new_model: Model, new_theta) -> Array:
    """Move the knob values of ``old_model`` onto ``new_model``, matching knobs by name.

    Parameters
    ----------
    old_model, old_theta : the model being replaced and its weights, (old n_params,)
    new_model, new_theta : the new model and the values its knobs start from when they have
        no counterpart in the old model, (new n_params,); see :func:`neutral_params`.

    Returns
    -------
    Array, shape (new n_params,)
        A new array: ``new_theta`` with every knob the old model also had set to its old
        value. Names mean the same knob in two models of one kind and depth (``c3`` is the
        third Legendre coefficient; ``W1[0,2]`` the weight from input 0 to hidden unit 2).

    Raises
    ------
    ValueError
        When a vector's length does not match its model.
    """
    old_theta = np.asarray(old_theta, dtype=float).reshape(-1)
    out = np.array(new_theta, dtype=float).reshape(-1)
    for model, theta, which in ((old_model, old_theta, "old"), (new_model, out, "new")):
        if theta.shape != (model.n_params,):
            raise ValueError(
                f"The {which} weights have {theta.size} values but {model.describe()} "
                f"has {model.n_params} knobs."
            )
    old_index = {name: i for i, name in enumerate(old_model.param_names)}
    pairs = [(j, old_index[n]) for j, n in enumerate(new_model.param_names) if n in old_index]
    if pairs:
        new_idx, old_idx = np.array(pairs).T
        out[new_idx] = old_theta[old_idx]
    return out


def resize(
    model: Model, theta: Sequence[float], new_model: Model, rng: np.random.Generator
) -> Array:
    """Weights for ``new_model``: the old knobs kept, the new ones neutral.

    ``carry_over(model, theta, new_model, neutral_params(new_model, rng))``.
    """
    return carry_over(model, theta, new_model, neutral_params(new_model, rng))
