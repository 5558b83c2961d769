"""How long one update of the network view takes (wires, thumbnails, a repaint).

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_network.py``. Prints the median
over many training steps for a 2-4-2-1 classifier and a 1-16-16-1 regression network.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session
from knobsim.ui.controller.session_controller import SessionController
from knobsim.ui.network.diagram import NetworkView

REPEATS = 200


def _median_ms(fn, setup) -> float:
    times = []
    for _ in range(REPEATS):
        setup()
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return float(np.median(times))


def bench(data: str, hidden: tuple[int, ...], size=(360, 420)) -> None:
    dataset = make_dataset(data, seed=0)
    model = make_model("mlp", dataset, hidden=hidden)
    session = Session(model, dataset, optimizer=OptimizerConfig("adam", lr=0.03))
    controller = SessionController(session)
    view = NetworkView(controller)
    view.resize(*size)
    view.show()
    QApplication.processEvents()
    image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32_Premultiplied)

    def step() -> None:
        session.step(1)  # every weight moves, as in a training tick

    def paint() -> None:
        painter = QPainter(image)
        view.render(painter)
        painter.end()

    wires = _median_ms(view._restyle, step)  # only the wires whose look changed
    every_wire = _median_ms(lambda: view._restyle(force=True), step)
    thumbs = _median_ms(view.update_thumbnails, step)
    repaint = _median_ms(paint, step)
    shape = "-".join(str(s) for s in model.sizes)
    print(
        f"{shape:>10} ({model.n_params:3d} knobs): wires {wires:.2f} ms "
        f"(all restyled {every_wire:.2f} ms), thumbnails {thumbs:.2f} ms, "
        f"repaint {repaint:.2f} ms"
    )
    view.close()


if __name__ == "__main__":
    app = QApplication([])
    bench("circles", (4, 2))
    bench("sine", (16, 16))
