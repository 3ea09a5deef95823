"""Taking in alerts from monitors: a firing alert with a new dedup key declares an incident (and
so pages per the ladder); the same key again adds one timeline line with its count, never a
second incident; a monitor's acknowledgement acknowledges; its "resolved" is recorded, and
resolves only when the mapping says so. Each answer is given once the change is committed."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from app.domain.incident import AlreadyDone
from app.domain.intake import IncomingAlert, IntakeError, IntakeMapping
from app.domain.policy.model import Policy
from app.services.incident_service import IncidentService
from app.services.watch_service import MaintenanceService
from storage.intake_rows import count_key, intake_key, remember_key, repoint_key


@dataclass(frozen=True)
class Taken:
    incident: str | None
    result: str  # declared, repeated, acknowledged, resolved, recorded, unknown


class IntakeService:
    def __init__(self, incidents: IncidentService, policy: Policy, mapping: IntakeMapping) -> None:
        self.incidents = incidents
        self.database = incidents.database
        self.clock = incidents.clock
        self.policy = policy
        self.mapping = mapping
        self.maintenance = MaintenanceService(self.database, self.clock)
        # One alert at a time per process: a storm's repeats queue up instead of racing to
        # declare. Several processes still agree through the unique dedup key.
        self._lock = threading.Lock()

    def take(self, alert: IncomingAlert) -> Taken:
        with self._lock:
            if alert.status == "firing":
                return self._firing(alert)
            return self._settled(alert)

    def _firing(self, alert: IncomingAlert) -> Taken:
        actor = f"intake: {alert.source}"
        now = self.clock.now()
        with self.database.session() as session:
            known = intake_key(session, alert.dedup_key)
        if known is not None and self._open(known.incident_code):
            with self.database.session() as session:
                count = count_key(session, alert.dedup_key, "firing", now)
            self.incidents.add_note(
                known.incident_code, actor, f"{alert.source} fired again (×{count}): {alert.title}"
            )
            return Taken(known.incident_code, "repeated")
        window = self.maintenance.covering(alert.dedup_key, alert.title)
        if window is not None:
            # Recorded (the key and its count) but nobody is paged: no incident is declared.
            with self.database.session() as session:
                if known is None:
                    remember_key(session, alert.dedup_key, alert.source, "", now)
                else:
                    count_key(session, alert.dedup_key, "suppressed", now)
            return Taken(None, f"suppressed by maintenance {window.name}")
        code = self._declare(alert, actor)
        with self.database.session() as session:
            if known is not None:
                repoint_key(session, alert.dedup_key, code, now)
            elif remember_key(session, alert.dedup_key, alert.source, code, now) is None:
                # Another receiver declared for this key a moment ago: keep theirs.
                self.incidents.resolve(code, actor, "duplicate of an alert taken at once")
                theirs = intake_key(session, alert.dedup_key).incident_code
                return Taken(theirs, "repeated")
        return Taken(code, "declared")

    def _declare(self, alert: IncomingAlert, actor: str) -> str:
        policy = self.policy
        severity = self.mapping.severity_for(alert.severity, [s.key for s in policy.severities])
        types = [t.key for t in policy.types]
        type_key = alert.type_key if alert.type_key in types else self.mapping.type_key or None
        if alert.type_key and alert.type_key not in types:
            raise IntakeError(
                f"The type {alert.type_key!r} is not one of policy {policy.name}: "
                f"{', '.join(types)}."
            )
        return self.incidents.declare(policy, alert.title, severity, actor=actor, type_key=type_key)

    def _open(self, code: str) -> bool:
        return bool(code) and self.incidents.is_open(code)

    def _settled(self, alert: IncomingAlert) -> Taken:
        actor = f"intake: {alert.source}"
        with self.database.session() as session:
            known = intake_key(session, alert.dedup_key)
            if known is None:
                return Taken(None, "unknown")
            count_key(session, alert.dedup_key, alert.status, self.clock.now())
        code = known.incident_code
        try:
            if alert.status == "acknowledged":
                self.incidents.acknowledge(code, actor)
                return Taken(code, "acknowledged")
            if self.mapping.resolve:
                self.incidents.resolve(code, actor, f"{alert.source} says resolved")
                return Taken(code, "resolved")
        except AlreadyDone:
            return Taken(code, alert.status)
        self.incidents.add_note(code, actor, f"{alert.source} says resolved")
        return Taken(code, "recorded")
