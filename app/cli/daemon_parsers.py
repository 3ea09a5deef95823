"""The `storycart daemon` parser: run the engine without a screen, or install it as a service."""

from __future__ import annotations

from app.cli.daemon_install import add_install_parser


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
        metavar="HOST:PORT",
        help="also take alerts from monitors there (as `storycart intake --listen`)",
    )
    daemon.set_defaults(handler=handler)
    actions = daemon.add_subparsers(dest="daemon_command", metavar="ACTION")
    add_install_parser(actions, common)
