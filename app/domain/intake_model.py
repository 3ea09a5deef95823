"""What an alert from a monitor is once its body is read: the sources, the statuses, the words
monitors use for severity, the refusal, and the IncomingAlert with the context its sender
gave (bounded; see app.domain.intake_formats)."""

from __future__ import annotations

from dataclasses import dataclass, field

SOURCES = ("alertmanager", "grafana", "pagerduty", "generic")
STATUSES = ("firing", "resolved", "acknowledged")
MAX_TITLE = 200
# What monitors call their levels, mapped to the seeds' scale unless the settings say otherwise.
DEFAULT_SEVERITIES = {
    "critical": "SEV-1",
    "page": "SEV-1",
    "error": "SEV-2",
    "high": "SEV-2",
    "warning": "SEV-3",
    "medium": "SEV-3",
    "info": "SEV-4",
    "low": "SEV-4",
}


class IntakeError(ValueError):
    """A body that cannot be taken; str() is one sentence for the sender (answered with a 4xx:
    only for what the sender can fix, a malformed body)."""


class IntakeBusy(RuntimeError):
    """Another intake claimed this alert's key and has not finished declaring its incident in
    time: nothing is lost (the key is counted), and the sender should try again (a 503)."""


@dataclass(frozen=True)
class IncomingAlert:
    source: str
    dedup_key: str
    status: str
    title: str
    severity: str  # the monitor's word (critical, warning, …) or a policy key (SEV-1, P0)
    type_key: str = ""
    details: dict = field(default_factory=dict)
    # Each alert of the notification (bounded): fingerprint, status, severity word, summary,
    # host, labels, annotations, times and links (generator, runbook, dashboard, panel, silence).
    alerts: tuple[dict, ...] = ()
    # The notification's own context: receiver, group labels, common labels and annotations,
    # external URL, how many alerts the sender left out (truncated), Grafana's state and title.
    context: dict = field(default_factory=dict)
