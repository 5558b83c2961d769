"""The garbage collector runs on the GUI thread only: on another thread it frees Qt
objects away from their thread (a segfault later, inside ``qtbot.wait``)."""

from __future__ import annotations

import gc
import threading

from knobsim.app import ensure_app


def test_garbage_made_on_another_thread_is_collected_on_the_gui_thread(qtbot):
    ensure_app()
    collected_on = []

    def note(phase: str, info: dict) -> None:
        if phase == "start":
            collected_on.append(threading.get_ident())

    def make_cycles() -> None:
        for _ in range(50_000):  # far past every threshold
            cycle: list = []
            cycle.append(cycle)

    gc.callbacks.append(note)
    try:
        writer = threading.Thread(target=make_cycles)
        writer.start()
        writer.join()
        qtbot.waitUntil(lambda: len(collected_on) > 0, timeout=5_000)
    finally:
        gc.callbacks.remove(note)
    assert set(collected_on) == {threading.get_ident()}
