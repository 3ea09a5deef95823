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
            Style(20 * scale, True, 1.3, phrases=True),
            Style(12.5 * scale, True, 1.35, phrases=True),
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
    writer = _ReportWriter(postmortem, Sheet(paper), catalog, styles)
    writer.title()
    writer.basics_and_summary(facts)
    writer.timeline()
    writer.causes()
    writer.impact_and_mitigation()
    writer.actions(today)
    writer.reflections()
    return writer.sheet


class _ReportWriter:
    """The report's sections, in the order of seed 001 §4, onto one sheet."""

    def __init__(self, postmortem, sheet: Sheet, catalog: Catalog, styles: _Styles) -> None:
        self.postmortem, self.sheet, self.styles = postmortem, sheet, styles
        self.t = catalog.t
        self.space = styles.space

    def field(self, key: str) -> str:
        return self.t(f"pm.field.{key}")

    def value(self, key: str) -> str:
        return self.t(f"pm.value.{key}") if key else NONE

    def heading(self, text: str) -> None:
        sheet = self.sheet
        # A heading never ends a page: it goes with at least a few lines of its section.
        if sheet.pdf.get_y() + 6 * sheet.use(self.styles.body) > sheet.pdf.page_break_trigger:
            sheet.page()
        sheet.text(text, self.styles.heading, after=self.space / 4)

    def paragraph(self, text: str) -> None:
        self.sheet.text(text or NONE, self.styles.body, after=self.space / 2)

    def pairs(self, items: list[tuple[str, str]]) -> None:
        sheet = self.sheet
        widths = [0.28 * sheet.width, 0.72 * sheet.width]
        for name, text in items:
            sheet.row([(name, self.styles.label), (text or NONE, self.styles.body)], widths)
        sheet.pdf.ln(self.space)

    def title(self) -> None:
        self.sheet.page()
        title = self.t("sheet.report_title", title=self.postmortem.title)
        self.sheet.pdf.set_title(title)
        self.sheet.text(title, self.styles.title, after=self.space * 0.75)

    def basics_and_summary(self, facts: list[tuple[str, str]]) -> None:
        t, p = self.t, self.postmortem
        labels = {
            "incident": "sheet.incident_id",
            "severity": "sheet.severity",
            "declared": "sheet.report_declared",
            "resolved": "sheet.report_resolved",
            "author": "sheet.report_author",
        }
        self.heading(t("sheet.report_basic"))
        self.pairs([(t(labels[key]), text) for key, text in facts])
        self.heading(t("sheet.report_summary"))
        self.pairs([(self.field(key), getattr(p, key)) for key in ("what", "when", "who")])

    def timeline(self) -> None:
        sheet, styles, value = self.sheet, self.styles, self.value
        self.heading(self.t("pm.section.timeline"))
        if not self.postmortem.timeline:
            self.paragraph("")
            return
        widths = [w * sheet.width for w in (0.2, 0.5, 0.15, 0.15)]
        columns = ("at", "event", "actor", "certainty")
        sheet.row([(self.field(k), styles.label) for k in columns], widths)
        for item in self.postmortem.timeline:
            certainty = value(item.certainty)
            if item.marker:
                certainty += f" · {value(item.marker)}"
            cells = [
                (item.at, styles.small),
                (item.text, styles.body),
                (item.actor, styles.small),
                (certainty, styles.small),
            ]
            sheet.row(cells, widths)
        sheet.pdf.ln(self.space)

    def causes(self) -> None:
        sheet, body, p = self.sheet, self.styles.body, self.postmortem
        self.heading(self.t("pm.section.root_cause"))
        self.paragraph(p.root_cause)
        for number, why in enumerate(p.whys, 1):
            sheet.text(f"{number}. {self.field('why')} {why.why}", body, after=0.5)
            sheet.text(f"    → {self.field('because')} {why.because}", body, after=self.space / 3)
        sheet.pdf.ln(self.space / 2)
        self.heading(self.t("pm.section.factors"))
        if not p.factors:
            self.paragraph("")
            return
        for factor in p.factors:
            text = f"• {self.value(factor.category)}: {factor.text}"
            sheet.text(text, body, after=self.space / 4)
        sheet.pdf.ln(self.space / 2)

    def impact_and_mitigation(self) -> None:
        p, field = self.postmortem, self.field
        self.heading(self.t("sheet.report_impact"))
        self.pairs(
            [
                (field("users_affected"), p.users_affected),
                (field("duration"), p.duration),
                (field("sla_breach"), self.value(p.sla_breach)),
                (field("business_impact"), p.business_impact),
                (field("brand_impact"), p.brand_impact),
            ]
        )
        self.heading(self.t("pm.section.mitigation"))
        self.pairs([(field("temporary"), p.temporary), (field("permanent"), p.permanent)])

    def actions(self, today) -> None:
        sheet, styles, value = self.sheet, self.styles, self.value
        self.heading(self.t("pm.section.actions"))
        if not self.postmortem.actions:
            self.paragraph("")
            return
        widths = [w * sheet.width for w in (0.4, 0.18, 0.14, 0.14, 0.14)]
        columns = ("action", "owner", "due", "priority", "status")
        sheet.row([(self.field(k), styles.label) for k in columns], widths)
        for item in self.postmortem.actions:
            status = value(item.status)
            late = today is not None and is_overdue(item, today)
            if late:
                status += f" · {self.t('sheet.report_overdue')}"
            cells = [
                (item.title, styles.body),
                (item.owner or NONE, styles.small),
                (item.due or NONE, styles.small),
                (value(item.priority), styles.small),
                (status, styles.small),
            ]
            fills = [None, None, OVERDUE, None, OVERDUE] if late else None
            sheet.row(cells, widths, fills=fills)
        sheet.pdf.ln(self.space)

    def reflections(self) -> None:
        for key in ("went_well", "was_hard", "lucky", "lessons"):
            self.heading(self.t(f"pm.section.{key}"))
            self.paragraph(getattr(self.postmortem, key))
