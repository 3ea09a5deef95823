"""What Apprise said while this thread sent a page, to tell the user why a page failed.

Apprise's own LogCapture adds a handler to its logger for each `with` block: with sixteen
pages in flight each record was formatted into sixteen buffers (every sending thread heard
every other one, and could report another page's error). One handler here, installed once,
keeps each record only for the thread that sent it, unformatted until read.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

LOGGER_NAME = "apprise"

_local = threading.local()
_installed = threading.Lock()
_handler: logging.Handler | None = None


class _ThreadHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        lines = getattr(_local, "lines", None)
        if lines is not None:
            lines.append((record.levelname, record.getMessage()))


def _install() -> None:
    global _handler
    with _installed:
        if _handler is not None:
            return
        _handler = _ThreadHandler(logging.DEBUG)
        logger = logging.getLogger(LOGGER_NAME)
        logger.addHandler(_handler)
        if logger.getEffectiveLevel() > logging.DEBUG:
            logger.setLevel(logging.DEBUG)  # the underlying error is logged at DEBUG


@contextmanager
def captured() -> Iterator[list[tuple[str, str]]]:
    """(level name, message) of each record Apprise logs in this thread inside the block."""
    _install()
    _local.lines = lines = []
    try:
        yield lines
    finally:
        _local.lines = None
