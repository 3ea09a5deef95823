"""gc_paused(): no cyclic garbage collection while a request builds tens of thousands of small
objects that all stay alive until it ends (a year's metrics: one tuple per incident). Each
collection would walk every object of the app again (Textual's widgets included) without
freeing any; measured, a quarter of a 100,000-incident year spent a quarter of its time there.
Reference counting still frees everything as usual; collection resumes when the last pause
ends. Safe from several threads at once — but the pause is every thread's: only for a process
doing nothing else meanwhile (a CLI command), never behind a busy UI."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0  # requests inside gc_paused() now
_resume = False  # whether collection was on when the first of them began


@contextmanager
def gc_paused() -> Iterator[None]:
    global _paused, _resume
    with _lock:
        if not _paused:
            _resume = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if not _paused and _resume:
                gc.enable()
