"""Render the window at the laptop and desktop sizes of issue #15 to docs/images/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_layout_images.py

writes layout-1280x800.png, layout-1280x800-dock.png, layout-1366x768.png,
layout-1366x768-dock.png and layout-1920x1080.png: the start a first-time user gets
(the line on 30 points), with the lessons dock open ("-dock") or closed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from knobsim.app import create_window, ensure_app  # noqa: E402

OUT = Path(__file__).resolve().parent / "images"
SHOTS = [((1280, 800), False), ((1280, 800), True), ((1366, 768), False), ((1366, 768), True)]
SHOTS.append(((1920, 1080), False))


def main() -> int:
    app = ensure_app()
    for (width, height), dock in SHOTS:
        window = create_window(None, restore=False)
        window.resize(width, height)
        window.show()
        if dock:
            window.lessons.show_start_page()
        for _ in range(10):
            app.processEvents()
        window.landscape_plot.compute_now()
        app.processEvents()
        path = OUT / f"layout-{width}x{height}{'-dock' if dock else ''}.png"
        if not window.grab().save(str(path), "PNG"):
            print(f"could not write {path}", file=sys.stderr)
            return 2
        print(f"wrote {path}")
        window.files.dirty = False
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
