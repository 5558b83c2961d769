"""Sampling sentences from a next-word model: the knobs turned into text.

Pure numpy; nothing here imports Qt. Randomness comes in as ``rng``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from knobsim.core.data.corpus import BOUNDARY
from knobsim.core.models.machines import WordModel

Array = NDArray[np.float64]


def temperature_probabilities(logits: NDArray, temperature: float) -> Array:
    """``softmax(logits / temperature)`` over the last axis.

    Parameters
    ----------
    logits : array_like, shape (..., V)
        One row of the model's table per context.
    temperature : float
        0 or more. 1 gives the model's own probabilities; below 1 sharpens them towards
        the most likely word, above 1 flattens them towards "any word at all"; 0 puts
        all the mass on the most likely word (the first of equals).

    Returns
    -------
    NDArray[np.float64], shape (..., V)
        Rows that sum to 1.
    """
    temperature = _check_temperature(temperature)
    L = np.asarray(logits, dtype=np.float64)
    if temperature == 0.0:
        P = np.zeros_like(L)
        np.put_along_axis(P, np.argmax(L, axis=-1)[..., None], 1.0, axis=-1)
        return P
    # p_j^(1/T), renormalised, is softmax(L / T); subtract the max so exp never overflows
    Z = L / temperature
    e = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def generate(
    model: WordModel,
    theta: NDArray,
    rng: np.random.Generator,
    temperature: float,
    max_words: int = 20,
    start: str | Sequence[str] | None = None,
) -> list[str]:
    """Write a sentence one word at a time, each word drawn from the knobs' table.

    Parameters
    ----------
    model : WordModel
    theta : array_like, shape (n_params,)
        The model's knobs (``model.probabilities`` is the softmax of their logits table).
    rng : np.random.Generator
        The same generator state gives the same sentence (unused at temperature 0).
    temperature : float
        See :func:`temperature_probabilities`; 0 is greedy: always the most likely word.
    max_words : int
        Stop after this many words (``start`` included) if no sentence end came.
    start : str or sequence of str, optional
        The sentence's first word(s); by default it begins at a sentence start.

    Returns
    -------
    list of str
        Vocabulary words: ``start``, then the drawn words, then ``"."`` if the model
        ended the sentence (a list without the final ``"."`` ran into ``max_words``).

    Raises
    ------
    ValueError
        A negative or non-finite temperature, ``max_words`` below 1, a start word
        outside the vocabulary, or ``theta`` of the wrong size.
    """
    temperature = _check_temperature(temperature)
    if isinstance(max_words, bool) or int(max_words) != max_words or max_words < 1:
        raise ValueError(f"max_words must be a whole number of at least 1, not {max_words!r}.")
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    if theta.shape != (model.n_params,):
        raise ValueError(f"{model.describe()} has {model.n_params} knobs, not {theta.size}.")
    words = [start] if isinstance(start, str) else list(start or ())
    index = {w: i for i, w in enumerate(model.vocab)}
    for w in words:
        if w not in index or w == BOUNDARY:
            shown = ", ".join(v for v in model.vocab if v != BOUNDARY)
            raise ValueError(f"{w!r} is not one of the model's words ({shown}).")

    L = model.logits_table(theta)  # (contexts, V) logits
    # the words so far, padded with sentence starts so the first context is full
    history = [0] * model.context + [index[w] for w in words]
    while len(words) < max_words:
        row = model.context_row(history[-model.context :])
        if temperature == 0.0:
            j = int(np.argmax(L[row]))
        else:
            p = temperature_probabilities(L[row], temperature)  # (V,)
            j = int(rng.choice(model.V, p=p))
        words.append(model.vocab[j])
        if j == 0:  # the sentence ended
            break
        history.append(j)
    return words


def _check_temperature(temperature: float) -> float:
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        raise ValueError(f"The temperature must be a number, not {temperature!r}.") from None
    if not math.isfinite(t) or t < 0:
        raise ValueError(f"The temperature must be zero or a positive number, not {temperature}.")
    return t
