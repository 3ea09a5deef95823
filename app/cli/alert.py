"""`storycart alert list | test NAME`: the paging channels with their last success and last
failure, and a clearly marked test page through one of them, saying what came back."""

from __future__ import annotations

import json

from app.cli.errors import CommandError
from app.cli.services import open_services
from app.config import Settings
from app.domain.i18n import Catalog
from app.domain.paging import PagingChannel, trial_page_text
from app.domain.textsafe import printable


def add_alert_parsers(commands, common) -> None:
    alert = commands.add_parser(
        "alert",
        parents=[common],
        help="paging channels: list them, send a test page",
        description="The paging channels of the settings ([channels.NAME]).",
    )
    actions = alert.add_subparsers(dest="alert_command", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list",
        parents=[common],
        help="each channel with its last success and last failure",
        description="Each paging channel: where its URL comes from (never the URL itself), the "
        "ladder targets it pages, its language, and its last success and failure.",
    )
    listing.add_argument("--json", action="store_true", help="machine-readable JSON")
    listing.set_defaults(handler=cmd_alert_list)
    test = actions.add_parser(
        "test",
        parents=[common],
        help="send a test page through a channel",
        description="Send a page marked as a test (no incident) through the channel now and say "
        "what the service answered; exit 1 when it failed.",
    )
    test.add_argument("name")
    test.set_defaults(handler=cmd_alert_test)


def _source(channel: PagingChannel) -> str:
    if channel.url_env:
        return f"url_env {channel.url_env}"
    if channel.url_file:
        return f"url_file {channel.url_file}"
    return f"url {channel.url.get_secret_value().split('://', 1)[0]}://…"


def cmd_alert_list(settings: Settings, args) -> int:
    t = Catalog(settings.lang).t
    with open_services(settings) as services:
        statuses = {status.name: status for status in services.paging.statuses()}
    rows = []
    for channel in settings.channels:
        status = statuses.get(channel.name)
        rows.append(
            {
                "name": channel.name,
                "source": _source(channel),
                "broadcast": channel.broadcast,
                "pages": list(channel.pages),
                "lang": channel.lang or settings.lang,
                "last_ok_at": _iso(status.last_ok_at if status else None),
                "last_failed_at": _iso(status.last_failed_at if status else None),
                "last_error": status.last_error if status else None,
                "broken": bool(status and status.broken),
            }
        )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(printable(t("alert.none")))
    for row in rows:
        says = Catalog(row["lang"]).t  # each channel's status in the language of its pages
        pages = ", ".join(row["pages"]) or says("alert.every_step")
        print(printable(f"{row['name']}  {row['source']}  {row['lang']}  {pages}"))
        from app.domain.message_templates import local_time

        ok = local_time(_parse(row["last_ok_at"])) or "—"
        failed = local_time(_parse(row["last_failed_at"])) or "—"
        line = says("alert.last", ok=ok, failed=failed)
        if row["broken"]:
            line += "  " + says("alert.broken", error=row["last_error"])
        print(printable(f"  {line}"))
    return 0


def cmd_alert_test(settings: Settings, args) -> int:
    from app.domain.clock import SystemClock
    from app.services.paging import PagingError, channel_url, send

    catalog = Catalog(settings.lang)
    channel = next((c for c in settings.channels if c.name == args.name), None)
    if channel is None:
        known = ", ".join(c.name for c in settings.channels) or catalog.t("alert.none_short")
        raise CommandError(catalog.t("alert.unknown", name=args.name, known=known))
    title, body = trial_page_text(
        channel.name, Catalog(channel.lang or settings.lang), SystemClock().now()
    )
    try:
        send(channel_url(channel), title, body, channel.name)
    except PagingError as error:
        said = catalog.t("alert.test_failed", name=channel.name, error=str(error))
        raise CommandError(said) from None
    print(printable(catalog.t("alert.test_sent", name=channel.name)))
    return 0


def _iso(at) -> str | None:
    return at.isoformat() if at else None


def _parse(text: str | None):
    from datetime import datetime

    return datetime.fromisoformat(text) if text else None
