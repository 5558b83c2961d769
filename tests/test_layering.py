"""knobsim.core is pure numpy: it must import, and run, with every Qt binding unavailable."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import knobsim
import knobsim.core

FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph", "superqt", "qtpy", "PyQt5", "PyQt6", "PySide2")
CORE_DIR = Path(knobsim.core.__file__).resolve().parent
# Qt-free modules outside core that core may lean on.
QT_FREE_EXTRAS = ("knobsim", "knobsim.resources")

BLOCKED_IMPORT_SCRIPT = textwrap.dedent(
    """
    import importlib
    import importlib.abc
    import pkgutil
    import sys

    FORBIDDEN = {forbidden!r}


    class BlockQt(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname, path=None, target=None):
            if fullname.split(".")[0] in FORBIDDEN:
                raise ImportError(f"the Qt-free layer tried to import {{fullname}}")
            return None


    sys.meta_path.insert(0, BlockQt())

    names = list({extras!r})
    import knobsim.core

    names += [
        info.name
        for info in pkgutil.walk_packages(knobsim.core.__path__, "knobsim.core.")
    ]
    for name in names:
        importlib.import_module(name)
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in FORBIDDEN)
    if leaked:
        sys.exit(f"Qt modules ended up in sys.modules: {{leaked}}")
    print("IMPORTED", " ".join(names))
    """
).format(forbidden=FORBIDDEN, extras=QT_FREE_EXTRAS)


def _core_sources() -> list[Path]:
    return sorted(CORE_DIR.rglob("*.py"))


def _forbidden_imports(source: str, filename: str) -> list[str]:
    """Return "line N: name" for every import of a forbidden package in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == "__import__")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
            )
        ):
            names = [node.args[0].value]
        else:
            continue
        found += [f"line {node.lineno}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    return found


def test_core_imports_with_qt_blocked(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(Path(knobsim.__file__).resolve().parent.parent))
    proc = subprocess.run(
        [sys.executable, "-c", BLOCKED_IMPORT_SCRIPT],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    imported = proc.stdout.split("IMPORTED", 1)[1].split()
    expected = {
        ".".join(("knobsim", "core", *p.relative_to(CORE_DIR).with_suffix("").parts))
        for p in CORE_DIR.rglob("*.py")
        if p.stem != "__init__"
    }
    assert expected, f"no modules found in {CORE_DIR}"
    assert expected <= set(imported)


def test_core_sources_name_no_qt_package():
    sources = _core_sources()
    assert any(p.name == "machines.py" for p in sources), f"core sources not found in {CORE_DIR}"
    offenders = {}
    for path in sources + [Path(knobsim.__file__), CORE_DIR.parent / "resources.py"]:
        hits = _forbidden_imports(path.read_text(encoding="utf-8"), str(path))
        if hits:
            offenders[str(path)] = hits
    assert not offenders, f"knobsim.core must stay Qt-free: {offenders}"


def test_the_scanner_sees_every_import_form():
    source = textwrap.dedent(
        """
        import numpy as np
        import PySide6
        from pyqtgraph.Qt import QtCore
        import os, superqt.sliders
        try:
            import shiboken6
        except ImportError:
            pass
        importlib.import_module("PyQt6.QtWidgets")
        __import__("qtpy")
        from . import pyqtgraph
        """
    )
    hits = _forbidden_imports(source, "<test>")
    assert sorted(h.split(": ")[1] for h in hits) == sorted(
        ["PySide6", "pyqtgraph.Qt", "superqt.sliders", "shiboken6", "PyQt6.QtWidgets", "qtpy"]
    )
