"""Taking in alerts from monitors: a firing alert with a new dedup key declares an incident (and
so pages per the ladder); the same key again adds one timeline line with its count, never a
second incident; the group's most severe firing alert sets the incident's severity (a rise
re-plans the ladder, a fall is only logged); each alert's context is kept on the incident; a
monitor's acknowledgement acknowledges; its "resolved" is recorded, and resolves only when the
mapping says so. Each answer is given once the change is committed.

Two intakes taking the same alert at once agree through the database: the key is claimed
(storage.intake_claims) before the incident is declared, so the one that loses the claim never
declares; it waits for the winner's incident and adds to it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from app.domain.alert_context import firing_count, merge
from app.domain.incident import AlreadyDone, IncidentError
from app.domain.intake import IncomingAlert, IntakeBusy, IntakeMapping
from app.domain.intake_levels import Level, group_level, rank
from app.domain.policy.model import Policy
from app.services.incident_service import IncidentService
from app.services.intake_log import IntakeLog
from app.services.watch_service import MaintenanceService
from storage.incident_rows import by_code, is_open
from storage.intake_claims import (
    CLAIMING,
    claim_again,
    claim_new,
    release_claim,
    remember_suppressed,
    settle_claim,
    touch_key,
)
from storage.intake_rows import intake_key

CLAIM_LEASE_S = 10  # a claim older than this belongs to a process that died before declaring
WAIT_POLL_S = 0.05
WAIT_POLLS = 240  # how long a loser waits for the winner's incident: 12 s, past one lease


class KeyLocks:
    """A lock per key, made while someone holds or waits for it and dropped after."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def holding(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key) or (threading.Lock(), 0)
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


@dataclass(frozen=True)
class Taken:
    incident: str | None
    result: str  # declared, repeated, acknowledged, resolved, recorded, unknown, suppressed …
    # Its ladder must be planned at once: a new incident, or one whose level the alerts raised.
    replan: bool = False


class IntakeService:
    def __init__(self, incidents: IncidentService, policy: Policy, mapping: IntakeMapping) -> None:
        self.incidents = incidents
        self.database = incidents.database
        self.clock = incidents.clock
        self.policy = policy
        self.mapping = mapping
        self.maintenance = MaintenanceService(self.database, self.clock)
        self.log = IntakeLog(incidents)
        self.wait_polls, self.wait_poll_s = WAIT_POLLS, WAIT_POLL_S
        # One alert of a group at a time in this process (its count and severity follow its
        # alerts in order); other groups go on meanwhile, and declarations take turns (each
        # numbers its incident from the last). Several processes agree through the claimed key.
        self._keys = KeyLocks()
        self._declaring = threading.Lock()

    def warm_up(self) -> None:
        """At start, what the first alert would otherwise pay for (the policy's stored version,
        the queries of a take prepared): the first alert of a storm is answered as the rest."""
        stored = self.incidents.policies.snapshot(self.policy)
        self.incidents.policy_version(
            self.incidents.policies.record_id(self.policy.name, stored.version)
        )
        with self.database.session() as session:
            intake_key(session, "")
        self.maintenance.active()
        self.incidents.is_open("")

    def take(self, alert: IncomingAlert) -> Taken:
        with self._keys.holding(alert.dedup_key):
            if alert.status == "firing":
                return self._firing(alert)
            return self._settled(alert)

    def _firing(self, alert: IncomingAlert) -> Taken:
        level = group_level(alert.alerts, alert.severity, alert.source, self.mapping, self.policy)
        for _look in range(self.wait_polls):
            now = self.clock.now()
            with self.database.session() as session:
                known = intake_key(session, alert.dedup_key)
                code = known.incident_code if known is not None else ""
                repeated = bool(code) and is_open(session, code)
            if repeated:
                return self._repeat(alert, level, code)
            claiming = known is not None and known.last_status == CLAIMING
            stale = claiming and now - known.last_at > timedelta(seconds=CLAIM_LEASE_S)
            if claiming and not stale:
                time.sleep(self.wait_poll_s)  # another intake is declaring: wait for it
                continue
            window = self.maintenance.covering(alert.dedup_key, alert.title)
            if window is not None:
                # Recorded (the key and its count) but nobody is paged: no incident.
                with self.database.session() as session:
                    remember_suppressed(session, alert.dedup_key, alert.source, now)
                return Taken(None, f"suppressed by maintenance {window.name}")
            with self.database.session() as session:
                if known is None:
                    won = claim_new(session, alert.dedup_key, alert.source, now)
                else:
                    stale_before = now - timedelta(seconds=CLAIM_LEASE_S)
                    won = claim_again(
                        session, alert.dedup_key, known.incident_code, now, stale_before
                    )
            if won:
                return self._declare_claimed(alert, level)
            # Another intake changed the key between the look and the claim: look again.
        raise IntakeBusy(
            "Another intake is still declaring the incident for this alert; send it again."
        )

    def _declare_claimed(self, alert: IncomingAlert, level: Level) -> Taken:
        actor = f"intake: {alert.source}"
        now = self.clock.now()
        try:
            with self._declaring:
                code = self._declare(alert, level, actor)
        except BaseException:
            with self.database.session() as session:
                release_claim(session, alert.dedup_key, now)
            raise
        context, _resolved = merge(None, alert, now.isoformat())
        with self.database.session() as session:
            kept = settle_claim(session, alert.dedup_key, code, now, level.key, context)
        if not kept:
            # Slower than the claim's lease: another intake took the key over and declared.
            self.incidents.resolve(code, actor, "duplicate of an alert taken at once")
            return Taken(None, "repeated")
        self.log.truncated(code, actor, context)
        return Taken(code, "declared", replan=True)

    def _declare(self, alert: IncomingAlert, level: Level, actor: str) -> str:
        policy = self.policy
        types = [t.key for t in policy.types]
        fallback = self.mapping.type_key if self.mapping.type_key in types else types[0]
        type_key = alert.type_key if alert.type_key in types else fallback
        code = self.incidents.declare(
            policy, alert.title, level.key, actor=actor, type_key=type_key
        )
        self.log.level_reason(code, actor, level, alert.source)
        if alert.type_key and alert.type_key not in types:
            self.log.type_unknown(code, actor, alert.type_key, policy.name, type_key)
        return code

    def _repeat(self, alert: IncomingAlert, level: Level, code: str) -> Taken:
        """The key counted and the incident's line written in one transaction: a storm's
        repeats were two commits each (the key, then the line)."""
        actor = f"intake: {alert.source}"
        counted: list = []

        def count_and_say(session, now) -> str:
            def change(record):
                asked_before = record.severity
                record.context, resolved = merge(record.context, alert, now.isoformat())
                record.severity = level.key
                return asked_before, resolved

            touched = touch_key(session, alert.dedup_key, "firing", now, change, commit=False)
            if touched is None:  # the key was removed meanwhile: nothing to add to
                raise IntakeBusy("The alert's key is gone; send it again.")
            counted.append(touched)
            return f"{alert.source} fired again (×{touched[0].count}): {alert.title}"

        self.incidents.record_entry(code, actor, "note", count_and_say, None)
        record, (asked_before, resolved) = counted[0]
        for item in resolved:
            self.log.alert_resolved(code, actor, item, firing_count(record.context))
        raised = self._follow_severity(code, actor, level, asked_before)
        self.log.truncated(code, actor, record.context)
        return Taken(code, "repeated", replan=raised)

    def _follow_severity(self, code: str, actor: str, level: Level, asked_before: str) -> bool:
        """A rise above both what the alerts asked before and the incident's level raises it
        (logged and re-planned by change_severity); a fall is logged, never applied — so a
        level someone lowered by hand is not raised again by the same alerts."""
        if level.key == asked_before:
            return False  # the alerts ask for what they asked before: nothing to weigh
        with self.database.session() as session:
            current = by_code(session, code).severity
        policy = self.policy
        asked = rank(policy, asked_before) if asked_before else rank(policy, current) + 1
        if rank(policy, level.key) < min(asked, rank(policy, current)):
            try:
                self.incidents.change_severity(code, actor, level.key)
            except AlreadyDone:
                return False
            self.log.severity_rose(code, actor, level, current)
            return True
        if asked_before and rank(policy, level.key) > asked:
            self.log.severity_fell(code, actor, level.key, asked_before, current)
        return False

    def _settled(self, alert: IncomingAlert) -> Taken:
        actor = f"intake: {alert.source}"
        now = self.clock.now()

        def change(record):
            if alert.status == "resolved":
                record.context, _resolved = merge(record.context, alert, now.isoformat())

        with self.database.session() as session:
            touched = touch_key(session, alert.dedup_key, alert.status, now, change)
        if touched is None:
            return Taken(None, "unknown")
        code = touched[0].incident_code
        if not code:
            # Taken during maintenance (no incident) or still being declared: recorded.
            return Taken(None, "recorded")
        try:
            if alert.status == "acknowledged":
                self.incidents.acknowledge(code, actor)
                return Taken(code, "acknowledged")
            if self.mapping.resolve:
                self.incidents.resolve(code, actor, f"{alert.source} says resolved")
                return Taken(code, "resolved")
        except AlreadyDone:
            if alert.status == "resolved":
                self.log.already_resolved(code, actor, alert.source)
                return Taken(code, "recorded")
            return Taken(code, alert.status)
        except IncidentError:
            # Acknowledging an incident resolved meanwhile: recorded, nothing reopened.
            self.log.already_resolved(code, actor, alert.source)
            return Taken(code, "recorded")
        if not self.incidents.is_open(code):
            self.log.already_resolved(code, actor, alert.source)
            return Taken(code, "recorded")
        self.incidents.add_note(code, actor, f"{alert.source} says resolved")
        return Taken(code, "recorded")
