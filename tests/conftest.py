"""Shared test set-up. Qt is imported lazily, so the pure-numpy core tests never need it."""

from __future__ import annotations

import os
import shutil
import subprocess

# Before anything imports Qt: no display is needed, and none is used by accident.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


def pytest_collection_modifyitems(config, items):
    """Skip ``@pytest.mark.xvfb`` tests where no Xvfb exists, except on CI (CI=true),
    where .ci/run installs it and a missing one must fail rather than skip."""
    if shutil.which("Xvfb") or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="needs Xvfb (apt-get install xvfb; .ci/run does this)")
    for item in items:
        if "xvfb" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def xvfb_display():
    """Start one Xvfb for the session and yield its DISPLAY (e.g. ``":1"``).

    For the few tests that open a real window: run the app in a subprocess with
    ``env=dict(os.environ, DISPLAY=xvfb_display, QT_QPA_PLATFORM="xcb")``.
    """
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.fail("Xvfb is not installed (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()  # Xvfb writes the display it chose once it is ready
    if not number:
        proc.kill()
        pytest.fail(f"Xvfb exited ({proc.wait()}) without opening a display")
    try:
        yield f":{number}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(autouse=True, scope="session")
def _no_real_user_config(tmp_path_factory):
    """Belt and braces: Qt on Linux keeps user settings under $XDG_CONFIG_HOME, and
    knobsim its error log, autosave and scores under $KNOBSIM_DATA_DIR when it is set."""
    names = {"XDG_CONFIG_HOME": "xdg-config", "KNOBSIM_DATA_DIR": "knobsim-data"}
    old = {name: os.environ.get(name) for name in names}
    for name, folder in names.items():
        os.environ[name] = str(tmp_path_factory.mktemp(folder))
    yield
    for name, value in old.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def tmp_settings(tmp_path, qapp):
    """Point every ``QSettings`` of organisation "knobsim" at a fresh temporary folder.

    Tests that save or restore settings use this so the user's real settings are never
    read or written. Yields the folder the INI files go to.
    """
    from PySide6.QtCore import QCoreApplication, QSettings

    old_org = QCoreApplication.organizationName()
    old_app = QCoreApplication.applicationName()
    old_format = QSettings.defaultFormat()
    QCoreApplication.setOrganizationName("knobsim")
    QCoreApplication.setApplicationName("knobsim")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(tmp_path))
    try:
        yield tmp_path
    finally:
        QSettings.setDefaultFormat(old_format)
        QCoreApplication.setOrganizationName(old_org)
        QCoreApplication.setApplicationName(old_app)


try:  # hypothesis: a fixed, bounded search on CI so a run is repeatable
    from hypothesis import settings as _hyp_settings

    _hyp_settings.register_profile("ci", derandomize=True, print_blob=True)
    if os.environ.get("CI"):
        _hyp_settings.load_profile("ci")
except ImportError:  # pragma: no cover - hypothesis is in the test extra
    pass
