"""Delivering the alerts that firings left in the outbox.

A firing writes one outbox row per channel in its own transaction; delivery happens afterwards,
here. A process claims a row before delivering it (a claim expires, so an alert whose deliverer
crashed is delivered again by someone else) and marks it delivered afterwards: an alert can be
repeated after a crash, a step is never fired twice.

Channels: `bell` and `flash` belong to a screen (only a process with a terminal takes them);
`desktop` uses the machine's notifier when there is one; `command` runs the user's command
without a shell, with the alert as JSON on stdin; `page:NAME` sends a page through the paging
channel NAME (Apprise), retried with growing pauses while the service fails, each attempt
written into the incident's timeline. A failure is recorded and reported, never raised: alerts
must not stop the scheduler.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError

from app.domain.clock import Clock
from app.domain.i18n import Catalog
from app.domain.incident import COMMAND_CHANNEL, SCREEN_CHANNELS, IncidentView
from app.domain.page_context import paged_names
from app.domain.paging import (
    PagingChannel,
    broadcast_text,
    channel_name,
    idempotency_key,
    page_text,
)
from app.services.paging import PagingError, channel_url, send_page
from storage.database import Database
from storage.outbox_claims import claim_alerts, finish_alerts
from storage.outbox_rows import (
    claim_alert,
    claim_delivered,
    oldest_undelivered,
    pending_alerts,
)
from storage.tables import TimelineEntryRecord

CLAIM_LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 3
# A page is tried again after 10 s, 20 s, 40 s, … 5 min: about 25 minutes before giving up.
PAGE_MAX_ATTEMPTS = 10
PAGE_RETRY_FIRST = timedelta(seconds=10)
PAGE_RETRY_MAX = timedelta(minutes=5)
COMMAND_TIMEOUT_S = 30
PAGE_SENDERS = 16  # pages in flight at once from one process
# A page waits this long at most for the firing pass under way to end (`firing_quiet`).
YIELD_TO_FIRING_S = 1.0
FINISH_BATCH = 50  # pages recorded (outbox row, timeline line) per transaction
# Alerts read per pass: a board catching up on 70,000 held them all as rows (~350 MiB).
DELIVERY_BATCH = 5000
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


def page_retry_pause(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1, 2, …) of a page."""
    return min(PAGE_RETRY_MAX, PAGE_RETRY_FIRST * 2 ** max(0, attempt - 1))


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
        paging: Sequence[PagingChannel] = (),
        lang: str = "en",
        environ: Mapping[str, str] = os.environ,
        views: Callable[[str], IncidentView] | None = None,
        lease: timedelta = CLAIM_LEASE,
        links: PageLinks | None = None,
        actor: str | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        # Every outbound channel: pagers, and incident channels that hear of the incident.
        self.paging = {c.outbox_channel: c for c in paging}
        self.channels = [*channels, *self.paging]
        self.command = tuple(command)
        self.notifier = notifier
        self.claimer = claimer or process_name()
        # Who the timeline names for the pages this process sends ("daemon on team-server").
        self.actor = actor or self.claimer
        self.lang = lang  # of pages from channels that do not name their own
        self.environ = environ
        self.views = views  # an incident's current view, for incident-channel messages
        self.lease = lease  # a claim older than this was left by a process that died
        self.links = links  # acknowledge links for pages (app.services.ack_links), or none
        # Clear while this process's scheduler fires a pass: pages wait for it (up to
        # YIELD_TO_FIRING_S), so a storm's sending threads do not take the interpreter from
        # the steps still to fire (measured: firing p99 4 s with 16 senders beside it).
        self._catalogs: dict[str, Catalog] = {}
        self.firing_quiet = threading.Event()
        self.firing_quiet.set()
        self.more_waiting = False  # the last pass read a full batch: another follows at once

    def deliver_pending(self) -> list[Delivery]:
        """Deliver the alerts this process can take, DELIVERY_BATCH at most (`more_waiting`
        says whether more are); blocking (run it off the event loop).
        Pages go out side by side (a storm of steps due together must not queue behind one
        slow service); an incident channel hears of each incident in order (its declare before
        its resolve, even when the declare had to be tried again); the user's command and the
        machine's notifier run one at a time."""
        broadcasts = [name for name, channel in self.paging.items() if channel.broadcast]
        with self.database.session() as session:
            waiting = pending_alerts(session, self.channels, self.clock.now(), DELIVERY_BATCH)
            heads = oldest_undelivered(session, broadcasts)
        full = len(waiting) >= DELIVERY_BATCH
        delivered: list = self._show_on_screen([a for a in waiting if a.channel in SCREEN_CHANNELS])
        local = [
            a for a in waiting if a.channel not in self.paging and a.channel not in SCREEN_CHANNELS
        ]
        runs = [[a] for a in waiting if a.channel in self.paging and a.channel not in broadcasts]
        in_order: dict[tuple[str, int], list] = {}
        for alert in waiting:
            if alert.channel in broadcasts:
                in_order.setdefault((alert.channel, alert.incident_id), []).append(alert)
        runs += [run for key, run in in_order.items() if run[0].id == heads.get(key)]
        if runs or local:
            delivered += self._send(runs, local)
        self.more_waiting = full and bool(delivered)  # not when others hold every claim
        return [delivery for delivery in delivered if delivery is not None]

    def _send(self, runs: list[list], local: list) -> list[Delivery]:
        """Every run's first page and every local alert (the notifier's, the command's)
        claimed in one statement; the runs sent side by side, the local alerts one at a time
        beside them; what they did recorded FINISH_BATCH to a transaction as they come back."""
        now = self.clock.now()
        with self.database.session() as session:
            ids = [run[0].id for run in runs] + [alert.id for alert in local]
            taken = claim_alerts(session, ids, self.claimer, now, now - self.lease)
            session.commit()
        runs = [run for run in runs if run[0].id in taken]
        local = [alert for alert in local if alert.id in taken]
        delivered: list[Delivery] = []
        done: list[tuple] = []
        if not runs and not local:
            return delivered
        with ThreadPoolExecutor(min(PAGE_SENDERS, len(runs) + 1)) as senders:
            work = [senders.submit(self._deliver_run, run) for run in runs]
            if local:
                work.append(senders.submit(self._deliver_each, local, now))
            for future in as_completed(work):
                done += future.result()
                if len(done) >= FINISH_BATCH:
                    delivered += self._finish(done)
                    done = []
        return delivered + self._finish(done)

    def _deliver_each(self, alerts: list, now: datetime) -> list[tuple]:
        """The claimed local alerts, one after another (one failing stops none of the others)."""
        return [
            (alert, self._deliver(alert, alert.attempts + 1, now), alert.attempts + 1, now)
            for alert in alerts
        ]

    def _show_on_screen(self, alerts: list) -> list[Delivery]:
        """The bell and the banner need nothing outside this process and cannot fail: their
        alerts are claimed and marked delivered together, a few statements for a whole storm
        of steps due at once (not two transactions per alert, which would hold SQLite's write
        lock for seconds and make the next firing wait)."""
        if not alerts:
            return []
        now = self.clock.now()
        with self.database.session() as session:
            ids = [alert.id for alert in alerts]
            taken = claim_delivered(session, ids, self.claimer, now, now - self.lease)
            session.commit()
        return [
            self._deliver(alert, alert.attempts + 1, now) for alert in alerts if alert.id in taken
        ]

    def _deliver_run(self, run: list) -> list[tuple]:
        """Each page of the run (its first already claimed) after the one before it went
        through; stop at the first that did not (it is tried again later, and what follows it
        waits). What each did, for `_finish`."""
        done = []
        for position, alert in enumerate(run):
            now = self.clock.now()
            if position > 0:
                with self.database.session() as session:
                    claimed = claim_alert(session, alert.id, self.claimer, now, now - self.lease)
                    session.commit()
                if not claimed:
                    break  # another process is delivering it
            attempt = alert.attempts + 1
            self.firing_quiet.wait(YIELD_TO_FIRING_S)
            delivery = self._deliver(alert, attempt, now)
            done.append((alert, delivery, attempt, now))
            if delivery.error is not None:
                break
        return done

    def _finish(self, done: list[tuple]) -> list[Delivery]:
        """Record deliveries and failed attempts (a failed page tried again after a growing
        pause), each page in its incident's timeline, in one transaction."""
        if not done:
            return []
        outcomes, entries = [], []
        for alert, delivery, attempt, now in done:
            paging = alert.channel in self.paging
            limit = PAGE_MAX_ATTEMPTS if paging else MAX_ATTEMPTS
            retry = delivery.error is not None and attempt < limit
            retry_at = now + page_retry_pause(attempt) if retry and paging else None
            outcomes.append((alert.id, None if retry else now, delivery.error, retry_at))
            if paging and "broadcast" not in alert.payload:
                entries.append(self._page_entry(alert, delivery, attempt, now, final=not retry))
        with self.database.session() as session:
            finish_alerts(session, outcomes)
            if entries:
                session.execute(insert(TimelineEntryRecord), entries)
            session.commit()
        return [delivery for _alert, delivery, _attempt, _now in done]

    def _page_entry(self, alert, delivery, attempt: int, now, final: bool) -> dict:
        """The incident's timeline says each page that went out, and each that failed."""
        name = channel_name(alert.channel)
        if delivery.error is None:
            text = f"page delivered via {name}"
        else:
            text = f"page via {name} failed (attempt {attempt}): {delivery.error}"
        data = {
            "channel": name,
            "ok": delivery.error is None,
            "attempt": attempt,
            "final": final,
            "error": delivery.error,
            "step": alert.payload.get("step"),
            "round": alert.payload.get("round"),
        }
        return dict(
            incident_id=alert.incident_id,
            at=now,
            kind="page",
            actor=self.actor,
            text=text,
            certainty="fact",
            data=data,
        )

    def _deliver(self, alert, attempt: int, now: datetime) -> Delivery:
        channel, payload = alert.channel, alert.payload
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
            elif channel in self.paging:
                self._page(self.paging[channel], alert, now)
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
            if channel in self.paging:  # its timeline line says which attempt it was
                return Delivery(channel, payload, error=str(failure))
            return Delivery(channel, payload, error=f"{failure} (attempt {attempt})")
        return Delivery(channel, payload)

    def _page(self, channel: PagingChannel, alert, now: datetime) -> None:
        """Send a page in the channel's language, saying how long the incident has been open
        now, with its acknowledge link when pages carry one."""
        payload = alert.payload
        key = idempotency_key(payload, channel.outbox_channel)
        catalog = self._catalog(channel.lang or self.lang)
        ack = None
        if "broadcast" in payload:
            view = self.views(payload["incident"]) if self.views is not None else None
            title, body = broadcast_text(payload, view, catalog)
        else:
            link = self._ack_link(channel, alert, catalog)
            ack = (catalog.t("page.ack_button"), link) if link else None
            title, body = page_text(payload, channel.outbox_channel, catalog, now, link)
        try:
            url = channel_url(channel, self.environ)
            send_page(url, channel, key, payload["severity"], ack, title, body)
        except PagingError as error:
            raise AlertFailed(str(error)) from None

    def _catalog(self, lang: str) -> Catalog:
        """One catalog per language for all pages (each copies the whole catalog)."""
        if lang not in self._catalogs:
            self._catalogs[lang] = Catalog(lang)
        return self._catalogs[lang]

    def _ack_link(self, channel: PagingChannel, alert, catalog: Catalog) -> str:
        """The page's acknowledge link, the same on every try; "" without links, or when it
        cannot be stored now (the page goes out with the command to acknowledge instead: a
        page without a link beats no page)."""
        if self.links is None:
            return ""
        paged = paged_names(alert.payload, catalog.lang)
        try:
            return self.links.page_link(
                alert.id, alert.created_at, alert.payload["incident"], paged, channel.name
            )
        except (SQLAlchemyError, OSError):
            return ""


class PageLinks(Protocol):
    """What delivery needs of app.services.ack_links.AckLinks."""

    def page_link(
        self, outbox_id: int, created_at: datetime, code: str, paged: str, channel: str
    ) -> str: ...
