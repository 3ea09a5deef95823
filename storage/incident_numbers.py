"""Incident codes: the next number of a year's sequence, from one query."""

from __future__ import annotations

from sqlalchemy import Integer, cast, func, text
from sqlmodel import Session, col, select

from storage.tables import IncidentRecord


def next_code_number(session: Session, prefix: str) -> int:
    """One more than the highest number after `prefix` ("INC-2026-"), compared as numbers so
    that 10000 follows 9999; 1 for the year's first. On PostgreSQL the caller's transaction
    first takes a lock of the year's sequence, held until it commits, so declarations made at
    once read one after another. On SQLite a write that changes nothing takes the database's
    write lock first (waiting its turn like any write): without it four laptops declaring at
    once read the same number, race on the code's unique index and retry until one gives up."""
    if session.get_bind().dialect.name == "postgresql":
        lock = text("SELECT pg_advisory_xact_lock(hashtext(:sequence))")
        session.execute(lock, {"sequence": f"storycart incident code {prefix}"})
    else:
        session.execute(text("UPDATE incident SET code = code WHERE 0"))
    number = cast(func.substr(IncidentRecord.code, len(prefix) + 1), Integer)
    statement = select(func.max(number)).where(col(IncidentRecord.code).startswith(prefix))
    return (session.exec(statement).one() or 0) + 1
