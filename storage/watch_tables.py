"""Tables for who is watching and what comes in from outside: the apps that are open (presence),
the processes that fire escalations (watchers), alerts taken from monitors (intake keys, with the
alerts' context), heartbeats, maintenance windows and the acknowledge links carried by pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class PresenceRecord(SQLModel, table=True):
    """Where one running app (a client) is: an incident or a postmortem section, and whether
    its user is typing there; refreshed every few seconds, stale after a short while."""

    __tablename__ = "presence"

    client: str = Field(primary_key=True)
    person: str
    place: str = Field(index=True)
    section: str = ""
    editing: bool = False
    seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class IntakeKeyRecord(SQLModel, table=True):
    """A monitor's alert (its dedup key) and the incident it opened: the same key again adds to
    that incident instead of opening a second one."""

    __tablename__ = "intake_key"

    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(sa_column=Column(String, nullable=False, unique=True))
    source: str
    incident_code: str
    count: int = 1
    first_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_status: str = "firing"
    # The policy level the group's most severe firing alert asks for ("" before it is known).
    severity: str = ""
    # The alerts' context as the sender gave it: source, labels, annotations, links, and each
    # alert of the group with its own status (JSON; shown on the incident and in pages).
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class HeartbeatRecord(SQLModel, table=True):
    """The last ping of a heartbeat, and the incident its silence opened (while open)."""

    __tablename__ = "heartbeat"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String, nullable=False, unique=True))
    last_ping_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    missed_code: str | None = None
    # The incident the latest silence opened, kept after a recovering ping: while it is still
    # open, the next lapse adds to it instead of opening a second incident.
    incident_code: str | None = None


class MaintenanceRecord(SQLModel, table=True):
    """A maintenance window: intake alerts that match are recorded but page nobody."""

    __tablename__ = "maintenance_window"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    match: str = ""  # a piece of the dedup key or title; empty: every alert
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: str


class WatcherRecord(SQLModel, table=True):
    """A running process that fires escalations and delivers pages (board, daemon, intake,
    kiosk): where it runs and when it last made a pass. A row whose last pass is older than a
    few intervals is a watcher that died; a clean exit sets stopped_at."""

    __tablename__ = "watcher"

    id: int | None = Field(default=None, primary_key=True)
    instance: str = Field(sa_column=Column(String, nullable=False, unique=True))
    kind: str  # board, daemon, intake, kiosk
    host: str
    pid: int
    user: str
    version: str
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_pass_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    stopped_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class AckLinkRecord(SQLModel, table=True):
    """An acknowledge link a page carried: only the token's SHA-256 is stored (the token is in
    the page alone), for one incident, until it expires or is used once."""

    __tablename__ = "ack_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(String, nullable=False, unique=True))
    incident_code: str = Field(index=True)
    paged: str  # who the page was for, as a reader names them ("L1 on-call engineer (alice)")
    channel: str  # the channel that carried it (ntfy, mail, …)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
