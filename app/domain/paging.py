"""Paging channels as data: where a page goes (an Apprise URL, read at delivery time from the
settings, an environment variable or a 0600 file — never stored), which ladder targets it pages,
in which language, with which priority per severity; and the page itself: what a person woken
at night must read to act, and the key that makes a repeated delivery recognisably the same."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import SecretStr

from app.domain.i18n import Catalog
from app.domain.page_context import alert_lines, one_line

if TYPE_CHECKING:  # read by the settings at start-up: keep this module light
    from app.domain.incident import IncidentView

CHANNEL_PREFIX = "page:"
# A page sent this long after its step fired says it was held up.
HELD_UP_AFTER = timedelta(seconds=60)


@dataclass(frozen=True)
class PagingChannel:
    name: str
    # Exactly one of these says where the Apprise URL is.
    url: SecretStr | str = ""  # may hold a token: kept as a SecretStr, never in repr or str
    url_env: str = ""
    url_file: str = ""
    lang: str = ""  # the language of its pages; empty: the app's
    pages: tuple[str, ...] = ()  # ladder targets it pages (any language); empty: every step
    priority: dict[str, str] = field(default_factory=dict)  # severity key -> service priority
    broadcast: bool = False  # the incident channel: declare, updates, resolve (not pages)

    def __post_init__(self) -> None:
        if not isinstance(self.url, SecretStr):
            object.__setattr__(self, "url", SecretStr(self.url))

    @property
    def outbox_channel(self) -> str:
        return outbox_channel(self.name)

    def takes(self, notify: list[dict[str, str]]) -> bool:
        """Whether a step that notifies these targets (each {lang: name}) pages this channel."""
        if self.broadcast:
            return False
        if not self.pages:
            return True
        wanted = {name.casefold() for name in self.pages}
        return any(
            name.casefold() in wanted for target in notify for name in target.values() if name
        )


def outbox_channel(name: str) -> str:
    return f"{CHANNEL_PREFIX}{name}"


def channel_name(outbox: str) -> str | None:
    """The paging channel an outbox row is for, or None for the app's own channels."""
    return outbox.removeprefix(CHANNEL_PREFIX) if outbox.startswith(CHANNEL_PREFIX) else None


# Timeline kinds the incident channel hears of, and the message template each is posted with
# (the messages the incident screen offers to copy).
BROADCAST_TEMPLATES = {
    "declared": "declaration",
    "severity_changed": "status_update",
    "status_update": "status_update",
    "resolved": "resolution",
}
POSTMORTEM_PUBLISHED = "postmortem_published"


def broadcast_payload(template: str, code: str, severity: str, at: datetime) -> dict:
    return {"broadcast": template, "incident": code, "severity": severity, "at": at.isoformat()}


def idempotency_key(payload: dict, channel: str) -> str:
    """The same for every delivery of one message: the incident and the step and round it
    pages (or the broadcast and its moment), and the channel."""
    if "broadcast" in payload:
        what = f"{payload['broadcast']}:{payload['at']}"
    else:
        what = f"{payload['step']}:{payload['round']}"
    return f"storycart:{payload['incident']}:{what}:{channel}"


def page_text(
    payload: dict,
    channel: str,
    catalog: Catalog,
    now: datetime | None = None,
    ack_url: str = "",
) -> tuple[str, str]:
    """(title, body) of a page in the catalog's language: incident, severity, title, step and
    round, how long the incident has been open when the page is sent (`now`; a page held up by
    an outage says so), the target that was missed, what the monitor saw, who is on call, how
    to acknowledge (the link, when the page carries one, and the command), and the page's key.
    One line per thing: mail keeps them as lines, and nothing from outside spans two."""
    t, lang = catalog.t, catalog.lang
    notify = payload.get("notify_by_language", {}).get(lang) or payload["notify"]
    declared = datetime.fromisoformat(payload["declared_at"])
    sent = now if now is not None else datetime.fromisoformat(payload["fired_at"])
    missed = (payload.get("note_by_language") or {}).get(lang) or ""
    title = t(
        "page.title",
        code=payload["incident"],
        severity=payload["severity"],
        title=one_line(payload["title"]),
    )
    lines = [
        t(
            "page.step",
            step=int(payload.get("position", 0)) + 1,
            round=int(payload["round"]) + 1,
            notify=catalog.joined(one_line(name) for name in notify),
        ),
        t("page.open_for", duration=open_for(sent - declared, catalog)),
    ]
    from app.domain.escalation import MANUAL  # here: the settings load this module at start

    if payload.get("reason") == MANUAL:
        lines.append(t("page.by_hand", actor=one_line(str(payload.get("actor") or "—"))))
    elif missed:
        lines.append(t("page.missed", target=one_line(missed)))
    lines += held_up(payload, sent, catalog)
    lines += alert_lines(payload, catalog)
    people = [
        one_line(f"{held['name']} ({held['contact']})" if held.get("contact") else held["name"])
        for held in payload.get("people", ())
    ]
    if people:
        lines.append(t("page.on_call", people=catalog.joined(people)))
    command = f"storycart incident ack {payload['incident']}"
    if ack_url:
        lines += [t("page.ack_link", url=ack_url), t("page.ack_or", command=command)]
    else:
        lines.append(t("page.ack", command=command))
    lines.append(t("page.key", page_key=idempotency_key(payload, channel)))
    return title, "\n".join(lines)


def held_up(payload: dict, sent: datetime, catalog: Catalog) -> list[str]:
    """A line when the page goes out well after its step fired (the channel was failing, or
    the process that fired it died before sending): the reader knows the clock has run."""
    from app.domain.message_templates import local_time

    fired = datetime.fromisoformat(payload["fired_at"])
    delay = sent - fired
    if delay < HELD_UP_AFTER:
        return []
    said = catalog.t("page.delayed", at=local_time(fired), delay=open_for(delay, catalog))
    return [said]


def open_for(elapsed: timedelta, catalog: Catalog) -> str:
    """How long an incident has been open, in the catalog's words ("0 s" rather than
    "immediate" for a page sent the moment it was declared)."""
    seconds = max(0, int(elapsed.total_seconds()))
    return catalog.duration(seconds) if seconds else catalog.t("duration.s", n=0)


def trial_page_text(channel: str, catalog: Catalog, now: datetime) -> tuple[str, str]:
    """A page that says plainly it is a test, so nobody gets up for it."""
    t = catalog.t
    return t("page.test_title"), t("page.test_body", channel=channel, at=now.isoformat())


def broadcast_text(payload: dict, view: IncidentView | None, catalog: Catalog) -> tuple[str, str]:
    """(title, body) of an incident-channel message: the message template the incident screen
    offers for it, filled from the incident as it is now (`view`)."""
    from app.domain.message_templates import fill

    code, kind = payload["incident"], payload["broadcast"]
    at = datetime.fromisoformat(payload["at"])
    name = view.record.title if view is not None else ""
    title = catalog.t("page.title", code=code, severity=payload["severity"], title=name)
    if kind == POSTMORTEM_PUBLISHED:
        return title, catalog.t("broadcast.postmortem_published", code=code, title=name)
    if view is None:
        return title, catalog.t("broadcast.plain", code=code, what=catalog.t(f"template.{kind}"))
    return title, fill(kind, view, catalog, at)
