"""Which data each model runs on, and where it starts. Nothing here imports Qt.

One table for the window, the command line and the lessons, so they never disagree.
"""

from __future__ import annotations

from knobsim.core import corpus as corpora
from knobsim.core import datasets

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
