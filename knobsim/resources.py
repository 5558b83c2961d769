"""Where knobsim's bundled files (icon, corpora) live. Nothing here imports Qt.

An installed wheel carries the top-level ``assets/`` folder as ``knobsim/assets``; a source
checkout keeps it next to the package. :func:`assets_dir` finds it in both cases.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def assets_dir() -> Path:
    """Return the folder holding knobsim's assets.

    Returns
    -------
    Path
        ``<site-packages>/knobsim/assets`` after an install, otherwise the ``assets/``
        folder at the top of the source checkout. The path is returned even if it does
        not exist, so a caller's error names the place that was searched.
    """
    try:
        installed = resources.files("knobsim") / "assets"
        if installed.is_dir():
            return Path(str(installed))
    except (ModuleNotFoundError, TypeError, OSError):
        pass
    return Path(__file__).resolve().parent.parent / "assets"
