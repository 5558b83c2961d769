"""knobsim installs as a person would use it: two entry points, one version, bundled assets.

.ci/run installs the package non-editable and sets KNOBSIM_TEST_INSTALLED=1, which turns on
the checks that the tests really ran against that installed copy.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

import knobsim
from knobsim.resources import assets_dir

REPO = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(knobsim.__file__).resolve().parent
INSTALLED_RUN = os.environ.get("KNOBSIM_TEST_INSTALLED") == "1"


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # A cwd outside the checkout and PYTHONPATH pointing at the knobsim this test imported,
    # so the child sees the same package (installed or source) and nothing else.
    env = dict(os.environ, PYTHONPATH=str(PACKAGE_DIR.parent), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_python_m_knobsim_prints_version(tmp_path):
    proc = _run([sys.executable, "-m", "knobsim", "--version"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert knobsim.__version__ in proc.stdout


def test_console_script_prints_version(tmp_path):
    script = Path(sys.executable).parent / "knobsim"
    if not script.exists():
        pytest.skip(f"no knobsim command next to {sys.executable}; run `pip install .` first")
    proc = _run([str(script), "--version"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert knobsim.__version__ in proc.stdout


def test_installed_metadata_matches_package_version():
    try:
        installed = importlib.metadata.version("knobsim")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("knobsim is not installed in this environment (running from the source)")
    assert installed == knobsim.__version__


def test_assets_dir_holds_the_builtin_corpora():
    corpora = sorted((assets_dir() / "corpora").glob("*.txt"))
    assert corpora, f"no corpora/*.txt under {assets_dir()}"
    for path in corpora:
        assert path.read_text(encoding="utf-8").split(), f"{path} is empty"


@pytest.mark.skipif(not INSTALLED_RUN, reason="only when .ci/run tests a non-editable install")
def test_tests_ran_against_the_installed_package():
    assert PACKAGE_DIR != REPO / "knobsim" and "site-packages" in PACKAGE_DIR.parts, (
        f"knobsim was imported from {PACKAGE_DIR}, not from an installed copy"
    )
    assert assets_dir() == PACKAGE_DIR / "assets"
    source_corpora = {p.name for p in (REPO / "assets" / "corpora").glob("*.txt")}
    assert {p.name for p in (assets_dir() / "corpora").glob("*.txt")} == source_corpora


def test_pyproject_lists_every_package_folder():
    tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11+")
    pyproject = REPO / "pyproject.toml"
    if not pyproject.exists():
        pytest.skip(f"no source checkout at {REPO}")
    listed = set(
        tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    )
    needed = {"knobsim"}
    for path in (REPO / "knobsim").rglob("*.py"):
        rel = path.parent.relative_to(REPO)
        if "__pycache__" not in rel.parts:
            needed.add(".".join(rel.parts))
    for path in (REPO / "assets").rglob("*"):
        if path.is_dir():
            needed.add(".".join(("knobsim", "assets", *path.relative_to(REPO / "assets").parts)))
    needed.add("knobsim.assets")
    missing = sorted(needed - listed)
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml"
