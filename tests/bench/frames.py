"""Timing what the user sees: the first frame Textual's compositor draws with something on
screen. Pilot's press returns only when the app has gone idle, often 100 ms or more after the
rows are drawn, so the benches time the frames themselves. Not a bench (no table)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager


@contextmanager
def first_frames(on_screen: Callable[[], Iterable[str]]) -> Iterator[dict[str, float]]:
    """Inside the block, after each frame is drawn `on_screen()` names what it shows; the dict
    yielded gets, for each name, the time (time.perf_counter) of the first frame showing it."""
    from textual._compositor import Compositor

    frames: dict[str, float] = {}
    draw = Compositor.render_update

    def timed_draw(compositor, *args, **kwargs):
        drawn = draw(compositor, *args, **kwargs)
        for name in on_screen():
            frames.setdefault(name, time.perf_counter())
        return drawn

    Compositor.render_update = timed_draw
    try:
        yield frames
    finally:
        Compositor.render_update = draw
