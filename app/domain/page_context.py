"""What a page says beyond the ladder: the monitor's essentials (host, summary, runbook and
dashboard links, where the alert came from) and who the page was for, each on a line of its own.

Everything here comes from monitors, the roster or users, so it is data: one line each (a
newline in a monitor's summary must not forge an "Acknowledge:" line of its own), without
control characters, and not too long to read on a phone."""

from __future__ import annotations

import re

from app.domain.i18n import Catalog
from app.domain.textsafe import printable
from app.domain.word_lists import joined

# The monitor's context the firing copies into a page's payload ("alert"), in reading order.
ALERT_LINES = (
    ("source", "page.alert_source"),
    ("host", "page.alert_host"),
    ("summary", "page.alert_summary"),
    ("runbook_url", "page.alert_runbook"),
    ("dashboard_url", "page.alert_dashboard"),
)
MAX_VALUE = 300  # characters of one value on a page
_BREAKS = re.compile(r"\s*[\r\n\t\u2028\u2029]+\s*")


def one_line(value: object, limit: int = MAX_VALUE) -> str:
    """A value from outside, safe to put on a line of a page."""
    text = _BREAKS.sub(" ", printable(str(value))).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def alert_lines(payload: dict, catalog: Catalog) -> list[str]:
    """The lines saying what the monitor saw, for a page whose payload carries an "alert";
    keys it lacks (or leaves empty) are left out."""
    alert = payload.get("alert")
    if not isinstance(alert, dict):
        return []
    lines = []
    for key, message in ALERT_LINES:
        value = alert.get(key)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text = one_line(value, limit=2000 if key.endswith("_url") else MAX_VALUE)
            if text:
                lines.append(catalog.t(message, value=text))
    return lines


def paged_names(payload: dict, lang: str) -> str:
    """Who a page was for, as a reader of this language names them: the people on call at
    their level ("민지 (L1 on-call engineer)") when the roster named them, else the ladder's
    targets."""
    people = [
        f"{one_line(held['name'])} ({one_line(held['level'])})"
        if held.get("level")
        else one_line(held["name"])
        for held in payload.get("people", ())
        if held.get("name")
    ]
    if people:
        return joined(people, lang)
    notify = payload.get("notify_by_language", {}).get(lang) or payload.get("notify") or []
    return joined((one_line(name) for name in notify if name), lang)
