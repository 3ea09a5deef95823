"""The drill's debrief on paper, in the team's language: the scenario and the score, each line
behind it, what to practise next, who took part, and the drill's timeline — what the team was
told and what it did, in drill time. Printed at the end of a tabletop (`e` on the debrief,
`storycart drill debrief DIR`). A debrief that would end on a page holding a few lines is set a
little tighter, when that saves the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.drill.debrief import (
    clock_starts,
    clock_text,
    moments,
    participants,
    practise_next,
    score_rows,
)
from app.domain.i18n import Catalog
from app.domain.message_templates import local_time
from app.domain.word_lists import joined
from app.export.layout import BODY, HEADING, SMALL, TITLE, Fill, Sheet, Style
from app.export.printing import Printed, finish
from app.export.report import SCALES

MUTED = (95, 95, 95)
# A debrief is mostly one page: its second page is worth saving when up to 40 % full.
DEBRIEF_MOSTLY_EMPTY = 0.4
SCORE = Style(28, True, 1.2)
MET = Fill((46, 125, 50))
MISSED = Fill((179, 38, 30))
PARTLY = Fill((191, 120, 0))
LABEL = Style(9.5, True)


@dataclass(frozen=True)
class _Styles:
    title: Style
    heading: Style
    body: Style
    small: Style
    label: Style
    score: Style
    scale: float

    @classmethod
    def at(cls, scale: float) -> _Styles:
        return cls(*(s.scaled(scale) for s in (TITLE, HEADING, BODY, SMALL, LABEL, SCORE)), scale)


def debrief_sheet(run, card, view, lang: str, now: datetime, paper: str = "a4") -> Sheet:
    """The debrief; set tighter (SCALES) when that saves a mostly empty last page."""
    sheet = _debrief(run, card, view, lang, now, paper, _Styles.at(SCALES[0]))
    if sheet.pdf.page > 1 and sheet.last_page_fill() < DEBRIEF_MOSTLY_EMPTY:
        for scale in SCALES[1:]:
            tighter = _debrief(run, card, view, lang, now, paper, _Styles.at(scale))
            if tighter.pdf.page < sheet.pdf.page:
                return tighter
    return sheet


def _debrief(run, card, view, lang: str, now: datetime, paper: str, styles: _Styles) -> Sheet:
    catalog = Catalog(lang)
    t = catalog.t
    space = styles.scale
    sheet = Sheet(paper, page_label=lambda page: t("drill.page", page=page))
    title = t("drill.debrief_title", title=run.scenario.title.get(lang))
    sheet.pdf.set_title(title)
    sheet.page()
    sheet.text(title, styles.title, after=1)
    meta = t(
        "drill.sheet_meta",
        started=local_time(run.started_at),
        speed=f"{run.speed:g}",
        length=clock_text(run.elapsed_s(now)),
        policy=run.scenario.policy,
        severity=run.scenario.severity,
    )
    sheet.text(meta, styles.small, color=MUTED, after=1)
    sheet.text(run.scenario.summary.get(lang), styles.body, after=2 * space)
    sheet.rule(after=3 * space)
    sheet.text(t("drill.score_big", percent=card.percent), styles.score, after=1)
    names = participants(view)
    sheet.text(t("drill.participants", names=joined(names, lang) or "—"), styles.body, after=3)
    if not card.incident:
        sheet.text(t("drill.no_incident"), styles.body, after=3 * space)
    _lines(sheet, card, catalog, styles)
    practise = practise_next(card, catalog)
    if practise:
        sheet.keep(20)
        sheet.text(t("drill.practise_heading"), styles.heading, after=1)
        for line in practise:
            sheet.text(f"• {line}", styles.body, after=0.8 * space)
        sheet.pdf.ln(2 * space)
    found = moments(run.told(), view, run.started_at, lang, catalog)
    if found:
        sheet.keep(25)
        sheet.text(t("drill.timeline_heading"), styles.heading, after=1)
        widths = [20.0, 42.0, sheet.width - 62.0]
        header = [(t(f"drill.column.{key}"), styles.label) for key in ("clock", "who", "what")]
        rows = []
        for moment in found:
            mark = t("drill.told") if moment.told else t("drill.team")
            who = f"{mark} · {moment.who}" if moment.who else mark
            small = styles.small
            rows.append([(clock_text(moment.offset_s), small), (who, small), (moment.text, small)])
        sheet.table(header, rows, widths, pad=1.2 * space)
    return sheet


def _lines(sheet: Sheet, card, catalog: Catalog, styles: _Styles) -> None:
    t = catalog.t
    widths = [sheet.width - 108.0, 40.0, 40.0, 28.0]
    keys = ("measure", "measured", "target", "verdict")
    header = [(t(f"drill.column.{key}"), styles.label) for key in keys]
    sheet.row(header, widths, pad=1.5 * styles.scale)
    body = styles.body
    for line, row in zip(card.lines, score_rows(card, catalog), strict=True):
        fill = {"met": MET, "partly": PARTLY}.get(line.verdict, MISSED)
        sheet.row(
            [(row.measure, body), (row.measured, body), (row.target, body), (row.verdict, body)],
            widths,
            pad=1.5 * styles.scale,
            fills=[None, None, None, fill],
        )
    sheet.pdf.ln(1.5 * styles.scale)
    sheet.text(clock_starts(catalog), styles.small, color=MUTED, after=1)
    sheet.pdf.ln(2.5 * styles.scale)


def debrief_pdf(run, card, view, lang: str, now: datetime, paper: str = "a4") -> Printed:
    return finish(debrief_sheet(run, card, view, lang, now, paper))
