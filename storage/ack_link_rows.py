"""Acknowledge links in the database: only each token's SHA-256 is kept (the token is in the page
alone), with the incident, who was paged, the channel, when it expires and when it was used.
Using a link is one conditional UPDATE, so two clicks at the same moment use it once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.watch_tables import AckLinkRecord


def find_link(session: Session, token_hash: str) -> AckLinkRecord | None:
    return session.exec(select(AckLinkRecord).where(AckLinkRecord.token_hash == token_hash)).first()


def keep_link(session: Session, link: AckLinkRecord) -> AckLinkRecord:
    """Store a link, or find the one stored under the same hash (a page tried again issues the
    same token); committed either way."""
    try:
        with session.begin_nested():
            session.add(link)
        session.commit()
        return link
    except IntegrityError:
        session.rollback()
    stored = find_link(session, link.token_hash)
    if stored is None:  # pragma: no cover - the conflicting row cannot disappear meanwhile
        raise LookupError("an acknowledge link vanished while it was being stored")
    return stored


def spend_link(session: Session, token_hash: str, now: datetime) -> bool:
    """Mark the link used if it is unused and has not expired; whether this call did."""
    statement = (
        update(AckLinkRecord)
        .where(
            col(AckLinkRecord.token_hash) == token_hash,
            col(AckLinkRecord.used_at).is_(None),
            col(AckLinkRecord.expires_at) > now,
        )
        .values(used_at=now)
    )
    return session.execute(statement).rowcount == 1


def unspend_link(session: Session, token_hash: str, used_at: datetime) -> None:
    """Give a link back when the acknowledgement it was spent on failed for another reason
    (the database, not the incident): the link still works."""
    session.execute(
        update(AckLinkRecord)
        .where(col(AckLinkRecord.token_hash) == token_hash, col(AckLinkRecord.used_at) == used_at)
        .values(used_at=None)
    )
