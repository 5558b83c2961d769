"""Render one picture per built-in lesson to docs/images/lessons/ for docs/lessons.md.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_lesson_images.py

Each lesson is opened in a window of 1280x800 and played (by script: the knobs set, steps
taken, as the lesson asks) until its main task is met; the window is grabbed at that
moment and written as ``<lesson id>.png``. A lesson whose main task is not met within its
step budget is reported and the script exits with 2.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the lessons played here are nobody's progress: keep the record out of the user's folder
os.environ["KNOBSIM_DATA_DIR"] = tempfile.mkdtemp(prefix="knobsim-lesson-images-")

import numpy as np  # noqa: E402

from knobsim.app import create_window, ensure_app  # noqa: E402

OUT = Path(__file__).resolve().parent / "images" / "lessons"
SIZE = (1280, 800)
#: the most rounds of play a lesson gets before it counts as stuck
MAX_ROUNDS = 400


def _best_line(win) -> None:
    d = win.controller.dataset
    A = np.column_stack([d.X_train[:, 0], np.ones(d.n_train)])
    w, b = np.linalg.lstsq(A, d.y_train, rcond=None)[0]
    win.controller.set_param("w", float(w))
    win.controller.set_param("b", float(b))


def _step_size(win, task: int) -> None:
    c = win.controller
    if task == 0:
        c.step_many(50)
    elif task == 1:
        c.set_learning_rate(0.1)
        c.step_many(20)
    else:  # the explosion, one step at a time, from b at 2
        if c.config.lr != 2.0:
            c.set_param("b", 2.0)
            c.set_learning_rate(2.0)
        c.step_once()


def _memory(win, task: int) -> None:
    c = win.controller
    if task == 0:
        c.set_param("c3", 0.0)
    else:
        c.set_locked(c.session.param_names.index("c3"), True)
        c.step_many(20)


def _word_map(win, task: int) -> None:
    c = win.controller
    names = c.session.param_names
    c.set_params_at([names.index("emb[dog].x"), names.index("emb[dog].y")], [2.0, 2.0])


#: lesson id -> (its main task, one round of play at the current task)
PLAY: dict[str, tuple[int, Callable]] = {
    "knobs": (0, lambda win, task: _best_line(win)),
    "train": (0, lambda win, task: win.controller.step_many(10)),
    "step-size": (2, _step_size),
    "memory": (1, _memory),
    "underfit": (0, lambda win, task: win.controller.step_many(50)),
    "overfit": (0, lambda win, task: win.controller.step_many(100)),
    "next-word": (0, lambda win, task: win.controller.step_many(20)),
    "word-map": (0, _word_map),
}


def settle(app, rounds: int = 10) -> None:
    for _ in range(rounds):
        app.processEvents()


def shoot(app, lesson_id: str, path: Path) -> bool:
    """Play lesson ``lesson_id`` to its main task in a new window and grab it to ``path``."""
    main, play = PLAY[lesson_id]
    win = create_window(None, restore=False)
    win.resize(*SIZE)
    win.show()
    settle(app)
    try:
        if not win.lessons.start(lesson_id):
            print(f"{lesson_id}: the lesson did not start", file=sys.stderr)
            return False
        runner = win.lessons.runner
        for _ in range(MAX_ROUNDS):
            if runner.task_index > main:
                break
            play(win, runner.task_index)
            settle(app, 3)
        else:
            print(f"{lesson_id}: task {main + 1} was not met", file=sys.stderr)
            return False
        settle(app)
        win.landscape_plot.compute_now()
        settle(app)
        return win.grab().save(str(path), "PNG")
    finally:
        win.controller.set_training(False)
        win.files.dirty = False
        win.close()


def main() -> int:
    app = ensure_app()
    OUT.mkdir(parents=True, exist_ok=True)
    ok = True
    for lesson_id in PLAY:
        path = OUT / f"{lesson_id}.png"
        if shoot(app, lesson_id, path):
            print(f"wrote {path}")
        else:
            ok = False
    return 0 if ok else 2


if __name__ == "__main__":
    raise SystemExit(main())
