"""A storm's escalation claims written a batch at a time: the unique events inserted in one
statement that skips the steps another process claimed first, and the rows that go with them."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.tables import EscalationEventRecord
from storage.watch_tables import IntakeKeyRecord


def insert_claims(session: Session, events: list[dict]) -> dict[tuple[int, str, int], int]:
    """Insert these escalation events, except any another process inserted first (the unique
    (incident, step, round) key); (incident id, step id, round) → event id of those inserted
    here, the steps this transaction claimed. One statement compiled once (cached) for a whole
    storm, its rows sent in as few multi-row INSERTs as the driver allows (SQLAlchemy's
    "insertmanyvalues"), on the table itself: the ORM's bulk path compiled a 100-row INSERT
    anew for every batch and coerced each value (half of a storm's firing time)."""
    if not events:
        return {}
    table = EscalationEventRecord.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .on_conflict_do_nothing(index_elements=["incident_id", "step_id", "round"])
        .returning(table.c.id, table.c.incident_id, table.c.step_id, table.c.round)
    )
    return {
        (incident_id, step_id, round_): event_id
        for event_id, incident_id, step_id, round_ in session.execute(statement, events)
    }


def insert_rows(session: Session, table, rows: list[dict]) -> None:
    """Rows of one table in one executemany, inside the caller's transaction (on the table,
    not through the ORM's bulk path)."""
    if rows:
        session.execute(insert(table.__table__), rows)


def latest_alert_contexts(session: Session, codes: list[str]) -> dict[str, list[dict]]:
    """Incident code → the contexts of the alert keys that opened or fed it, latest first."""
    if not codes:
        return {}
    statement = (
        select(IntakeKeyRecord.incident_code, IntakeKeyRecord.context)
        .where(col(IntakeKeyRecord.incident_code).in_(codes))
        .order_by(col(IntakeKeyRecord.last_at).desc())
    )
    found: dict[str, list[dict]] = {}
    for code, context in session.exec(statement):
        found.setdefault(code, []).append(context or {})
    return found
