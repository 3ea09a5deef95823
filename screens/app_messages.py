"""The tables whose changes each part of the app shows (the team's NOTIFY names them)."""

from __future__ import annotations

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
