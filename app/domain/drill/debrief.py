"""A drill as its debrief shows it, in the reader's language: the score lines as text, what the
team was told and what it did on one drill-time line (T+mm:ss from the signal), who took part,
and what to practise next (the lines not met). Plain strings: the debrief screen and the PDF
render the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.i18n import Catalog
from app.domain.incident_text import entry_text
from app.domain.textsafe import printable
from app.domain.word_lists import joined

DRILL_ACTOR = "drill"
TEAM_KINDS = (
    "declared",
    "acknowledged",
    "status_update",
    "severity_changed",
    "role",
    "checklist",
    "resolved",
    "reopened",
    "note",
)


@dataclass(frozen=True)
class Moment:
    offset_s: int
    who: str  # the source of an event told, or the person who acted
    text: str
    told: bool  # told to the team (True) or done by the team (False)


def clock_text(offset_s: int) -> str:
    """T+mm:ss, or T+h:mm:ss past an hour."""
    hours, rest = divmod(max(0, offset_s), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"T+{hours}:{minutes:02d}:{seconds:02d}" if hours else f"T+{minutes:02d}:{seconds:02d}"


def moments(told, view, start: datetime, lang: str, catalog: Catalog) -> list[Moment]:
    """Events told (`told`: drill_run.Told) and the team's actions in the drill incident, in
    the order they happened."""
    found = []
    for item in told:
        source = item.event.source.get(lang) if item.event.source else ""
        found.append(
            Moment(_offset(item.at, start), source, printable(item.event.text.get(lang)), True)
        )
    for entry in view.timeline if view is not None else ():
        if entry.actor == DRILL_ACTOR or entry.kind not in TEAM_KINDS:
            continue  # the events told, as they were written into the timeline
        text = printable(entry_text(entry, catalog))
        found.append(Moment(_offset(entry.at, start), printable(entry.actor), text, False))
    return sorted(found, key=lambda moment: (moment.offset_s, not moment.told))


def _offset(moment: datetime, start: datetime) -> int:
    return int((moment - start).total_seconds())


def participants(view) -> list[str]:
    """Who acted in the drill incident (not the drill, not the scheduler's firings)."""
    if view is None:
        return []
    seen = dict.fromkeys(
        printable(entry.actor)
        for entry in view.timeline
        if entry.actor != DRILL_ACTOR and entry.kind in TEAM_KINDS
    )
    return [name for name in seen if name]


@dataclass(frozen=True)
class ScoreRow:
    measure: str
    measured: str
    target: str
    verdict: str
    met: bool


def score_rows(card, catalog: Catalog) -> list[ScoreRow]:
    t = catalog.t
    rows = []
    for line in card.lines:
        if line.of is not None:
            measured = t("drill.count", done=line.done, of=line.of)
        elif line.measured_s is not None:
            measured = catalog.duration(line.measured_s)
        elif line.detail:
            measured = line.detail
        else:
            measured = t("drill.never")
        if line.measure == "severity" and line.detail:
            measured = line.detail
        target = catalog.duration(line.target_s) if line.target_s is not None else "—"
        rows.append(
            ScoreRow(
                t(f"drill.measure.{line.measure}"),
                measured,
                target,
                t(f"drill.verdict.{line.verdict}"),
                line.verdict == "met",
            )
        )
    return rows


def clock_starts(catalog: Catalog) -> str:
    """Where each of the score's clocks starts, in one sentence (the screen and the sheet)."""
    return catalog.t("drill.clocks")


def practise_next(card, catalog: Catalog) -> list[str]:
    """One sentence for each line not met, most important first (the order of the card)."""
    t = catalog.t
    lines = []
    for line in card.lines:
        if line.verdict == "met":
            continue
        detail = printable(line.detail) if line.detail else ""
        if line.missing:
            names = [
                t(f"role.{item}") if isinstance(item, str) else item.get(catalog.lang)
                for item in line.missing
            ]
            detail = printable(joined(names, catalog.lang))
        lines.append(t(f"drill.practise.{line.measure}", detail=detail or "—"))
    return lines
