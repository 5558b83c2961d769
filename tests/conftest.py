"""Shared test set-up. Qt is imported lazily, so the pure-numpy core tests never need it."""

from __future__ import annotations

import os

# Before anything imports Qt: no display is needed, and none is used by accident.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _no_real_user_config(tmp_path_factory):
    """Belt and braces: Qt on Linux keeps user settings under $XDG_CONFIG_HOME."""
    old = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("xdg-config"))
    yield
    if old is None:
        os.environ.pop("XDG_CONFIG_HOME", None)
    else:
        os.environ["XDG_CONFIG_HOME"] = old


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
