"""Reading incidents: the detail view, the board, lists, and the open incidents' plans. Nothing
here writes; each request reads in one session."""

from __future__ import annotations

from datetime import datetime

from app.domain.escalation import Plan, plan
from app.domain.incident import (
    RESOLVED_ON_BOARD,
    BoardItem,
    FiredEvent,
    Incident,
    IncidentView,
    TimelineEntry,
    incident_facts,
    review_submitted_at,
)
from app.domain.policy.model import Policy
from app.services.frozen import frozen_copy
from app.services.incident_context import IncidentContext
from storage.incident_rows import (
    all_incidents,
    board_heads,
    board_incidents,
    board_signature,
    board_where,
    codes_where,
    events_by_incident,
    firings_by_incident,
    first_declared_code,
    incident_rows,
    is_open,
    open_codes,
    open_incidents,
    open_where,
    recently_resolved,
)
from storage.incident_sets import roles_by_incident, ticks_by_incident, timelines_by_incident
from storage.postmortem_rows import review_states

# Incidents whose rows are read by one query each (bound parameters stay far under SQLite's limit).
VIEW_CHUNK = 500


class IncidentQueries:
    """What the board, the detail screen, the CLI and the scheduler read."""

    def __init__(self, context: IncidentContext) -> None:
        self.context = context
        # Incidents whose clocks could not be computed, and why (for the caller to say).
        self.unplannable: dict[str, str] = {}

    def view(self, code: str) -> IncidentView:
        """One incident with its policy, plan, timeline, fired steps, roles and ticks."""
        with self.context.database.session() as session:
            record = self.context.get(session, code)
            return self._views(session, [record])[0]

    def list(self, include_resolved: bool = False) -> list[IncidentView]:
        """Every open incident's view (and the resolved ones' when asked), oldest declared
        first: one session, one query per kind of row for each few hundred incidents."""
        with self.context.database.session() as session:
            records = all_incidents(session) if include_resolved else open_incidents(session)
            views: list[IncidentView] = []
            for start in range(0, len(records), VIEW_CHUNK):
                views += self._views(session, records[start : start + VIEW_CHUNK])
            return views

    def _views(self, session, records: list) -> list[IncidentView]:
        ids = [record.id for record in records]
        events = events_by_incident(session, ids)
        timelines = timelines_by_incident(session, ids)
        roles = roles_by_incident(session, ids)
        ticks = ticks_by_incident(session, ids)
        submitted = _submitted(session, ids)
        now = self.context.clock.now()
        views = []
        for record in records:
            policy, version = self.context.policy(record.policy_id)
            fired = events[record.id]
            facts = incident_facts(record, fired, submitted.get(record.id))
            views.append(
                IncidentView(
                    record=frozen_copy(Incident, record),
                    policy=policy,
                    policy_version=version,
                    plan=plan(facts, policy, now),
                    timeline=tuple(frozen_copy(TimelineEntry, e) for e in timelines[record.id]),
                    events=tuple(frozen_copy(FiredEvent, event) for event in fired),
                    roles={row.role: row.person for row in roles[record.id]},
                    ticks=frozenset((row.checklist, row.item) for row in ticks[record.id]),
                    postmortem_submitted_at=submitted.get(record.id),
                )
            )
        return views

    def board(self) -> list[BoardItem]:
        """Open incidents and recently resolved ones, ready to be re-planned at every tick."""
        with self.context.database.session() as session:
            records = board_incidents(session, self.context.clock.now() - RESOLVED_ON_BOARD)
            return self._board_items(session, records)

    def board_changes(self, known: dict[str, tuple]) -> tuple[dict[str, tuple], list[BoardItem]]:
        """The board's incidents by what moves them (`board_heads`), and the items of those
        whose heads differ from `known`: read after the heads, so never older than them."""
        since = self.context.clock.now() - RESOLVED_ON_BOARD
        with self.context.database.session() as session:
            heads = board_heads(session, since)
            stale = [code for code, head in heads.items() if known.get(code) != head]
            # The first read: all of them, without naming each.
            where = board_where(since) if len(stale) == len(heads) else codes_where(stale)
            records = incident_rows(session, where) if stale else []
            return heads, self._board_items(session, records)

    def _board_items(self, session, records: list) -> list[BoardItem]:
        ids = [record.id for record in records]
        events = firings_by_incident(session, ids)
        submitted = _submitted(session, ids)
        items = []
        for record in records:
            policy, _version = self.context.policy(record.policy_id)
            facts = incident_facts(record, events[record.id], submitted.get(record.id))
            items.append(BoardItem(frozen_copy(Incident, record), policy, facts))
        return items

    def open_plans(self, codes: list[str] | None = None) -> list[tuple[Incident, Plan]]:
        """Open incidents (all, or those named) with their plans still to fire (due steps and
        the next pending one: Plan.still_to_fire), from two queries; one that cannot be
        planned is left out and named in `unplannable`."""
        now = self.context.clock.now()
        with self.context.database.session() as session:
            records = incident_rows(session, open_where(codes))
            events = firings_by_incident(session, [record.id for record in records])
        plans = []
        for record in records:
            policy, _version = self.context.policy(record.policy_id)
            try:
                current = plan(incident_facts(record, events[record.id]), policy, now)
                plans.append((frozen_copy(Incident, record), current.still_to_fire()))
            except (OverflowError, ValueError) as error:
                # A deadline past the year 9999 (a policy stored before durations were bounded):
                # that incident cannot be planned; every other one still escalates on time.
                self.unplannable[record.code] = f"{type(error).__name__}: {error}"
        return plans

    def policy_version(self, policy_id: int) -> tuple[Policy, int]:
        """The stored policy version `policy_id` (read once, then kept)."""
        return self.context.policy(policy_id)

    def is_open(self, code: str) -> bool:
        """Whether incident `code` exists and is not resolved (one row read)."""
        with self.context.database.session() as session:
            return is_open(session, code)

    def first_declared(self) -> str | None:
        """The code of the incident declared first (resolved or not), or None."""
        with self.context.database.session() as session:
            return first_declared_code(session)

    def recently_resolved(self, limit: int = 10) -> list[tuple[str, str]]:
        """(code, title) of the incidents resolved last, newest first."""
        with self.context.database.session() as session:
            return [(r.code, r.title) for r in recently_resolved(session, limit)]

    def board_signature(self) -> tuple:
        """Moves whenever anything the board shows changes (one query per kind of row)."""
        with self.context.database.session() as session:
            return board_signature(session, self.context.clock.now() - RESOLVED_ON_BOARD)

    def board_heads(self) -> dict[str, tuple]:
        """Each board incident's code → what moves when it changed (see `board_heads`)."""
        with self.context.database.session() as session:
            return board_heads(session, self.context.clock.now() - RESOLVED_ON_BOARD)

    def open_codes(self) -> list[str]:
        """The codes of every open incident."""
        with self.context.database.session() as session:
            return open_codes(session)


def _submitted(session, incident_ids: list[int]) -> dict[int, datetime | None]:
    return {
        incident_id: review_submitted_at(*state)
        for incident_id, state in review_states(session, incident_ids).items()
    }
