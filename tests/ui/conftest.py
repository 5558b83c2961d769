"""UI test set-up: modal questions get a scripted answer instead of blocking."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_blocking_unsaved_prompt(monkeypatch):
    """Closing a window with unsaved changes asks a modal question; tests answer it.

    A test that checks the prompt itself patches ``ask_unsaved`` again.
    """
    from knobsim.ui import files

    monkeypatch.setattr(files.SessionFiles, "ask_unsaved", lambda self: files.DISCARD)
