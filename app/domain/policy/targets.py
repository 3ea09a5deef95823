"""The one definition of a level's targets: how soon an incident of (policy, type, severity)
must be acknowledged, updated, mitigated and resolved (and detected). The severity matrix, the
poster, the kiosk, the incident screen's deadlines, the metrics, the metrics review and the
drill score all read them here, so a team that follows the poster is graded against the poster.

- acknowledge: the level's `targets.acknowledge`, else its response time; a level whose response
  is immediate (0 s) and that sets no acknowledgement target is measured against five minutes
  (seed 003 §7's acknowledgement goal) — "at once" cannot be met by a person.
- update: the level's status-update cadence.
- mitigate, detect: only when the level's `targets` set them.
- resolve: the level's `targets.resolve`, else its resolution time.
Each is None when the policy does not set it. No incident type sets targets of its own today;
the type is part of the question so that one may without changing every caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.policy.model import Policy, Severity

IMMEDIATE_ACK_S = 300


@dataclass(frozen=True)
class Targets:
    acknowledge: int | None
    update: int | None
    mitigate: int | None
    resolve: int | None
    detect: int | None = None

    def measures(self) -> dict[str, int]:
        """{measure: seconds} for the metrics' measures that have a target."""
        chosen = {
            "detect": self.detect,
            "acknowledge": self.acknowledge,
            "mitigate": self.mitigate,
            "resolve": self.resolve,
        }
        return {measure: seconds for measure, seconds in chosen.items() if seconds is not None}


def severity_targets(severity: Severity) -> Targets:
    """The targets of one level of a policy (see the module's definition)."""
    explicit = dict(severity.targets)
    acknowledge = explicit.get("acknowledge")
    if acknowledge is None:
        acknowledge = severity.response_s or IMMEDIATE_ACK_S
    resolve = explicit.get("resolve", severity.resolution_s)
    return Targets(
        acknowledge=acknowledge,
        update=severity.update_every_s,
        mitigate=explicit.get("mitigate"),
        resolve=resolve,
        detect=explicit.get("detect"),
    )


def targets_for(policy: Policy, type_key: str | None, severity_key: str) -> Targets:
    """The targets of an incident of `type_key` at `severity_key` under `policy`."""
    if type_key is not None:
        policy.incident_type(type_key)  # KeyError for a type the policy does not have
    return severity_targets(policy.severity(severity_key))
