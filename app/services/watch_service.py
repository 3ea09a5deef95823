"""Maintenance windows (alerts that match are recorded but page nobody) and heartbeats (a job
that stops pinging declares an incident; its next ping records the recovery)."""

from __future__ import annotations

import threading
from datetime import timedelta

from app.domain.clock import Clock
from app.domain.incident import IncidentError
from app.domain.intake import HeartbeatRule, IntakeError, IntakeMapping, Window
from app.domain.policy.model import Policy
from app.services.frozen import frozen_copy
from app.services.incident_service import IncidentService
from app.services.intake_log import IntakeLog
from storage.database import Database
from storage.intake_rows import (
    active_windows,
    add_window,
    end_windows,
    heartbeat,
    save_heartbeat,
)
from storage.watch_tables import MaintenanceRecord


class MaintenanceService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    def start(self, name: str, duration: timedelta, actor: str, match: str = "") -> Window:
        if not name.strip():
            raise IntakeError("Name the maintenance window.")
        if duration <= timedelta(0):
            raise IntakeError("A maintenance window needs a duration, like 2h.")
        now = self.clock.now()
        record = MaintenanceRecord(
            name=name.strip(),
            match=match.strip(),
            starts_at=now,
            ends_at=now + duration,
            created_by=actor,
        )
        with self.database.session() as session:
            return frozen_copy(Window, add_window(session, record))

    def end(self, name: str) -> int:
        with self.database.session() as session:
            return end_windows(session, name, self.clock.now())

    def active(self) -> list[Window]:
        with self.database.session() as session:
            return [frozen_copy(Window, r) for r in active_windows(session, self.clock.now())]

    def covering(self, *texts: str) -> Window | None:
        return next((w for w in self.active() if w.covers(*texts)), None)


class HeartbeatService:
    def __init__(
        self,
        incidents: IncidentService,
        policy: Policy,
        rules: tuple[HeartbeatRule, ...],
        mapping: IntakeMapping,
    ) -> None:
        self.incidents = incidents
        self.database = incidents.database
        self.clock: Clock = incidents.clock
        self.policy = policy
        self.rules = {rule.name: rule for rule in rules}
        self.mapping = mapping
        self.maintenance = MaintenanceService(self.database, self.clock)
        self._lock = threading.Lock()

    def ping(self, name: str) -> str | None:
        """Record a ping; returns the incident whose recovery it records, if one was open."""
        if name not in self.rules:
            known = ", ".join(self.rules) or "none"
            raise IntakeError(f"There is no heartbeat {name!r}; known: {known}.")
        with self._lock, self.database.session() as session:
            record = heartbeat(session, name)
            missed = record.missed_code if record is not None else None
            save_heartbeat(session, name, self.clock.now(), None)
        if missed is None:
            return None
        actor = f"heartbeat: {name}"
        try:
            if self.mapping.resolve:
                self.incidents.resolve(missed, actor, f"heartbeat {name} recovered")
            else:
                self.incidents.add_note(missed, actor, f"heartbeat {name} recovered")
        except IncidentError:
            pass  # resolved by hand meanwhile: the ping is recorded all the same
        return missed

    def check(self) -> list[str]:
        """Declare an incident for each heartbeat silent for longer than its interval (once per
        silence); a heartbeat never pinged is given one interval from the first check. A lapse
        while the previous lapse's incident is still open adds a line to it instead."""
        declared = []
        for rule in self.rules.values():
            with self._lock:
                code = self._check(rule)
            if code is not None:
                declared.append(code)
        return declared

    def _check(self, rule: HeartbeatRule) -> str | None:
        now = self.clock.now()
        with self.database.session() as session:
            record = heartbeat(session, rule.name)
            if record is None:
                save_heartbeat(session, rule.name, now, None)
                return None
            last_ping, previous = record.last_ping_at, record.incident_code
            late = now - last_ping > timedelta(seconds=rule.interval_s)
            if not late or record.missed_code is not None:
                return None
        if self.maintenance.covering(rule.name) is not None:
            return None
        actor = f"heartbeat: {rule.name}"
        if previous and self.incidents.is_open(previous):
            IntakeLog(self.incidents).heartbeat_again(previous, actor, rule.name)
            with self.database.session() as session:
                save_heartbeat(session, rule.name, last_ping, previous)
            return None
        code = self.incidents.declare(self.policy, rule.missed_title(), rule.severity, actor=actor)
        with self.database.session() as session:
            save_heartbeat(session, rule.name, last_ping, code, incident=code)
        return code
