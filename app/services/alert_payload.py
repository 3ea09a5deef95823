"""What a page says of the alert behind its incident: payload["alert"] = {host, summary,
runbook_url, dashboard_url, source} (app.domain.alert_context.essentials), read from the
incident's intake keys in the firing's own session; absent for an incident no alert opened."""

from __future__ import annotations

from app.domain.alert_context import essentials
from storage.intake_claims import keys_for_incident


def alert_essentials(session, code: str) -> dict[str, str] | None:
    """The essentials of the latest alert group that opened or fed incident `code`."""
    for key in keys_for_incident(session, code):
        found = essentials(key.context or {})
        if found:
            return found
    return None
