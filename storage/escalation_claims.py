"""A storm's escalation claims written a batch at a time: the unique events inserted in one
statement that skips the steps another process claimed first, and the rows that go with them."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.tables import EscalationEventRecord
from storage.watch_tables import IntakeKeyRecord

CLAIM_ROWS = 100  # events in one INSERT: 700 parameters, under SQLite's oldest limit of 999


def insert_claims(session: Session, events: list[dict]) -> dict[tuple[int, str, int], int]:
    """Insert these escalation events, except any another process inserted first (the unique
    (incident, step, round) key); (incident id, step id, round) → event id of those inserted
    here, the steps this transaction claimed."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    won: dict[tuple[int, str, int], int] = {}
    for start in range(0, len(events), CLAIM_ROWS):
        statement = (
            dialect.insert(EscalationEventRecord)
            .values(events[start : start + CLAIM_ROWS])
            .on_conflict_do_nothing(index_elements=["incident_id", "step_id", "round"])
            .returning(
                EscalationEventRecord.id,
                EscalationEventRecord.incident_id,
                EscalationEventRecord.step_id,
                EscalationEventRecord.round,
            )
        )
        for event_id, incident_id, step_id, round_ in session.execute(statement):
            won[(incident_id, step_id, round_)] = event_id
    return won


def insert_rows(session: Session, table, rows: list[dict]) -> None:
    """Rows of one table in one executemany, inside the caller's transaction."""
    if rows:
        session.execute(insert(table), rows)


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
