"""The incident report of seed 001 §4, printed from a postmortem: basic information, executive
summary, timeline, root cause and contributing factors, impact analysis, mitigation (temporary /
permanent), action items with owners and due dates (overdue ones marked), what went well / was
hard / where we got lucky, lessons learned. Labels are in the reader's language; what people
wrote is printed as they wrote it.

A report that would end on a page holding a few lines is set a little tighter, when that saves
the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.i18n import Catalog
from app.domain.postmortem.model import valid_date
from app.export.layout import Fill, Sheet, Style

NONE = "—"
OVERDUE = Fill((255, 255, 255), (183, 28, 28))
SCALES = (1.0, 0.93, 0.86, 0.8)  # tried in turn when the last page is mostly empty
MOSTLY_EMPTY = 0.3  # a last page filled less than this much is worth saving


@dataclass(frozen=True)
class _Styles:
    title: Style
    heading: Style
    label: Style
    body: Style
    small: Style
    space: float  # millimetres after a block, scaled with the type

    @classmethod
    def at(cls, scale: float) -> _Styles:
        return cls(
            Style(20 * scale, True, 1.3),
            Style(12.5 * scale, True, 1.35),
            Style(9.5 * scale, True),
            Style(10.5 * scale),
            Style(8.5 * scale),
            4 * scale,
        )


def is_overdue(item, today: date) -> bool:
    return item.status != "done" and valid_date(item.due) and date.fromisoformat(item.due) < today


def incident_report(
    postmortem,
    facts: list[tuple[str, str]],
    paper: str = "a4",
    lang: str | None = None,
    today: date | None = None,
) -> Sheet:
    """The report, its labels in ``lang`` (the postmortem's language when None); action items
    still open after ``today`` are marked overdue."""
    catalog = Catalog(lang or postmortem.lang)
    sheet = _report(postmortem, facts, paper, catalog, today, _Styles.at(SCALES[0]))
    if sheet.pdf.page > 1 and _last_page_fill(sheet) < MOSTLY_EMPTY:
        for scale in SCALES[1:]:
            tighter = _report(postmortem, facts, paper, catalog, today, _Styles.at(scale))
            if tighter.pdf.page < sheet.pdf.page:
                return tighter
    return sheet


def _last_page_fill(sheet: Sheet) -> float:
    pdf = sheet.pdf
    return (pdf.get_y() - pdf.t_margin) / (pdf.page_break_trigger - pdf.t_margin)


def _report(postmortem, facts, paper: str, catalog: Catalog, today, styles: _Styles) -> Sheet:
    t = catalog.t
    field = lambda key: t(f"pm.field.{key}")  # noqa: E731
    value = lambda key: t(f"pm.value.{key}") if key else NONE  # noqa: E731
    sheet = Sheet(paper)
    sheet.page()
    title = t("sheet.report_title", title=postmortem.title)
    sheet.pdf.set_title(title)
    sheet.text(title, styles.title, after=styles.space * 0.75)
    space = styles.space
    label, body, small = styles.label, styles.body, styles.small

    def heading(text: str) -> None:
        # A heading never ends a page: it goes with at least a few lines of its section.
        if sheet.pdf.get_y() + 6 * sheet.use(body) > sheet.pdf.page_break_trigger:
            sheet.page()
        sheet.text(text, styles.heading, after=space / 4)

    def paragraph(text: str) -> None:
        sheet.text(text or NONE, body, after=space / 2)

    def pairs(items: list[tuple[str, str]]) -> None:
        widths = [0.28 * sheet.width, 0.72 * sheet.width]
        for name, text in items:
            sheet.row([(name, label), (text or NONE, body)], widths)
        sheet.pdf.ln(space)

    labels = {
        "incident": "sheet.incident_id",
        "severity": "sheet.severity",
        "declared": "sheet.report_declared",
        "resolved": "sheet.report_resolved",
        "author": "sheet.report_author",
    }
    heading(t("sheet.report_basic"))
    pairs([(t(labels[key]), text) for key, text in facts])
    heading(t("sheet.report_summary"))
    pairs(
        [
            (field("what"), postmortem.what),
            (field("when"), postmortem.when),
            (field("who"), postmortem.who),
        ]
    )

    heading(t("pm.section.timeline"))
    if postmortem.timeline:
        widths = [w * sheet.width for w in (0.2, 0.5, 0.15, 0.15)]
        sheet.row([(field(k), label) for k in ("at", "event", "actor", "certainty")], widths)
        for item in postmortem.timeline:
            certainty = value(item.certainty)
            if item.marker:
                certainty += f" · {value(item.marker)}"
            sheet.row(
                [(item.at, small), (item.text, body), (item.actor, small), (certainty, small)],
                widths,
            )
        sheet.pdf.ln(space)
    else:
        paragraph("")

    heading(t("pm.section.root_cause"))
    paragraph(postmortem.root_cause)
    for number, why in enumerate(postmortem.whys, 1):
        sheet.text(f"{number}. {field('why')} {why.why}", body, after=0.5)
        sheet.text(f"    → {field('because')} {why.because}", body, after=space / 3)
    sheet.pdf.ln(space / 2)
    heading(t("pm.section.factors"))
    if postmortem.factors:
        for factor in postmortem.factors:
            sheet.text(f"• {value(factor.category)}: {factor.text}", body, after=space / 4)
        sheet.pdf.ln(space / 2)
    else:
        paragraph("")

    heading(t("sheet.report_impact"))
    pairs(
        [
            (field("users_affected"), postmortem.users_affected),
            (field("duration"), postmortem.duration),
            (field("sla_breach"), value(postmortem.sla_breach)),
            (field("business_impact"), postmortem.business_impact),
            (field("brand_impact"), postmortem.brand_impact),
        ]
    )
    heading(t("pm.section.mitigation"))
    pairs([(field("temporary"), postmortem.temporary), (field("permanent"), postmortem.permanent)])

    heading(t("pm.section.actions"))
    if postmortem.actions:
        widths = [w * sheet.width for w in (0.4, 0.18, 0.14, 0.14, 0.14)]
        sheet.row(
            [(field(k), label) for k in ("action", "owner", "due", "priority", "status")], widths
        )
        for item in postmortem.actions:
            status = value(item.status)
            late = today is not None and is_overdue(item, today)
            if late:
                status += f" · {t('sheet.report_overdue')}"
            sheet.row(
                [
                    (item.title, body),
                    (item.owner or NONE, small),
                    (item.due or NONE, small),
                    (value(item.priority), small),
                    (status, small),
                ],
                widths,
                fills=[None, None, OVERDUE, None, OVERDUE] if late else None,
            )
        sheet.pdf.ln(space)
    else:
        paragraph("")

    for key in ("went_well", "was_hard", "lucky"):
        heading(t(f"pm.section.{key}"))
        paragraph(getattr(postmortem, key))
    heading(t("pm.section.lessons"))
    paragraph(postmortem.lessons)
    return sheet
