"""The board's first look: its incidents read before SQLAlchemy is loaded, so that a cold start
draws them at once (the ORM's import is most of a second of it) — from a SQLite file with the
standard library's sqlite3, before the first frame; from the team's PostgreSQL server with
psycopg alone, in a thread just after it. Read only, and only the rows the board's first read
takes (storage.incident_rows.board_where, firings_by_incident, postmortem_rows.review_states):
tests/storage/test_first_look.py holds the two reads to the same board. Nothing at all when
the database cannot answer quickly and exactly: no file yet, another schema, a busy writer, a
server that does not answer at once, more incidents than a first frame needs, or a policy
version that the loaded files do not hold."""

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
# The team's server: a connection within this (libpq's least: it takes 1 as 2) and each
# statement within STATEMENT_LIMIT_MS, or the board's own read shows the incidents.
CONNECT_LIMIT_S = 2
STATEMENT_LIMIT_MS = 1000

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
        return _read(connection.execute, "?", _stored(since), policies)
    except (sqlite3.Error, ValueError, TypeError, KeyError):
        return None  # another schema, or a row this reader does not know: the board reads
    finally:
        connection.close()


def first_look_on_server(
    conninfo: str, since: datetime, policies: dict[str, Policy]
) -> list[BoardItem] | None:
    """`first_look` on PostgreSQL (`conninfo`: a libpq URL), in a read-only transaction."""
    import psycopg  # here, not above: a SQLite board never pays for it

    limit = f"-c statement_timeout={STATEMENT_LIMIT_MS} -c default_transaction_read_only=on"
    try:
        with psycopg.connect(conninfo, connect_timeout=CONNECT_LIMIT_S, options=limit) as server:
            return _read(server.execute, "%s", since, policies)
    except (psycopg.Error, ValueError, TypeError, KeyError):
        return None  # away, slow, another schema: the board's own read shows the incidents


def _read(execute, mark: str, since, policies: dict[str, Policy]) -> list[BoardItem] | None:
    """`execute(sql, params)` a DB-API cursor's; `mark` its parameter placeholder."""
    where = f"resolved_at IS NULL OR resolved_at >= {mark}"
    (count,) = execute(f"SELECT count(*) FROM incident WHERE {where}", (since,)).fetchone()
    if count > MOST_INCIDENTS:
        return None
    rows = execute(
        f"SELECT {', '.join(_INCIDENT)} FROM incident WHERE {where} ORDER BY declared_at",
        (since,),
    ).fetchall()
    records = [Incident(**_incident(row)) for row in rows]
    if not records:
        return []
    ids = [record.id for record in records]
    marks = ", ".join([mark] * len(ids))
    policy_ids = sorted({record.policy_id for record in records})
    policy_marks = ", ".join([mark] * len(policy_ids))
    stored = dict(
        execute(
            f"SELECT id, content_hash FROM policy WHERE id IN ({policy_marks})", policy_ids
        ).fetchall()
    )
    fired: dict[int, list[Fired]] = {incident_id: [] for incident_id in ids}
    for incident_id, step_id, step_round, due_at, fired_at, reason in execute(
        "SELECT incident_id, step_id, round, due_at, fired_at, reason FROM escalation_event "
        f"WHERE incident_id IN ({marks}) ORDER BY fired_at, id",
        ids,
    ).fetchall():
        fired[incident_id].append(
            Fired(step_id, step_round, _instant(due_at), _instant(fired_at), reason)
        )
    submitted = {
        incident_id: review_submitted_at(status, _document(history), _instant(at))
        for incident_id, status, history, at in execute(
            "SELECT incident_id, status, history, updated_at FROM postmortem "
            f"WHERE incident_id IN ({marks})",
            ids,
        ).fetchall()
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


def _instant(value: str | datetime | None) -> datetime | None:
    """As storage.types.UTCDateTime reads it: SQLite keeps UTC as text without a zone,
    PostgreSQL gives an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _document(value):
    """A JSON column: text from SQLite, already read from PostgreSQL."""
    return json.loads(value or "null") if isinstance(value, str) else value


def _stored(moment: datetime) -> str:
    """As SQLAlchemy writes an instant to SQLite (fixed width, so text order is time order)."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
