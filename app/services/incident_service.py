"""The incident services in one object, for the screens, the CLI and the tests: queries, commands
and the escalation firing, composed over one IncidentContext (the database, the clock, the
stored policies and the channels). Each method hands its request to the object that does it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.domain.clock import Clock
from app.domain.escalation import Plan
from app.domain.incident import (
    ALERT_CHANNELS,
    BoardItem,
    FiredStep,
    Incident,
    IncidentView,
)
from app.domain.paging import PagingChannel
from app.domain.policy.model import Policy
from app.domain.roster import Roster
from app.services.escalation_firing import EscalationFiring
from app.services.incident_commands import IncidentChange, IncidentCommands
from app.services.incident_context import IncidentContext
from app.services.incident_queries import IncidentQueries
from app.services.policy_versions import PolicyVersions
from storage.database import Database


class IncidentService:
    """Incident use cases: the board and the detail view (`queries`), declare, acknowledge,
    post updates, change severity, resolve, reopen, roles, checklists, notes (`commands`),
    firing due steps and escalating now (`firing`)."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        policies: PolicyVersions,
        alert_channels: tuple[str, ...] = ALERT_CHANNELS,
        paging: tuple[PagingChannel, ...] = (),
        roster: Roster | None = None,
    ) -> None:
        self.context = IncidentContext(database, clock, policies, alert_channels, paging, roster)
        self.queries = IncidentQueries(self.context)
        self.firing = EscalationFiring(self.context, self.queries)
        self.commands = IncidentCommands(self.context, self.firing)

    @property
    def database(self) -> Database:
        return self.context.database

    @property
    def clock(self) -> Clock:
        return self.context.clock

    @property
    def policies(self) -> PolicyVersions:
        return self.context.policies

    @property
    def unplannable(self) -> dict[str, str]:
        """Incidents whose clocks could not be computed, and why."""
        return self.queries.unplannable

    # Reading (IncidentQueries)

    def view(self, code: str) -> IncidentView:
        return self.queries.view(code)

    def list(self, include_resolved: bool = False) -> list[IncidentView]:
        return self.queries.list(include_resolved)

    def board(self) -> list[BoardItem]:
        return self.queries.board()

    def board_changes(self, known: dict[str, tuple]) -> tuple[dict[str, tuple], list[BoardItem]]:
        return self.queries.board_changes(known)

    def open_plans(self, codes: list[str] | None = None) -> list[tuple[Incident, Plan]]:
        return self.queries.open_plans(codes)

    def policy_version(self, policy_id: int) -> tuple[Policy, int]:
        return self.queries.policy_version(policy_id)

    def is_open(self, code: str) -> bool:
        return self.queries.is_open(code)

    def first_declared(self) -> str | None:
        return self.queries.first_declared()

    def recently_resolved(self, limit: int = 10) -> list[tuple[str, str]]:
        return self.queries.recently_resolved(limit)

    def board_signature(self) -> tuple:
        return self.queries.board_signature()

    def board_heads(self) -> dict[str, tuple]:
        return self.queries.board_heads()

    def open_codes(self) -> list[str]:
        return self.queries.open_codes()

    # Firing (EscalationFiring)

    def fire_due(
        self, catching_up: bool = False, actor: str = "scheduler", codes: list[str] | None = None
    ) -> list[FiredStep]:
        """Fire every step due now (all open incidents, or those named); the steps fired."""
        return self.firing.fire_due(catching_up, actor, codes)

    def fire_due_and_plan(
        self,
        catching_up: bool = False,
        actor: str = "scheduler",
        codes: list[str] | None = None,
        fired_from: datetime | None = None,
    ) -> tuple[list[FiredStep], dict[str, datetime]]:
        """`fire_due`, and when each incident needs the next pass (EscalationFiring)."""
        return self.firing.fire_due_and_plan(catching_up, actor, codes, fired_from)

    def escalate_now(self, code: str, actor: str) -> FiredStep:
        """Fire the incident's next pending step at once (manual escalation)."""
        return self.firing.fire_next_step(code, actor)

    # Changing (IncidentCommands): each returns what it changed.

    def declare(
        self,
        policy: Policy,
        title: str,
        severity: str,
        actor: str,
        type_key: str | None = None,
        impact: str = "",
        commander: str | None = None,
        started_at: datetime | None = None,
        detected_at: datetime | None = None,
        at: datetime | None = None,
    ) -> str:
        """The new incident's code (`at`: declared then, entered after the fact)."""
        return self.commands.declare(
            policy,
            title,
            severity,
            actor,
            type_key,
            impact,
            commander,
            started_at,
            detected_at,
            at,
        ).code

    def acknowledge(
        self, code: str, actor: str, via: str = "", at: datetime | None = None
    ) -> IncidentChange:
        return self.commands.acknowledge(code, actor, via, at)

    def post_update(
        self, code: str, actor: str, status: str, text: str, at: datetime | None = None
    ) -> IncidentChange:
        return self.commands.post_update(code, actor, status, text, at)

    def change_severity(self, code: str, actor: str, severity: str) -> IncidentChange:
        return self.commands.change_severity(code, actor, severity)

    def resolve(
        self, code: str, actor: str, text: str = "", at: datetime | None = None
    ) -> IncidentChange:
        return self.commands.resolve(code, actor, text, at)

    def reopen(self, code: str, actor: str) -> IncidentChange:
        return self.commands.reopen(code, actor)

    def set_times(
        self,
        code: str,
        actor: str,
        started_at: datetime | None = None,
        detected_at: datetime | None = None,
    ) -> IncidentChange:
        return self.commands.set_times(code, actor, started_at, detected_at)

    def decide_report(self, code: str, actor: str, required: bool) -> IncidentChange:
        return self.commands.decide_report(code, actor, required)

    def file_report(
        self, code: str, actor: str, filed_at: datetime | None = None
    ) -> IncidentChange:
        return self.commands.file_report(code, actor, filed_at)

    def assign_role(self, code: str, actor: str, role: str, person: str) -> IncidentChange:
        return self.commands.assign_role(code, actor, role, person)

    def toggle_check(self, code: str, actor: str, checklist: str, item: str) -> bool:
        """Whether the item is ticked now."""
        return bool(self.commands.toggle_check(code, actor, checklist, item).ticked)

    def add_note(self, code: str, actor: str, text: str, certainty: str = "fact") -> IncidentChange:
        return self.commands.add_note(code, actor, text, certainty)

    def record_entry(
        self, code: str, actor: str, kind: str, text: str | Callable, data: dict | None
    ) -> IncidentChange:
        return self.commands.record_entry(code, actor, kind, text, data)
