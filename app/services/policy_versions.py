"""Policies in the database: each distinct content of a policy is stored once as a new version,
so incidents can keep the version they were declared under and a broken file can fall back to
the last version that loaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from app.domain.clock import Clock
from app.domain.policy.document import content_hash
from app.domain.policy.model import (
    TARGET_MEASURES,
    EscalationStep,
    IncidentType,
    LocalText,
    MatrixCell,
    Mitigation,
    Policy,
    Severity,
)
from storage.database import Database
from storage.policy_rows import (
    PolicyRows,
    find_version,
    insert_rows,
    latest_by_source,
    latest_version,
    load_rows,
)
from storage.tables import (
    EscalationStepRecord,
    IncidentTypeRecord,
    MatrixCellRecord,
    PolicyRecord,
    SeverityRecord,
)


@dataclass(frozen=True)
class StoredPolicy:
    policy: Policy
    version: int
    stored_at: datetime


def _text(value: LocalText | None):
    return None if value is None else value.to_document()


def _local(value) -> LocalText | None:
    return None if value is None else LocalText.of(value)


def to_rows(policy: Policy, version: int, stored_at: datetime) -> PolicyRows:
    record = PolicyRecord(
        name=policy.name,
        version=version,
        scheme=policy.scheme,
        title=_text(policy.title),
        description=_text(policy.description),
        roles=list(policy.roles) or None,
        source=policy.source,
        content_hash=content_hash(policy),
        created_at=stored_at,
    )
    rows = PolicyRows(policy=record)
    for position, severity in enumerate(policy.severities):
        rows.severities.append(
            SeverityRecord(
                position=position,
                key=severity.key,
                name=_text(severity.name),
                impact=_text(severity.impact),
                definition=[_text(item) for item in severity.definition],
                response_s=severity.response_s,
                resolution_s=severity.resolution_s,
                update_every_s=severity.update_every_s,
                postmortem_due_s=severity.postmortem_due_s,
                postmortem_note=_text(severity.postmortem_note),
                ack_timeout_s=severity.ack_timeout_s,
                rounds=severity.rounds,
                repeat_after_s=severity.repeat_after_s,
                targets=dict(severity.targets) or None,
                declared=severity.declared,
            )
        )
        for step_position, step in enumerate(severity.ladder):
            rows.steps.append(
                EscalationStepRecord(
                    severity_key=severity.key,
                    position=step_position,
                    after_s=step.after_s,
                    unless=list(step.unless),
                    notify=[_text(who) for who in step.notify],
                    note=_text(step.note),
                )
            )
    for position, incident_type in enumerate(policy.types):
        rows.types.append(
            IncidentTypeRecord(
                position=position,
                key=incident_type.key,
                name=_text(incident_type.name),
                description=_text(incident_type.description),
                regulatory_report_s=incident_type.regulatory_report_s,
                mitigations=[
                    [_text(m.situation), _text(m.temporary), _text(m.permanent)]
                    for m in incident_type.mitigations
                ],
            )
        )
    for position, cell in enumerate(policy.cells):
        rows.cells.append(
            MatrixCellRecord(
                position=position,
                type_key=cell.type_key,
                severity_key=cell.severity_key,
                examples=[_text(example) for example in cell.examples],
            )
        )
    return rows


def from_rows(rows: PolicyRows) -> Policy:
    ladders: dict[str, list[EscalationStep]] = {}
    for step in rows.steps:
        ladders.setdefault(step.severity_key, []).append(
            EscalationStep(
                after_s=step.after_s,
                notify=tuple(LocalText.of(who) for who in step.notify),
                unless=tuple(step.unless),
                note=_local(step.note),
            )
        )
    return Policy(
        name=rows.policy.name,
        scheme=rows.policy.scheme,
        title=LocalText.of(rows.policy.title),
        description=_local(rows.policy.description),
        roles=tuple(rows.policy.roles or ()),
        severities=tuple(
            Severity(
                key=s.key,
                name=LocalText.of(s.name),
                impact=_local(s.impact),
                definition=tuple(LocalText.of(item) for item in s.definition),
                response_s=s.response_s,
                resolution_s=s.resolution_s,
                update_every_s=s.update_every_s,
                postmortem_due_s=s.postmortem_due_s,
                postmortem_note=_local(s.postmortem_note),
                ladder=tuple(ladders.get(s.key, ())),
                ack_timeout_s=s.ack_timeout_s,
                rounds=s.rounds,
                repeat_after_s=s.repeat_after_s,
                declared=s.declared,
                targets=tuple(
                    (m, (s.targets or {})[m]) for m in TARGET_MEASURES if m in (s.targets or {})
                ),
            )
            for s in rows.severities
        ),
        types=tuple(
            IncidentType(
                key=t.key,
                name=LocalText.of(t.name),
                description=_local(t.description),
                regulatory_report_s=t.regulatory_report_s,
                mitigations=tuple(
                    Mitigation(*(LocalText.of(part) for part in m)) for m in t.mitigations
                ),
            )
            for t in rows.types
        ),
        cells=tuple(
            MatrixCell(c.type_key, c.severity_key, tuple(LocalText.of(e) for e in c.examples))
            for c in rows.cells
        ),
        source=rows.policy.source,
    )


class PolicyVersions:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        # Each policy's digest, by the policy object (kept alive with it): every declaration
        # snapshots its policy, and an intake storm declares hundreds.
        self._digests: dict[int, tuple[Policy, str]] = {}

    def snapshot(self, policy: Policy) -> StoredPolicy:
        """Store the policy unless its latest stored version has the same content."""
        known = self._digests.get(id(policy))
        if known is None or known[0] is not policy:
            if len(self._digests) >= 32:  # policies re-read from their files: the old go
                self._digests.clear()
            known = self._digests[id(policy)] = (policy, content_hash(policy))
        digest = known[1]
        for _attempt in range(3):
            with self.database.session() as session:
                latest = latest_version(session, policy.name)
                if latest is not None and latest.content_hash == digest:
                    return StoredPolicy(policy, latest.version, latest.created_at)
                version = 1 if latest is None else latest.version + 1
                try:
                    record = insert_rows(session, to_rows(policy, version, self.clock.now()))
                    session.commit()
                except IntegrityError:
                    # Another process stored this version first: read again and compare.
                    session.rollback()
                    continue
                return StoredPolicy(policy, record.version, record.created_at)
        raise RuntimeError(f"could not store policy {policy.name!r}: too many concurrent writers")

    def load(self, name: str, version: int | None = None) -> StoredPolicy | None:
        with self.database.session() as session:
            record = (
                latest_version(session, name)
                if version is None
                else find_version(session, name, version)
            )
            if record is None:
                return None
            return StoredPolicy(
                from_rows(load_rows(session, record)), record.version, record.created_at
            )

    def load_by_id(self, policy_id: int) -> StoredPolicy:
        with self.database.session() as session:
            record = session.get(PolicyRecord, policy_id)
            if record is None:
                raise KeyError(f"no stored policy with id {policy_id}")
            return StoredPolicy(
                from_rows(load_rows(session, record)), record.version, record.created_at
            )

    def record_id(self, name: str, version: int) -> int:
        with self.database.session() as session:
            record = find_version(session, name, version)
            if record is None:
                raise KeyError(f"policy {name!r} version {version} is not stored")
            return record.id

    def last_good_by_source(self) -> dict[str, StoredPolicy]:
        with self.database.session() as session:
            return {
                record.source: StoredPolicy(
                    from_rows(load_rows(session, record)), record.version, record.created_at
                )
                for record in latest_by_source(session)
            }

    def keep(self, policies) -> list[StoredPolicy]:
        """Store a version of each policy read from its file, and return the last good stored
        version of each file that failed to read (the app goes on with those)."""
        last_good = self.last_good_by_source()
        recovered = [
            stored
            for problem in policies.problems
            if (stored := last_good.get(problem.source)) is not None
            and stored.policy.name not in policies.policies
        ]
        for policy in list(policies.policies.values()):
            self.snapshot(policy)
        return recovered
