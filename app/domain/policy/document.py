"""Writing a policy back: a plain document (stored with each version) and TOML that reads back to an
equal policy."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import tomli_w

from app.domain.durations import format_duration
from app.domain.policy.model import LocalText, Policy


def _severity_durations(severity) -> dict[str, str]:
    """response, resolution, update_every and postmortem_due, in the file's order."""
    entry = {"response": format_duration(severity.response_s)}
    if severity.resolution_s is not None:
        entry["resolution"] = format_duration(severity.resolution_s)
    entry["update_every"] = format_duration(severity.update_every_s)
    if severity.postmortem_due_s is not None:
        entry["postmortem_due"] = format_duration(severity.postmortem_due_s)
    return entry


def policy_document(policy: Policy) -> dict[str, Any]:
    """The policy as a plain TOML / JSON-ready document; parse_policy_text reads it back equal."""

    def texts(items: Iterable[LocalText]) -> list:
        return [item.to_document() for item in items]

    def optional(target: dict, key: str, value: Any) -> None:
        if value is not None and value != () and value != []:
            target[key] = value

    header: dict[str, Any] = {
        "name": policy.name,
        "scheme": policy.scheme,
        "title": policy.title.to_document(),
    }
    optional(header, "description", policy.description and policy.description.to_document())
    optional(header, "roles", list(policy.roles))
    severities = []
    ladder = []
    for severity in policy.severities:
        entry: dict[str, Any] = {"key": severity.key, "name": severity.name.to_document()}
        optional(entry, "impact", severity.impact and severity.impact.to_document())
        optional(entry, "definition", texts(severity.definition))
        entry.update(_severity_durations(severity))
        optional(
            entry,
            "postmortem_note",
            severity.postmortem_note and severity.postmortem_note.to_document(),
        )
        if severity.ack_timeout_s is not None:
            entry["ack_timeout"] = format_duration(severity.ack_timeout_s)
        entry["rounds"] = severity.rounds
        if severity.repeat_after_s is not None:
            entry["repeat_after"] = format_duration(severity.repeat_after_s)
        if not severity.declared:
            entry["declared"] = False
        if severity.targets:
            entry["targets"] = {m: format_duration(s) for m, s in severity.targets}
        severities.append(entry)
        for step in severity.ladder:
            step_entry: dict[str, Any] = {
                "severity": severity.key,
                "after": format_duration(step.after_s),
                "notify": texts(step.notify),
            }
            optional(step_entry, "unless", list(step.unless))
            optional(step_entry, "note", step.note and step.note.to_document())
            ladder.append(step_entry)
    types = []
    for incident_type in policy.types:
        entry = {"key": incident_type.key, "name": incident_type.name.to_document()}
        optional(
            entry,
            "description",
            incident_type.description and incident_type.description.to_document(),
        )
        if incident_type.regulatory_report_s is not None:
            entry["regulatory_report"] = format_duration(incident_type.regulatory_report_s)
        optional(
            entry,
            "mitigations",
            [
                {
                    "situation": m.situation.to_document(),
                    "temporary": m.temporary.to_document(),
                    "permanent": m.permanent.to_document(),
                }
                for m in incident_type.mitigations
            ],
        )
        types.append(entry)
    cells = [
        {"type": cell.type_key, "severity": cell.severity_key, "examples": texts(cell.examples)}
        for cell in policy.cells
    ]
    document: dict[str, Any] = {"policy": header, "severities": severities, "types": types}
    optional(document, "cells", cells)
    optional(document, "ladder", ladder)
    return document


def policy_to_toml(policy: Policy) -> str:
    return tomli_w.dumps(policy_document(policy))


def content_hash(policy: Policy) -> str:
    """What tells two versions of a policy apart (stored with each version)."""
    return hashlib.sha256(policy_to_toml(policy).encode("utf-8")).hexdigest()
