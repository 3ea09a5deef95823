"""The services a command works on, opened for the length of the command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from app.config import Settings

if TYPE_CHECKING:
    from app.domain.clock import Clock
    from app.services.bundle import Services


@contextmanager
def open_services(settings: Settings, clock: Clock | None = None) -> Iterator[Services]:
    from app.domain.clock import SystemClock
    from app.domain.incident import alert_channels
    from app.services.bundle import Services

    services = Services.open(
        settings.db_url,
        clock or SystemClock(),
        rotation_weeks=settings.rotation_weeks,
        alert_channels=alert_channels(settings),
        paging=settings.channels,
        roster=settings.roster,
    )
    try:
        yield services
    finally:
        services.close()
