"""The incident report of seed 001 §4, printed from a postmortem: basic information, executive
summary, timeline, root cause, impact analysis, mitigation (temporary / permanent), action items
with owners and due dates, lessons learned — in the postmortem's language."""

from __future__ import annotations

from app.export.layout import BODY, HEADING, SMALL, TITLE, Sheet, Style
from app.i18n import Catalog

MUTED = (95, 95, 95)
LABEL = Style(9.5, True)
NONE = "—"


def incident_report(postmortem, facts: list[tuple[str, str]], paper: str = "a4") -> Sheet:
    t = Catalog(postmortem.lang).t
    field = lambda key: t(f"pm.field.{key}")  # noqa: E731
    value = lambda key: t(f"pm.value.{key}") if key else NONE  # noqa: E731
    sheet = Sheet(paper)
    sheet.page()
    title = t("sheet.report_title", title=postmortem.title)
    sheet.pdf.set_title(title)
    sheet.text(title, TITLE, after=3)

    def heading(text: str) -> None:
        if sheet.pdf.get_y() + 25 > sheet.pdf.page_break_trigger:
            sheet.page()
        sheet.text(text, HEADING, after=1)

    def pairs(items: list[tuple[str, str]]) -> None:
        widths = [0.28 * sheet.width, 0.72 * sheet.width]
        for label, text in items:
            sheet.row([(label, LABEL), (text or NONE, BODY)], widths)
        sheet.pdf.ln(4)

    labels = {"incident": "sheet.incident_id", "severity": "sheet.severity",
              "declared": "sheet.report_declared", "resolved": "sheet.report_resolved",
              "author": "sheet.report_author"}  # fmt: skip
    heading(t("sheet.report_basic"))
    pairs([(t(labels[key]), text) for key, text in facts])
    heading(t("sheet.report_summary"))
    pairs([(field("what"), postmortem.what), (field("when"), postmortem.when),
           (field("who"), postmortem.who)])  # fmt: skip
    heading(t("pm.section.timeline"))
    if postmortem.timeline:
        widths = [w * sheet.width for w in (0.2, 0.5, 0.15, 0.15)]
        sheet.row([(field(k), LABEL) for k in ("at", "event", "actor", "certainty")], widths)
        for item in postmortem.timeline:
            certainty = value(item.certainty)
            if item.marker:
                certainty += f" · {value(item.marker)}"
            sheet.row([(item.at, SMALL), (item.text, BODY), (item.actor, SMALL),
                       (certainty, SMALL)], widths)  # fmt: skip
        sheet.pdf.ln(4)
    else:
        sheet.text(NONE, BODY)
    heading(t("pm.section.root_cause"))
    sheet.text(postmortem.root_cause or NONE, BODY)
    for number, why in enumerate(postmortem.whys, 1):
        sheet.text(f"{number}. {field('why')} {why.why}", BODY, after=0.5)
        sheet.text(f"    → {field('because')} {why.because}", BODY, after=1.5)
    for factor in postmortem.factors:
        sheet.text(f"• {value(factor.category)}: {factor.text}", BODY, after=1)
    sheet.pdf.ln(2)
    heading(t("sheet.report_impact"))
    pairs([
        (field("users_affected"), postmortem.users_affected),
        (field("duration"), postmortem.duration),
        (field("sla_breach"), value(postmortem.sla_breach)),
        (field("business_impact"), postmortem.business_impact),
        (field("brand_impact"), postmortem.brand_impact),
    ])  # fmt: skip
    heading(t("pm.section.mitigation"))
    pairs([(field("temporary"), postmortem.temporary), (field("permanent"), postmortem.permanent)])
    heading(t("pm.section.actions"))
    if postmortem.actions:
        widths = [w * sheet.width for w in (0.4, 0.18, 0.14, 0.14, 0.14)]
        sheet.row([(field(k), LABEL) for k in ("action", "owner", "due", "priority", "status")],
                  widths)  # fmt: skip
        for item in postmortem.actions:
            sheet.row([(item.title, BODY), (item.owner or NONE, SMALL), (item.due or NONE, SMALL),
                       (value(item.priority), SMALL), (value(item.status), SMALL)],
                      widths)  # fmt: skip
        sheet.pdf.ln(4)
    else:
        sheet.text(NONE, BODY)
    heading(t("pm.section.lessons"))
    sheet.text(postmortem.lessons or NONE, BODY)
    return sheet
