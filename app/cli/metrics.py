"""`storycart metrics [--period quarter] [--back N] [--since T --until T] [--json | --csv]`: the
figures of the metrics screen for the active policy (--policy), and `storycart follow-ups
[--owner NAME] [--status S] [--overdue] [--json]` / `storycart follow-ups set ID STATUS`: every
postmortem's action items in one list."""

from __future__ import annotations

import csv
import json
import sys

from app.cli.errors import CommandError
from app.cli.policy import command_policies, policy_named
from app.config import Settings
from app.domain.i18n import Catalog, said_in
from app.domain.metrics import PERIODS, period_bounds
from app.domain.moments import MomentError, parse_moment
from app.domain.postmortem.model import ACTION_STATUSES
from app.domain.textsafe import printable

RECURRENCES_SHOWN = 10  # in the text output; --json carries every one


def add_metrics_parsers(commands, common) -> None:
    metrics = commands.add_parser(
        "metrics",
        parents=[common],
        help="time to detect / acknowledge / mitigate / resolve per severity, against targets",
        description="The metrics of the active policy (--policy) for a period: per severity, "
        "the count, median, p90, mean and max of each time, the target and how many met it; "
        "incidents per week, recurrences and follow-ups.",
    )
    metrics.add_argument("--period", choices=PERIODS, default="quarter")
    metrics.add_argument("--back", type=int, default=0, help="so many periods before this one")
    metrics.add_argument("--since", help="start of a custom period (ISO 8601 or '30d ago')")
    metrics.add_argument("--until", help="end of a custom period (default: now)")
    output = metrics.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="the whole report as JSON")
    output.add_argument("--csv", action="store_true", help="one CSV row per severity and measure")
    metrics.add_argument(
        "--incidents",
        action="store_true",
        help="with --json: each figure's incidents and their times as well",
    )
    metrics.set_defaults(handler=cmd_metrics)

    follow = commands.add_parser(
        "follow-ups",
        parents=[common],
        help="every postmortem's action items in one list; mark them done",
        description="List the action items of every postmortem, or set one's status.",
    )
    follow.add_argument("--owner", help="only this owner's")
    follow.add_argument("--status", choices=ACTION_STATUSES)
    follow.add_argument("--overdue", action="store_true", help="only those past their due date")
    follow.add_argument("--json", action="store_true", help="machine-readable JSON")
    follow.set_defaults(handler=cmd_follow_ups)
    actions = follow.add_subparsers(dest="follow_up_command", metavar="ACTION")
    setter = actions.add_parser("set", parents=[common], help="set a follow-up's status")
    setter.add_argument("item", type=int, help="the number `follow-ups` shows first")
    setter.add_argument("status", choices=ACTION_STATUSES)
    setter.set_defaults(handler=cmd_set_follow_up)


def metrics_service(settings: Settings):
    from app.domain.clock import SystemClock
    from app.services.metrics_service import MetricsService
    from storage.database import Database

    return MetricsService(Database.open(settings.db_url), SystemClock())


def _period(args, now, catalog: Catalog):
    if not args.since:
        return period_bounds(args.period, now.astimezone(), args.back)
    try:
        since = parse_moment(args.since, now)
        until = parse_moment(args.until, now) if args.until else now
    except MomentError as error:
        raise CommandError(said_in(error, catalog)) from None
    if since >= until:
        raise CommandError(catalog.t("metrics.bad_period"))
    return since, until


def cmd_metrics(settings: Settings, args) -> int:
    from app.domain.metrics_view import CSV_HEADER, report_csv_rows, report_json

    catalog = Catalog(settings.lang)
    if args.incidents and not args.json:
        raise CommandError(catalog.t("metrics.incidents_need_json"))
    policy = policy_named(command_policies(settings), settings.policy or "web-service")
    service = metrics_service(settings)
    try:
        since, until = _period(args, service.clock.now(), catalog)
        report = service.report(policy, since, until, pause_gc=True)
    finally:
        service.database.close()
    if args.json:
        print(report_json(report, incidents=args.incidents))
    elif args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(CSV_HEADER)
        writer.writerows(report_csv_rows(report))
    else:
        _print_report(report, catalog)
    return 0


def _print_report(report, catalog: Catalog) -> None:
    from app.domain.metrics_view import completion_text, heading_text, recurrence_text, report_rows

    t = catalog.t
    print(heading_text(report, catalog))
    columns = ("median", "p90", "mean", "max", "target", "met")
    header = "  ".join(_pad(t(f"metrics.column_{c}"), 8, right=True) for c in columns)
    for row in report_rows(report, catalog):
        if row.measure == "detect":
            count = report.counts[row.severity]
            print(f"\n{t('metrics.incidents_of', severity=row.severity, count=count)}")
            print(f"  {'':<22}{_pad(t('metrics.column_count'), 4, right=True)}  {header}")
        cells = (row.median, row.p90, row.mean, row.maximum, row.target, row.met)
        values = "  ".join(f"{cell:>8}" for cell in cells)
        print(f"  {_pad(row.label, 22)}{row.count:>4}  {values}")
        if row.without:
            print(f"  {'':<26}{row.without}")
    print()
    print(t("metrics.recurrences", count=len(report.recurrences)))
    for found in report.recurrences[:RECURRENCES_SHOWN]:
        print("  " + recurrence_text(found, catalog))
    if len(report.recurrences) > RECURRENCES_SHOWN:
        print("  …")  # --json lists every one
    print(printable(completion_text(report, catalog)))


def _pad(text: str, width: int, right: bool = False) -> str:
    """Aligned in `width` terminal cells (a Korean or Japanese letter takes two)."""
    from rich.cells import cell_len

    room = " " * max(0 if right else 1, width - cell_len(text))
    return room + text if right else text + room


def cmd_follow_ups(settings: Settings, args) -> int:
    service = metrics_service(settings)
    try:
        items = service.follow_ups()
        today = service.today()
    finally:
        service.database.close()
    chosen = [
        item
        for item in items
        if (not args.owner or item.owner == args.owner)
        and (not args.status or item.status == args.status)
        and (not args.overdue or item.overdue(today))
    ]
    if args.json:
        from app.domain.metrics_view import follow_up_document

        rows = [
            {"item": item.item_id, **follow_up_document(item), "overdue": item.overdue(today)}
            for item in chosen
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    catalog = Catalog(settings.lang)
    for item in chosen:
        due = item.due.isoformat() if item.due else "—"
        late = " !" if item.overdue(today) else ""
        status = catalog.t(f"pm.value.{item.status}")
        print(
            printable(
                f"{item.item_id:>5}  {item.incident}  {due}{late}  {status}  "
                f"{item.owner or '—'}: {item.title}"
            )
        )
    return 0


def cmd_set_follow_up(settings: Settings, args) -> int:
    from app.services.metrics_service import FollowUpError
    from storage.errors import StaleWrite

    service = metrics_service(settings)
    try:
        service.set_follow_up(args.item, args.status, settings.user)
    except (FollowUpError, StaleWrite) as error:
        raise CommandError(str(error)) from None
    finally:
        service.database.close()
    return 0
