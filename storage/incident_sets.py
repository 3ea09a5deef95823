"""Reads of many incidents at once: one query per kind of row, grouped by incident id."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from storage.tables import ChecklistTickRecord, RoleAssignmentRecord, TimelineEntryRecord


def _grouped(session: Session, table, incident_ids: Sequence[int], *order) -> dict[int, list]:
    grouped: dict[int, list] = {incident_id: [] for incident_id in incident_ids}
    if not incident_ids:
        return grouped
    statement = select(table).where(col(table.incident_id).in_(list(incident_ids)))
    for row in session.exec(statement.order_by(*order) if order else statement):
        grouped[row.incident_id].append(row)
    return grouped


def timelines_by_incident(
    session: Session, incident_ids: Sequence[int]
) -> dict[int, list[TimelineEntryRecord]]:
    """Each incident's timeline, oldest line first."""
    return _grouped(
        session, TimelineEntryRecord, incident_ids, TimelineEntryRecord.at, TimelineEntryRecord.id
    )


def roles_by_incident(
    session: Session, incident_ids: Sequence[int]
) -> dict[int, list[RoleAssignmentRecord]]:
    return _grouped(session, RoleAssignmentRecord, incident_ids)


def ticks_by_incident(
    session: Session, incident_ids: Sequence[int]
) -> dict[int, list[ChecklistTickRecord]]:
    return _grouped(session, ChecklistTickRecord, incident_ids)
