"""A seeded monkey: a stream of random real input over the whole knobsim window, with the
display audit after the window settles every so often.

Used by ``tests/ui/test_monkey.py`` (2,000 events) and ``benchmarks/bench_monkey.py`` (long
runs). Every event goes through the real-input helpers of ``hands.py``; nothing here calls
``setValue`` or a slot. A run records every exception, every audit finding and every stall
with the seed, the event's index and the events just before it, so a failure can be
replayed: ``Monkey(window, seed, audit_from=index - 10).run(index + 1)`` on a fresh window
makes the same choices
(training speed makes the weights differ a little from run to run, not the choices' kinds).
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import re
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shiboken6
from hands import drag, handle_center, key, move, point_for_value, press, release, wheel
from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QFileDialog,
    QGraphicsView,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSlider,
    QSplitterHandle,
    QTabBar,
    QWidget,
)

LEFT = Qt.MouseButton.LeftButton
RIGHT = Qt.MouseButton.RightButton
NOMOD = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier

#: keys pressed with the focus wherever it is: (key, modifiers, name)
KEYS: tuple[tuple[Qt.Key, Qt.KeyboardModifier, str], ...] = (
    (Qt.Key.Key_Space, NOMOD, "Space"),
    (Qt.Key.Key_S, NOMOD, "S"),
    (Qt.Key.Key_R, NOMOD, "R"),
    (Qt.Key.Key_Z, CTRL, "Ctrl+Z"),
    (Qt.Key.Key_Z, CTRL | SHIFT, "Ctrl+Shift+Z"),
    (Qt.Key.Key_Y, CTRL, "Ctrl+Y"),
    (Qt.Key.Key_R, CTRL, "Ctrl+R"),
    (Qt.Key.Key_H, CTRL, "Ctrl+H"),
    (Qt.Key.Key_Left, NOMOD, "Left"),
    (Qt.Key.Key_Right, NOMOD, "Right"),
    (Qt.Key.Key_Up, NOMOD, "Up"),
    (Qt.Key.Key_Down, NOMOD, "Down"),
    (Qt.Key.Key_PageUp, NOMOD, "PgUp"),
    (Qt.Key.Key_PageDown, NOMOD, "PgDown"),
    (Qt.Key.Key_Home, NOMOD, "Home"),
    (Qt.Key.Key_End, NOMOD, "End"),
    (Qt.Key.Key_Tab, NOMOD, "Tab"),
    (Qt.Key.Key_Backtab, SHIFT, "Shift+Tab"),
    (Qt.Key.Key_Return, NOMOD, "Enter"),
    (Qt.Key.Key_Escape, NOMOD, "Escape"),
    (Qt.Key.Key_Backspace, NOMOD, "Backspace"),
    (Qt.Key.Key_Minus, NOMOD, "-"),
    (Qt.Key.Key_Period, NOMOD, "."),
    *((getattr(Qt.Key, f"Key_{d}"), NOMOD, str(d)) for d in range(10)),
)
#: what gets typed into value boxes
TEXTS: tuple[str, ...] = (
    "0", "1", "-1", "0.5", "-0.25", "3.14159", "2e-3", "-7.5", "100", "99999", "1e308",
    "-1e308", "1e-308", "nan", "NaN", "inf", "-inf", "abc", "", "  2 ", "1,2", "4,2", "16",
    "0,0", "8", "--3", "1e", ".", "-", "0x10", "1_000",
)  # fmt: skip
#: window sizes a resize picks from (None: a random size)
SIZES: tuple[tuple[int, int] | None, ...] = (
    (200, 150), (640, 420), (800, 600), (1024, 700), (1280, 800), (1600, 1000), None,
)  # fmt: skip
#: the pause between the moves of a drag in a plot (pyqtgraph's mouse rate limit is 100/s)
PLOT_MOVE_MS = 11
#: menu entries the monkey never picks: leaving the app ends the run
NEVER_ACTIONS = ("Quit",)
#: the kinds of event and how often each comes
WEIGHTS: dict[str, float] = {
    "click": 22,
    "click_anywhere": 6,
    "combo": 6,
    "slider_drag": 14,
    "plot_drag": 9,
    "plot_click": 4,
    "splitter": 3,
    "wheel": 9,
    "key": 16,
    "type": 7,
    "resize": 1.5,
    "menu": 2,
    "context_menu": 0.5,
}


@dataclass
class Finding:
    """Something that went wrong, with what is needed to replay it."""

    kind: str  # "exception", "audit", "stall"
    seed: int
    event: int  # index of the event after which it showed (-1: before the first)
    text: str
    recent: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"[{self.kind}] seed {self.seed}, after event #{self.event}: {self.text}"]
        lines += [f"    {e}" for e in self.recent]
        return "\n".join(lines)


@dataclass
class MonkeyReport:
    """What a run did and found."""

    seed: int
    events: int = 0
    seconds: float = 0.0
    audits: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    exceptions: list[Finding] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    stalls: list[Finding] = field(default_factory=list)
    dialogs_answered: int = 0

    def kinds(self) -> dict[str, int]:
        """How many failures of each kind (numbers and knob names blanked out)."""
        out: dict[str, int] = {}
        for f in [*self.exceptions, *self.findings, *self.stalls]:
            text = f.text.strip().splitlines()[-1] if f.kind == "exception" else f.text
            text = re.sub(r"Knob (.+?)(?= reads|'s handle)", "Knob K", text)
            text = re.sub(r"(?:[^\s→]+ )?[^\s→]+→[^\s→]+", "K", text)
            text = re.sub(r"'[^']*'", "'…'", text)
            text = re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "N", text)
            key = f"[{f.kind}] {text}"
            out[key] = out.get(key, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    @property
    def ok(self) -> bool:
        return not (self.exceptions or self.findings or self.stalls)

    def summary(self, limit: int = 10) -> str:
        head = (
            f"seed {self.seed}: {self.events} events in {self.seconds:.1f} s "
            f"({self.events / max(self.seconds, 1e-9):.0f}/s), {self.audits} audits, "
            f"{len(self.exceptions)} exceptions, {len(self.findings)} audit findings, "
            f"{len(self.stalls)} stalls, {self.dialogs_answered} dialogs answered"
        )
        shown = [*self.exceptions, *self.findings, *self.stalls][:limit]
        return "\n".join([head, *(f.describe() for f in shown)])


def _address(w: QWidget) -> int:
    """The C++ object's address: PySide may hand out a new Python wrapper for the same
    widget each time (so ``id`` would make every dialog look brand new)."""
    return shiboken6.getCppPointer(w)[0]


def _name(w: QWidget | None) -> str:
    if w is None:
        return "None"
    name = w.objectName()
    text = ""
    if isinstance(w, QAbstractButton) and w.text():
        text = f" {w.text()!r}"
    return f"{type(w).__name__}{f'({name})' if name else ''}{text}"


class DialogAnswerer:
    """Answers every modal dialog and closes every popup a run opens, so nothing waits
    for a person: a timer (it fires inside nested ``exec()`` loops too) looks for the
    active modal and popup widgets and answers those that have been up for ``after_ms``.

    A message box gets a click on one of its buttons (chosen by its own generator, so the
    monkey's choices do not depend on timing); any other dialog is rejected; a menu or a
    combo box list is closed. ``on_error_dialog`` hears of knobsim's error dialog.
    """

    def __init__(
        self,
        seed: int,
        *,
        main: QWidget,
        after_ms: int = 150,
        on_error_dialog: Callable[[str], None] | None = None,
    ) -> None:
        self._rng = np.random.default_rng([seed, 1])
        self._main = main
        self._after = after_ms / 1000.0
        self._seen: dict[int, float] = {}
        self._on_error = on_error_dialog
        self.answered = 0
        self.log: list[str] = []
        self._timer = QTimer()
        self._timer.setInterval(40)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _due(self, w: QWidget) -> bool:
        now = time.monotonic()
        first = self._seen.setdefault(_address(w), now)
        return now - first >= self._after

    def _on_timer_timeout(self) -> None:
        popup = QApplication.activePopupWidget()
        modal = QApplication.activeModalWidget()
        # a widget's age counts while it stays up (a combo box reuses its list)
        up = {_address(w) for w in (popup, modal) if w is not None}
        self._seen = {k: t for k, t in self._seen.items() if k in up}
        if popup is not None and self._due(popup):
            self.close_now(popup)
            return
        if modal is not None and modal is not self._main and self._due(modal):
            self.answer(modal)

    def close_now(self, w: QWidget) -> None:
        self.answered += 1
        self.log.append(f"closed {_name(w)}")
        w.close()

    def answer(self, w: QWidget) -> None:
        """Answer one dialog (a message box: click a button; else reject or close)."""
        self.answered += 1
        if isinstance(w, QMessageBox):
            if w.objectName() == "error_dialog" and self._on_error is not None:
                self._on_error(w.text())
            buttons = [b for b in w.buttons() if b.isVisible() and b.isEnabled()]
            if buttons:
                b = buttons[int(self._rng.integers(len(buttons)))]
                self.log.append(f"answered {_name(w)} {w.windowTitle()!r} with {b.text()!r}")
                QTest.mouseClick(b, LEFT, NOMOD, b.rect().center())
                if not w.isVisible():
                    return
        self.log.append(f"rejected {_name(w)} {w.windowTitle()!r}")
        if isinstance(w, QDialog):
            w.reject()
        if w.isVisible():
            w.close()

    def clear_now(self) -> int:
        """Answer every open popup, modal dialog and stray window at once; how many."""
        n = 0
        for _ in range(10):
            w = QApplication.activePopupWidget()
            if w is not None:
                self.close_now(w)
                n += 1
                continue
            m = QApplication.activeModalWidget()
            if m is not None and m is not self._main:
                self.answer(m)
                n += 1
                continue
            break
        for w in QApplication.topLevelWidgets():
            if w is self._main or not w.isVisible() or isinstance(w, QDockWidget):
                continue
            if w.windowType() in (Qt.WindowType.ToolTip, Qt.WindowType.Desktop):
                continue
            self.log.append(f"closed stray window {_name(w)} {w.windowTitle()!r}")
            if isinstance(w, QDialog):
                w.reject()
            w.close()
            n += 1
        return n


@contextlib.contextmanager
def file_dialogs_in(folder: str | os.PathLike[str], rng: np.random.Generator) -> Iterator[None]:
    """Patch ``QFileDialog``'s static getters so no dialog opens and nothing is written
    outside ``folder``: a save lands in ``folder`` under the suggested file name; an open
    gets nothing, or a file saved there before (chosen by ``rng``)."""
    folder = Path(folder)
    saved = {
        n: QFileDialog.__dict__[n]
        for n in ("getOpenFileName", "getSaveFileName", "getExistingDirectory", "getOpenFileNames")
    }

    def get_open(*args, **kwargs):
        files = sorted(p for p in folder.iterdir() if p.is_file())
        if not files or rng.random() < 0.5:
            return "", ""
        return str(files[int(rng.integers(len(files)))]), ""

    def get_open_many(*args, **kwargs):
        path, f = get_open()
        return ([path] if path else []), f

    def get_save(parent=None, caption="", directory="", *args, **kwargs):
        name = Path(str(directory)).name or "untitled"
        return str(folder / name), ""

    def get_dir(*args, **kwargs):
        return ""

    QFileDialog.getOpenFileName = staticmethod(get_open)
    QFileDialog.getOpenFileNames = staticmethod(get_open_many)
    QFileDialog.getSaveFileName = staticmethod(get_save)
    QFileDialog.getExistingDirectory = staticmethod(get_dir)
    try:
        yield
    finally:
        for n, v in saved.items():
            setattr(QFileDialog, n, v)


class Monkey:
    """Random real input over ``window``; ``run(n)`` sends ``n`` events.

    Parameters
    ----------
    window
        A shown knobsim ``MainWindow``.
    seed
        Seeds every choice.
    audit
        Called with training paused and the window settled every ``audit_every`` events
        and at the end; returns a list of disagreements (default: ``window.audit``).
    settle_ms
        How long the event loop runs before an audit (deferred refreshes run).
    stall_s
        An event (with its audit) that takes longer than this is reported as a stall.
    audit_from
        Audit after every event from this index on (to replay a failure closely).
    deadlock_s
        With this, an event (with its audit) that has not finished after ``deadlock_s``
        seconds ends the process, printing every thread's stack (``faulthandler``): a
        deadlock fails loudly instead of hanging.
    """

    def __init__(
        self,
        window: QMainWindow,
        seed: int,
        *,
        audit: Callable[[], list[str]] | None = None,
        audit_every: int = 50,
        settle_ms: int = 350,
        stall_s: float = 10.0,
        weights: dict[str, float] | None = None,
        never_actions: tuple[str, ...] = NEVER_ACTIONS,
        log: Callable[[str], None] | None = None,
        audit_from: int | None = None,
        deadlock_s: float | None = None,
    ) -> None:
        self.window = window
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.audit = audit if audit is not None else window.audit
        self.audit_every = audit_every
        self.settle_ms = settle_ms
        self.stall_s = stall_s
        w = dict(WEIGHTS if weights is None else weights)
        self._kinds = list(w)
        p = np.array([w[k] for k in self._kinds], float)
        self._p = p / p.sum()
        self.never_actions = never_actions
        self.recent: deque[str] = deque(maxlen=10)
        self.report = MonkeyReport(seed)
        self.index = -1
        self._log = log
        self.deadlock_s = deadlock_s
        self.audit_from = audit_from  # audit after every event from this index on (replays)
        self._errors_this_event = 0
        self._current = ""  # the kind of event running now

    # -- running --------------------------------------------------------------------------
    def run(self, n_events: int) -> MonkeyReport:
        """Send ``n_events`` events (auditing every ``audit_every``); returns the report."""
        report = self.report
        answerer = DialogAnswerer(
            self.seed, main=self.window, on_error_dialog=self._on_error_dialog
        )
        previous_hook = sys.excepthook

        def hook(kind, value, tb) -> None:
            self._record_exception("".join(traceback.format_exception(kind, value, tb)))
            if previous_hook is not None and previous_hook is not sys.__excepthook__:
                previous_hook(kind, value, tb)

        sys.excepthook = hook
        answerer.start()
        t0 = time.perf_counter()
        try:
            for i in range(n_events):
                self.index = i
                self._errors_this_event = 0
                if self.deadlock_s is not None:
                    faulthandler.dump_traceback_later(self.deadlock_s, exit=True)
                self._bring_to_front()
                kind = self._kinds[int(self.rng.choice(len(self._kinds), p=self._p))]
                self._current = kind
                t = time.perf_counter()
                try:
                    what = getattr(self, f"_do_{kind}")()
                except Exception:  # noqa: BLE001 - an error out of an event handler
                    what = f"{kind} (raised)"
                    self._record_exception(traceback.format_exc())
                self.recent.append(f"#{i} {what}")
                self._current = ""
                report.counts[kind] = report.counts.get(kind, 0) + 1
                self._pause(int(self.rng.choice([0, 0, 0, 2, 5, 10, 20])))
                took = time.perf_counter() - t
                if took > self.stall_s:
                    report.stalls.append(
                        Finding(
                            "stall", self.seed, i, f"event took {took:.1f} s", list(self.recent)
                        )
                    )
                for line in answerer.log:
                    self.recent.append(f"   ({line})")
                answerer.log.clear()
                report.events = i + 1
                every = self.audit_from is not None and i >= self.audit_from
                if every or (i + 1) % self.audit_every == 0 or i + 1 == n_events:
                    answerer.clear_now()
                    self._audit()
                if self._log is not None and (i + 1) % 500 == 0:
                    self._log(f"seed {self.seed}: {i + 1} events, {time.perf_counter() - t0:.0f} s")
        finally:
            if self.deadlock_s is not None:
                faulthandler.cancel_dump_traceback_later()
            answerer.stop()
            answerer.clear_now()
            sys.excepthook = previous_hook
            report.seconds = time.perf_counter() - t0
            report.dialogs_answered = answerer.answered
        return report

    def _bring_to_front(self) -> None:
        # a hand that goes back to the window after a dialog clicks it to the front
        # first (the offscreen platform does not give activation back by itself)
        if QApplication.activeModalWidget() or QApplication.activePopupWidget():
            return
        if QApplication.activeWindow() is not self.window:
            self.window.activateWindow()
            QApplication.processEvents()

    def _pause(self, ms: int) -> None:
        QApplication.processEvents()
        if ms:
            QTest.qWait(ms)

    def _audit(self) -> None:
        c = self.window.controller
        was_training = c.is_training
        c.set_training(False)  # as the app pauses: the views show the exact state
        self.window.scrub_bar.stop_replay()  # a replay moves the views too: stop it there
        QTest.qWait(self.settle_ms)
        self.report.audits += 1
        try:
            problems = list(self.audit())
        except Exception:  # noqa: BLE001 - an audit that raises is a finding too
            problems = []
            self._record_exception(traceback.format_exc())
        problems += squeezed_views(self.window)
        for p in problems:
            self.report.findings.append(
                Finding("audit", self.seed, self.index, p, list(self.recent))
            )
        if was_training:
            c.set_training(True)

    def _record_exception(self, text: str) -> None:
        self._errors_this_event += 1
        recent = list(self.recent)
        if self._current:  # raised during this event: say which kind it was
            recent.append(f"#{self.index} (a {self._current} event, raised while it ran)")
        self.report.exceptions.append(
            Finding("exception", self.seed, self.index, text.strip(), recent)
        )

    def _on_error_dialog(self, text: str) -> None:
        if not self._errors_this_event:  # not already heard through sys.excepthook
            self._record_exception(f"knobsim's error dialog: {text}")

    # -- choosing -------------------------------------------------------------------------
    def _pick(self, items: list):
        return items[int(self.rng.integers(len(items)))] if items else None

    def _visible(self, cls=QWidget) -> list[QWidget]:
        """Widgets of ``cls`` that a hand can reach: shown, enabled, not clipped away."""
        out = []
        for w in self.window.findChildren(cls):
            if not (w.isVisible() and w.isEnabled()) or w.window() is not self.window:
                continue
            if self._surface(w).visibleRegion().isEmpty():
                continue
            out.append(w)
        return out

    def _point_in(self, w: QWidget) -> QPoint:
        """A random point of ``w`` a hand can see."""
        region = w.visibleRegion()
        r = region.boundingRect().intersected(w.rect())
        if r.isEmpty():
            r = w.rect()
        for _ in range(6):
            p = QPoint(
                r.x() + int(self.rng.integers(max(1, r.width()))),
                r.y() + int(self.rng.integers(max(1, r.height()))),
            )
            if region.contains(p):
                return p
        return r.center()

    @staticmethod
    def _surface(w: QWidget) -> QWidget:
        return w.viewport() if isinstance(w, QAbstractScrollArea) else w

    def _click(self, w: QWidget, p: QPoint, button=LEFT, mods=NOMOD) -> None:
        QTest.mouseClick(w, button, mods, p)

    # -- the events -----------------------------------------------------------------------
    def _do_click(self) -> str:
        cands = [
            w
            for w in self._visible()
            if isinstance(w, QAbstractButton | QTabBar | QAbstractSpinBox | QLineEdit)
            or (isinstance(w, QAbstractItemView) and not isinstance(w, QComboBox))
        ]
        w = self._pick(cands)
        if w is None:
            return "click: nothing to click"
        if isinstance(w, QTabBar):
            tabs = [i for i in range(w.count()) if w.isTabVisible(i) and w.isTabEnabled(i)]
            if not tabs:
                return "click: a tab bar without tabs"
            i = self._pick(tabs)
            p = w.tabRect(i).center()
            self._click(w, p)
            return f"click tab {i} {w.tabText(i)!r} of {_name(w.parentWidget())} at {p.toTuple()}"
        if isinstance(w, QAbstractItemView):
            model = w.model()
            rows = model.rowCount() if model is not None else 0
            vp = w.viewport()
            shown = []
            for r in range(rows):
                rect = w.visualRect(model.index(r, 0))
                if rect.isValid() and vp.rect().contains(rect.center()):
                    shown.append((r, rect))
            if not shown:
                return f"click: {_name(w)} shows no items"
            r, rect = self._pick(shown)
            p = rect.center()
            if self.rng.random() < 0.2:
                QTest.mouseDClick(vp, LEFT, NOMOD, p)
                return f"double-click item {r} of {_name(w)} at {p.toTuple()}"
            self._click(vp, p)
            return f"click item {r} of {_name(w)} at {p.toTuple()}"
        if isinstance(w, QAbstractSpinBox):
            # the arrows sit at the right edge: up above the middle, down below
            r = w.rect()
            up = self.rng.random() < 0.5
            p = QPoint(r.right() - 6, r.top() + (r.height() // 4 if up else 3 * r.height() // 4))
            self._click(w, p)
            return f"click {'up' if up else 'down'} arrow of {_name(w)}"
        p = self._point_in(w)
        self._click(w, p)
        return f"click {_name(w)} at {p.toTuple()}"

    def _do_click_anywhere(self) -> str:
        win = self.window
        p = QPoint(int(self.rng.integers(win.width())), int(self.rng.integers(win.height())))
        w = win.childAt(p) or win
        local = w.mapFrom(win, p)
        self._click(w, local)
        return f"click {_name(w)} at window {p.toTuple()}"

    def _do_combo(self) -> str:
        w = self._pick(self._visible(QComboBox))
        if w is None:
            return "combo: none"
        p = w.rect().center()
        if w.isEditable():
            p.setX(w.width() - 8)  # an editable box opens its list only from the arrow
        self._click(w, p)
        view = w.view()
        if not view.isVisible():
            return f"click {_name(w)} (no list opened)"
        how = self.rng.random()
        if how < 0.6:
            vp = view.viewport()
            items = [(r, view.visualRect(w.model().index(r, 0))) for r in range(w.count())]
            items = [(r, rect) for r, rect in items if vp.rect().contains(rect.center())]
            if items:
                r, rect = self._pick(items)
                QTest.mouseMove(vp, rect.center())  # the pointer passes over the item first
                self._click(vp, rect.center())
                return f"choose item {r} {w.itemText(r)!r} of {_name(w)}"
        if how < 0.85:
            n = int(self.rng.integers(1, 4))
            k = Qt.Key.Key_Down if self.rng.random() < 0.5 else Qt.Key.Key_Up
            for _ in range(n):
                QTest.keyClick(view, k)
            QTest.keyClick(view, Qt.Key.Key_Return)
            return f"open {_name(w)}, {n}x {k.name}, Enter"
        QTest.keyClick(view, Qt.Key.Key_Escape)
        return f"open {_name(w)}, Escape"

    def _do_slider_drag(self) -> str:
        w = self._pick(self._visible(QSlider))
        if w is None:
            return "slider drag: none"
        lo, hi = float(w.minimum()), float(w.maximum())
        value = lo + (hi - lo) * float(self.rng.random())
        if self.rng.random() < 0.15:
            value = lo if self.rng.random() < 0.5 else hi
        start = handle_center(w)
        end = point_for_value(w, value)
        if self.rng.random() < 0.1:  # beyond the groove's end
            end = QPoint(
                end.x() + int(self.rng.integers(-80, 80)), end.y() + int(self.rng.integers(-30, 30))
            )
        steps = int(self.rng.integers(1, 9))
        drag(w, start, end, steps=steps)
        where = f"{start.toTuple()} -> {end.toTuple()}"
        return f"drag {_name(w)} handle {where} ({steps} moves, ~{value:.4g})"

    def _plots(self) -> list[QWidget]:
        return [w for w in self._visible(QGraphicsView)]

    def _do_plot_drag(self) -> str:
        w = self._pick(self._plots())
        if w is None:
            return "plot drag: none"
        vp = self._surface(w)
        a, b = self._point_in(vp), self._point_in(vp)
        steps = int(self.rng.integers(2, 7))
        mods = CTRL if self.rng.random() < 0.05 else NOMOD
        press(vp, a, mods)
        for k in range(1, steps + 1):
            QTest.qWait(PLOT_MOVE_MS)  # pyqtgraph drops moves closer together than 10 ms
            f = k / steps
            move(
                vp,
                QPoint(round(a.x() + (b.x() - a.x()) * f), round(a.y() + (b.y() - a.y()) * f)),
                mods,
            )
        release(vp, b, mods)
        return f"drag in {_name(w)} {a.toTuple()} -> {b.toTuple()} ({steps} moves)"

    def _do_plot_click(self) -> str:
        w = self._pick(self._plots())
        if w is None:
            return "plot click: none"
        vp = self._surface(w)
        p = self._point_in(vp)
        if self.rng.random() < 0.15:
            QTest.mouseDClick(vp, LEFT, NOMOD, p)
            return f"double-click in {_name(w)} at {p.toTuple()}"
        self._click(vp, p)
        return f"click in {_name(w)} at {p.toTuple()}"

    def _do_splitter(self) -> str:
        w = self._pick(self._visible(QSplitterHandle))
        if w is None:
            return "splitter: none"
        start = w.rect().center()
        d = int(self.rng.integers(-400, 400))
        horizontal = w.orientation() == Qt.Orientation.Horizontal
        end = QPoint(start.x() + d, start.y()) if horizontal else QPoint(start.x(), start.y() + d)
        drag(w, start, end, steps=int(self.rng.integers(1, 6)))
        return f"drag splitter {_name(w.splitter())} by {d}"

    def _do_wheel(self) -> str:
        focus = QApplication.focusWidget()
        if focus is not None and focus.window() is self.window and self.rng.random() < 0.35:
            w, p = focus, focus.rect().center()
            where = "focused"
        else:
            win = self.window
            q = QPoint(int(self.rng.integers(win.width())), int(self.rng.integers(win.height())))
            w = win.childAt(q) or win
            p = w.mapFrom(win, q)
            where = "under the pointer"
        notches = int(self.rng.choice([-3, -2, -1, -1, 1, 1, 2, 3]))
        mods = CTRL if self.rng.random() < 0.05 else NOMOD
        wheel(w, notches, p, mods=mods)
        return f"wheel {notches:+d} over {_name(w)} ({where}) at {p.toTuple()}"

    def _do_key(self) -> str:
        k, mods, name = KEYS[int(self.rng.integers(len(KEYS)))]
        target = QApplication.focusWidget()
        if target is None or target.window() is not self.window:
            target = self.window
        key(k, mods, widget=target)
        return f"key {name} with focus on {_name(target)}"

    def _do_type(self) -> str:
        w = self._pick(self._visible(QLineEdit))
        if w is None:
            return "type: no box"
        p = self._point_in(w)
        self._click(w, p)
        text = TEXTS[int(self.rng.integers(len(TEXTS)))]
        if self.rng.random() < 0.2:
            text = f"{float(self.rng.normal(0, 10.0 ** int(self.rng.integers(-3, 4)))):.6g}"
        end = str(self.rng.choice(["Enter", "Enter", "Tab", "Escape", "none"]))
        # a keyboard types where the focus is (the click gave it to the box, or did not)
        target = QApplication.focusWidget() or self.window
        QTest.keyClick(target, Qt.Key.Key_A, CTRL)
        QTest.keyClicks(target, text)
        ends = {"Enter": Qt.Key.Key_Return, "Tab": Qt.Key.Key_Tab, "Escape": Qt.Key.Key_Escape}
        if end in ends:
            QTest.keyClick(QApplication.focusWidget() or self.window, ends[end])
        return f"click {_name(w)}, type {text!r} + {end} into {_name(target)}"

    def _do_resize(self) -> str:
        size = SIZES[int(self.rng.integers(len(SIZES)))]
        if size is None:
            size = (int(self.rng.integers(200, 1700)), int(self.rng.integers(150, 1100)))
        self.window.resize(*size)
        QTest.qWait(20)
        return f"resize to {size} (now {self.window.width()}x{self.window.height()})"

    def _do_menu(self) -> str:
        bar = self.window.menuBar()
        tops = [a for a in bar.actions() if a.isVisible() and a.isEnabled() and a.menu()]
        a = self._pick(tops)
        if a is None:
            return "menu: none"
        rect: QRect = bar.actionGeometry(a)
        self._click(bar, rect.center())
        menu = QApplication.activePopupWidget()
        title = a.text().replace("&", "")
        if not isinstance(menu, QMenu):
            return f"click menu {title!r} (nothing opened)"
        chain = [title]
        for _ in range(3):  # into a submenu or two
            acts = [
                x
                for x in menu.actions()
                if x.isVisible()
                and x.isEnabled()
                and not x.isSeparator()
                and x.text().replace("&", "").rstrip("…") not in self.never_actions
            ]
            if not acts or self.rng.random() < 0.15:
                menu.close()
                return f"menu {' > '.join(chain)}, closed"
            x: QAction = self._pick(acts)
            chain.append(x.text().replace("&", ""))
            sub = x.menu()  # before the click: what it runs may delete the action
            self._click(menu, menu.actionGeometry(x).center())
            if sub is None or not sub.isVisible():
                break
            menu = sub
        return f"menu {' > '.join(chain)}"

    def _do_context_menu(self) -> str:
        win = self.window
        q = QPoint(int(self.rng.integers(win.width())), int(self.rng.integers(win.height())))
        w = win.childAt(q) or win
        p = w.mapFrom(win, q)
        QTest.mouseClick(w, RIGHT, NOMOD, p)  # a menu that exec()s is closed by the answerer
        return f"right-click {_name(w)} at {p.toTuple()}"


#: a view narrower or lower than this (pixels) has been squeezed to nothing
SQUEEZED_PX = 10


def squeezed_views(window) -> list[str]:
    """The window's main views that a splitter or a resize squeezed to (almost) nothing."""
    views = {
        "the control column": window.findChild(QAbstractScrollArea, "controls"),
        "the knob panel": window.knob_panel,
        "the loss plot": window.loss_plot,
        "the landscape / capacity tabs": window.analysis_tabs,
        "the output tabs (fit plot)": window.output_tabs,
        "the network view": window.network_view,
    }
    out = []
    for what, w in views.items():
        if w is None or not w.isVisibleTo(window):
            continue
        if w.width() < SQUEEZED_PX or w.height() < SQUEEZED_PX:
            out.append(
                f"{what} is squeezed to {w.width()}x{w.height()} px in a "
                f"{window.width()}x{window.height()} window."
            )
    return out


def format_replay(report: MonkeyReport) -> str:
    """How to replay the first failure of ``report``."""
    first = next(iter([*report.exceptions, *report.findings, *report.stalls]), None)
    if first is None:
        return "nothing to replay"
    return (
        f"replay: Monkey(window, seed={first.seed}).run({first.event + 1}) on a fresh window "
        f"(the first failure showed after event #{first.event})"
    )


__all__ = [
    "KEYS",
    "TEXTS",
    "DialogAnswerer",
    "Finding",
    "Monkey",
    "MonkeyReport",
    "file_dialogs_in",
    "format_replay",
    "squeezed_views",
]
