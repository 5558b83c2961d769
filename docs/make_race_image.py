"""Render the race window after a race of the three default runners to docs/images/race.png.

Run: QT_QPA_PLATFORM=offscreen python docs/make_race_image.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from knobsim.app import create_window
from knobsim.core.data.catalog import session_for


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    window = create_window(session_for("line", "linear"), restore=False)
    window.resize(1280, 800)
    window.show()
    dialog = window.show_race()
    dialog.watch.setChecked(False)  # the picture is of the finished race
    dialog.run_button.click()
    while dialog.running:
        app.processEvents()
    for _ in range(20):
        app.processEvents()
    out = Path(__file__).parent / "images" / "race.png"
    dialog.grab().save(str(out))
    print(out)
    window.files.dirty = False
    window.close()


if __name__ == "__main__":
    main()
