"""The board's first look: its incidents read from a SQLite file with the standard library's
sqlite3, before SQLAlchemy is loaded, so that a cold start draws them in its first frame (the
ORM's import is most of a second of it). Read only, and only the rows the board's first read
takes (storage.incident_rows.board_where, firings_by_incident, postmortem_rows.review_states):
tests/storage/test_first_look.py holds the two reads to the same board. Nothing at all when
the file cannot answer quickly and exactly: no file yet, another schema, a busy writer, more
incidents than a first frame needs, or a policy version that the loaded files do not hold."""

from __future__ import annotations

import json
import sqlite3
from collections import namedtuple
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

from app.domain.incident import BoardItem, Incident, incident_facts, review_submitted_at
from app.domain.policy.model import Policy

# Past this many incidents on the board the first look would hold the first frame back longer
# than it saves (10,000 take seconds): the board's own read shows them.
MOST_INCIDENTS = 500
BUSY_TIMEOUT_S = 0.05  # a writer holding the file: no first look, the board's read waits

_INCIDENT = tuple(field.name for field in fields(Incident))
_INSTANTS = frozenset(field.name for field in fields(Incident) if "datetime" in str(field.type))
Fired = namedtuple("Fired", "step_id round due_at fired_at reason")


def first_look(path: Path, since: datetime, policies: dict[str, Policy]) -> list[BoardItem] | None:
    """The board's incidents (open, or resolved at or after `since`) as its first read gives
    them; `policies` by content hash (app.domain.policy.document.content_hash)."""
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error:
        return None
    try:
        connection.execute("PRAGMA query_only = 1")
        return _read(connection, _stored(since), policies)
    except (sqlite3.Error, ValueError, TypeError, KeyError):
        return None  # another schema, or a row this reader does not know: the board reads
    finally:
        connection.close()


def _read(connection, since: str, policies: dict[str, Policy]) -> list[BoardItem] | None:
    where = "resolved_at IS NULL OR resolved_at >= ?"
    (count,) = connection.execute(
        f"SELECT count(*) FROM incident WHERE {where}", (since,)
    ).fetchone()
    if count > MOST_INCIDENTS:
        return None
    rows = connection.execute(
        f"SELECT {', '.join(_INCIDENT)} FROM incident WHERE {where} ORDER BY declared_at",
        (since,),
    ).fetchall()
    records = [Incident(**_incident(row)) for row in rows]
    ids = [record.id for record in records]
    marks = ", ".join("?" * len(ids))
    policy_ids = sorted({record.policy_id for record in records})
    stored = dict(
        connection.execute(
            f"SELECT id, content_hash FROM policy WHERE id IN ({', '.join('?' * len(policy_ids))})",
            policy_ids,
        )
    )
    fired: dict[int, list[Fired]] = {incident_id: [] for incident_id in ids}
    for incident_id, step_id, step_round, due_at, fired_at, reason in connection.execute(
        "SELECT incident_id, step_id, round, due_at, fired_at, reason FROM escalation_event "
        f"WHERE incident_id IN ({marks}) ORDER BY fired_at, id",
        ids,
    ):
        fired[incident_id].append(
            Fired(step_id, step_round, _instant(due_at), _instant(fired_at), reason)
        )
    submitted = {
        incident_id: review_submitted_at(status, json.loads(history or "null"), _instant(at))
        for incident_id, status, history, at in connection.execute(
            "SELECT incident_id, status, history, updated_at FROM postmortem "
            f"WHERE incident_id IN ({marks})",
            ids,
        )
    }
    items = []
    for record in records:
        policy = policies.get(stored[record.policy_id])
        if policy is None:
            return None  # declared under a version the files no longer hold
        facts = incident_facts(record, fired[record.id], submitted.get(record.id))
        items.append(BoardItem(record, policy, facts))
    return items


def _incident(row: tuple) -> dict:
    return {
        name: _instant(value) if name in _INSTANTS else value
        for name, value in zip(_INCIDENT, row, strict=True)
    }


def _instant(value: str | None) -> datetime | None:
    """As storage.types.UTCDateTime reads it: SQLite keeps UTC without a zone."""
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _stored(moment: datetime) -> str:
    """As SQLAlchemy writes an instant to SQLite (fixed width, so text order is time order)."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
