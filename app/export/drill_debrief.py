"""The drill's debrief on paper, in the team's language: the scenario and the score, each line
behind it, what to practise next, who took part, and the drill's timeline — what the team was
told and what it did, in drill time. Printed at the end of a tabletop (`e` on the debrief,
`storycart drill debrief DIR`)."""

from __future__ import annotations

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

MUTED = (95, 95, 95)
SCORE = Style(28, True, 1.2)
MET = Fill((46, 125, 50))
MISSED = Fill((179, 38, 30))
PARTLY = Fill((191, 120, 0))
LABEL = Style(9.5, True)


def debrief_sheet(run, card, view, lang: str, now: datetime, paper: str = "a4") -> Sheet:
    catalog = Catalog(lang)
    t = catalog.t
    sheet = Sheet(paper, page_label=lambda page: t("drill.page", page=page))
    title = t("drill.debrief_title", title=run.scenario.title.get(lang))
    sheet.pdf.set_title(title)
    sheet.page()
    sheet.text(title, TITLE, after=1)
    meta = t(
        "drill.sheet_meta",
        started=local_time(run.started_at),
        speed=f"{run.speed:g}",
        length=clock_text(run.elapsed_s(now)),
        policy=run.scenario.policy,
        severity=run.scenario.severity,
    )
    sheet.text(meta, SMALL, color=MUTED, after=1)
    sheet.text(run.scenario.summary.get(lang), BODY, after=2)
    sheet.rule()
    sheet.text(t("drill.score_big", percent=card.percent), SCORE, after=1)
    names = participants(view)
    sheet.text(t("drill.participants", names=joined(names, lang) or "—"), BODY, after=3)
    if not card.incident:
        sheet.text(t("drill.no_incident"), BODY, after=3)
    _lines(sheet, card, catalog)
    practise = practise_next(card, catalog)
    if practise:
        sheet.keep(20)
        sheet.text(t("drill.practise_heading"), HEADING, after=1)
        for line in practise:
            sheet.text(f"• {line}", BODY, after=0.8)
        sheet.pdf.ln(2)
    found = moments(run.told(), view, run.started_at, lang, catalog)
    if found:
        sheet.keep(25)
        sheet.text(t("drill.timeline_heading"), HEADING, after=1)
        widths = [20.0, 42.0, sheet.width - 62.0]
        header = [(t(f"drill.column.{key}"), LABEL) for key in ("clock", "who", "what")]
        rows = []
        for moment in found:
            mark = t("drill.told") if moment.told else t("drill.team")
            who = f"{mark} · {moment.who}" if moment.who else mark
            rows.append([(clock_text(moment.offset_s), SMALL), (who, SMALL), (moment.text, SMALL)])
        sheet.table(header, rows, widths, pad=1.2)
    return sheet


def _lines(sheet: Sheet, card, catalog: Catalog) -> None:
    t = catalog.t
    widths = [sheet.width - 108.0, 40.0, 40.0, 28.0]
    keys = ("measure", "measured", "target", "verdict")
    header = [(t(f"drill.column.{key}"), LABEL) for key in keys]
    sheet.row(header, widths, pad=1.5)
    for line, row in zip(card.lines, score_rows(card, catalog), strict=True):
        fill = {"met": MET, "partly": PARTLY}.get(line.verdict, MISSED)
        sheet.row(
            [(row.measure, BODY), (row.measured, BODY), (row.target, BODY), (row.verdict, BODY)],
            widths,
            fills=[None, None, None, fill],
        )
    sheet.pdf.ln(1.5)
    sheet.text(clock_starts(catalog), SMALL, color=MUTED, after=1)
    sheet.pdf.ln(2.5)


def debrief_pdf(run, card, view, lang: str, now: datetime, paper: str = "a4") -> Printed:
    return finish(debrief_sheet(run, card, view, lang, now, paper))
