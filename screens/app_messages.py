"""The messages the App receives from its own workers and listeners, and the tables whose
changes each part of the app shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from app.domain.policy.model import Policy

if TYPE_CHECKING:
    from app.services.bundle import Services
    from app.services.policy_files import PolicySet


class PolicyRecovered(Message):
    """A broken policy file was replaced by its last good version from the database."""

    def __init__(self, policy: Policy, stored_at_text: str) -> None:
        super().__init__()
        self.policy = policy
        self.stored_at_text = stored_at_text


class DatabaseReady(Message):
    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services


class PoliciesReloaded(Message):
    def __init__(self, policies: PolicySet) -> None:
        super().__init__()
        self.policies = policies


class IncidentsMoved(Message):
    """Someone else (another laptop, the daemon) changed the incidents."""


class TeamChanged(Message):
    """Another laptop committed a change to these tables (PostgreSQL's NOTIFY); None: the
    listener (re)connected and everything shown should be read again."""

    def __init__(self, tables: set[str] | None) -> None:
        super().__init__()
        self.tables = tables


# Tables whose change the board, the incident screen and the follow-ups show.
INCIDENT_TABLES = {
    "incident",
    "timeline_entry",
    "escalation_event",
    "role_assignment",
    "checklist_tick",
    "postmortem",
    "action_item",
}
STORY_TABLES = {"story", "feature", "nomination", "feedback", "cart_location"}
