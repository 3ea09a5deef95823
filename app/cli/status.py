"""`storycart status [--json]`: who fires escalations, the open incidents and the next step
waiting, each paging channel's state and whether alerts are taken. Exits 1 with one sentence
on stderr per problem when open incidents have nobody watching them or a channel is broken,
so a cron job or a monitor can alert on it. Fast: no Textual, no stories, one short read."""

from __future__ import annotations

import json
import sys

from app.config import Settings
from app.domain.i18n import Catalog
from app.domain.redact import redact_text
from app.domain.textsafe import printable
from app.domain.word_lists import joined


def add_status_parser(commands, common) -> None:
    status = commands.add_parser(
        "status",
        parents=[common],
        help="who fires escalations, what is open, whether paging works (exit 1 if not)",
        description="Show the processes that fire escalations (watchers), the open incidents, "
        "the next escalation step waiting, each paging channel and the intake. Exits 1, with "
        "the reason on stderr, when open incidents have no watcher, a channel is broken, or "
        "pages carry acknowledge links ([intake] public_url) that no running intake serves.",
    )
    status.add_argument("--json", action="store_true", help="machine-readable JSON")
    status.set_defaults(handler=cmd_status)


def read_report(settings: Settings, clock=None):
    from app.domain.clock import SystemClock
    from app.domain.incident import alert_channels
    from app.services.engine_report import engine_report
    from app.services.incident_service import IncidentService
    from app.services.paging_status import PagingStatus
    from app.services.policy_versions import PolicyVersions
    from app.services.watchers import WatcherService
    from storage.database import Database

    clock = clock or SystemClock()
    database = Database.open(settings.db_url)
    try:
        incidents = IncidentService(
            database, clock, PolicyVersions(database, clock), alert_channels(settings)
        )
        return engine_report(
            incidents,
            WatcherService(database, clock),
            PagingStatus(database, settings.channels),
            settings.engine.interval_s,
        )
    finally:
        database.close()


def problems(report, catalog: Catalog, public_url: str = "") -> list[str]:
    said = []
    if report.unwatched:
        said.append(catalog.t("health.unwatched", count=report.open_incidents))
    for status in report.broken:
        error = redact_text(status.last_error or "")
        said.append(catalog.t("health.broken", channel=status.name, error=error))
    if public_url and not report.intake():
        # Pages still go out, but the button on them fails: found now, not at 3 am.
        said.append(catalog.t("health.links_dead", url=public_url))
    return [printable(sentence) for sentence in said]


def cmd_status(settings: Settings, args) -> int:
    catalog = Catalog(settings.lang)
    report = read_report(settings)
    said = problems(report, catalog, settings.intake.public_url)
    if args.json:
        print(json.dumps(report_json(report, said), ensure_ascii=False, indent=2))
    else:
        print(report_text(report, catalog, ok=not said))
    for sentence in said:
        print(f"storycart: {sentence}", file=sys.stderr)
    return 1 if said else 0


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def report_json(report, said: list[str]) -> dict:
    alive = {watcher.instance for watcher in report.alive()}
    step = report.next_step
    return {
        "ok": not said,
        "problems": said,
        "now": report.now.isoformat(),
        "watchers": [
            {
                "kind": watcher.kind,
                "host": watcher.host,
                "pid": watcher.pid,
                "user": watcher.user,
                "version": watcher.version,
                "started_at": _iso(watcher.started_at),
                "last_pass_at": _iso(watcher.last_pass_at),
                "age_s": round(watcher.age(report.now).total_seconds(), 1),
                "alive": watcher.instance in alive,
            }
            for watcher in report.watchers
        ],
        "open_incidents": report.open_incidents,
        "next_step": None
        if step is None
        else {
            "incident": step.incident,
            "step": step.step,
            "position": step.position + 1,  # as the ladder tab and the pages count
            "round": step.round + 1,
            "notify": [who.get("en") for who in step.notify],
            "due_at": step.due_at.isoformat(),
            "due_in_s": round((step.due_at - report.now).total_seconds(), 1),
        },
        "channels": [
            {
                "name": status.name,
                "state": "broken" if status.broken else "ok" if status.last_ok_at else "unused",
                "last_ok_at": _iso(status.last_ok_at),
                "last_failed_at": _iso(status.last_failed_at),
                "last_error": redact_text(status.last_error)
                if status.last_error is not None
                else None,
            }
            for status in report.channels
        ],
        "intake": {
            "listening": bool(report.intake()),
            "by": [f"{watcher.kind}@{watcher.host}:{watcher.pid}" for watcher in report.intake()],
        },
    }


def report_text(report, catalog: Catalog, ok: bool) -> str:
    from app.domain.message_templates import local_time
    from app.domain.watcher_text import age_text, watcher_name

    t, now = catalog.t, report.now
    alive = {watcher.instance for watcher in report.alive()}
    lines = [t("health.watchers")]
    for watcher in report.watchers:
        line = t(
            "health.watcher",
            kind=watcher.kind,
            host=watcher.host,
            pid=watcher.pid,
            user=watcher.user,
            version=watcher.version,
            at=local_time(watcher.last_pass_at),
            age=age_text(watcher.age(now).total_seconds(), catalog),
        )
        lines.append(line + ("" if watcher.instance in alive else t("health.stopped_mark")))
    if not report.watchers:
        lines.append(t("health.no_watchers"))
    lines.append(t("health.open", count=report.open_incidents))
    step = report.next_step
    if step is None:
        lines.append(t("health.no_next"))
    else:
        left = int((step.due_at - now).total_seconds())
        lines.append(
            t(
                "health.next_step",
                incident=step.incident,
                step=step.label(catalog),
                notify=joined((who.get(catalog.lang) for who in step.notify), catalog.lang),
                at=local_time(step.due_at),
                when=t("health.in", duration=catalog.duration(max(1, left)))
                if left > 0
                else t("health.overdue", duration=catalog.duration(max(1, -left))),
            )
        )
    lines.append(t("health.channels"))
    for status in report.channels:
        if status.broken:
            key, at = "health.channel_broken", status.last_failed_at
        elif status.last_ok_at is not None:
            key, at = "health.channel_ok", status.last_ok_at
        else:
            key, at = "health.channel_unused", None
        error = redact_text(status.last_error or "")
        lines.append(t(key, channel=status.name, at=local_time(at), error=error))
    if not report.channels:
        lines.append(t("health.no_channels"))
    takers = report.intake()
    who = joined((watcher_name(w.kind, w.host, w.user, catalog) for w in takers), catalog.lang)
    lines.append(t("health.intake_on", who=who) if takers else t("health.intake_off"))
    if ok:
        lines.append(t("health.healthy"))
    return printable("\n".join(lines))
