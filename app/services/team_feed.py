"""The team's NOTIFY feed for a screen: on a PostgreSQL database, a listener that hears other
laptops' commits at once (storage.team_notify); on SQLite, nothing (the poll notices)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.services.bundle import Services


def listen_to_the_team(
    services: Services,
    on_change: Callable[[set[str]], None],
    on_connected: Callable[[], None],
):
    """A started ChangeListener on a team database, or None. It reconnects by itself; the
    caller's poll covers the gap."""
    if services.database.engine.dialect.name != "postgresql":
        return None
    from storage.team_notify import ChangeListener

    listener = ChangeListener(
        services.database.url,
        on_change=on_change,
        on_connected=on_connected,
        on_lost=lambda _reason: None,
    )
    listener.start()
    return listener
