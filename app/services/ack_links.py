"""Acknowledge links: issued for the pages, looked at (GET: nothing changes), used once (POST).

A token is 256 random bits in URL-safe base64 (43 characters); the database keeps its SHA-256
only, so reading the database (or a backup) gives no working link. A page's token is derived
from the key in `ack.secret` and the page's outbox row (HMAC-SHA256), so a page tried again
carries the same link, made again by whichever process sends it; `issue` makes a random one.

Using a link marks it used with one conditional UPDATE (unused and not expired), so two clicks
at once acknowledge once; the acknowledgement itself is `IncidentService.acknowledge`, exactly
what `a` on the board does (the ladder stops, every board hears of it)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from app.domain.ack_link import (
    ACK_LINK_TTL,
    ACKNOWLEDGED,
    EXPIRED,
    RESOLVED,
    UNKNOWN,
    AckLinkRefused,
    AckLinkView,
    refusal_for,
)
from app.domain.clock import Clock
from app.domain.incident import AlreadyDone, IncidentError
from app.domain.message_templates import local_time
from app.services.ack_secret import read_secret, secret_path
from app.services.incident_service import IncidentService
from storage.ack_link_rows import find_link, keep_link, spend_link, unspend_link
from storage.database import Database
from storage.errors import StaleWrite
from storage.watch_tables import AckLinkRecord

ACK_PATH = "/ack/"
_LOG = logging.getLogger(__name__)
STALE_RETRIES = 5
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class AckLinks:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        incidents: IncidentService,
        public_url: str = "",
        secret: bytes = b"",
        ttl: timedelta = ACK_LINK_TTL,
    ) -> None:
        self.database = database
        self.clock = clock
        self.incidents = incidents
        self.public_url = public_url.rstrip("/")  # where people reach the intake
        self.secret = secret  # the key pages' tokens are derived from (ack.secret)
        self.ttl = ttl

    def issue(self, code: str, paged: str, channel: str, ttl: timedelta | None = None) -> str:
        """A new random token for incident `code`; only its hash is stored."""
        token = secrets.token_urlsafe(32)
        self._keep(token, code, paged, channel, ttl or self.ttl)
        return token

    def page_link(
        self, outbox_id: int, created_at: datetime, code: str, paged: str, channel: str
    ) -> str:
        """The link a page (outbox row `outbox_id`) carries: the same on every try of the page;
        "" when pages carry no link (no `[intake] public_url`, or no key)."""
        if not self.public_url or not self.secret:
            return ""
        message = f"storycart-ack:{outbox_id}:{code}:{created_at.isoformat()}".encode()
        digest = hmac.new(self.secret, message, hashlib.sha256).digest()
        token = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        self._keep(token, code, paged, channel, self.ttl)
        return self.link(token)

    def link(self, token: str) -> str:
        return f"{self.public_url}{ACK_PATH}{token}"

    def look(self, token: str) -> AckLinkView:
        """What the link's page shows; changes nothing (a GET: link previews fetch it)."""
        link = self._find(token)
        if link.used_at is None and self.clock.now() >= link.expires_at:
            raise AckLinkRefused(
                EXPIRED, link.channel, code=link.incident_code, at=_at(link.expires_at)
            )
        return self._view(link)

    def acknowledge(self, token: str, *, remote: str = "") -> AckLinkView:
        """Acknowledge the link's incident as the person paged, via the page's channel; the link
        is spent. Raises AckLinkRefused (changing nothing) for an unknown, expired or used link,
        and for an incident someone already acknowledged or resolved (the link is spent then).
        `remote`, the client's address, goes to the log beside the acknowledgement, never to
        the database."""
        hashed = self._hash(token)
        now = self.clock.now()
        with self.database.session() as session:
            spent = spend_link(session, hashed, now)
            session.commit()
        link = self._find(token)
        if not spent:
            if link.used_at is None:
                raise AckLinkRefused(
                    EXPIRED, link.channel, code=link.incident_code, at=_at(link.expires_at)
                )
            raise refusal_for(self._view(link)) or AckLinkRefused(UNKNOWN)
        try:
            self._acknowledge(link)
        except AlreadyDone:
            view = self._view(link)
            raise AckLinkRefused(
                ACKNOWLEDGED,
                view.channel,
                code=view.code,
                actor=view.acknowledged_by or "—",
                at=_at(view.acknowledged_at),
            ) from None
        except IncidentError:
            view = self._view(link)
            if view.resolved_at is not None:
                raise AckLinkRefused(RESOLVED, view.channel, code=view.code) from None
            self._give_back(hashed, now)
            raise
        except BaseException:
            self._give_back(hashed, now)  # the database failed, not the link: it still works
            raise
        said = "%s acknowledged with the link of its %s page (from %s)"
        _LOG.info(said, link.incident_code, link.channel, remote or "an unknown address")
        return self._view(link, here=True)

    def _acknowledge(self, link: AckLinkRecord) -> None:
        """`IncidentService.acknowledge` as the person paged; read again when another change
        (another link, `a` on a board) wrote the incident in between."""
        for attempt in range(STALE_RETRIES):
            try:
                self.incidents.acknowledge(
                    link.incident_code, link.paged or link.channel, link.channel
                )
                return
            except StaleWrite:
                if attempt == STALE_RETRIES - 1:
                    raise

    def _keep(self, token: str, code: str, paged: str, channel: str, ttl: timedelta) -> None:
        now = self.clock.now()
        record = AckLinkRecord(
            token_hash=token_hash(token),
            incident_code=code,
            paged=paged,
            channel=channel,
            created_at=now,
            expires_at=now + ttl,
        )
        with self.database.session() as session:
            keep_link(session, record)

    def _give_back(self, hashed: str, used_at: datetime) -> None:
        with self.database.session() as session:
            unspend_link(session, hashed, used_at)
            session.commit()

    def _hash(self, token: str) -> str:
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            raise AckLinkRefused(UNKNOWN)
        return token_hash(token)

    def _find(self, token: str) -> AckLinkRecord:
        hashed = self._hash(token)
        with self.database.session() as session:
            link = find_link(session, hashed)
        if link is None:
            raise AckLinkRefused(UNKNOWN)
        return link

    def _view(self, link: AckLinkRecord, here: bool = False) -> AckLinkView:
        with self.database.session() as session:
            link = find_link(session, link.token_hash) or link
        try:
            incident = self.incidents.view(link.incident_code)
        except IncidentError:
            raise AckLinkRefused(UNKNOWN) from None  # its incident is gone (a restored backup)
        record = incident.record
        acks = [entry for entry in incident.timeline if entry.kind == "acknowledged"]
        by_link = bool(
            acks
            and link.used_at is not None
            and (acks[-1].data or {}).get("via") == link.channel
            and acks[-1].actor == (link.paged or link.channel)
            and acks[-1].at >= link.used_at
        )
        return AckLinkView(
            code=record.code,
            severity=record.severity,
            title=record.title,
            status=record.status,
            paged=link.paged,
            channel=link.channel,
            expires_at=link.expires_at,
            used_at=link.used_at,
            acknowledged_at=record.acknowledged_at,
            acknowledged_by=acks[-1].actor if acks and record.acknowledged_at else "",
            resolved_at=record.resolved_at,
            acknowledged_here=(here or by_link) and record.acknowledged_at is not None,
        )


def page_links(
    database: Database,
    clock: Clock,
    incidents: IncidentService,
    public_url: str,
    config_path: Path,
) -> AckLinks | None:
    """The links pages carry when `[intake] public_url` is set (reading or making ack.secret
    now, so a key nobody may read stops the start with one sentence); None without it."""
    if not public_url:
        return None
    secret = read_secret(secret_path(config_path))
    return AckLinks(database, clock, incidents, public_url, secret)


def _at(moment: datetime | None) -> str:
    return local_time(moment) or ""
