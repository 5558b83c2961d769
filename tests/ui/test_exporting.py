"""Plots to PNG and SVG, a training run to an animated GIF."""

from __future__ import annotations

import pytest
from PIL import Image

from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.session import Session
from knobsim.ui.controller.session_controller import SessionController
from knobsim.ui.plots.fit_plot import FitPlot
from knobsim.ui.window.exporting import ExportError, export_png, export_svg, record_gif


@pytest.fixture
def fit_plot(qtbot):
    data = make_dataset("sine", n_points=20, seed=0)
    controller = SessionController(Session(make_model("poly", data, degree=5), data))
    plot = FitPlot(controller)
    qtbot.addWidget(plot)
    plot.resize(400, 300)
    plot.show()
    qtbot.waitExposed(plot)
    return plot, controller


def test_png_is_crisp_double_size(fit_plot, tmp_path):
    plot, _ = fit_plot
    path = export_png(plot, tmp_path / "fit.png")
    with Image.open(path) as im:
        assert im.size == (800, 600)
        assert len(im.convert("RGB").getcolors(maxcolors=100_000) or []) > 10


def test_svg_is_vector_graphics(fit_plot, tmp_path):
    plot, _ = fit_plot
    text = export_svg(plot, tmp_path / "fit.svg").read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "<path" in text or "<polyline" in text


def test_unwritable_png_says_so(fit_plot, tmp_path):
    plot, _ = fit_plot
    with pytest.raises(ExportError, match="Could not write"):
        export_png(plot, tmp_path / "no-such-folder" / "fit.png")


def test_gif_records_training(fit_plot, tmp_path):
    plot, controller = fit_plot
    steps = []

    def advance():
        controller._run_steps(20)
        steps.append(controller.session.step_count)
        return True

    path = record_gif(plot, advance, tmp_path / "run.gif", frames=6, max_width=200)
    with Image.open(path) as im:
        assert im.n_frames == 6
        assert im.size[0] == 200
    assert steps[-1] == 120
