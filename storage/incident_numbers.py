"""Incident codes: the next number of a year's sequence, from one query."""

from __future__ import annotations

from sqlalchemy import Integer, cast, func
from sqlmodel import Session, col, select

from storage.tables import IncidentRecord


def next_code_number(session: Session, prefix: str) -> int:
    """One more than the highest number after `prefix` ("INC-2026-"), compared as numbers so
    that 10000 follows 9999; 1 for the year's first. Two declarations reading the same number
    race on the code's unique index, and the loser asks again."""
    number = cast(func.substr(IncidentRecord.code, len(prefix) + 1), Integer)
    statement = select(func.max(number)).where(col(IncidentRecord.code).startswith(prefix))
    return (session.exec(statement).one() or 0) + 1
