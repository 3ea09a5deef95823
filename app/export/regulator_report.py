"""The report to a regulator (seed 001 §3-2), printed from an incident: the checklist (which
regulation, whether a report is required and who decided, legal review, the deadline from the
discovery), then the seed's required items — when it happened and was discovered, the data and
people affected, the root cause, mitigation and prevention, the plan against recurrence, the
public notice — filled from the incident and its postmortem where they say it, with lines to
write on where they do not. Labels in the reader's language."""

from __future__ import annotations

from datetime import datetime

from app.domain.escalation import DeadlineKind
from app.domain.i18n import Catalog
from app.domain.message_templates import local_time
from app.export.layout import BODY, HEADING, SMALL, TITLE, Sheet, Style
from app.export.tickboxes import tick_row

LABEL = Style(9.5, True)
ITEMS = ("when", "affected", "cause", "mitigation", "recurrence", "notice")


def _stamp(moment: datetime | None) -> str:
    return local_time(moment) or "—"


def regulator_report(view, postmortem, lang: str, paper: str = "a4") -> Sheet:
    """`view` is the incident (IncidentView); `postmortem` its postmortem or None."""
    t = Catalog(lang).t
    sheet = Sheet(paper, page_label=lambda page: t("regulator.page", page=page))
    sheet.page()
    record = view.record
    title = t("regulator.title", title=record.title)
    sheet.pdf.set_title(title)
    sheet.text(title, TITLE, after=2)
    _checklist(sheet, view, t, lang)
    answers = _answers(record, postmortem, t)
    for number, item in enumerate(ITEMS, 1):
        sheet.keep(30)
        sheet.text(f"{number}. {t(f'regulator.item_{item}')}", HEADING, after=1)
        text = answers.get(item, "")
        if text.strip():
            sheet.text(text, BODY, after=2)
        sheet.writing_space(2 if text.strip() else 5)
    sheet.text(t("regulator.footer"), SMALL, after=0)
    return sheet


def _checklist(sheet: Sheet, view, t, lang: str) -> None:
    record = view.record
    type_name = view.policy.incident_type(record.type_key).name.get(lang)
    deadline = view.plan.deadline(DeadlineKind.REGULATORY_REPORT)
    widths = [0.3 * sheet.width, 0.7 * sheet.width]
    incident = f"{record.code} · {record.severity} · {type_name}"
    sheet.row([(t("regulator.incident"), LABEL), (incident, BODY)], widths, min_height=9)
    regulations = [t(f"regulator.{key}") for key in ("gdpr", "ai_act", "hipaa", "other")]
    tick_row(sheet, (t("regulator.regulation"), LABEL), regulations, BODY, widths)
    if record.report_duty is not None:
        duty = t(f"regulator.duty_{record.report_duty}")
        duty += " · " + t(
            "regulator.decided",
            who=record.report_decided_by or "—",
            when=_stamp(record.report_decided_at),
        )
        sheet.row([(t("regulator.duty"), LABEL), (duty, BODY)], widths, min_height=9)
    else:
        answers = [t("regulator.duty_choice_required"), t("regulator.duty_choice_not")]
        lead = t("regulator.undecided")
        tick_row(sheet, (t("regulator.duty"), LABEL), answers, BODY, widths, lead=lead)
    rows = [
        (t("regulator.deadline"), _stamp(deadline.due_at) if deadline else "—"),
        (t("regulator.filed"), _stamp(record.report_filed_at)),
        (t("regulator.legal"), t("regulator.legal_blank")),
    ]
    for label, text in rows:
        sheet.row([(label, LABEL), (text, BODY)], widths, min_height=9)
    sheet.pdf.ln(5)


def _answers(record, postmortem, t) -> dict[str, str]:
    answers = {
        "when": t(
            "regulator.when",
            started=_stamp(record.started_at or record.declared_at),
            detected=_stamp(record.detected_at or record.declared_at),
            declared=_stamp(record.declared_at),
        )
    }
    if postmortem is None:
        return answers
    affected = [part for part in (postmortem.users_affected, postmortem.who) if part]
    answers["affected"] = "\n".join(affected)
    answers["cause"] = postmortem.root_cause
    answers["mitigation"] = "\n".join(
        part for part in (postmortem.temporary, postmortem.permanent) if part
    )
    answers["recurrence"] = "\n".join(
        f"• {a.title} ({a.owner or '—'}, {a.due or '—'})" for a in postmortem.actions
    )
    return answers
