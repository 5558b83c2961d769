"""Render the window with dials (View > Knob style > Dials) to docs/images/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_dial_images.py [--every DIR]

writes dials-1280x800.png and dials-1920x1080.png (the start a first-time user gets: the
line on 30 points) and dials-mlp-1280x800.png (a neural network's 33 dials, in rows per
layer). With ``--every DIR`` it also renders every model at both sizes into DIR, to look at.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from knobsim.app import create_window, ensure_app  # noqa: E402
from knobsim.core.data.catalog import session_for  # noqa: E402

OUT = Path(__file__).resolve().parent / "images"
SIZES = ((1280, 800), (1920, 1080))
#: every model on its usual data (the next-word model with 2 words of context: 1,331 knobs)
MODELS = {
    "line": ("line", "linear", {}),
    "poly": ("poly", "cubic", {}),
    "logistic": ("logistic", "blobs", {}),
    "mlp": ("mlp", "circles", {}),
    "nextword": ("nextword", "rhymes", {"context": 2}),
}
DOCS = [(None, (1280, 800), "dials-1280x800.png"), (None, (1920, 1080), "dials-1920x1080.png")]
DOCS.append(("mlp", (1280, 800), "dials-mlp-1280x800.png"))


def render(model: str | None, size: tuple[int, int], path: Path) -> bool:
    """The window on ``model`` (None: the start) at ``size`` with dials, saved to ``path``."""
    app = ensure_app()
    session = None
    if model is not None:
        name, data, extra = MODELS[model]
        session = session_for(name, data, **extra)
    window = create_window(session, restore=False)
    window.set_knob_style("dials", save=False)
    window.resize(*size)
    window.show()
    for _ in range(10):
        app.processEvents()
    window.landscape_plot.compute_now()
    app.processEvents()
    ok = window.grab().save(str(path), "PNG")
    print(
        f"wrote {path}" if ok else f"could not write {path}", file=sys.stdout if ok else sys.stderr
    )
    window.files.dirty = False
    window.close()
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=Path, help="also render every model at both sizes here")
    args = parser.parse_args(argv)
    shots = [(model, size, OUT / name) for model, size, name in DOCS]
    if args.every is not None:
        args.every.mkdir(parents=True, exist_ok=True)
        shots += [
            (model, size, args.every / f"dials-{model}-{size[0]}x{size[1]}.png")
            for model in MODELS
            for size in SIZES
        ]
    return 0 if all(render(*shot) for shot in shots) else 2


if __name__ == "__main__":
    raise SystemExit(main())
