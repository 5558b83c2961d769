"""The monkey test: 2,000 seeded random real-input events over the whole window, with the
display audit every 50 events; zero exceptions, zero audit findings, nothing stuck.

The driver is ``tests/ui/monkey.py`` (``benchmarks/bench_monkey.py`` runs it longer). A
failure prints the seed, the event's index and the ten events before it; replay it with
``Monkey(window, SEED, audit_from=index - 10).run(index + 1)``.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from monkey import Monkey, file_dialogs_in, format_replay

SEED = 12
EVENTS = int(os.environ.get("KNOBSIM_MONKEY_EVENTS", "2000"))
#: one event taking longer than this is a hang, not a slow machine
STALL_S = 30.0
#: one event not done after this long is a deadlock: the run ends with every stack
DEADLOCK_S = 180.0


@pytest.mark.slow
@pytest.mark.real_pace
def test_monkey_finds_nothing(open_window, tmp_path):
    window = open_window()  # the start a person gets, 1280x800
    with file_dialogs_in(tmp_path, np.random.default_rng([SEED, 2])):
        # a deadlock ends the run with every thread's stack rather than hanging CI
        report = Monkey(window, SEED, stall_s=STALL_S, deadlock_s=DEADLOCK_S).run(EVENTS)
    window.files.dirty = False  # closing asks nothing
    assert report.events == EVENTS
    assert report.audits >= EVENTS // 50
    assert report.ok, f"{report.summary()}\n{format_replay(report)}"
