"""The metrics of a policy over a period, and the follow-ups of every postmortem: read from the
database in two queries, computed by app.domain.metrics against the policy's targets."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date, datetime, timedelta

from app.domain.clock import Clock
from app.domain.metrics import ActionFacts, MetricsReport, report
from app.domain.policy.model import Policy
from app.domain.policy.targets import severity_targets
from app.domain.postmortem.model import ACTION_STATUSES
from app.domain.textsafe import printable
from app.services.gc_pause import gc_paused
from storage.database import Database
from storage.metric_rows import (
    count_overdue,
    follow_ups,
    follow_ups_in_period,
    incident_times,
    set_follow_up_status,
)
from storage.tables import TimelineEntryRecord

RECURRENCE_WITHIN = timedelta(days=30)


class FollowUpError(ValueError):
    pass


class MetricsService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    def report(
        self, policy: Policy, since: datetime, until: datetime, pause_gc: bool = False
    ) -> MetricsReport:
        """`pause_gc`: no cyclic collection meanwhile (gc_paused) — for a process doing nothing
        else (the CLI). Never in the app: the pause is every thread's, and the board's garbage
        piled up behind a background read (10,000 open incidents: 632 MiB instead of 254)."""
        with gc_paused() if pause_gc else nullcontext():
            with self.database.session() as session:
                # Back by the recurrence window: first occurrences of repeats inside the period.
                rows = incident_times(session, since - RECURRENCE_WITHIN, until, policy.name)
                actions = follow_ups_in_period(session, since, until, policy.name)
            return report(
                rows,
                since,
                until,
                {s.key: severity_targets(s).measures() for s in policy.severities},
                [ActionFacts(*row) for row in actions],
                today=self.today(),
                policy=policy.name,
                severity_order=[severity.key for severity in policy.severities],
                recurrence_within=RECURRENCE_WITHIN,
            )

    def today(self) -> date:
        return self.clock.now().astimezone().date()

    def overdue_follow_ups(self) -> int:
        """How many follow-ups are past their due date and not done (one counting query)."""
        with self.database.session() as session:
            return count_overdue(session, self.today())

    def follow_ups(self) -> list[ActionFacts]:
        """Every action item of every postmortem, oldest incident first."""
        with self.database.session() as session:
            return [ActionFacts(*row) for row in follow_ups(session)]

    def set_follow_up(self, item_id: int, status: str, actor: str) -> None:
        """Mark a follow-up open / in progress / done; the incident's timeline says so."""
        if status not in ACTION_STATUSES:
            raise FollowUpError(f"{status!r} is not one of {', '.join(ACTION_STATUSES)}.")
        now = self.clock.now()
        with self.database.session() as session:
            changed = set_follow_up_status(session, item_id, status)
            if changed is None:
                raise FollowUpError(f"There is no follow-up {item_id}.")
            incident_id, title = changed
            session.add(
                TimelineEntryRecord(
                    incident_id=incident_id,
                    at=now,
                    kind="follow_up",
                    actor=printable(actor),
                    text=f"follow-up {title!r}: {status}",
                    data={"title": title, "status": status},
                )
            )
            session.commit()
