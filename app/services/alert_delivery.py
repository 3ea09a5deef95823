"""Delivering the alerts that firings left in the outbox.

A firing writes one outbox row per channel in its own transaction; delivery happens afterwards,
here. A process claims a row before delivering it (a claim expires, so an alert whose deliverer
crashed is delivered again by someone else) and marks it delivered afterwards: an alert can be
repeated after a crash, a step is never fired twice.

Channels: `bell` and `flash` belong to a screen (only a process with a terminal takes them);
`desktop` uses the machine's notifier when there is one; `command` runs the user's command
without a shell, with the alert as JSON on stdin. A failure is recorded and reported, never
raised: alerts must not stop the scheduler.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.clock import Clock
from app.domain.incident import COMMAND_CHANNEL, SCREEN_CHANNELS
from storage.database import Database
from storage.incident_rows import claim_alert, finish_alert, pending_alerts

CLAIM_LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 3
COMMAND_TIMEOUT_S = 30
# A screen that opens later does not ring for what fired long before it opened.
SCREEN_ALERT_MAX_AGE = timedelta(minutes=10)


@dataclass(frozen=True)
class Delivery:
    channel: str
    payload: dict
    error: str | None = None
    shown: bool = True


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def desktop_notifier() -> Callable[[str, str], None] | None:
    """A function showing a desktop notification, or None when this machine has no notifier."""
    if sys.platform == "darwin" and shutil.which("osascript"):

        def mac(title: str, body: str) -> None:
            script = f"display notification {json.dumps(body)} with title {json.dumps(title)}"
            subprocess.run(["osascript", "-e", script], check=True, timeout=10, capture_output=True)

        return mac
    path = shutil.which("notify-send")
    if path is None:
        return None

    def linux(title: str, body: str) -> None:
        subprocess.run([path, "--", title, body], check=True, timeout=10, capture_output=True)

    return linux


def run_alert_command(argv: Sequence[str], payload: dict) -> None:
    """Run the user's alert command without a shell, the alert as JSON on stdin."""
    try:
        result = subprocess.run(
            list(argv),
            input=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            capture_output=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise AlertFailed(f"alert command {argv[0]!r} was not found") from None
    except PermissionError:
        raise AlertFailed(f"alert command {argv[0]!r} is not executable") from None
    except subprocess.TimeoutExpired:
        raise AlertFailed(f"alert command took longer than {COMMAND_TIMEOUT_S} s") from None
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = f": {lines[-1][:200]}" if lines else ""
        raise AlertFailed(f"alert command exited with status {result.returncode}{detail}")


class AlertFailed(Exception):
    pass


def alert_summary(payload: dict) -> tuple[str, str]:
    title = f"{payload['incident']} {payload['severity']}: escalation"
    body = f"{payload['title']} — notify {', '.join(payload['notify'])}"
    return title, body


class AlertDeliverer:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        channels: Sequence[str],
        command: Sequence[str] = (),
        notifier: Callable[[str, str], None] | None = None,
        claimer: str | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.channels = list(channels)
        self.command = tuple(command)
        self.notifier = notifier
        self.claimer = claimer or process_name()

    def deliver_pending(self) -> list[Delivery]:
        """Deliver every alert this process can take; blocking (run it off the event loop)."""
        deliveries = []
        with self.database.session() as session:
            waiting = pending_alerts(session, self.channels)
        for alert in waiting:
            now = self.clock.now()
            with self.database.session() as session:
                claimed = claim_alert(session, alert.id, self.claimer, now, now - CLAIM_LEASE)
                session.commit()
            if not claimed:
                continue  # another process is delivering it
            delivery = self._deliver(alert.channel, alert.payload, alert.attempts + 1, now)
            retry = delivery.error is not None and alert.attempts + 1 < MAX_ATTEMPTS
            with self.database.session() as session:
                finish_alert(session, alert.id, None if retry else now, delivery.error)
                session.commit()
            deliveries.append(delivery)
        return deliveries

    def _deliver(self, channel: str, payload: dict, attempt: int, now: datetime) -> Delivery:
        if channel in SCREEN_CHANNELS:
            fired_at = datetime.fromisoformat(payload["fired_at"])
            if now - fired_at > SCREEN_ALERT_MAX_AGE:
                return Delivery(channel, payload, shown=False)
            return Delivery(channel, payload)
        try:
            if channel == COMMAND_CHANNEL:
                if not self.command:
                    raise AlertFailed("no alert command is configured")
                run_alert_command(self.command, payload)
            elif channel == "desktop":
                if self.notifier is None:
                    return Delivery(channel, payload, shown=False)
                try:
                    self.notifier(*alert_summary(payload))
                except (OSError, subprocess.SubprocessError) as error:
                    raise AlertFailed(f"desktop notification failed ({error})") from None
            else:
                raise AlertFailed(f"unknown alert channel {channel!r}")
        except AlertFailed as failure:
            return Delivery(channel, payload, error=f"{failure} (attempt {attempt})")
        return Delivery(channel, payload)
