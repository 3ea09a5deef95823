"""The quarterly incident review for the executive dashboard (seed 003 §7): the headline tiles
(time to resolve and acknowledge of the most severe level against their targets, incidents,
follow-ups done), a bar chart of incidents per week and one of incidents per severity, then per
severity the median, p90, mean and max of each time beside its target with the spread of the
time to resolve drawn as bars, recurrences and the overdue follow-ups. Labels in the reader's
language; charts are drawn in the PDF (no image files)."""

from __future__ import annotations

from datetime import date

from app.domain.i18n import Catalog
from app.domain.metrics import MetricsReport
from app.domain.metrics_view import (
    completion_text,
    period_text,
    recurrence_text,
    report_rows,
    span_text,
)
from app.export.layout import BODY, HEADING, SMALL, TITLE, Fill, Sheet, Style

GOOD = (46, 125, 50)
AMBER = (230, 145, 0)
BAD = (183, 28, 28)
NEUTRAL = (150, 150, 150)
BAR = (48, 88, 160)
TO_COME = (175, 175, 175)  # the outline of a week still to come
MUTED = (95, 95, 95)
LABEL = Style(9, True)
DEFINITIONS = Style(9.5)
TILE = Style(16, True, 1.2)
MISSED = Fill(BAD)
MET_ALL = Fill(GOOD)
ACTION_TARGET = 0.9  # seed 003 §7: more than 90 % of action items completed
BAR_CHART_HEIGHT = 32.0  # millimetres


def metrics_review(
    report: MetricsReport, lang: str, paper: str = "a4", today: date | None = None
) -> Sheet:
    """The review; weeks starting after ``today`` are still to come: the weekly chart draws them
    as light dotted outlines without a count, never as weeks without incidents."""
    catalog = Catalog(lang)
    t = catalog.t
    sheet = Sheet(paper, page_label=lambda page: t("review.page", page=page))
    sheet.page()
    title = t("review.title", policy=report.policy or "")
    sheet.pdf.set_title(title)
    sheet.text(title, TITLE, after=1)
    sheet.text(t("review.period", period=period_text(report), count=report.total), BODY, after=4)
    _tiles(sheet, report, catalog)
    sheet.text(t("metrics.weekly"), HEADING, after=1)
    weeks = [
        (week.strftime("%m-%d"), None if today and week > today else n) for week, n in report.weekly
    ]
    _bars(sheet, weeks, label_every=max(1, -(-len(weeks) // 13)), zero=True)  # about 13 labels
    if any(n is None for _week, n in weeks):
        sheet.text(t("review.weeks_to_come"), SMALL, color=MUTED, after=2)
    sheet.text(t("review.by_severity"), HEADING, after=1)
    _bars(sheet, [(s, report.counts[s]) for s in report.severities])
    for severity in report.severities:
        if report.counts[severity]:
            _severity(sheet, report, severity, catalog)
    empty = [severity for severity in report.severities if not report.counts[severity]]
    if empty:
        sheet.text(t("review.no_incidents", severities=", ".join(empty)), BODY, after=3)
    _recurrences_and_follow_ups(sheet, report, catalog)
    sheet.keep(sheet.text_height(t("metrics.definitions"), DEFINITIONS) + 10)
    sheet.text(t("review.definitions"), HEADING, after=1)
    sheet.text(t("metrics.definitions"), DEFINITIONS, after=2)
    return sheet


def _headline_severity(report: MetricsReport) -> str | None:
    """The most severe level that had incidents (the policy lists the most severe first)."""
    return next((s for s in report.severities if report.counts[s]), None)


def card_tone(met: int | None, every: int) -> tuple[int, int, int]:
    """A headline card's border: green when every one of `every` met the target, amber when
    half or more did, red when fewer did; grey without a target or anything to count."""
    if met is None or not every:
        return NEUTRAL
    if met == every:
        return GOOD
    return AMBER if 2 * met >= every else BAD


def _tiles(sheet: Sheet, report: MetricsReport, catalog: Catalog) -> None:
    t = catalog.t
    tiles = []
    severity = _headline_severity(report)
    if severity is not None:
        for measure in ("resolve", "acknowledge"):
            figure = report.figure(severity, measure)
            # An incident without this time (never acknowledged) did not meet the target.
            every = figure.count + len(figure.missing)
            target = t("review.tile_target", target=span_text(figure.target_s))
            if figure.met is not None:
                target += " · " + t("review.tile_met", met=figure.met, count=every)
            else:
                target = t("review.tile_target", target="–")
            label = t("review.tile_median", measure=t(f"metrics.measure_{measure}"))
            tiles.append(
                (
                    f"{severity} · {label}",
                    span_text(figure.median),
                    target,
                    card_tone(figure.met, every),
                )
            )
    tiles.append((t("review.incidents"), str(report.total), "", NEUTRAL))
    completion = report.actions.completion
    done = "–" if completion is None else f"{round(100 * completion)}%"
    if completion is None:
        tone = NEUTRAL
    else:
        tone = GOOD if completion >= ACTION_TARGET else AMBER if completion >= 0.5 else BAD
    tiles.append((t("review.follow_ups_done"), done, t("review.tile_target", target="90%"), tone))
    _draw_tiles(sheet, tiles)
    sheet.text(t("review.tile_legend"), SMALL, color=MUTED, after=4)


def _draw_tiles(sheet: Sheet, tiles: list) -> None:
    """Cards side by side, as tall as the tallest: the label (every line of it), the figure,
    the target."""
    pdf = sheet.pdf
    gap = 4.0
    width = (sheet.width - gap * (len(tiles) - 1)) / len(tiles)
    laid = [
        [(sheet.lines(text, style, width - 4) or [""], style) for text, style in parts]
        for parts in (
            ((label, LABEL), (value, TILE), (target, SMALL)) for label, value, target, _t in tiles
        )
    ]
    height = 4 + max(sum(len(lines) * sheet.use(style) for lines, style in parts) for parts in laid)
    sheet.keep(height + 2)
    top = pdf.get_y()
    for number, (parts, tile) in enumerate(zip(laid, tiles, strict=True)):
        x = pdf.l_margin + number * (width + gap)
        pdf.set_draw_color(*tile[3])
        pdf.set_line_width(0.6)
        pdf.rect(x, top, width, height)
        pdf.set_xy(x + 2, top + 2)
        for lines, style in parts:
            line_height = sheet.use(style)
            for line in lines:
                pdf.set_x(x + 2)
                pdf.cell(width - 4, line_height, line, new_x="LEFT", new_y="NEXT")
    pdf.set_line_width(0.2)
    pdf.set_y(top + height + 1.5)


def _bars(
    sheet: Sheet,
    values: list[tuple[str, float | None]],
    label_every: int = 1,
    height: float = 0,
    zero: bool = False,
) -> None:
    """A bar chart: one bar per value, its count above it (0 too when ``zero``) and its label
    below; a value of None (not yet known) is a light dotted outline without a count."""
    pdf = sheet.pdf
    height = height or BAR_CHART_HEIGHT
    sheet.keep(height + 14)
    top = pdf.get_y() + 4
    base = top + height
    top_value = max((v for _l, v in values if v is not None), default=0) or 1
    slot = sheet.width / max(1, len(values))
    bar = slot * 0.7
    sheet.use(SMALL)
    for number, (label, value) in enumerate(values):
        x = pdf.l_margin + number * slot + (slot - bar) / 2
        if value is None:
            pdf.set_draw_color(*TO_COME)
            pdf.set_dash_pattern(dash=0.6, gap=0.9)
            pdf.rect(x, top, bar, height)
            pdf.set_dash_pattern()
            value = 0
        tall = height * value / top_value
        pdf.set_fill_color(*BAR)
        if tall:
            pdf.rect(x, base - tall, bar, tall, style="F")
        if value or (zero and values[number][1] is not None):
            pdf.set_xy(x - 2, base - tall - 4)
            pdf.cell(bar + 4, 4, f"{value:g}", align="C")
        if number % label_every == 0:
            pdf.set_xy(x - 3, base + 0.5)
            pdf.cell(bar + 6, 4, label, align="C")
    pdf.set_draw_color(120, 120, 120)
    pdf.line(pdf.l_margin, base, pdf.l_margin + sheet.width, base)
    pdf.set_y(base + 8)


def _severity(sheet: Sheet, report: MetricsReport, severity: str, catalog: Catalog) -> None:
    t = catalog.t
    # A time nothing was measured for (no incident has it) is left out rather than a row of
    # dashes.
    rows = [
        row
        for row in report_rows(report, catalog)
        if row.severity == severity and report.figure(severity, row.measure).count
    ]
    sheet.keep(30)
    sheet.text(
        t("metrics.incidents_of", severity=severity, count=report.counts[severity]),
        HEADING,
        after=1,
    )
    columns = ("measure", "count", "median", "p90", "mean", "max", "target", "met")
    widths = [w * sheet.width for w in (0.26, 0.07, 0.1, 0.1, 0.1, 0.1, 0.1, 0.17)]
    sheet.row([(t(f"metrics.column_{c}"), LABEL) for c in columns], widths)
    for row in rows:
        cells = [
            row.label,
            row.count,
            row.median,
            row.p90,
            row.mean,
            row.maximum,
            row.target,
            row.met,
        ]
        tone = {"bad": MISSED, "good": MET_ALL}.get(row.tone)
        fills = [None] * 7 + [tone] if tone else None
        sheet.row([(cell, SMALL) for cell in cells], widths, fills=fills)
    resolve = report.figure(severity, "resolve")
    if resolve.count >= 2:
        sheet.pdf.ln(1)
        top = resolve.maximum or 0
        bins = resolve.histogram()
        labels = [span_text(top * (n + 1) / len(bins)) for n in range(len(bins))]
        sheet.text(t("review.spread", measure=t("metrics.measure_resolve")), SMALL, after=0)
        _bars(sheet, list(zip(labels, bins, strict=True)), height=16)
    sheet.pdf.ln(2)


def _recurrences_and_follow_ups(sheet: Sheet, report: MetricsReport, catalog: Catalog) -> None:
    t = catalog.t
    sheet.text(t("metrics.recurrences", count=len(report.recurrences)), HEADING, after=1)
    for found in report.recurrences[:12]:
        sheet.text("• " + recurrence_text(found, catalog), SMALL, after=0.5)
    sheet.pdf.ln(2)
    sheet.text(t("follow_ups.title"), HEADING, after=1)
    sheet.text(completion_text(report, catalog), BODY, after=1)
    overdue = report.actions.overdue
    if overdue:
        widths = [w * sheet.width for w in (0.2, 0.14, 0.2, 0.46)]
        columns = ("incident", "due", "owner", "title")
        sheet.row([(t(f"follow_ups.column_{c}"), LABEL) for c in columns], widths)
        for item in overdue[:20]:
            due = item.due.isoformat() if item.due else "–"
            cells = [item.incident, due, item.owner or "–", item.title]
            sheet.row([(c, SMALL) for c in cells], widths, fills=[None, MISSED, None, None])
    sheet.pdf.ln(3)
