"""`storycart daemon`: the escalation scheduler without a screen (the cart's machine, a server).

Each firing is one JSON line on stdout. SIGTERM and SIGINT stop it cleanly.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from typing import TextIO

from app.cli.services import check_ack_key
from app.config import Settings
from app.domain.clock import Clock
from app.domain.incident import FiredStep
from app.services.alert_delivery import Delivery
from app.services.watching import watching


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


async def run_daemon(
    settings: Settings,
    clock: Clock,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    kind: str = "daemon",
) -> None:
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

    def problem(text: str) -> None:
        err.write(json.dumps({"engine_problem": text}, ensure_ascii=False) + "\n")
        err.flush()

    check_ack_key(settings)
    # No screen here: the bell and the flash are left for a board to show.
    async with watching(settings, clock, kind, report, delivered, problem, stop=stop):
        await stop.wait()
