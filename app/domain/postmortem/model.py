"""Postmortems as data: a plain dataclass tree with its sections, stored exactly as typed (any
Unicode, text that looks like markup, control characters); showing it safely is the screen's job."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date

from app.domain.i18n import KeyedRefusal

SECTIONS = (
    "summary",
    "impact",
    "timeline",
    "root_cause",
    "factors",
    "went_well",
    "was_hard",
    "lucky",
    "mitigation",
    "actions",
    "lessons",
)
MARKERS = ("", "detection", "diagnosis", "repair", "key_moment")
CERTAINTIES = ("fact", "hypothesis")
FACTOR_CATEGORIES = ("technical", "process", "organisational", "environmental")
PRIORITIES = ("high", "medium", "low")
ACTION_CATEGORIES = ("prevention", "detection", "response", "documentation", "training")
ACTION_STATUSES = ("open", "in_progress", "done")
SLA_ANSWERS = ("unknown", "yes", "no")
STATES = ("draft", "in_review", "published")
EMPTY, PARTIAL, COMPLETE = "empty", "partial", "complete"


class PostmortemError(KeyedRefusal):
    """A value or a change that cannot be accepted; str() is one sentence in English."""


@dataclass
class TimelineItem:
    at: str = ""
    text: str = ""
    actor: str = ""
    certainty: str = "fact"
    marker: str = ""


@dataclass
class Why:
    why: str = ""
    because: str = ""


@dataclass
class Factor:
    category: str = "technical"
    text: str = ""


@dataclass
class ActionItem:
    title: str = ""
    owner: str = ""
    due: str = ""  # YYYY-MM-DD or empty
    priority: str = "medium"
    category: str = "prevention"
    status: str = "open"


@dataclass
class Postmortem:
    incident: str
    title: str
    lang: str
    status: str = "draft"
    what: str = ""
    when: str = ""
    who: str = ""
    users_affected: str = ""
    duration: str = ""
    sla_breach: str = "unknown"
    business_impact: str = ""
    brand_impact: str = ""
    timeline: list[TimelineItem] = field(default_factory=list)
    root_cause: str = ""
    whys: list[Why] = field(default_factory=list)
    factors: list[Factor] = field(default_factory=list)
    went_well: str = ""
    was_hard: str = ""
    lucky: str = ""
    temporary: str = ""
    permanent: str = ""
    actions: list[ActionItem] = field(default_factory=list)
    lessons: str = ""


def to_document(postmortem: Postmortem) -> dict:
    """JSON-ready content (what the draft row stores, apart from the action item rows)."""
    document = {}
    for f in fields(Postmortem):
        value = getattr(postmortem, f.name)
        if isinstance(value, list):
            value = [dict(vars(item)) for item in value]
        document[f.name] = value
    return document


def from_document(document: dict) -> Postmortem:
    kinds = {"timeline": TimelineItem, "whys": Why, "factors": Factor, "actions": ActionItem}
    values = {}
    for f in fields(Postmortem):
        if f.name not in document:
            continue
        value = document[f.name]
        if f.name in kinds:
            value = [kinds[f.name](**item) for item in value]
        values[f.name] = value
    return Postmortem(**values)


# -- validation -----------------------------------------------------------------------------


def validate(postmortem: Postmortem) -> None:
    """Refuse values outside their lists and malformed due dates (one sentence)."""
    choices = [
        ("sla_breach", [postmortem.sla_breach], SLA_ANSWERS),
        ("status", [postmortem.status], STATES),
        ("timeline certainty", [t.certainty for t in postmortem.timeline], CERTAINTIES),
        ("timeline marker", [t.marker for t in postmortem.timeline], MARKERS),
        ("factor category", [f.category for f in postmortem.factors], FACTOR_CATEGORIES),
        ("action priority", [a.priority for a in postmortem.actions], PRIORITIES),
        ("action category", [a.category for a in postmortem.actions], ACTION_CATEGORIES),
        ("action status", [a.status for a in postmortem.actions], ACTION_STATUSES),
    ]
    for name, values, allowed in choices:
        for value in values:
            if value not in allowed:
                shown = ", ".join(a or "(none)" for a in allowed)
                raise PostmortemError(f"The {name} {value!r} is not one of {shown}.")
    for number, action in enumerate(postmortem.actions, start=1):
        if action.due and not valid_date(action.due):
            raise PostmortemError(
                f"Action item {number}: due date {action.due!r} is not a date like 2026-12-01."
            )


def valid_date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
