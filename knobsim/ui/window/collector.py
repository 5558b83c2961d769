"""Python's cycle collector, run on the GUI thread only.

The collector runs in whichever thread happens to allocate when a generation's count
passes its threshold. On a thread beside Qt's (the autosave writer, a test's pipe
reader) it would free Qt objects there, away from the thread that owns them: Qt then
crashes or hangs later, somewhere unrelated. So the automatic collector is off and a
timer on the GUI thread collects by the same thresholds (calibre's recipe).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

#: how often the GUI thread looks at the collector's counts (ms)
INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Collects cyclic garbage on the GUI thread, generation by generation, as Python would."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName("gui_thread_collector")
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> None:
        """Collect the generations whose counts passed their thresholds."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        generation = -1
        for g in range(3):
            if counts[g] <= thresholds[g]:
                break
            generation = g
        if generation >= 0:
            gc.collect(generation)


def collect_on_gui_thread(app: QCoreApplication) -> GuiThreadCollector:
    """Switch ``app``'s process to collecting on the GUI thread (once; returns the collector)."""
    collector = app.findChild(GuiThreadCollector, "gui_thread_collector")
    return collector if collector is not None else GuiThreadCollector(app)
