"""Render the window on the word-embedding model after training to docs/images/embed.png.

Run: QT_QPA_PLATFORM=offscreen python docs/make_embed_image.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from knobsim.app import create_window
from knobsim.core.data.catalog import session_for


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    session = session_for("embed", "roles", optimizer="adam", lr=0.05, seed=0)
    window = create_window(session, restore=False)
    window.resize(1280, 800)
    window.show()
    window.controller.step_many(300)
    for _ in range(50):
        app.processEvents()
    assert window.audit() == [], window.audit()
    out = Path(__file__).parent / "images" / "embed.png"
    window.grab().save(str(out))
    print(out)


if __name__ == "__main__":
    main()
