"""What `storycart status` and the board's quit question say: who fires escalations, how many
incidents are open, the next step waiting and how each paging channel is doing."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime

from app.domain.escalation import StepState
from app.domain.policy.model import LocalText
from app.domain.watchers import INTAKE_KINDS, Watcher, alive_watchers
from app.services.incident_service import IncidentService
from app.services.paging_status import ChannelStatus, PagingStatus
from app.services.watchers import WatcherService

WAITING = (StepState.PENDING, StepState.DUE)


@dataclass(frozen=True)
class NextStep:
    incident: str
    step: str
    notify: tuple[LocalText, ...]
    due_at: datetime
    position: int = 0  # counted from 0, as stored; people read position + 1
    round: int = 0

    def label(self, catalog) -> str:
        """ "step 3, round 1" as the ladder tab, the incident screen and the pages say it."""
        return catalog.t("health.step_label", step=self.position + 1, round=self.round + 1)


@dataclass(frozen=True)
class EngineReport:
    now: datetime
    interval_s: float
    watchers: list[Watcher]  # not stopped, passed within a day; the latest first
    open_incidents: int
    next_step: NextStep | None
    channels: list[ChannelStatus]
    # Watchers of this machine whose process is gone (killed, crashed): gone at once, not
    # intervals later.
    dead: frozenset[str] = field(default_factory=frozenset)

    def alive(self, but: str | None = None) -> list[Watcher]:
        alive = alive_watchers(self.watchers, self.now, self.interval_s, but)
        return [watcher for watcher in alive if watcher.instance not in self.dead]

    @property
    def unwatched(self) -> bool:
        """Open incidents and nobody to fire their steps: nothing will page."""
        return self.open_incidents > 0 and not self.alive()

    @property
    def broken(self) -> list[ChannelStatus]:
        return [status for status in self.channels if status.broken]

    def intake(self) -> list[Watcher]:
        """The watchers that take alerts (an intake, or a daemon started with --intake)."""
        return [watcher for watcher in self.alive() if watcher.kind in INTAKE_KINDS]


def engine_report(
    incidents: IncidentService,
    watchers: WatcherService,
    paging: PagingStatus | None,
    interval_s: float,
) -> EngineReport:
    plans = incidents.open_plans()
    waiting = [
        (step.due_at, record.code, step)
        for record, current in plans
        for step in current.steps
        if step.state in WAITING
    ]
    first = min(waiting, key=lambda entry: (entry[0], entry[1]), default=None)
    next_step = None
    if first is not None:
        due_at, code, step = first
        next_step = NextStep(
            code, step.step_id, tuple(step.step.notify), due_at, step.position, step.round
        )
    current = watchers.current()
    here = socket.gethostname()
    return EngineReport(
        now=incidents.clock.now(),
        interval_s=interval_s,
        watchers=current,
        open_incidents=len(plans),
        next_step=next_step,
        channels=paging.statuses() if paging is not None else [],
        dead=frozenset(w.instance for w in current if w.host == here and not _running(w.pid)),
    )


def others_watching(
    watchers: WatcherService, now, interval_s: float, but: str | None
) -> list[Watcher]:
    """The other processes alive that fire escalations, from one cheap read (what the quit
    question looks at first, before the whole report)."""
    current = watchers.current()
    here = socket.gethostname()
    dead = {w.instance for w in current if w.host == here and not _running(w.pid)}
    return [w for w in alive_watchers(current, now, interval_s, but) if w.instance not in dead]


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal: only whether the process is there
    except ProcessLookupError:
        return False
    except PermissionError:  # there, and someone else's
        return True
    return True
