"""An acknowledge link as its reader sees it, and the ways a link is refused.

A page carries a link to the intake (`/ack/TOKEN`): opening it shows the incident and who was
paged, with an Acknowledge button; the button acknowledges exactly as `a` on the board does. A
link is for one incident, expires, and works once. Refusals say plainly why nothing changed,
in the link's language (each has a catalog key), and which HTTP status fits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.i18n import KeyedRefusal
from app.domain.message_templates import local_time

# How long a page's link works. A day covers a whole shift and the longest ladder a policy has,
# with the page still on the phone; after that the page is history, and a leaked mail or chat
# log must not acknowledge tomorrow's incident.
ACK_LINK_TTL = timedelta(hours=24)

UNKNOWN, EXPIRED, USED, ACKNOWLEDGED, RESOLVED = (
    "unknown",
    "expired",
    "used",
    "acknowledged",
    "resolved",
)
HTTP_STATUS = {UNKNOWN: 404, EXPIRED: 410, USED: 409, ACKNOWLEDGED: 409, RESOLVED: 409}
_ENGLISH = {
    UNKNOWN: "This acknowledge link is not known: it is incomplete, changed, or was never "
    "issued. Nothing was changed.",
    EXPIRED: "This acknowledge link for {code} expired at {at}. Nothing was changed; acknowledge "
    "on the board or with `storycart incident ack {code}`.",
    USED: "This acknowledge link was already used at {at}: {code} was acknowledged by {actor}. "
    "Nothing was changed.",
    ACKNOWLEDGED: "{code} was already acknowledged by {actor} at {at}. Nothing was changed.",
    RESOLVED: "{code} is already resolved. Nothing was changed.",
}


@dataclass(frozen=True)
class AckLinkView:
    """What a link's page shows: the incident, who the page was for, and what became of it."""

    code: str
    severity: str
    title: str
    status: str
    paged: str
    channel: str
    expires_at: datetime
    used_at: datetime | None
    acknowledged_at: datetime | None  # the incident's, by this link or anyone
    acknowledged_by: str  # who acknowledged it last ("" while nobody has)
    resolved_at: datetime | None
    acknowledged_here: bool = False  # this link made the acknowledgement the incident has now

    @property
    def can_acknowledge(self) -> bool:
        return self.used_at is None and self.acknowledged_at is None and self.resolved_at is None


class AckLinkRefused(KeyedRefusal):
    """A link that cannot acknowledge: str() is one English sentence; `catalog_key` says it in
    the link's language (app.domain.i18n.said_in); `http_status` is the answer that fits."""

    def __init__(self, reason: str, channel: str = "", **values: object) -> None:
        super().__init__(_ENGLISH[reason].format(**values), f"ack_link.{reason}", **values)
        self.reason = reason
        self.http_status = HTTP_STATUS[reason]
        self.channel = channel  # the page's channel (its language is the link's); "" if unknown


def refusal_for(view: AckLinkView) -> AckLinkRefused | None:
    """Why this link cannot acknowledge now, or None when it can."""
    at = local_time(view.acknowledged_at) or ""
    actor = view.acknowledged_by or "—"
    if view.used_at is not None:
        used = local_time(view.used_at) or ""
        return AckLinkRefused(USED, view.channel, code=view.code, at=used, actor=actor)
    if view.resolved_at is not None:
        return AckLinkRefused(RESOLVED, view.channel, code=view.code)
    if view.acknowledged_at is not None:
        return AckLinkRefused(ACKNOWLEDGED, view.channel, code=view.code, actor=actor, at=at)
    return None
