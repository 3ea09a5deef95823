"""The board's first look for the app's database (storage.first_look): its incidents for the
first frame of a start, read before SQLAlchemy loads; None when the board's own read must show
them (another database than a SQLite file, or anything the first look cannot answer exactly).
Imports neither SQLAlchemy nor anything that does."""

from __future__ import annotations

from app.domain.clock import Clock
from app.domain.incident import RESOLVED_ON_BOARD, BoardItem
from app.domain.policy.document import content_hash
from app.services.policy_set import PolicySet
from storage.errors import DatabaseUnavailable
from storage.first_look import first_look
from storage.urls import sqlite_path


def board_first_look(db_url: str, clock: Clock, policies: PolicySet) -> list[BoardItem] | None:
    try:
        path = sqlite_path(db_url)
    except DatabaseUnavailable:  # not a URL: the services say so in a sentence
        return None
    if path is None:
        return None
    by_hash = {content_hash(policy): policy for policy in policies.policies.values()}
    return first_look(path, clock.now() - RESOLVED_ON_BOARD, by_hash)
