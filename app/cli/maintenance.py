"""`storycart maintenance start NAME --for 2h [--match TEXT] | end NAME | list`: windows during
which matching intake alerts are recorded but page nobody."""

from __future__ import annotations

import json

from app.cli.errors import CommandError
from app.cli.services import open_services
from app.config import Settings
from app.domain.durations import DurationError, parse_duration
from app.domain.i18n import Catalog
from app.domain.intake import window_text
from app.domain.textsafe import printable


def add_maintenance_parsers(commands, common) -> None:
    maintenance = commands.add_parser(
        "maintenance",
        parents=[common],
        help="maintenance windows: intake alerts recorded, nobody paged",
        description="Start, end or list maintenance windows.",
    )
    actions = maintenance.add_subparsers(
        dest="maintenance_command", metavar="ACTION", required=True
    )
    start = actions.add_parser("start", parents=[common], help="start a window now")
    start.add_argument("name")
    start.add_argument("--for", dest="duration", required=True, metavar="DURATION")
    start.add_argument("--match", default="", help="only alerts whose key or title holds this")
    start.set_defaults(handler=cmd_start)
    end = actions.add_parser("end", parents=[common], help="end a window now")
    end.add_argument("name")
    end.set_defaults(handler=cmd_end)
    listing = actions.add_parser("list", parents=[common], help="the windows open now")
    listing.add_argument("--json", action="store_true", help="machine-readable JSON")
    listing.set_defaults(handler=cmd_list)


def cmd_start(settings: Settings, args) -> int:
    from datetime import timedelta

    from app.domain.intake import IntakeError

    try:
        seconds = parse_duration(args.duration)
    except DurationError as error:
        raise CommandError(f"--for: {error}") from None
    with open_services(settings) as services:
        try:
            window = services.maintenance.start(
                args.name, timedelta(seconds=seconds), settings.user, args.match
            )
        except IntakeError as error:
            raise CommandError(str(error)) from None
    from app.domain.message_templates import local_time

    said = Catalog(settings.lang).t(
        "maintenance.started", name=window.name, until=local_time(window.ends_at)
    )
    print(printable(said))
    return 0


def cmd_end(settings: Settings, args) -> int:
    with open_services(settings) as services:
        ended = services.maintenance.end(args.name)
    catalog = Catalog(settings.lang)
    if not ended:
        raise CommandError(catalog.t("maintenance.none_open", name=args.name))
    print(printable(catalog.t("maintenance.ended", name=args.name)))
    return 0


def cmd_list(settings: Settings, args) -> int:
    with open_services(settings) as services:
        windows = services.maintenance.active()
    if args.json:
        rows = [
            {
                "name": w.name,
                "match": w.match,
                "starts_at": w.starts_at.isoformat(),
                "ends_at": w.ends_at.isoformat(),
                "by": w.created_by,
            }
            for w in windows
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    catalog = Catalog(settings.lang)
    for window in windows:
        print(printable(window_text(window, catalog)))
    return 0
