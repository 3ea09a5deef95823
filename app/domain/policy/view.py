"""Readable, localized sections describing a policy: one source for the matrix detail pane and
for `storycart policy show`. Plain strings only; callers render them as data, never markup."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.i18n import Catalog
from app.domain.policy.model import BELOW_PREFIX, EscalationStep, IncidentType, Policy, Severity
from app.domain.policy.targets import severity_targets
from app.domain.textsafe import printable
from app.domain.word_lists import joined


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[str, ...]


def conditions_text(step: EscalationStep, catalog: Catalog) -> str:
    parts = []
    for condition in step.unless:
        if condition.startswith(BELOW_PREFIX):
            parts.append(catalog.t("condition.below", severity=condition[len(BELOW_PREFIX) :]))
        else:
            parts.append(catalog.t(f"condition.{condition}"))
    return catalog.t("condition.joiner").join(parts)


def step_text(step: EscalationStep, catalog: Catalog) -> str:
    lang = catalog.lang
    notify = joined((who.get(lang) for who in step.notify), lang)
    if step.after_s == 0:
        text = catalog.t("detail.step_now", notify=notify)
    else:
        text = catalog.t("detail.step", after=catalog.duration(step.after_s), notify=notify)
    if step.unless:
        text += f" ({catalog.t('detail.step_unless', conditions=conditions_text(step, catalog))})"
    if step.note:
        text += f" — {step.note.get(lang)}"
    return printable(text)


def severity_sections(severity: Severity, catalog: Catalog) -> list[Section]:
    lang = catalog.lang
    sections = []
    if severity.impact:
        sections.append(Section(catalog.t("detail.impact"), (severity.impact.get(lang),)))
    if severity.definition:
        sections.append(
            Section(catalog.t("detail.definition"), tuple(d.get(lang) for d in severity.definition))
        )
    if not severity.declared:
        sections.append(Section(catalog.t("detail.handling"), (catalog.t("detail.standard"),)))
    targets = severity_targets(severity)
    sections += [
        Section(catalog.t("detail.acknowledge"), (catalog.duration(targets.acknowledge),)),
        Section(catalog.t("detail.resolution"), (catalog.duration(targets.resolve),)),
        Section(
            catalog.t("detail.first_notify"),
            (joined((who.get(lang) for who in severity.first_notify), lang),),
        ),
        Section(
            catalog.t("detail.ladder"),
            tuple(f"{n}. {step_text(step, catalog)}" for n, step in enumerate(severity.ladder, 1)),
        ),
        Section(
            catalog.t("detail.rounds"),
            (
                catalog.t(
                    "detail.rounds_value",
                    rounds=severity.rounds,
                    pause=catalog.duration(severity.repeat_pause_s),
                ),
            ),
        ),
        Section(
            catalog.t("detail.ack_timeout"),
            (
                catalog.duration(None)
                if severity.ack_timeout_s is None
                else catalog.t(
                    "detail.ack_timeout_value", timeout=catalog.duration(severity.ack_timeout_s)
                ),
            ),
        ),
        Section(
            catalog.t("detail.update_every"),
            (
                catalog.t(
                    "detail.update_every_value", every=catalog.duration(severity.update_every_s)
                ),
            ),
        ),
    ]
    postmortem = []
    if severity.postmortem_due_s is not None:
        postmortem.append(
            catalog.t("detail.postmortem_after", due=catalog.duration(severity.postmortem_due_s))
        )
    if severity.postmortem_note:
        postmortem.append(severity.postmortem_note.get(lang))
    sections.append(
        Section(catalog.t("detail.postmortem"), tuple(postmortem) or (catalog.duration(None),))
    )
    return [_clean(section) for section in sections]


def type_sections(incident_type: IncidentType, catalog: Catalog) -> list[Section]:
    lang = catalog.lang
    sections = []
    if incident_type.description:
        sections.append(
            Section(catalog.t("detail.type_description"), (incident_type.description.get(lang),))
        )
    if incident_type.regulatory_report_s is not None:
        due = catalog.duration(incident_type.regulatory_report_s)
        sections.append(
            Section(
                catalog.t("detail.regulatory"), (catalog.t("detail.regulatory_value", due=due),)
            )
        )
    if incident_type.mitigations:
        sections.append(
            Section(
                catalog.t("detail.mitigations"),
                tuple(
                    catalog.t(
                        "detail.mitigation",
                        situation=m.situation.get(lang),
                        temporary=m.temporary.get(lang),
                        permanent=m.permanent.get(lang),
                    )
                    for m in incident_type.mitigations
                ),
            )
        )
    return [_clean(section) for section in sections]


def cell_examples(policy: Policy, type_key: str, severity_key: str, lang: str) -> list[str]:
    cell = policy.cell(type_key, severity_key)
    return [] if cell is None else [printable(e.get(lang)) for e in cell.examples]


def cell_heading(policy: Policy, type_key: str, severity_key: str, catalog: Catalog) -> str:
    severity = policy.severity(severity_key)
    return printable(
        catalog.t(
            "detail.heading",
            severity=severity.key,
            name=severity.name.get(catalog.lang),
            type=policy.incident_type(type_key).name.get(catalog.lang),
        )
    )


def cell_sections(policy: Policy, type_key: str, severity_key: str, catalog: Catalog):
    """Everything the matrix shows for one cell: examples, the severity, then the type."""
    examples = cell_examples(policy, type_key, severity_key, catalog.lang)
    sections = [Section(catalog.t("detail.examples"), tuple(examples) or ("—",))]
    sections += severity_sections(policy.severity(severity_key), catalog)
    sections += type_sections(policy.incident_type(type_key), catalog)
    return sections


def _clean(section: Section) -> Section:
    return Section(printable(section.title), tuple(printable(line) for line in section.lines))
