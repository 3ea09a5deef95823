"""User and imported text is data: strip what a terminal would execute instead of showing."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls (ESC, CSI and friends live here).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """The text with terminal control characters removed; everything else kept exactly."""
    return _CONTROL.sub("", text)


def first_control(text: str) -> str | None:
    """The first character a terminal would execute rather than show, or None."""
    found = _CONTROL.search(text)
    return found.group() if found else None
