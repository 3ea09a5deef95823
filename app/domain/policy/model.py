"""Severity policies as data: the incident type x severity matrix, targets and escalation ladders,
as frozen dataclasses that are equal by value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

LANGUAGES = ("en", "ko", "ja")
ANY_LANGUAGE = "*"
FALLBACK_ORDER = ("en", "ko", "ja")
CONDITIONS = ("acknowledged", "resolved")
DEFAULT_ROUNDS = 3
MAX_ROUNDS = 100
BELOW_PREFIX = "below:"


@dataclass(frozen=True)
class LocalText:
    """One piece of text in several languages; ('*', text) means the same text in every language."""

    values: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, mapping: Mapping[str, str] | str) -> LocalText:
        if isinstance(mapping, str):
            return cls(((ANY_LANGUAGE, mapping),))
        return cls(tuple(sorted(mapping.items())))

    def get(self, lang: str) -> str:
        table = dict(self.values)
        for candidate in (lang, ANY_LANGUAGE, *FALLBACK_ORDER):
            if candidate in table:
                return table[candidate]
        return self.values[0][1]

    def languages(self) -> set[str]:
        return {lang for lang, _ in self.values}

    def to_document(self) -> str | dict[str, str]:
        table = dict(self.values)
        if set(table) == {ANY_LANGUAGE}:
            return table[ANY_LANGUAGE]
        return table


# Roles a policy may add to the five every incident has (seed 001 §2-1 calls in legal /
# compliance).
OPTIONAL_ROLES = ("legal",)
# What the metrics measure (app.domain.metrics), and what a severity may set targets for.
TARGET_MEASURES = ("detect", "acknowledge", "mitigate", "resolve")


@dataclass(frozen=True)
class EscalationStep:
    after_s: int
    notify: tuple[LocalText, ...]
    unless: tuple[str, ...] = ()
    note: LocalText | None = None


@dataclass(frozen=True)
class Severity:
    key: str
    name: LocalText
    response_s: int
    update_every_s: int
    resolution_s: int | None = None
    postmortem_due_s: int | None = None
    postmortem_note: LocalText | None = None
    impact: LocalText | None = None
    definition: tuple[LocalText, ...] = ()
    ladder: tuple[EscalationStep, ...] = ()
    ack_timeout_s: int | None = None
    rounds: int = DEFAULT_ROUNDS
    repeat_after_s: int | None = None
    # Targets as the policy sets them: (measure, seconds) for detect / acknowledge / mitigate /
    # resolve. Read them through app.domain.policy.targets, the one definition.
    targets: tuple[tuple[str, int], ...] = ()
    # Seed 003 §2.1: only some levels are declared incidents; the others are handled as
    # standard work (no incident-channel posts, no status-update clock).
    declared: bool = True

    @property
    def repeat_pause_s(self) -> int:
        """Pause after a round's last step before the ladder starts again."""
        return self.update_every_s if self.repeat_after_s is None else self.repeat_after_s

    @property
    def first_notify(self) -> tuple[LocalText, ...]:
        """Whom to notify first: everyone on the earliest step(s) of the ladder."""
        first = min(step.after_s for step in self.ladder)
        return tuple(who for step in self.ladder if step.after_s == first for who in step.notify)


@dataclass(frozen=True)
class Mitigation:
    situation: LocalText
    temporary: LocalText
    permanent: LocalText


@dataclass(frozen=True)
class IncidentType:
    key: str
    name: LocalText
    description: LocalText | None = None
    regulatory_report_s: int | None = None
    mitigations: tuple[Mitigation, ...] = ()


@dataclass(frozen=True)
class MatrixCell:
    type_key: str
    severity_key: str
    examples: tuple[LocalText, ...]


@dataclass(frozen=True)
class Policy:
    name: str
    scheme: str
    title: LocalText
    severities: tuple[Severity, ...]
    types: tuple[IncidentType, ...]
    cells: tuple[MatrixCell, ...]
    description: LocalText | None = None
    source: str = field(default="", compare=False)
    roles: tuple[str, ...] = ()  # of OPTIONAL_ROLES, shown after the standard roles

    def severity(self, key: str) -> Severity:
        for severity in self.severities:
            if severity.key == key:
                return severity
        raise KeyError(key)

    def incident_type(self, key: str) -> IncidentType:
        for incident_type in self.types:
            if incident_type.key == key:
                return incident_type
        raise KeyError(key)

    def cell(self, type_key: str, severity_key: str) -> MatrixCell | None:
        for cell in self.cells:
            if cell.type_key == type_key and cell.severity_key == severity_key:
                return cell
        return None

    def rank(self, severity_key: str) -> int:
        """0 for the most severe level; larger numbers are less severe."""
        return [severity.key for severity in self.severities].index(severity_key)
