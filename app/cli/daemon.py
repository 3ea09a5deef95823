"""`storycart daemon`: the escalation scheduler without a screen (the cart's machine, a server).

Each firing is one JSON line on stdout. SIGTERM and SIGINT stop it cleanly.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from datetime import timedelta
from typing import TextIO

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.cli.errors import CommandError
from app.config import Settings
from app.domain.clock import Clock
from app.domain.incident import COMMAND_CHANNEL, FiredStep, alert_channels
from app.services.ack_links import page_links
from app.services.ack_secret import AckSecretError
from app.services.alert_delivery import AlertDeliverer, Delivery, desktop_notifier
from app.services.escalation_scheduler import EscalationScheduler
from app.services.incident_service import IncidentService
from app.services.policy_versions import PolicyStore
from storage.database import Database


def firing_line(fired: FiredStep) -> str:
    return json.dumps(
        {
            "incident": fired.code,
            "step": fired.step.step_id,
            "round": fired.step.round,
            "notify": [who.get("en") for who in fired.step.step.notify],
            "due_at": fired.step.due_at.isoformat(),
            "fired_at": fired.fired_at.isoformat(),
            "late_by_s": round((fired.fired_at - fired.step.due_at).total_seconds(), 3),
            "reason": fired.reason,
        },
        ensure_ascii=False,
    )


def delivery_failure_line(delivery: Delivery) -> str:
    return json.dumps(
        {
            "alert_failed": delivery.channel,
            "incident": delivery.payload.get("incident"),
            "step": delivery.payload.get("step"),
            "error": delivery.error,
        },
        ensure_ascii=False,
    )


def ack_links(settings: Settings, database: Database, clock: Clock, incidents):
    """The acknowledge links pages carry ([intake] public_url), or None; a key file nobody
    may read is one sentence, before anything is paged."""
    try:
        return page_links(
            database, clock, incidents, settings.intake.public_url, settings.config_path
        )
    except AckSecretError as error:
        raise CommandError(str(error)) from None


async def run_daemon(
    settings: Settings, clock: Clock, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> None:
    database = await asyncio.to_thread(Database.open, settings.db_url)
    service = IncidentService(
        database,
        clock,
        PolicyStore(database, clock),
        alert_channels(settings),
        settings.channels,
        settings.roster,
    )
    # No screen here: the bell and the flash are left for a board to show.
    deliverer = AlertDeliverer(
        database,
        clock,
        channels=("desktop", COMMAND_CHANNEL),
        command=settings.alert_command,
        notifier=desktop_notifier() if settings.desktop_notifications else None,
        paging=settings.channels,
        lang=settings.lang,
        views=service.view,
        lease=timedelta(seconds=settings.claim_lease),
        links=ack_links(settings, database, clock, service),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    def report(fired: list[FiredStep]) -> None:
        for item in fired:
            out.write(firing_line(item) + "\n")
        out.flush()

    def delivered(deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            if delivery.error:
                err.write(delivery_failure_line(delivery) + "\n")
        err.flush()

    scheduler = AsyncIOScheduler()
    bridge = EscalationScheduler(
        service, scheduler, report, deliverer=deliverer, on_delivered=delivered
    )
    scheduler.start()
    try:
        await bridge.start()
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        database.close()
