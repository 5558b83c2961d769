"""The messages between the window and its training process, both ways.

Frozen dataclasses, each handled by one method on the side that receives it (see
``knobsim.core.training.background``). Nothing here imports Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from knobsim.core.data.datasets import Dataset
from knobsim.core.models.machines import Model
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Record, Session

# -- window -> worker ---------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    """Train ``session`` (a ``Session.worker_copy``) until ``Stop``."""

    session: Session


@dataclass(frozen=True)
class Want:
    """The window can take ``n`` more snapshots."""

    n: int


@dataclass(frozen=True)
class SetParams:
    """A hand moved these knobs; training carries on from there."""

    indices: tuple[int, ...]
    values: NDArray[np.float64]


@dataclass(frozen=True)
class SetConfig:
    """New optimizer settings."""

    config: OptimizerConfig


@dataclass(frozen=True)
class SetLocked:
    """A knob was locked or unlocked."""

    index: int
    locked: bool


@dataclass(frozen=True)
class SetHeld:
    """A hand took hold of a knob (True) or let go: training leaves it alone meanwhile."""

    index: int
    held: bool


@dataclass(frozen=True)
class SetL2:
    """A new L2 strength."""

    l2: float


@dataclass(frozen=True)
class RequestGrid:
    """Compute the loss landscape over knobs ``i`` and ``j`` (values ``a`` across, ``b``
    up) at the worker's weights; ``GridDone`` brings it."""

    rid: int
    i: int
    j: int
    a: NDArray[np.float64]
    b: NDArray[np.float64]


@dataclass(frozen=True)
class Stop:
    """End the run; the worker answers with its ``FinalState``."""


@dataclass(frozen=True)
class Quit:
    """End the worker process."""


#: what a person changes while the worker trains; the worker counts the ones it applied
#: (``Snapshot.seen``), so the window knows which hand moves a snapshot has not seen yet
Change = SetParams | SetConfig | SetLocked | SetHeld | SetL2

# -- worker -> window ---------------------------------------------------------------------


@dataclass(frozen=True)
class Ready:
    """The worker has imported what it needs and waits for ``Start``."""


@dataclass(frozen=True)
class Snapshot:
    """What training did since the previous snapshot.

    ``seen`` counts the changes the worker had applied in this run; ``theta`` holds the
    newest weights (on the window's side, with hand moves the worker has not seen yet laid
    over them); ``records`` the loss points recorded since the last snapshot, oldest first;
    ``diverged`` the plain-words message when training exploded (the worker then restored
    the last good weights and stopped); ``timeline`` entries of the worker's timeline
    for the window's (``Timeline.after``: steps, weights; None in most snapshots).
    """

    seen: int
    theta: NDArray[np.float64]
    step_count: int
    records: list[Record] = field(default_factory=list)
    diverged: str = ""
    timeline: tuple[NDArray[np.int64], NDArray[np.float64]] | None = None


@dataclass(frozen=True)
class GridDone:
    """A landscape asked for with ``RequestGrid``: its id, the weights it was computed at
    and the losses, shape ``(len(b), len(a))``."""

    rid: int
    theta: NDArray[np.float64]
    Z: NDArray[np.float64]


@dataclass(frozen=True)
class FinalState:
    """The worker's session when it stopped: enough to carry on in the window."""

    snapshot: Snapshot
    optimizer_state: dict
    sampler: object


@dataclass(frozen=True)
class Failed:
    """Training or a sweep failed in a worker; ``traceback`` says where (its last line
    says what, for people)."""

    traceback: str


# -- the capacity sweep's worker (``core.capacity.sweep``); it sends each ``SweepPoint`` ----


@dataclass(frozen=True)
class StartSweep:
    """Train ``model`` at every capacity on ``dataset`` (see ``core.capacity.sweep.sweep``)."""

    model: Model
    dataset: Dataset
    config: OptimizerConfig
    seed: int
    steps: int


@dataclass(frozen=True)
class Cancel:
    """Stop the sweep after its current chunk of steps."""


@dataclass(frozen=True)
class SweepDone:
    """The sweep ended: every capacity trained, or ``cancelled``."""

    cancelled: bool
