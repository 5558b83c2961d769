"""The word-embedding model in the window: the next-word views and the network follow it."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from hands import click, drag, drag_slider_to, find
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QSlider

from knobsim.core.catalog import session_for
from knobsim.ui.embedding_map import EmbeddingMap
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


def _at(win, x: float, y: float) -> QPoint:
    """The viewport pixel of map point (x, y)."""
    plot = win.embedding_map.plot
    scene = win.embedding_map.view.mapViewToScene(pg.Point(x, y))
    return plot.mapFromScene(scene)


def test_drag_a_word_on_the_map_train_and_watch_the_map(qtbot, window):
    session = window.controller.session
    model = session.model
    emap = window.findChild(EmbeddingMap)
    assert emap is window.embedding_map and emap.isVisible()  # in front for this model
    assert find(window, "embedding_map") is emap.plot
    qtbot.wait(350)  # the window settles its layout
    cat, dog = model.vocab.index("cat"), model.vocab.index("dog")
    E = model.embeddings(session.params)
    view = window.nextword_view

    # drag cat's dot onto a spot of the map, by the mouse: both knobs turn, one undo step
    stack = window.controller.undo_stack
    count = stack.count()
    target = (2.5, -2.0)
    drag(emap.plot.viewport(), _at(window, *E[cat]), _at(window, *target), qtbot=qtbot)
    moved = model.embeddings(session.params)[cat]
    assert moved == pytest.approx(target, abs=0.05)
    assert stack.count() == count + 1
    qtbot.wait(350)
    assert window.audit() == []

    # then dog onto cat: dog's predictions become cat's
    drag(emap.plot.viewport(), _at(window, *E[dog]), _at(window, *moved), qtbot=qtbot)
    P = model.predict(session.params, [[cat], [dog]])
    assert np.abs(P[0] - P[1]).max() < 0.05
    assert window.undo_action.text().endswith("move 'dog' on the embedding map")
    window.undo_action.trigger()  # the whole drag comes back at once
    np.testing.assert_allclose(model.embeddings(session.params)[dog], E[dog])
    qtbot.wait(350)
    assert view.active and window.audit() == []

    # training moves the dots and leaves trails
    before = emap.points()
    click(qtbot, window, "train")
    qtbot.waitUntil(lambda: session.step_count >= 60, timeout=10000)
    click(qtbot, window, "train")
    qtbot.wait(350)
    assert np.abs(emap.points() - before).max() > 0.1
    assert len(emap.trails.getData()[0]) > model.V
    assert window.audit() == []


def test_the_audit_sees_a_dot_away_from_its_knobs(qtbot, window):
    qtbot.wait(350)
    emap = window.embedding_map
    x, y = emap.dots.getData()
    emap.dots.setData(x + 0.5, y)  # a view that drew a stale point
    assert any("embedding map's dot for" in f for f in window.audit())
