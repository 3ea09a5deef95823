"""What the incident queries, commands and firing share: the database, the clock, the stored
policies, the channels, and the timeline line every change writes."""

from __future__ import annotations

from app.domain.backfill import ENTERED_LATE, late_data, late_text
from app.domain.clock import Clock
from app.domain.incident import ALERT_CHANNELS, IncidentError
from app.domain.paging import BROADCAST_TEMPLATES, PagingChannel, broadcast_payload
from app.domain.policy.model import Policy
from app.domain.roster import Roster
from app.services.policy_versions import PolicyVersions
from storage.database import Database
from storage.incident_rows import by_code, events_for
from storage.outbox_rows import enqueue_broadcast
from storage.tables import IncidentRecord, TimelineEntryRecord


class IncidentContext:
    """The repository the incident services are composed over: one database, one clock, the
    stored policies (each version read once, then kept) and where alerts go."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        policies: PolicyVersions,
        alert_channels: tuple[str, ...] = ALERT_CHANNELS,
        paging: tuple[PagingChannel, ...] = (),
        roster: Roster | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.policies = policies
        self.alert_channels = alert_channels
        # Paging channels from the settings: a firing writes an outbox row for each that takes
        # the step's targets.
        self.paging = tuple(channel for channel in paging if not channel.broadcast)
        # Incident channels: declare, severity changes, updates and resolve are posted there.
        self.broadcast = tuple(channel for channel in paging if channel.broadcast)
        # Who holds each ladder level: pages name them and use their own channels.
        self.roster = roster or Roster()
        self._policy_cache: dict[int, tuple[Policy, int]] = {}

    def policy(self, policy_id: int) -> tuple[Policy, int]:
        """The stored policy version `policy_id` and its number (read once, then kept)."""
        if policy_id not in self._policy_cache:
            stored = self.policies.load_by_id(policy_id)
            self._policy_cache[policy_id] = (stored.policy, stored.version)
        return self._policy_cache[policy_id]

    @staticmethod
    def get(session, code: str) -> IncidentRecord:
        """Incident `code`'s row, or the refusal a user reads when there is none."""
        record = by_code(session, code)
        if record is None:
            raise IncidentError("refusal.no_incident", code=code)
        return record

    @staticmethod
    def next_round(session, record: IncidentRecord) -> int:
        """The round a restarted ladder counts from: after every round that fired."""
        used = [event.round for event in events_for(session, record.id)]
        return max([record.first_round, *(r + 1 for r in used)])

    def log_late(self, session, record, when, now, kind, actor, text, data=None) -> None:
        """Beside an event entered after the fact (at `when`), the line saying who entered it
        and when (`now`)."""
        line = late_text(kind, text, when, now, actor)
        self.log(
            session,
            record,
            now,
            ENTERED_LATE,
            actor,
            line,
            "fact",
            late_data(kind, text, data, when, now),
        )

    def declared(self, record: IncidentRecord) -> bool:
        """Whether the incident's level is a declared incident (the others are standard work
        and are not posted to the incident channel)."""
        policy, _version = self.policy(record.policy_id)
        try:
            return policy.severity(record.severity).declared
        except KeyError:
            return True

    def log(self, session, record, at, kind, actor, text, certainty="fact", data=None) -> None:
        """A timeline line; what the incident channel hears of is posted there in the same
        transaction."""
        session.add(
            TimelineEntryRecord(
                incident_id=record.id,
                at=at,
                kind=kind,
                actor=actor,
                text=text,
                certainty=certainty,
                data=data,
            )
        )
        template = BROADCAST_TEMPLATES.get(kind)
        if template is not None and self.declared(record):
            payload = broadcast_payload(template, record.code, record.severity, at)
            enqueue_broadcast(session, record.id, self.broadcast, payload, at)
