"""How the team responded, as a drafted story tells it: the postmortem's timeline (drafted from
the incident's, system entries already worded in the postmortem's language), facts in order,
each with its time from the declaration (T+12 min); a long one keeps its first moments and how
it ended, with "… and N more" between."""

from __future__ import annotations

from datetime import datetime

from app.domain.i18n import Catalog

HEAD, TAIL = 9, 2  # at most HEAD + TAIL moments and one "… and N more" line


def _moment(stamp: str) -> datetime | None:
    """A timeline time as written (local time unless it says otherwise), or None."""
    try:
        moment = datetime.fromisoformat(stamp.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.astimezone()


def since_declaration(moment: datetime, declared_at: datetime, catalog: Catalog) -> str:
    seconds = int((moment - declared_at).total_seconds())
    minutes = abs(seconds) // 60 * 60
    span = catalog.duration(minutes) if minutes else catalog.t("duration.m", n=0)
    return f"T−{span}" if seconds < 0 and minutes else f"T+{span}"


def response_lines(timeline, declared_at: datetime | None, lang: str) -> list[str]:
    """One line per fact of the timeline ("- T+4 min Acknowledged by 지훈"); times that cannot
    be read, or a story without its declaration, keep the time as written."""
    catalog = Catalog(lang)
    lines = []
    for item in timeline:
        if item.certainty == "hypothesis" or not item.text.strip():
            continue
        moment = _moment(item.at) if declared_at is not None else None
        when = (
            item.at.strip() if moment is None else since_declaration(moment, declared_at, catalog)
        )
        lines.append(f"- {when} {item.text.strip()}".replace("-  ", "- "))
    if len(lines) > HEAD + TAIL + 1:
        more = catalog.t("story.draft_more", n=len(lines) - HEAD - TAIL)
        lines = [*lines[:HEAD], more, *lines[-TAIL:]]
    return lines
