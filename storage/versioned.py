"""Optimistic concurrency: a row carries a version; a write names the version it read and
succeeds only if nobody wrote in between."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session

from storage.errors import StaleWrite


def versioned_update(
    session: Session, model, row_id: int, expected_version: int, stale: StaleWrite, **changes
) -> int:
    """Write `changes` to row `row_id` of `model` if its version is still `expected_version`
    and return the new version; otherwise raise `stale` and write nothing."""
    statement = (
        update(model)
        .where(model.id == row_id, model.version == expected_version)
        .values(**changes, version=expected_version + 1)
    )
    if session.execute(statement).rowcount != 1:
        raise stale
    return expected_version + 1
