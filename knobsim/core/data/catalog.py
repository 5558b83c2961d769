"""Which data each model runs on, the one way to name data, and the one session builder.

One table and one builder for the window, the command line, the lessons, the game and the
next-word view, so they never disagree. Nothing here imports Qt.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from knobsim.core.data import corpus as corpora
from knobsim.core.data import datasets
from knobsim.core.models.machines import Model, make_model
from knobsim.core.training.optimizers import DEFAULT_LR, OptimizerConfig
from knobsim.core.training.session import Session

#: the data each model can run on, in the order a dataset list shows them
COMPATIBLE: dict[str, tuple[str, ...]] = {
    "line": datasets.REGRESSION,
    "poly": datasets.REGRESSION,
    "logistic": datasets.CLASSIFICATION,
    "mlp": datasets.CLASSIFICATION + datasets.REGRESSION,
    "nextword": corpora.BUILTIN_CORPORA,
    "embed": corpora.BUILTIN_CORPORA,
}
#: the data each model starts on when none is named
DEFAULT_DATASET: dict[str, str] = {
    "line": "linear",
    "poly": "sine",
    "logistic": "blobs",
    "mlp": "circles",
    "nextword": "rhymes",
    "embed": "roles",
}


def dataset_for(
    name: str | os.PathLike[str],
    model: str | None = None,
    *,
    noise: float | None = None,
    points: int | None = None,
    seed: int = 0,
    context: int = 1,
) -> datasets.Dataset:
    """The data called ``name``: a built-in dataset, a built-in corpus, or a file.

    Parameters
    ----------
    name : str or PathLike
        One of ``datasets.DATASETS`` (drawn with ``noise``, ``points`` and ``seed``), one
        of ``corpus.BUILTIN_CORPORA``, or the path of a file: a text corpus for the
        ``"nextword"`` and ``"embed"`` models, a CSV file of points (x,y or x1,x2,label)
        for any other.
    model : str or None
        The model the data is for; it only decides how a file is read.
    noise, points : float or int, optional
        A built-in dataset's noise level and number of training points (None: its own).
    seed : int
        Draws a built-in dataset; splits a CSV file into training and test points.
    context : int
        Words of context for a corpus: ``X`` is ``(n_pairs, context)``.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        An unknown name, or a file that cannot be read (the message says why).
    """
    text = os.fspath(name)
    if text in datasets.DATASETS:
        return datasets.make_dataset(text, n_points=points, noise=noise, seed=seed)
    if text in corpora.BUILTIN_CORPORA:
        return corpora.builtin_corpus(text).to_dataset(context)
    path = Path(text)
    if model in ("nextword", "embed"):
        if not path.exists() and _bare(path):
            raise datasets.DataError(
                f"Unknown corpus {text!r}; choose one of {', '.join(corpora.BUILTIN_CORPORA)}, "
                "or give a text file."
            )
        return corpora.load_corpus(path).to_dataset(context)
    if not path.exists() and _bare(path):
        raise datasets.DataError(
            f"Unknown dataset {text!r}; choose one of {', '.join(datasets.DATASETS)}, "
            "or give a CSV file."
        )
    return datasets.load_csv(path, seed=seed)


def _bare(path: Path) -> bool:
    """A plain word (no folder, no suffix): a mistyped name rather than a missing file."""
    return path.parent == Path(".") and not path.suffix


def session_for(
    model: str,
    data: str | os.PathLike[str] | datasets.Dataset,
    *,
    noise: float | None = None,
    points: int | None = None,
    data_seed: int | None = None,
    seed: int = 0,
    optimizer: OptimizerConfig | str = "gd",
    lr: float | None = None,
    batch_size: int | None = None,
    degree: int = 3,
    hidden: Sequence[int] | str = (8,),
    activation: str = "tanh",
    l2: float = 0.0,
    context: int = 1,
    dim: int = 2,
    knobs: Mapping[str, float] | Sequence[tuple[str, float]] = (),
    locked: Sequence[str] = (),
) -> Session:
    """The one way to build a session: a model by name, on data, with an optimizer.

    The command line, the window, the lessons, the game and the next-word view all build
    theirs here.

    Parameters
    ----------
    model : str
        One of ``models.MODELS``.
    data : str, PathLike or Dataset
        A Dataset, or a name that :func:`dataset_for` resolves (with ``noise``,
        ``points``, ``data_seed`` and ``context``).
    noise, points : float or int, optional
        A built-in dataset's noise level and number of training points (None: its own).
    data_seed : int, optional
        Draws the data (None: ``seed``).
    seed : int
        The starting knobs and the mini-batches.
    optimizer : OptimizerConfig or str
        The optimizer's settings, or its name: then it runs at ``lr`` (None: that
        optimizer's usual rate) with ``batch_size`` (None: the whole batch).
    lr : float, optional
    batch_size : int, optional
    degree, hidden, activation, l2, context, dim
        The model's capacity and options (see ``make_model``); ``context`` also sets a
        corpus's words of context.
    knobs : mapping or sequence of (name, value)
        Starting values of some knobs by name; the others start where ``seed`` puts them.
    locked : sequence of str
        Knobs that training leaves alone.

    Returns
    -------
    Session

    Raises
    ------
    ValueError
        Settings that do not fit (``DataError`` for data), or a knob in ``knobs`` or
        ``locked`` that the model does not have; the message says why.
    """
    if isinstance(optimizer, OptimizerConfig):
        if lr is not None or batch_size is not None:
            raise ValueError("Give lr and batch_size inside the OptimizerConfig.")
        config = optimizer
    else:
        rate = lr if lr is not None else DEFAULT_LR.get(optimizer, DEFAULT_LR["gd"])
        config = OptimizerConfig(optimizer, lr=rate, batch_size=batch_size)
    if not isinstance(data, datasets.Dataset):
        data = dataset_for(
            data,
            model,
            noise=noise,
            points=points,
            seed=seed if data_seed is None else data_seed,
            context=context,
        )
    net = make_model(
        model,
        data,
        degree=degree,
        hidden=hidden,
        activation=activation,
        l2=l2,
        context=context,
        dim=dim,
    )
    session = Session(net, data, optimizer=config, seed=seed)
    starts = dict(knobs)
    if starts:
        theta = session.params.copy()
        for name, value in starts.items():
            theta[_knob_index(net, name)] = value
        session.set_model(net, theta)  # one starting point on the loss curve
    for name in locked:
        session.set_locked(_knob_index(net, name), True)
    return session


def _knob_index(net: Model, name: str) -> int:
    try:
        return net.param_index(name)
    except KeyError:
        names = net.param_names
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        raise ValueError(f"the {net.name} model has no knob {name!r} ({shown})") from None
