"""The word-embedding model in the window: the next-word views and the network follow it."""

from __future__ import annotations

import numpy as np
import pytest
from hands import click, drag_slider_to, find
from PySide6.QtWidgets import QSlider

from knobsim.core.catalog import session_for
from knobsim.ui.network import NetworkView


@pytest.fixture
def window(open_window):
    return open_window(session_for("embed", "roles", optimizer="adam", lr=0.05))


def test_a_word_knob_turned_by_hand_then_training_keeps_the_screen_true(qtbot, window):
    session = window.controller.session
    view = window.nextword_view
    view.set_context("cat")
    before = view.bar_values()
    model = session.model
    assert "13 words × 2 map knobs" in view.param_comparison.text()
    assert "169" in view.param_comparison.text()  # the table model's knobs, beside it

    drag_slider_to(find(window, "slider:emb[cat].x", QSlider), 3.5, qtbot=qtbot)
    assert session.params[model.param_index("emb[cat].x")] == pytest.approx(3.5, abs=0.1)
    qtbot.wait(350)
    assert not np.allclose(view.bar_values(), before)
    assert window.audit() == []

    click(qtbot, window, "train")
    qtbot.waitUntil(lambda: session.step_count >= 100, timeout=10000)
    click(qtbot, window, "train")
    qtbot.wait(350)
    assert session.test_loss > session.train_loss  # the held-out sentences are the test
    assert window.audit() == []


def test_the_network_draws_each_knob_once_with_two_words_of_context(open_window, qtbot):
    win = open_window(session_for("embed", "roles", context=2, dim=2))
    qtbot.wait(350)
    net = win.findChild(NetworkView)
    assert net is not None
    drawn = sorted(item.index for item in {**net.wires, **net.bias_marks}.values())
    assert drawn == list(range(win.controller.session.n_params))
    assert win.audit() == []
