"""The display audit: does every view show what the session holds?

Read-only: it reads what the widgets show (texts, handle rectangles, plot data, pens)
and compares it with ``window.controller.shown``: the session, or while looking back at a
past step with the scrub bar, the session as it was then (and the loss plot with the whole
run, the scrub bar and its line with that step). It never repaints or fixes anything.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor, QPainterPath
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider

from knobsim.core.models.curvature import pair_hessian, session_safe_lr
from knobsim.core.models.machines import Embedding, WordModel
from knobsim.core.models.slopes import slope_levels
from knobsim.core.training.session import Session
from knobsim.ui.knobs import dials
from knobsim.ui.knobs.panel import GRAD_LEVELS, Dial, Knob, format_value
from knobsim.ui.knobs.safe_rate import PLAIN

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel

    from knobsim.ui.controller.session_controller import SessionController
    from knobsim.ui.knobs.panel import KnobPanel
    from knobsim.ui.knobs.safe_rate import SafeRateLine
    from knobsim.ui.network.diagram import NetworkView
    from knobsim.ui.network.nextword import NextWordView
    from knobsim.ui.plots.embedding_map import EmbeddingMap
    from knobsim.ui.plots.fit_plot import FitPlot
    from knobsim.ui.plots.landscape_plot import LandscapePlot
    from knobsim.ui.plots.loss_plot import LossPlot
    from knobsim.ui.plots.scrub import ScrubBar
    from knobsim.ui.teaching.predict import Ghosts
    from knobsim.ui.window.main_window import MainWindow

__all__ = ["HANDLE_TOLERANCE_PX", "Views", "audit", "audit_views", "handle_offset"]

#: a knob's handle may sit this many pixels from where its value belongs
HANDLE_TOLERANCE_PX = 1
#: how many x a curve is checked at (spread over the whole curve)
CURVE_SAMPLES = 7

_TAG = re.compile(r"<[^>]*>")


@dataclass
class Views:
    """The views an audit reads. One left None is not checked (a panel tested alone)."""

    knob_panel: KnobPanel | None = None
    error_label: QLabel | None = None
    loss_plot: LossPlot | None = None
    fit_plot: FitPlot | None = None
    landscape_plot: LandscapePlot | None = None
    network_view: NetworkView | None = None
    nextword_view: NextWordView | None = None  # None until the window first needs it
    embedding_map: EmbeddingMap | None = None
    safe_rate: SafeRateLine | None = None
    scrub_bar: ScrubBar | None = None
    ghosts: Ghosts | None = None  # Predict's ghost handles and ghost curve


def audit(window: MainWindow) -> list[str]:
    """Compare every view of ``window`` with its session; one sentence per disagreement.

    Meant for a settled window: training paused, no replay running, and the deferred
    refreshes run (a test waits some 350 ms). Views that legitimately show something else
    (a view not built, a knob scrolled out of a big panel and not painted yet) are skipped.

    Parameters
    ----------
    window : MainWindow

    Returns
    -------
    list of str
        Plain sentences, e.g. ``"Knob b reads '0.120' but b = 0.315 in the session."``;
        empty when the screen is true.
    """
    views = Views(
        knob_panel=window.knob_panel,
        error_label=window.error_label,
        loss_plot=window.loss_plot,
        fit_plot=window.fit_plot,
        landscape_plot=window.landscape_plot,
        network_view=window.network_view,
        nextword_view=getattr(window, "_nextword_view", None),
        embedding_map=window.embedding_map,
        safe_rate=window.safe_lr_line,
        scrub_bar=window.scrub_bar,
        ghosts=window.ghosts,
    )
    return audit_views(window.controller, views)


def audit_views(controller: SessionController, views: Views) -> list[str]:
    """``audit`` for views outside a window (a knob panel or a plot tested alone):
    compares each view given in ``views`` with ``controller.shown`` (the loss plot, which
    draws the whole run, with ``controller.session``)."""
    shown = controller.shown
    findings: list[str] = _check_scrub(controller, views)
    for check in (
        _check_knobs,
        _check_slices,
        _check_arrows,
        _check_error_readout,
        _check_fit_plot,
        _check_landscape,
        _check_network,
        _check_nextword,
        _check_embedding_map,
        _check_safe_rate,
        _check_ghosts,
    ):
        findings.extend(check(views, shown))
    findings.extend(_check_loss_plot(views, controller.session))
    return findings


# -- the safe learning rate ------------------------------------------------------------------
def _check_safe_rate(views: Views, session: Session) -> list[str]:
    line = views.safe_rate
    if line is None:
        return []
    plain = session.config.name in PLAIN
    safe = session_safe_lr(session) if plain else math.inf
    expected = safe if math.isfinite(safe) else None
    shown, mark = line.shown, line.control.mark()
    out = []
    if (shown is None) != (expected is None) or (
        expected is not None and not math.isclose(shown, expected, rel_tol=1e-6)
    ):
        out.append(f"The safe learning rate reads {shown} but it is {expected} at these knobs.")
    if mark != shown:
        out.append(f"The learning-rate slider marks {mark} but the line under it says {shown}.")
    if expected is not None:
        number = f"{expected:.3g}"
        above = session.config.lr > expected
        if number not in line.text() or above != line.text().startswith("⚠"):
            out.append(
                f"The safe-rate line says {line.text()!r} for a safe rate of {number} and a "
                f"learning rate of {session.config.lr:g}."
            )
    return out


# -- time travel -----------------------------------------------------------------------------
def _check_scrub(controller: SessionController, views: Views) -> list[str]:
    """Looking back: the step shown is the timeline's, and the scrub bar, its line on the
    loss plot and the knob panel say so; at the present, they say that."""
    session, step = controller.session, controller.scrub_step
    out: list[str] = []
    if step is not None:
        at, theta = session.timeline.at(step)
        shown = controller.shown
        if at != step or shown.step_count != step:
            out.append(f"The views look back at step {shown.step_count} but the scrub is at {at}.")
        elif not np.array_equal(shown.params, theta):
            out.append(f"The weights shown differ from the timeline's at step {step}.")
    bar = views.scrub_bar
    if bar is not None:
        steps = session.timeline.steps
        tick = bar.slider.value()
        now = step is None
        if now and (tick != len(steps) - 1 or bar.slider.maximum() != len(steps) - 1):
            out.append(f"The scrub bar stands at entry {tick} of {len(steps)} at the present.")
        if not now and not (0 <= tick < len(steps) and steps[tick] == step):
            out.append(f"The scrub bar stands at entry {tick} but the views show step {step}.")
        label = bar.step_label.text()
        if f"step {session.step_count if now else step:,}" not in label:
            out.append(f"The scrub bar reads {label!r} but the step shown is {step or 'now'}.")
        if bar.line.isVisible() == now:
            out.append(f"The loss plot's look-back line is {'shown' if now else 'hidden'}.")
        elif not now and bar.line.step != step:
            out.append(f"The loss plot's look-back line is at step {bar.line.step}, not {step}.")
    if views.knob_panel is not None and views.knob_panel.isEnabled() != (step is None):
        state = "takes" if views.knob_panel.isEnabled() else "refuses"
        out.append(f"The knob panel {state} a hand while the views show step {step or 'now'}.")
    return out


# -- the knobs -------------------------------------------------------------------------------
def handle_offset(slider: QSlider, value: float, low: float, high: float) -> int | None:
    """How many pixels the slider's handle sits from where ``value`` belongs.

    The actual handle is the style's handle rectangle at the slider's own position; the
    place it belongs is the same rectangle at the tick of ``value`` in ``[low, high]``
    (a value outside the range belongs at the end). Positive: right of (or above) it.
    None when the slider has no room to show anything (not laid out yet).
    """
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    style = slider.style()
    cc, sc = QStyle.ComplexControl.CC_Slider, QStyle.SubControl
    groove = style.subControlRect(cc, opt, sc.SC_SliderGroove, slider)
    actual = style.subControlRect(cc, opt, sc.SC_SliderHandle, slider)
    horizontal = slider.orientation() == Qt.Orientation.Horizontal
    room = groove.width() - actual.width() if horizontal else groove.height() - actual.height()
    if room <= 0 or not slider.isVisible():
        return None
    span = (high - low) or 1.0
    frac = (min(high, max(low, float(value))) - low) / span
    tick = opt.minimum + round(frac * (opt.maximum - opt.minimum))
    opt.sliderPosition = tick
    opt.sliderValue = tick
    wanted: QRect = style.subControlRect(cc, opt, sc.SC_SliderHandle, slider)
    if horizontal:
        return actual.center().x() - wanted.center().x()
    return wanted.center().y() - actual.center().y()


def _knob_in_view(knob: Knob) -> bool:
    return knob.isVisible() and not knob.visibleRegion().isEmpty()


def _check_knobs(views: Views, session: Session) -> list[str]:
    if views.knob_panel is None:
        return []
    knobs = views.knob_panel.knobs
    names = session.param_names
    if [k.name for k in knobs] != list(names):
        return [
            f"The knob panel shows {len(knobs)} knobs ({', '.join(k.name for k in knobs[:6])}"
            f"{'...' if len(knobs) > 6 else ''}) but the model has {len(names)} "
            f"({', '.join(names[:6])}{'...' if len(names) > 6 else ''})."
        ]
    ranges = session.model.param_ranges()
    theta = session.params
    locked = session.locked
    out: list[str] = []
    defers = views.knob_panel.paints_in_view_only
    for i, knob in enumerate(knobs):
        name = knob.name
        if defers and not _knob_in_view(knob) and not knob.shows_value():
            continue  # a big panel paints a knob when it is scrolled to
        value = float(theta[i])
        want = format_value(value, knob.decimals)
        editor = knob.editor
        typing = editor.hasFocus() and editor.isModified()
        if not typing and editor.text() != want:
            out.append(f"Knob {name} reads {editor.text()!r} but {name} = {want} in the session.")
        lo, hi = float(ranges[i, 0]), float(ranges[i, 1])
        if isinstance(knob.slider, Dial):
            out.extend(_check_dial(knob, knob.slider, value, want, lo, hi, i in locked))
            off = None
        else:
            off = handle_offset(knob.slider, value, lo, hi)
        if off is not None and abs(off) > HANDLE_TOLERANCE_PX:
            where = "beyond its range, " if not lo <= value <= hi else ""
            out.append(
                f"Knob {name}'s handle sits {abs(off)} px "
                f"{'past' if off > 0 else 'short of'} where {name} = {want} belongs "
                f"({where}range {lo:g} to {hi:g})."
            )
        if knob.lock_button.isChecked() != (i in locked):
            shown = "locked" if knob.lock_button.isChecked() else "unlocked"
            real = "locked" if i in locked else "unlocked"
            out.append(f"Knob {name}'s lock shows {shown} but {name} is {real} in the session.")
    return out


def _check_dial(
    knob: Knob, dial: Dial, value: float, want: str, lo: float, hi: float, locked: bool
) -> list[str]:
    """A dial in view points where its value belongs (within HANDLE_TOLERANCE_PX along
    its value arc) and shows its padlock exactly when the knob is locked."""
    out = []
    name = knob.name
    if dial.locked != locked:
        shown, real = ("locked", "unlocked") if dial.locked else ("unlocked", "locked")
        out.append(f"Knob {name}'s dial shows it {shown} but {name} is {real} in the session.")
    if not _knob_in_view(knob):
        return out
    drawn = dial.painted_fraction()
    if drawn is None:
        return out + [f"Knob {name}'s dial is in view but was never drawn."]
    angle = dials.angle_at((min(hi, max(lo, value)) - lo) / ((hi - lo) or 1.0))
    got = dials.angle_at(drawn)
    off = math.radians(abs(got - angle)) * dials.track_radius(dial.width())
    if off > HANDLE_TOLERANCE_PX:
        where = "beyond its range, " if not lo <= value <= hi else ""
        out.append(
            f"Knob {name}'s dial points at {got:.1f}° but {name} = {want} belongs at "
            f"{angle:.1f}° ({where}range {lo:g} to {hi:g}): {off:.1f} px off along its arc."
        )
    return out


def _check_slices(views: Views, session: Session) -> list[str]:
    """Each knob in view draws the error along itself at these knobs: its slice's lowest
    point and three of its values are checked against the loss computed directly."""
    if views.knob_panel is None:
        return []
    model, theta, d = session.model, session.params, session.dataset
    out: list[str] = []
    for i, knob in enumerate(views.knob_panel.knobs):
        slider = knob.slider
        if slider.orientation() != Qt.Orientation.Horizontal or not _knob_in_view(knob):
            continue
        if slider.slice is None:
            out.append(f"Knob {knob.name} draws no loss slice.")
            continue
        values, losses, current = slider.slice
        probes = [0, len(values) // 2, len(values) - 1]
        thetas = np.repeat(theta[None, :], len(probes) + 1, axis=0)
        thetas[: len(probes), i] = values[probes]
        with np.errstate(all="ignore"):
            truth = model.loss_many(thetas, d.X_train, d.y_train)
        truth = np.where(np.isfinite(truth), truth, np.inf)
        shown = np.append(losses[probes], current)
        if not np.allclose(shown, truth, rtol=1e-9, atol=1e-12, equal_nan=False):
            out.append(f"Knob {knob.name}'s loss slice is not the error along {knob.name} now.")
        elif not (values[0] == slider.minimum() and values[-1] == slider.maximum()):
            out.append(f"Knob {knob.name}'s loss slice does not span its range.")
    return out


_SLOPE = re.compile(r"slope of the error(?: ~0)?: ([-+]?\d[\d.]*(?:e[-+]?\d+)?|nan|-?inf)")
_WAYS = {"right": +1, "up": +1, "left": -1, "down": -1}


def _check_arrows(views: Views, session: Session) -> list[str]:
    if views.knob_panel is None:
        return []
    knobs = views.knob_panel.knobs
    if [k.name for k in knobs] != list(session.param_names):
        return []  # told by the knob check
    g = np.asarray(session.grad(), dtype=float)
    levels = slope_levels(session, GRAD_LEVELS)
    out: list[str] = []
    for i, knob in enumerate(knobs):
        arrow = knob.grad_indicator
        name = knob.name
        text = arrow.describe()
        slope = float(g[i])
        m = _SLOPE.search(text)
        if m is None:
            out.append(f"The slope tooltip of {name} shows no slope: {text!r}.")
            continue
        if math.isfinite(slope) and not _agrees(float(m.group(1)), m.group(1), slope):
            out.append(
                f"The slope tooltip of {name} says {m.group(1)} but the slope is {slope:.3g}."
            )
        way = re.search(rf"Turning {re.escape(name)} (right|left|up|down)", text)
        said = _WAYS[way.group(1)] if way else 0
        drawn = arrow.direction
        if drawn != said:
            out.append(
                f"The arrow of {name} points {_way(drawn, arrow)} but its tooltip says "
                f"{_way(said, arrow)}."
            )
        if drawn != 0 and slope != 0 and drawn != -int(np.sign(np.nan_to_num(slope))):
            out.append(
                f"The arrow of {name} points {_way(drawn, arrow)}, uphill: the slope is "
                f"{slope:.3g}."
            )
        level = round(arrow.strength * GRAD_LEVELS) if drawn else 0
        if level != int(levels[i]):
            out.append(
                f"The arrow of {name} is drawn at size {level} of {GRAD_LEVELS} but its "
                f"slope {slope:.3g} belongs at size {int(levels[i])}."
            )
    return out


def _way(direction: int, arrow) -> str:
    if direction == 0:
        return "nowhere (a flat spot)"
    horizontal = arrow.orientation == Qt.Orientation.Horizontal
    if direction > 0:
        return "right" if horizontal else "up"
    return "left" if horizontal else "down"


# -- numbers as shown ----------------------------------------------------------------------------
def _plain(rich: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", rich.replace("<br>", "\n"))).split())


def _half_unit(text: str) -> float:
    """Half a unit in the last place of a number as written ('0.123' -> 0.0005)."""
    text = text.strip().lstrip("+-")
    mantissa, _, exp = text.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (-decimals + (int(exp) if exp else 0))


def _agrees(shown: float, written: str, value: float) -> bool:
    """Does ``written`` (parsed as ``shown``) say ``value`` to the digits it shows?"""
    if not math.isfinite(value):
        return False
    return abs(shown - value) <= _half_unit(written) * 1.001 + 1e-12 * abs(value)


_NUMBER = r"(—|nan|inf|[-+]?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?)"


def _check_error_readout(views: Views, session: Session) -> list[str]:
    label = views.error_label
    if label is None:
        return []
    text = _plain(label.text())
    out: list[str] = []
    for which, value in (("train", session.train_loss), ("test", session.test_loss)):
        m = re.search(rf"\b{which}\s+{_NUMBER}", text, re.IGNORECASE)
        if m is None:
            out.append(f"The error read-out shows no {which} error: {text!r}.")
            continue
        written = m.group(1)
        if written in ("—", "nan", "inf"):
            if math.isfinite(value):
                out.append(f"The error read-out says {which} {written} but it is {value:.4g}.")
            continue
        shown = float(written.replace(",", ""))
        if not _agrees(shown, written.replace(",", ""), value):
            out.append(f"The error read-out says {which} {written} but it is {value:.6g}.")
    acc = session.accuracy("train")
    if acc is not None:
        m = re.search(r"accuracy train (\d+)%\D+(\d+)%", text)
        if m is None:
            out.append(f"The error read-out shows no accuracy: {text!r}.")
        else:
            for shown, real, which in (
                (m.group(1), acc, "train"),
                (m.group(2), session.accuracy("test"), "test"),
            ):
                if abs(int(shown) / 100 - real) > 0.005 + 1e-9:
                    out.append(f"The read-out says {which} accuracy {shown}% but it is {real:.1%}.")
    m = re.search(r"\bstep\s+([\d,]+)", text)
    if m is not None and int(m.group(1).replace(",", "")) != session.step_count:
        out.append(f"The error read-out says step {m.group(1)} but it is {session.step_count}.")
    return out


# -- the plots -----------------------------------------------------------------------------------
def _check_loss_plot(views: Views, session: Session) -> list[str]:
    plot = views.loss_plot
    if plot is None:
        return []
    log = bool(plot.plot_item.getViewBox().state["logMode"][1])
    out: list[str] = []
    for which, curve, value in (
        ("train", plot.train_curve, session.train_loss),
        ("test", plot.test_curve, session.test_loss),
    ):
        x, y = curve.getData()
        if x is None or len(x) == 0:
            out.append(f"The loss plot draws no {which} curve at step {session.step_count}.")
            continue
        last_step = plot.step_at(float(x[-1]))
        if int(round(last_step)) != session.step_count and not (
            session.step_count == 0 and last_step < 1  # step 0 on a log step axis
        ):
            out.append(
                f"The loss plot's {which} curve ends at step {last_step:g} but the session "
                f"is at step {session.step_count}."
            )
        if not math.isfinite(value) or (log and value <= 0):
            continue  # no place on the axis
        want = math.log10(value) if log else value
        got = float(y[-1])
        if not (math.isfinite(got) and math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9)):
            shown = 10.0**got if log and math.isfinite(got) else got
            out.append(
                f"The loss plot's {which} curve ends at {shown:.4g} but the {which} error "
                f"is {value:.4g}."
            )
    return out + _check_converged_mark(plot, session)


def _check_converged_mark(plot: LossPlot, session: Session) -> list[str]:
    """The "converged" line stands at the step where training stopped by itself."""
    at = plot._controller.converged_at
    line = plot.converged_line
    if at is None or at > session.step_count:
        return (
            ["The loss plot marks a convergence that did not happen."] if line.isVisible() else []
        )
    if not line.isVisible():
        return [f"Training converged at step {at} but the loss plot does not mark it."]
    shown = plot.step_at(float(line.value()))
    if not math.isclose(shown, at, rel_tol=1e-9, abs_tol=1e-6):
        return [f"The loss plot marks convergence at step {shown:g}, not at step {at}."]
    return []


def _check_fit_plot(views: Views, session: Session) -> list[str]:
    plot = views.fit_plot
    if plot is None:
        return []
    model, theta = session.model, session.params
    if plot.task != model.task:
        return [f"The fit plot draws a {plot.task} model but the model is {model.task}."]
    if model.task == "regression":
        return _check_points(plot, session) + _check_curve(plot, model, theta)
    if model.task == "classification":
        return _check_points(plot, session) + _check_map(
            plot.heatmap, model, theta, "The probability map"
        )
    return _check_table(plot.table_image, model, theta)


def _check_points(plot: FitPlot, session: Session) -> list[str]:
    """The drawn training and test points are the session's data, point for point."""
    out = []
    data = session.dataset
    for split, scatter in (("train", plot.train_scatter), ("test", plot.test_scatter)):
        xs, ys = scatter.getData()
        want_x, want_y = plot.drawn_points(data, split)
        if len(xs) != len(want_x):
            out.append(
                f"The fit plot draws {len(xs)} {split} points but the data has {len(want_x)}."
            )
        elif not (np.array_equal(xs, want_x) and np.array_equal(ys, want_y)):
            out.append(f"The fit plot's {split} points are not where the data's are.")
    return out


def _check_curve(plot, model, theta, curve=None) -> list[str]:
    curve = plot.curve if curve is None else curve
    x, y = curve.getData()
    if x is None or len(x) == 0:
        return ["The fit plot draws no curve."]
    if not curve.isVisible():
        return ["The fit plot's curve is hidden."]
    (_, _), (v0, v1) = plot.plot_item.getViewBox().viewRange()
    band = max(v1 - v0, 1e-12)
    idx = np.unique(np.linspace(0, len(x) - 1, CURVE_SAMPLES).round().astype(int))
    xs = np.asarray(x, dtype=float)[idx]
    with np.errstate(all="ignore"):
        want = np.asarray(model.predict(theta, xs[:, None]), dtype=float).reshape(-1)
    got = np.asarray(y, dtype=float)[idx]
    out = []
    for xi, w, g in zip(xs.tolist(), want.tolist(), got.tolist(), strict=True):
        if not math.isfinite(w):
            if math.isfinite(g) and v0 <= g <= v1:
                out.append(f"The fit curve shows {g:.4g} at x = {xi:.3g}, where the model is {w}.")
            continue
        if v0 - band <= w <= v1 + band:
            if not math.isclose(g, w, rel_tol=1e-6, abs_tol=1e-9 * band):
                out.append(
                    f"The fit curve shows {g:.4g} at x = {xi:.3g} but the model gives {w:.4g}."
                )
        elif not (math.isfinite(g) and (g - v1) * (w - v1) >= 0 and (g - v0) * (w - v0) >= 0):
            out.append(
                f"The fit curve shows {g:.4g} at x = {xi:.3g}, in or across the view, but the "
                f"model gives {w:.4g}, off it."
            )
    return out


def _pixel_centres(item, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The view coordinates of an image item's pixel centres: (columns' x, rows' y)."""
    rows, cols = shape
    rect = item.mapRectToParent(item.boundingRect())
    xs = rect.left() + (np.arange(cols) + 0.5) * rect.width() / cols
    ys = rect.top() + (np.arange(rows) + 0.5) * rect.height() / rows
    return xs, ys


def _check_ghosts(views: Views, session: Session) -> list[str]:
    """Predict's ghosts: a handle per knob where its guessed value belongs, and the fit
    plot's dashed curve (or boundary) drawn from the guessed knobs; none when not guessing."""
    ghosts = views.ghosts
    if ghosts is None:
        return []
    mode, plot = ghosts.mode, ghosts.fit_plot
    if not mode.active:
        out = [f"The ghost of {n} shows, but no guess is being made." for n in ghosts.handles]
        if plot.ghost.isVisible():
            out.append("The fit plot draws a ghost curve, but no guess is being made.")
        return out
    out, guess = [], mode.prediction.knobs
    combo, words = ghosts.word_combo, mode.prediction.top_words
    if combo is not None and combo.isVisible() and words is not None:
        row = ghosts.words.context_row
        if row < len(words) and combo.currentIndex() != words[row] + 1:
            out.append(
                f"The guess of the top next word shows {combo.currentText()!r} but the "
                f"guess is {(['—', *session.model.vocab])[words[row] + 1]!r}."
            )
    for name, h in ghosts.handles.items():
        i = session.param_names.index(name)
        if h.value() != guess[i]:
            out.append(
                f"The ghost of {name} reads {h.value():.4g} but the guess is {guess[i]:.4g}."
            )
        elif h.isVisible():
            off = QPointF(h.geometry().center()) - h.anchor()
            if max(abs(off.x()), abs(off.y())) > HANDLE_TOLERANCE_PX + 0.5:
                out.append(
                    f"The ghost of {name} sits ({off.x():+.0f}, {off.y():+.0f}) px from its guess."
                )
    task = session.model.task
    if task == "regression":
        out += [f"Ghost: {m}" for m in _check_curve(plot, session.model, guess, plot.ghost)]
    elif task == "classification":
        bx, _by = plot.ghost.getData()
        if not plot.ghost.isVisible():
            out.append("The fit plot's ghost boundary is hidden.")
        elif bx is not None and len(bx):
            pts = np.column_stack(plot.ghost.getData())
            pts = pts[np.unique(np.linspace(0, len(pts) - 1, CURVE_SAMPLES).round().astype(int))]
            with np.errstate(all="ignore"):
                p = np.asarray(session.model.predict(guess, pts), float)
            if np.any(np.abs(p - 0.5) > 0.15):
                out.append("The fit plot's ghost boundary is not where the guess gives P = 0.5.")
    return out


def _check_map(item, model, theta, what: str) -> list[str]:
    image = item.image
    if image is None or not item.isVisible():
        return [f"{what} is not drawn."]
    rows, cols = image.shape[:2]
    xs, ys = _pixel_centres(item, (rows, cols))
    r = np.unique(np.linspace(0, rows - 1, 5).round().astype(int))
    c = np.unique(np.linspace(0, cols - 1, 5).round().astype(int))
    rr, cc = np.meshgrid(r, c, indexing="ij")
    X = np.column_stack([xs[cc.ravel()], ys[rr.ravel()]])
    with np.errstate(all="ignore"):
        want = np.asarray(model.predict(theta, X), dtype=float)
    want = np.nan_to_num(want, nan=0.5, posinf=1.0, neginf=0.0)
    got = np.asarray(image, dtype=float)[rr.ravel(), cc.ravel()]
    bad = np.flatnonzero(np.abs(got - want) > 1e-4)
    return [
        f"{what} shows P = {got[k]:.3f} at ({X[k, 0]:.3g}, {X[k, 1]:.3g}) but the model gives "
        f"{want[k]:.3f}."
        for k in bad[:3]
    ]


def _check_table(item, model: WordModel, theta) -> list[str]:
    image = item.image
    if image is None:
        return ["The probability table is not drawn."]
    with np.errstate(all="ignore"):
        P = np.nan_to_num(model.probabilities(theta), nan=0.0, posinf=1.0, neginf=0.0)
    if image.shape != P.shape:
        return [f"The probability table is {image.shape} but the model's is {P.shape}."]
    bad = np.argwhere(np.abs(np.asarray(image, dtype=float) - P) > 1e-4)
    return [
        f"The probability table shows P({model.vocab[c]} | {model.context_label(r)}) = "
        f"{float(image[r, c]):.3f} but the model gives {P[r, c]:.3f}."
        for r, c in bad[:3].tolist()
    ]


def _check_landscape(views: Views, session: Session) -> list[str]:
    plot = views.landscape_plot
    if plot is None:
        return []
    marker = plot.marker
    if session.n_params < 2:
        return ["The landscape shows a marker for a one-knob model."] if marker.isVisible() else []
    i, j = plot.pair
    names = session.param_names
    if max(i, j) >= session.n_params:
        return [f"The landscape is over knobs {i} and {j} of a {session.n_params}-knob model."]
    out = []
    for combo, k, axis in ((plot.x_combo, i, "across"), (plot.y_combo, j, "up")):
        if combo.currentText() != names[k]:
            out.append(f"The landscape's {axis} box says {combo.currentText()!r}, not {names[k]}.")
    a, b = float(session.params[i]), float(session.params[j])
    if not marker.isVisible():
        out.append(f"The landscape has no marker for {names[i]} = {a:.4g}, {names[j]} = {b:.4g}.")
        return out
    pos = marker.pos()
    if not (math.isclose(pos.x(), a, abs_tol=1e-9) and math.isclose(pos.y(), b, abs_tol=1e-9)):
        out.append(
            f"The landscape marker sits at {names[i]} = {pos.x():.4g}, {names[j]} = "
            f"{pos.y():.4g} but the knobs are at {a:.4g}, {b:.4g}."
        )
    return out + _check_path(plot, session, i, j) + _check_bowl(plot, session, i, j)


def _check_path(plot: LandscapePlot, session: Session, i: int, j: int) -> list[str]:
    """The path is the weights at the session's recent recorded moments (while looking
    back, the timeline's up to the step shown), over the landscape's two knobs."""
    # the data as set (getData() gives what is drawn: pyqtgraph limits huge values)
    xs, ys = plot.path.xData, plot.path.yData
    trail = session.trail
    xs = np.zeros(0) if xs is None else np.asarray(xs)
    ys = np.zeros(0) if ys is None else np.asarray(ys)
    if xs.shape != (len(trail),) or not (
        np.allclose(xs, trail[:, i], equal_nan=True)
        and np.allclose(ys, trail[:, j], equal_nan=True)
    ):
        end = f" ending at {xs[-1]:.4g}, {ys[-1]:.4g}" if xs.size else ""
        return [
            f"The landscape's path has {xs.size} points{end}, but the run to step "
            f"{session.step_count} has {len(trail)}."
        ]
    return []


def _check_bowl(plot: LandscapePlot, session: Session, i: int, j: int) -> list[str]:
    """The dashed ring is a level set of the error's curvature in knobs i and j, around
    the marker; no ring where the error does not curve up both ways."""
    xs, ys = plot.bowl.getData()
    theta = session.params
    with np.errstate(all="ignore"):
        H2 = pair_hessian(session.model, theta, *session.train_features(), i, j)
    lam = np.linalg.eigvalsh(H2) if np.all(np.isfinite(H2)) else np.array([-1.0, -1.0])
    (x0, x1), (y0, y1) = plot.view.viewRange()
    on_map = x0 <= theta[i] <= x1 and y0 <= theta[j] <= y1
    bowl = on_map and lam[0] > 1e-12 * max(abs(lam[1]), 1e-300)
    if xs is None or len(xs) == 0:
        return (
            ["The landscape has no bowl ring where the error curves up both ways."] if bowl else []
        )
    if not bowl:
        return [
            "The landscape draws a bowl ring off the map or where the error does not curve "
            "up both ways."
        ]
    delta = np.column_stack([xs - theta[i], ys - theta[j]])
    q = np.einsum("ni,ij,nj->n", delta, H2, delta)
    if not np.allclose(q, q[0], rtol=1e-6) or not np.allclose(
        delta[:-1].mean(axis=0), 0, atol=1e-9 + 1e-6 * np.abs(delta).max()
    ):
        return ["The landscape's bowl ring is not the error's curvature around the marker."]
    return []


def _check_network(views: Views, session: Session) -> list[str]:
    from knobsim.ui.network import diagram as net

    view = views.network_view
    if view is None:
        return []
    items = {**view.wires, **view.bias_marks, **view.cells}
    names = session.param_names
    n = session.n_params
    if any(not (0 <= it.index < n and names[it.index] == it.name) for it in items.values()):
        return ["The network view's wires do not belong to this model's knobs."]
    drawn_here = sorted(it.index for it in items.values())
    if drawn_here != list(range(n)):
        missing = sorted(set(range(n)) - set(drawn_here))
        return [f"The network view draws no wire for {', '.join(names[k] for k in missing[:6])}."]
    theta = session.params
    ranges = session.model.param_ranges()
    scale = np.maximum(np.abs(ranges).max(axis=1), 1e-12)
    out: list[str] = []
    for k in drawn_here:
        item = items[names[k]]
        value = float(theta[k])
        level = int(np.rint(min(abs(value) / scale[k], 1.0) * net.LEVELS))
        sign = int(np.sign(value))
        if isinstance(item, net.Cell):
            got = item.brush().color()
            t = 0.5 + 0.5 * sign * level / net.LEVELS
            rgb = view._lut[int(round(t * (len(view._lut) - 1)))]
            want = QColor(int(rgb[0]), int(rgb[1]), int(rgb[2]))
        else:
            got = (item.pen() if isinstance(item, net.Wire) else item.brush()).color()
            want = net._sign_color(sign, level)
        if not _same_colour(got, want):
            out.append(
                f"The network draws {names[k]} as {_describe_look(got, net)} but "
                f"{names[k]} = {value:.3g}."
            )
        elif isinstance(item, net.Wire):
            width = 0.6 + (view._max_width - 0.6) * level / net.LEVELS
            if abs(item.pen().widthF() - width) > 0.05:
                out.append(
                    f"The network's wire {names[k]} is {item.pen().widthF():.2f} px thick, not "
                    f"{width:.2f} px as {names[k]} = {value:.3g} is drawn."
                )
        if isinstance(item, net.Cell):
            continue  # a cell shows no lock
        dashed = item.pen().style() != Qt.PenStyle.SolidLine
        if dashed != (k in session.locked):
            state = "locked" if k in session.locked else "unlocked"
            look = "locked" if dashed else "unlocked"
            out.append(f"The network draws {names[k]} as {look}, but it is {state}.")
    return out + _check_knob_layers(view)


def _check_knob_layers(view) -> list[str]:
    """The layers paint the wires, marks and cells from groups they build once per look
    (``KnobLayer._groups``); built groups must match the items' pens, brushes and shapes."""
    out = []
    for layer, what in zip(view._layers, ("wires", "bias marks", "cells"), strict=True):
        groups = layer._groups
        if groups is None:
            continue  # built from the items at the next paint
        shapes = [
            it.path() if hasattr(it, "path") else _rect_path(it.rect()) for it in layer._items
        ]
        if len(shapes) != len(layer._shapes) or any(
            a != b for a, b in zip(shapes, layer._shapes, strict=True)
        ):
            out.append(f"The network paints its {what} where they were, not where they are.")
            continue
        want: dict[tuple, tuple] = {}
        for it, shape in zip(layer._items, shapes, strict=True):
            group = want.get(it.key)
            if group is None:
                group = want[it.key] = (it.pen(), it.brush(), QPainterPath())
            group[2].addPath(shape)
        same = len(want) == len(groups) and all(
            pen == g[0] and brush == g[1] and path == g[2]
            for (pen, brush, path), g in zip(want.values(), groups, strict=True)
        )
        if not same:
            out.append(f"The network paints its {what} with looks they no longer have.")
    return out


def _rect_path(rect) -> QPainterPath:
    path = QPainterPath()
    path.addRect(rect)
    return path


def _same_colour(a: QColor, b: QColor) -> bool:
    return (
        abs(a.red() - b.red()) <= 1
        and abs(a.green() - b.green()) <= 1
        and abs(a.blue() - b.blue()) <= 1
        and abs(a.alpha() - b.alpha()) <= 2
    )


def _describe_look(colour: QColor, net) -> str:
    from knobsim.ui import theme

    if colour.name() == QColor(theme.CLASS_COLORS[1]).name():
        sign = "positive"
    elif colour.name() == QColor(theme.CLASS_COLORS[0]).name():
        sign = "negative"
    elif colour.name() == QColor(net.NEUTRAL_COLOR).name():
        sign = "zero"
    else:
        return f"colour {colour.name()}"
    level = round((colour.alphaF() - 0.3) / 0.7 * net.LEVELS) if sign != "zero" else 0
    return f"{sign} at strength {level} of {net.LEVELS}"


def _check_embedding_map(views: Views, session: Session) -> list[str]:
    view = views.embedding_map
    model = session.model
    if view is None or not isinstance(model, Embedding) or model.dim < 2:
        return []
    if not view.active:
        return ["The embedding map shows no words for a word-embedding model."]
    E = model.embeddings(session.params)[:, :2]  # (V, 2)
    out = []
    for what, drawn in (("dot", view.points()), ("label", view.label_positions())):
        if drawn.shape != E.shape:
            return [f"The embedding map draws {len(drawn)} {what}s, not {model.V}."]
        bad = np.flatnonzero(np.any(np.abs(drawn - E) > 1e-9, axis=1))
        out += [
            f"The embedding map's {what} for {model.vocab[w]!r} sits at "
            f"({drawn[w, 0]:.3f}, {drawn[w, 1]:.3f}) but its knobs are "
            f"({E[w, 0]:.3f}, {E[w, 1]:.3f})."
            for w in bad[:2]
        ]
    if not out and view.isVisible():
        boxes = view.label_boxes()
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                both = boxes[i].intersected(boxes[j])
                if both.width() > 1 and both.height() > 1:
                    out.append(
                        f"The embedding map prints {model.vocab[i]!r} over {model.vocab[j]!r}."
                    )
    return out


def _check_nextword(views: Views, session: Session) -> list[str]:
    view = views.nextword_view
    model = session.model
    if view is None or not isinstance(model, WordModel):
        return []  # not built, or not in use (it shows the last next-word model, hidden)
    if not view.active or view._model is not model:
        return ["The next-word view shows another model than the session's."]
    row = view.context_row
    with np.errstate(all="ignore"):
        P = np.nan_to_num(model.probabilities(session.params)[row], nan=0.0)
    bars = view.bar_values()
    context = model.context_label(row)
    if bars.shape != P.shape:
        return [f"The next-word view draws {bars.size} bars after {context!r}, not {P.size}."]
    bad = np.flatnonzero(np.abs(bars - P) > 1e-9)
    out = [
        f"The next-word bar for {model.vocab[k]!r} after {context!r} is {bars[k]:.3f} long but "
        f"P = {P[k]:.3f}."
        for k in bad[:3]
    ]
    for k, text in enumerate(view.value_labels[: P.size]):
        want = f"{P[k]:.0%}" if P[k] >= 0.005 else ""
        if text.toPlainText() != want:
            out.append(
                f"The next-word bar for {model.vocab[k]!r} says {text.toPlainText()!r} but "
                f"P = {P[k]:.1%}."
            )
            break
    return out
