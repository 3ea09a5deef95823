"""`storycart daemon`: the escalation scheduler without a screen (the cart's machine, a server).

Each firing is one JSON line on stdout. SIGTERM and SIGINT stop it cleanly.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from typing import TextIO

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.clock import Clock
from app.incidents import FiredStep, IncidentService
from app.policy_store import PolicyStore
from app.scheduler import EscalationScheduler
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


async def run_daemon(db_url: str, clock: Clock, out: TextIO = sys.stdout) -> None:
    database = await asyncio.to_thread(Database.open, db_url)
    service = IncidentService(database, clock, PolicyStore(database, clock))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    def report(fired: list[FiredStep]) -> None:
        for item in fired:
            out.write(firing_line(item) + "\n")
        out.flush()

    scheduler = AsyncIOScheduler()
    bridge = EscalationScheduler(service, scheduler, report)
    scheduler.start()
    try:
        await bridge.start()
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        database.close()
