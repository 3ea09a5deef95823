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


def check_ack_key(settings: Settings) -> None:
    """Before a long-running command starts paging: the key its pages' acknowledge links are
    made with ([intake] public_url) must be usable, or one sentence says what to do."""
    from app.cli.errors import CommandError
    from app.services.ack_secret import AckSecretError, read_secret, secret_path

    if not settings.intake.public_url:
        return
    try:
        read_secret(secret_path(settings.config_path))
    except AckSecretError as error:
        raise CommandError(str(error)) from None
