"""The words, where a learner meets them: Help › Words lists every term of
``core.lessons.glossary``; hovering over a label, button or heading that uses a term shows its
line under the widget's own tooltip."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from knobsim.core.lessons.glossary import WORDS, explain

_TAG = re.compile(r"<[^>]*>")
#: where a widget's own tooltip is kept, and the tooltip with glossary lines it was given
#: (a widget that sets a new tooltip of its own is noticed: its tip no longer matches)
_OWN_TIP = "knobsimOwnTip"
_COMPOSED = "knobsimGlossaryTip"


def _shown_text(widget: QWidget) -> str:
    if isinstance(widget, QGroupBox):
        text = widget.title()
    elif isinstance(widget, (QLabel, QAbstractButton)):
        text = widget.text()
    else:
        return ""
    return html.unescape(_TAG.sub(" ", text)).replace("&", "")


class GlossaryTips(QObject):
    """Adds the glossary's line for each term a widget's text uses to its tooltip.

    ``apply()`` walks the window's labels, buttons and group boxes; it runs at start and
    again (after the texts have changed) when the model or the lesson changes. A
    widget's own tooltip stays first.
    """

    def __init__(self, root: QWidget) -> None:
        super().__init__(root)
        self._root = root
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.timeout.connect(self.apply)

    def apply_soon(self) -> None:
        """``apply`` once the event loop has run (labels update in their own slots)."""
        self._pending.start(0)

    def apply(self) -> None:
        for widget in self._root.findChildren(QWidget):
            text = _shown_text(widget)
            lines = explain(text) if text else ""
            composed = widget.property(_COMPOSED)
            if not lines and composed is None:
                continue
            own = widget.toolTip()
            if composed is not None and own == composed:
                own = widget.property(_OWN_TIP)  # the tip is ours: the widget's own is kept
            words = "<br>".join(_line_html(line) for line in lines.splitlines())
            tip = own if not words else (f"{own}<hr>{words}" if own else words)
            widget.setProperty(_OWN_TIP, own)
            widget.setProperty(_COMPOSED, tip)
            if widget.toolTip() != tip:
                widget.setToolTip(tip)


def _line_html(line: str) -> str:
    term, meaning = line.split(":", 1)
    return f"<b>{html.escape(term)}</b>:{html.escape(meaning, quote=False)}"


class GlossaryDialog(QDialog):
    """Help › Words: every term and its line, with a box that narrows the list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("glossary")
        self.setWindowTitle("Words — what they mean in knobsim")
        self.filter = QLineEdit(self)
        self.filter.setObjectName("glossary_filter")
        self.filter.setPlaceholderText("Find a word…")
        self.filter.setClearButtonEnabled(True)
        self.text = QTextBrowser(self)
        self.text.setObjectName("glossary_text")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.filter.textChanged.connect(self._on_filter_text_changed)
        self.resize(560, 520)
        self._show("")
        self.filter.setFocus(Qt.FocusReason.OtherFocusReason)

    def shown_terms(self) -> list[str]:
        """The terms the list shows now, in order."""
        return self._terms

    def _on_filter_text_changed(self, text: str) -> None:
        self._show(text)

    def _show(self, needle: str) -> None:
        needle = needle.strip().lower()
        self._terms = [
            t for t in sorted(WORDS) if needle in t or (needle and needle in WORDS[t].lower())
        ] if needle else sorted(WORDS)  # fmt: skip
        rows = "".join(
            f"<p><b>{html.escape(t)}</b><br>{html.escape(WORDS[t])}</p>" for t in self._terms
        )
        self.text.setHtml(rows or "<p>No word matches.</p>")
