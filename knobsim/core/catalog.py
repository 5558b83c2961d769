"""Which data each model runs on, and where it starts. Nothing here imports Qt.

One table for the window, the command line and the lessons, so they never disagree.
"""

from __future__ import annotations

from knobsim.core import corpus as corpora
from knobsim.core import datasets
from knobsim.core.models import make_model
from knobsim.core.optimizers import DEFAULT_LR, OptimizerConfig
from knobsim.core.session import Session

#: the data each model can run on, in the order a dataset list shows them
COMPATIBLE: dict[str, tuple[str, ...]] = {
    "line": datasets.REGRESSION,
    "poly": datasets.REGRESSION,
    "logistic": datasets.CLASSIFICATION,
    "mlp": datasets.CLASSIFICATION + datasets.REGRESSION,
    "nextword": corpora.BUILTIN_CORPORA,
}
#: the data each model starts on when none is named
DEFAULT_DATASET: dict[str, str] = {
    "line": "linear",
    "poly": "sine",
    "logistic": "blobs",
    "mlp": "circles",
    "nextword": "rhymes",
}


def session_for(
    data: datasets.Dataset,
    model: str,
    *,
    optimizer: str = "gd",
    lr: float | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    **model_options,
) -> Session:
    """A session of ``model`` (``make_model``'s options) on ``data``, trained by
    ``optimizer`` at ``lr`` (None: that optimizer's usual rate); the command line and the
    lessons build theirs here. Raises ``ValueError`` for settings that do not fit."""
    net = make_model(model, data, **model_options)
    rate = lr if lr is not None else DEFAULT_LR[optimizer]
    config = OptimizerConfig(optimizer, lr=rate, batch_size=batch_size)
    return Session(net, data, optimizer=config, seed=seed)
