"""The display audit: a fresh window of every model audits clean, and each kind of lie a
view can tell (set on purpose, behind the session's back) is named."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QSignalBlocker
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QSlider

from knobsim.core.data.catalog import session_for

SETTLE_MS = 350


def _session(model: str, dataset: str):
    return session_for(model, dataset)


@pytest.fixture
def settled(qtbot):
    def _settle(win):
        win.controller.set_training(False)
        qtbot.wait(SETTLE_MS)
        return win

    return _settle


@pytest.mark.parametrize(
    ("model", "dataset"),
    [
        ("line", "linear"),
        ("poly", "cubic"),
        ("logistic", "blobs"),
        ("mlp", "moons"),
        ("mlp", "sine"),
        ("nextword", "rhymes"),
    ],
)
def test_a_fresh_window_of_each_model_audits_clean(open_window, settled, model, dataset):
    win = settled(open_window(_session(model, dataset)))
    assert win.audit() == []
    win.controller.step_many(40)  # and after training moved every view
    settled(win)
    assert win.audit() == []


def test_the_start_a_person_gets_audits_clean(open_window, settled):
    win = settled(open_window())
    assert win.audit() == []


def test_knobs_named_with_a_space_audit_clean(open_window, settled):
    """Monkey seed 1: a click on the next word's context-size arrow makes knobs named
    like ". it→is"; the arrow check read such a tooltip's "Turning . it→is up" as no
    direction at all, and named every arrow that points."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    win = settled(open_window(_session("nextword", "rhymes")))
    spin = win.nextword_view.context_size
    up_arrow = QPoint(spin.width() - 6, spin.height() // 4)
    QTest.mouseClick(spin, Qt.MouseButton.LeftButton, pos=up_arrow)
    settled(win)
    arrows = [k.grad_indicator for k in win.knob_panel.knobs]
    assert any(" " in a.name and a.direction for a in arrows)  # some such arrow points
    assert win.audit() == []


def _only(findings: list[str], *words: str) -> None:
    assert findings, "the audit saw nothing wrong"
    for finding in findings:
        assert all(w in finding for w in words), findings


def test_a_knob_text_that_lies_is_named(window, settled):
    settled(window)
    editor = window.knob_panel.knob("b").editor
    with QSignalBlocker(editor):  # behind the knob's back
        editor.setText("9.999")
    findings = window.audit()
    _only(findings, "Knob b reads '9.999'")
    assert window.audit() == findings  # read-only: it fixed nothing


def test_a_handle_moved_behind_the_session_is_named(window, settled):
    settled(window)
    slider = window.knob_panel.knob("w").slider
    with QSignalBlocker(slider):
        QSlider.setValue(slider, 0)  # the handle at the far left, the weight unchanged
    _only(window.audit(), "Knob w's handle", "px")
    assert QSlider.value(slider) == 0  # still lying: the audit moved nothing


def test_a_handle_one_tick_off_is_within_a_pixel(window, settled):
    settled(window)
    slider = window.knob_panel.knob("w").slider
    with QSignalBlocker(slider):
        QSlider.setValue(slider, QSlider.value(slider) + 1)  # 1/10000 of the range
    assert window.audit() == []


def test_a_lock_that_lies_is_named(window, settled):
    settled(window)
    button = window.knob_panel.knob("w").lock_button
    with QSignalBlocker(button):
        button.setChecked(True)
    _only(window.audit(), "Knob w's lock shows locked", "unlocked in the session")


def test_an_error_readout_that_lies_is_named(window, settled):
    settled(window)
    label = window.error_label
    s = window.controller.session
    label.setText(label.text().replace("<b>", "<b>1", 2))  # "0.123" -> "10.123"
    findings = window.audit()
    assert any("read-out says train 1" in f for f in findings), findings
    label.setText(label.text().replace(f"step {s.step_count}", f"step {s.step_count + 7}"))
    assert any(f"step {s.step_count + 7}" in f for f in window.audit())


def test_a_loss_curve_that_lies_is_named(window, settled):
    settled(window)
    curve = window.loss_plot.train_curve
    x, y = curve.getOriginalDataset()
    curve.setData(x, np.asarray(y) * 3)
    _only(window.audit(), "loss plot's train curve ends at")
    window.loss_plot.test_curve.setData(
        np.asarray(x) + 5, window.loss_plot.test_curve.getOriginalDataset()[1]
    )
    assert any("test curve ends at step" in f for f in window.audit())


def test_a_fit_curve_that_lies_is_named(window, settled):
    settled(window)
    curve = window.fit_plot.curve
    x, y = curve.getData()
    curve.setData(x, np.asarray(y) + 0.5)
    _only(window.audit(), "The fit curve shows")


def test_a_probability_map_that_lies_is_named(open_window, settled):
    win = settled(open_window(_session("logistic", "blobs")))
    heatmap = win.fit_plot.heatmap
    heatmap.setImage(1.0 - heatmap.image, autoLevels=False)
    _only(win.audit(), "The probability map shows P")


def test_a_probability_table_and_bars_that_lie_are_named(open_window, settled):
    win = settled(open_window(_session("nextword", "rhymes")))
    table = win.fit_plot.table_image
    table.setImage(np.zeros_like(table.image), autoLevels=False)
    _only(win.audit(), "The probability table shows")
    win.fit_plot.update_plot()
    assert win.audit() == []
    bars = win.nextword_view.bars
    bars.setOpts(width=np.full(len(bars.opts["width"]), 0.5))
    assert any("next-word bar" in f for f in win.audit())


def test_a_landscape_marker_that_lies_is_named(window, settled):
    settled(window)
    marker = window.landscape_plot.marker
    marker.setPos(marker.pos() + QPointF(0.5, 0.0))
    _only(window.audit(), "The landscape marker sits at w =")


def test_a_network_wire_that_lies_is_named(window, settled):
    settled(window)
    wire = window.network_view.wires["w"]
    value = window.controller.session.value("w")
    other = window.network_view._pen((-int(np.sign(value)) or 1, 24, False))
    wire.setPen(QPen(other))
    assert any("The network draws w as" in f for f in window.audit())
    window.network_view._restyle(force=True)
    assert window.audit() == []
    mark = window.network_view.bias_marks["b"]
    mark.setPen(QPen(mark.pen().color(), 1.0))
    dotted = QPen(mark.pen())
    dotted.setStyle(dotted.style().DotLine)
    mark.setPen(dotted)
    assert any("b as locked" in f for f in window.audit())


def test_a_network_layer_painting_old_looks_is_named(window, settled):
    settled(window)
    view = window.network_view
    view.viewport().grab()  # a paint: the layers group their items by look
    layer = view._layers[0]
    assert layer._groups is not None
    assert window.audit() == []
    looks = {(p.color().rgba(), p.widthF()) for p, _, _ in layer._groups}
    wrong = next(
        QPen(view._pen((sign, 20, False)))
        for sign in (1, -1)
        if (view._pen((sign, 20, False)).color().rgba(), view._pen((sign, 20, False)).widthF())
        not in looks
    )
    layer._groups = [(wrong, brush, path) for _, brush, path in layer._groups]
    _only(window.audit(), "paints its wires with looks they no longer have")


def test_views_showing_the_present_while_looking_back_are_named(window, settled):
    c = window.controller
    c.step_many(50)
    c.scrub_to(10)
    settled(window)
    assert window.audit() == []
    # a view that reads the session, not what is shown: the read-out of the present
    window.error_label.setText(window.error_label.text().replace("step 10", "step 50"))
    assert any("step 50" in f for f in window.audit())
    window._update_error_label()
    # the fit curve of the present
    fit = window.fit_plot
    x, _ = fit.curve.getData()
    s = c.session
    fit.curve.setData(x, s.model.predict(s.params, x.reshape(-1, 1)))
    assert any("fit" in f.lower() for f in window.audit())
    c.back_to_now()
    settled(window)
    assert window.audit() == []


def test_a_scrub_bar_or_line_that_lies_is_named(window, settled):
    c = window.controller
    c.step_many(50)
    c.scrub_to(10)
    settled(window)
    bar = window.scrub_bar
    with QSignalBlocker(bar.slider):
        bar.slider.setValue(bar.slider.value() + 3)
    assert any("The scrub bar stands at entry" in f for f in window.audit())
    bar.refresh()
    bar.line.set_step(30)
    _only(window.audit(), "The loss plot's look-back line is at step 30")
    bar.refresh()
    window.knob_panel.setEnabled(True)
    _only(window.audit(), "The knob panel takes a hand while the views show step 10")


def test_a_landscape_path_that_lies_is_named(window, settled):
    c = window.controller
    c.step_many(30)
    c.scrub_to(10)
    settled(window)
    assert window.audit() == []
    s = c.session  # the path of the whole run, drawn while looking back at step 10
    i, j = window.landscape_plot.pair
    window.landscape_plot.path.setData(s.trail[:, i].copy(), s.trail[:, j].copy())
    _only(window.audit(), "The landscape's path has", "step 10")
