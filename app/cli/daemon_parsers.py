"""The `storycart daemon` parser: run the engine without a screen, or install it as a service."""

from __future__ import annotations

from app.cli.daemon_install import add_install_parser
from app.cli.intake_limits import DEFAULT_LISTEN


def add_daemon_parsers(commands, common, handler) -> None:
    daemon = commands.add_parser(
        "daemon",
        parents=[common],
        help="fire escalations and deliver pages without a screen",
        description="Run the escalation engine without a screen: fire steps, deliver pages, "
        "say it watches (see `storycart status`); one JSON line per firing on stdout; SIGTERM "
        "or SIGINT stops it. `storycart daemon install` makes it a service.",
    )
    daemon.add_argument(
        "--intake",
        nargs="?",
        const=DEFAULT_LISTEN,
        metavar="HOST:PORT",
        help="also take alerts from monitors and serve the pages' acknowledge links there (as "
        f"`storycart intake --listen`; default {DEFAULT_LISTEN})",
    )
    daemon.set_defaults(handler=handler)
    actions = daemon.add_subparsers(dest="daemon_command", metavar="ACTION")
    add_install_parser(actions, common)
