"""Reading incidents: the policy each one was declared under, its plan, and the log line every
change writes."""

from __future__ import annotations

from datetime import datetime

from app.domain.clock import Clock
from app.domain.escalation import (
    Plan,
    plan,
)
from app.domain.incident import (
    ALERT_CHANNELS,
    RESOLVED_ON_BOARD,
    Incident,
    IncidentError,
    incident_facts,
    review_submitted_at,
)
from app.domain.paging import BROADCAST_TEMPLATES, PagingChannel, broadcast_payload
from app.domain.policy.model import Policy
from app.domain.roster import Roster
from app.services.frozen import frozen_copy
from app.services.policy_versions import PolicyStore
from storage.database import Database
from storage.incident_rows import (
    board_signature,
    by_code,
    by_codes,
    enqueue_broadcast,
    events_by_incident,
    events_for,
    open_incidents,
    open_plan_keys,
    open_signature,
)
from storage.postmortem_rows import review_states
from storage.tables import (
    IncidentRecord,
    TimelineEntryRecord,
)


class IncidentStore:
    """What the incident services share: the database, the clock, the stored policies, and
    reading incidents with their plans."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        policies: PolicyStore,
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
        # Incidents whose clocks could not be computed, and why (for the caller to say).
        self.unplannable: dict[str, str] = {}
        self._policy_cache: dict[int, tuple[Policy, int]] = {}

    def policy_version(self, policy_id: int) -> tuple[Policy, int]:
        """The stored policy version `policy_id` (read once, then kept)."""
        return self._policy(policy_id)

    def _policy(self, policy_id: int) -> tuple[Policy, int]:
        if policy_id not in self._policy_cache:
            stored = self.policies.load_by_id(policy_id)
            self._policy_cache[policy_id] = (stored.policy, stored.version)
        return self._policy_cache[policy_id]

    facts = staticmethod(incident_facts)

    @staticmethod
    def _submitted(session, incident_ids: list[int]) -> dict[int, datetime | None]:
        return {
            incident_id: review_submitted_at(*state)
            for incident_id, state in review_states(session, incident_ids).items()
        }

    def open_plans(self, codes: list[str] | None = None) -> list[tuple[Incident, Plan]]:
        """Open incidents (all, or those named) with their plans, from two queries."""
        now = self.clock.now()
        with self.database.session() as session:
            records = open_incidents(session) if codes is None else by_codes(session, codes)
            records = [record for record in records if record.resolved_at is None]
            events = events_by_incident(session, [record.id for record in records])
        plans = []
        for record in records:
            policy, _version = self._policy(record.policy_id)
            try:
                current = plan(self.facts(record, events[record.id]), policy, now)
                plans.append((frozen_copy(Incident, record), current))
            except (OverflowError, ValueError) as error:
                # A deadline past the year 9999 (a policy stored before durations were bounded):
                # that incident cannot be planned; every other one still escalates on time.
                self.unplannable[record.code] = f"{type(error).__name__}: {error}"
        return plans

    def board_signature(self) -> tuple:
        with self.database.session() as session:
            return board_signature(session, self.clock.now() - RESOLVED_ON_BOARD)

    def open_signature(self) -> tuple[int, int, int]:
        with self.database.session() as session:
            return open_signature(session)

    def open_plan_keys(self) -> dict[str, tuple]:
        """Each open incident → what its plan is made from (a note changes none of it)."""
        with self.database.session() as session:
            return open_plan_keys(session)

    def _declared(self, record: IncidentRecord) -> bool:
        """Whether the incident's level is a declared incident (the others are standard work
        and are not posted to the incident channel)."""
        policy, _version = self._policy(record.policy_id)
        try:
            return policy.severity(record.severity).declared
        except KeyError:
            return True

    @staticmethod
    def _get(session, code: str) -> IncidentRecord:
        record = by_code(session, code)
        if record is None:
            raise IncidentError("refusal.no_incident", code=code)
        return record

    def is_open(self, code: str) -> bool:
        """Whether incident `code` exists and is not resolved (one row read)."""
        with self.database.session() as session:
            record = by_code(session, code)
            return record is not None and record.resolved_at is None

    def record_entry(self, code: str, actor: str, kind: str, text: str, data: dict) -> None:
        """A timeline line with data of its own (an intake's reasons), on any incident, resolved
        or not; `text` is its English sentence, `data` what app.domain.incident_text reads."""
        now = self.clock.now()
        with self.database.session() as session:
            record = self._get(session, code)
            self._log(session, record, now, kind, actor, text, "fact", data)
            session.commit()

    @staticmethod
    def _next_round(session, record: IncidentRecord) -> int:
        used = [event.round for event in events_for(session, record.id)]
        return max([record.first_round, *(r + 1 for r in used)])

    def _log(self, session, record, at, kind, actor, text, certainty="fact", data=None) -> None:
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
        if template is not None and self._declared(record):
            payload = broadcast_payload(template, record.code, record.severity, at)
            enqueue_broadcast(session, record.id, self.broadcast, payload, at)
