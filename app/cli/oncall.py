"""`storycart oncall [--at T] [--json]`: who holds each ladder level of the roster now (or at
T), with their contact and until when."""

from __future__ import annotations

import json

from app.cli.errors import CommandError
from app.config import Settings
from app.domain.i18n import Catalog
from app.domain.moments import MomentError, parse_moment
from app.domain.textsafe import printable


def add_oncall_parser(commands, common) -> None:
    oncall = commands.add_parser(
        "oncall",
        parents=[common],
        help="who is on call for each ladder level (the [roster] in config.toml)",
        description="Who holds each level of the roster now (or --at a time), their contact, "
        "and until when.",
    )
    oncall.add_argument("--at", help="another moment: ISO 8601 or '2h ago'")
    oncall.add_argument("--json", action="store_true", help="machine-readable JSON")
    oncall.set_defaults(handler=cmd_oncall)


def cmd_oncall(settings: Settings, args) -> int:
    from app.domain.clock import SystemClock
    from app.domain.message_templates import local_time

    catalog = Catalog(settings.lang)
    now = SystemClock().now()
    try:
        at = parse_moment(args.at, now) if args.at else now
    except MomentError as error:
        raise CommandError(str(error)) from None
    if not settings.roster:
        raise CommandError(catalog.t("oncall.no_roster"))
    held = settings.roster.on_call(at)
    if args.json:
        rows = [
            {
                "level": h.level,
                "person": h.person.key,
                "name": h.person.name,
                "contact": h.person.contact,
                "until": h.until.isoformat(),
                "override": h.override,
            }
            for h in held
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for h in held:
        line = catalog.t(
            "oncall.line",
            level=h.level,
            name=h.person.name,
            contact=h.person.contact or "—",
            until=local_time(h.until),
        )
        print(printable(line + (f" ({catalog.t('oncall.override')})" if h.override else "")))
    return 0
