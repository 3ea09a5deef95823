"""Queries for stored policy versions. Rows in, rows out: the domain mapping lives in app/."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.tables import (
    EscalationStepRecord,
    IncidentTypeRecord,
    MatrixCellRecord,
    PolicyRecord,
    SeverityRecord,
)


@dataclass
class PolicyRows:
    policy: PolicyRecord
    severities: list[SeverityRecord] = field(default_factory=list)
    types: list[IncidentTypeRecord] = field(default_factory=list)
    cells: list[MatrixCellRecord] = field(default_factory=list)
    steps: list[EscalationStepRecord] = field(default_factory=list)


def latest_version(session: Session, name: str) -> PolicyRecord | None:
    statement = (
        select(PolicyRecord)
        .where(PolicyRecord.name == name)
        .order_by(col(PolicyRecord.version).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def find_version(session: Session, name: str, version: int) -> PolicyRecord | None:
    statement = select(PolicyRecord).where(
        PolicyRecord.name == name, PolicyRecord.version == version
    )
    return session.exec(statement).first()


def latest_by_source(session: Session) -> list[PolicyRecord]:
    """For every source file, the most recently stored policy it produced."""
    newest = (
        select(PolicyRecord.source, func.max(PolicyRecord.id).label("id"))
        .group_by(PolicyRecord.source)
        .subquery()
    )
    statement = select(PolicyRecord).join(newest, PolicyRecord.id == newest.c.id)
    return list(session.exec(statement))


def insert_rows(session: Session, rows: PolicyRows) -> PolicyRecord:
    """Insert a new version with its children; the caller commits (or rolls back on a race)."""
    session.add(rows.policy)
    session.flush()
    for child in (*rows.severities, *rows.types, *rows.cells, *rows.steps):
        child.policy_id = rows.policy.id
        session.add(child)
    session.flush()
    return rows.policy


def load_rows(session: Session, record: PolicyRecord) -> PolicyRows:
    def children(model, *order):
        statement = select(model).where(model.policy_id == record.id).order_by(*order)
        return list(session.exec(statement))

    return PolicyRows(
        policy=record,
        severities=children(SeverityRecord, SeverityRecord.position),
        types=children(IncidentTypeRecord, IncidentTypeRecord.position),
        cells=children(MatrixCellRecord, MatrixCellRecord.position),
        steps=children(
            EscalationStepRecord, EscalationStepRecord.severity_key, EscalationStepRecord.position
        ),
    )
