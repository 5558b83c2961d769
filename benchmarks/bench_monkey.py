"""The long monkey run: seeded random real input over the whole window, several seeds.

Run from the repository::

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_monkey.py \\
        --events 5000 --seeds 1 2 3 4

Each seed gets a fresh window (the start a person gets, 1280x800) and ``--events`` events
from ``tests/ui/monkey.py`` (the same driver as the CI test), the display audit every 50.
Prints events/s, exceptions, audit findings, stalls (an event that took over ``--stall``
seconds) and deadlocks (the watchdog ends the run if the event loop is stuck for
``--deadlock`` seconds, printing every thread's stack), and the replay of every failure.
Settings, autosaves and saved files go to a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "ui"))  # the driver lives beside the tests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="events per seed")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--stall", type=float, default=10.0, help="seconds for one event")
    parser.add_argument("--deadlock", type=float, default=120.0, help="seconds of no progress")
    parser.add_argument(
        "--audit-from", type=int, default=None, help="audit after every event from this index"
    )
    parser.add_argument(
        "--weight",
        action="append",
        default=[],
        metavar="KIND=W",
        help="change how often a kind of event comes (e.g. splitter=0)",
    )
    parser.add_argument("--show", type=int, default=5, help="failures shown per seed")
    args = parser.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="knobsim-monkey-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[var] = str(tmp / var.lower())

    import numpy as np
    from monkey import WEIGHTS, Monkey, file_dialogs_in, format_replay
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtTest import QTest

    from knobsim.app import create_window, ensure_app
    from knobsim.ui.window import files
    from knobsim.ui.window.errors import ErrorHandler

    app = ensure_app()
    QCoreApplication.setOrganizationName("knobsim")
    QCoreApplication.setApplicationName("knobsim")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))
    files.SessionFiles.ask_unsaved = lambda self: files.DISCARD  # closing never asks

    weights = dict(WEIGHTS)
    for item in args.weight:
        kind, _, w = item.partition("=")
        if kind not in weights:
            parser.error(f"--weight: no event kind {kind!r} (one of {', '.join(weights)})")
        weights[kind] = float(w)

    totals = {"events": 0, "seconds": 0.0, "exceptions": 0, "findings": 0, "stalls": 0}
    for seed in args.seeds:
        window = create_window(None, restore=False)
        handler = ErrorHandler(lambda w=window: w, log_path=tmp / "errors.log").install()
        window.resize(1280, 800)
        window.show()
        QTest.qWait(100)
        out = tmp / f"files-{seed}"
        out.mkdir()
        monkey = Monkey(
            window,
            seed,
            stall_s=args.stall,
            audit_from=args.audit_from,
            deadlock_s=args.deadlock,
            weights=weights,
            log=lambda s: print("  " + s, flush=True),
        )
        with file_dialogs_in(out, np.random.default_rng([seed, 2])):
            report = monkey.run(args.events)
        handler.uninstall()
        window.files.dirty = False
        window.controller.shutdown()
        window.close()
        window.deleteLater()
        QTest.qWait(50)
        print(report.summary(limit=args.show), flush=True)
        if not report.ok:
            print("  " + format_replay(report), flush=True)
            for kind, n in report.kinds().items():
                print(f"  {n:5d} x {kind}", flush=True)
        totals["events"] += report.events
        totals["seconds"] += report.seconds
        totals["exceptions"] += len(report.exceptions)
        totals["findings"] += len(report.findings)
        totals["stalls"] += len(report.stalls)
    del app
    t = totals
    print(
        f"TOTAL: {t['events']} events over {len(args.seeds)} seeds in {t['seconds']:.0f} s "
        f"({t['events'] / max(t['seconds'], 1e-9):.0f} events/s): {t['exceptions']} exceptions, "
        f"{t['findings']} audit findings, {t['stalls']} stalls, 0 deadlocks"
    )
    return 0 if not (t["exceptions"] or t["findings"] or t["stalls"]) else 1


if __name__ == "__main__":
    sys.exit(main())
