"""UI test set-up: modal questions get a scripted answer instead of blocking."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _collector_on_the_gui_thread(qapp):
    """As in the app (``ensure_app``): the garbage collector never runs on another thread."""
    from knobsim.ui.window.collector import collect_on_gui_thread

    collect_on_gui_thread(qapp)


@pytest.fixture(autouse=True)
def _no_blocking_unsaved_prompt(monkeypatch):
    """Closing a window with unsaved changes asks a modal question; tests answer it.

    A test that checks the prompt itself patches ``ask_unsaved`` again.
    """
    from knobsim.ui.window import files

    monkeypatch.setattr(files.SessionFiles, "ask_unsaved", lambda self: files.DISCARD)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "real_pace: the test runs with the app's own pace (Watch, stop when converged)"
    )


@pytest.fixture(autouse=True)
def _max_speed_unless_about_the_pace(request, monkeypatch):
    """Most UI tests train to reach a state (a fit, an overfit, a number of steps): they
    run at speed Max without the convergence stop, as they were written. Tests of the
    pace itself, and the monkey, are marked ``real_pace`` and get the app's defaults."""
    if request.node.get_closest_marker("real_pace"):
        return
    from knobsim.ui.controller import session_controller as controller

    monkeypatch.setattr(controller, "DEFAULT_SPEED", controller.MAX_SPEED)
    monkeypatch.setattr(controller.SessionController, "stop_when_converged", False)


@pytest.fixture
def open_window(qtbot, tmp_settings):
    """Show a main window on ``session`` (None: the start a person gets) at ``size``; the
    test ends with training paused and the window closed by qtbot."""
    from knobsim.app import create_window

    opened = []

    def _open(session=None, size=(1280, 800), restore=True):
        win = create_window(session, restore=restore)
        qtbot.addWidget(win)
        win.resize(*size)
        win.show()
        qtbot.waitExposed(win)
        opened.append(win)
        return win

    yield _open
    for win in opened:
        win.controller.set_training(False)


@pytest.fixture
def window(open_window):
    """The main window on a line fitted to 40 points, gd at lr 0.1, shown at 1280x800."""
    from knobsim.core.data.datasets import make_dataset
    from knobsim.core.models.machines import make_model
    from knobsim.core.training.optimizers import OptimizerConfig
    from knobsim.core.training.session import Session

    data = make_dataset("linear", n_points=40, seed=0)
    return open_window(
        Session(make_model("line", data), data, optimizer=OptimizerConfig("gd", lr=0.1), seed=0)
    )
