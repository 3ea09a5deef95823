"""The board's first look for the app's database (storage.first_look): its incidents read
before SQLAlchemy loads — from a SQLite file before the first frame (`looks_at_once`), from the
team's PostgreSQL server in a thread just after it; None when the board's own read must show
them (anything the first look cannot answer exactly). Imports neither SQLAlchemy nor anything
that does."""

from __future__ import annotations

from app.domain.clock import Clock
from app.domain.incident import RESOLVED_ON_BOARD, BoardItem
from app.domain.policy.document import content_hash
from app.services.policy_set import PolicySet
from storage.errors import DatabaseUnavailable
from storage.first_look import first_look, first_look_on_server
from storage.urls import backend_name, libpq_conninfo, sqlite_path


def looks_at_once(db_url: str) -> bool:
    """Whether the look is quick enough to hold the first frame for: a local file, not a
    server that may be far away or down."""
    try:
        return sqlite_path(db_url) is not None
    except DatabaseUnavailable:
        return False


def board_first_look(db_url: str, clock: Clock, policies: PolicySet) -> list[BoardItem] | None:
    try:
        backend = backend_name(db_url)
        path = sqlite_path(db_url)
    except DatabaseUnavailable:  # not a URL: the services say so in a sentence
        return None
    by_hash = {content_hash(policy): policy for policy in policies.policies.values()}
    since = clock.now() - RESOLVED_ON_BOARD
    if path is not None:
        return first_look(path, since, by_hash)
    if backend == "postgresql":
        return first_look_on_server(libpq_conninfo(db_url), since, by_hash)
    return None
