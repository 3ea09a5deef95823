"""`storycart` command line: the TUI by default, and the core without a screen.

Errors are one sentence on stderr with a non-zero exit code, never a traceback
(set STORYCART_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from app import __version__
from app.cli.alert import add_alert_parsers
from app.cli.daemon_parsers import add_daemon_parsers
from app.cli.database import add_db_parsers
from app.cli.demo import add_demo_parser
from app.cli.drill import add_drill_parsers
from app.cli.errors import CommandError
from app.cli.incident import add_incident_parsers
from app.cli.intake import add_intake_parsers
from app.cli.kiosk import add_kiosk_parser
from app.cli.maintenance import add_maintenance_parsers
from app.cli.metrics import add_metrics_parsers
from app.cli.oncall import add_oncall_parser
from app.cli.policy import add_policy_parsers
from app.cli.postmortem import add_exchange_parsers
from app.cli.run import add_run_parser, cmd_run
from app.cli.settings import add_settings_parser
from app.cli.status import add_status_parser
from app.cli.story import add_story_parsers
from app.cli.training import add_training_parsers
from app.config import ConfigError, Flags, Settings, load_settings
from app.domain.i18n import Catalog, said_in
from app.domain.policy.errors import PolicyError
from app.domain.textsafe import printable
from storage.errors import StorageError


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        metavar="URL",
        default=default,
        help="database URL (default: SQLite file in the data dir; env STORYCART_DB)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=default,
        help="settings TOML file (default: config.toml in the config dir)",
    )
    parser.add_argument(
        "--lang",
        choices=("en", "ko", "ja"),
        default=default,
        help="language (default: from the locale; env STORYCART_LANG)",
    )
    parser.add_argument(
        "--policy",
        metavar="NAME",
        default=default,
        help="policy to open with (default: web-service)",
    )
    parser.add_argument(
        "--policy-file",
        metavar="FILE",
        action="append",
        dest="policy_files",
        default=default,
        help="extra policy TOML file (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storycart",
        description="Incident board, postmortems and the story cart, in your terminal.",
    )
    parser.add_argument("--version", action="version", version=f"storycart {__version__}")
    _global_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    add_run_parser(commands, common)
    add_kiosk_parser(commands, common)
    add_policy_parsers(commands, common)
    add_incident_parsers(commands, common)

    add_daemon_parsers(commands, common, cmd_daemon)
    add_exchange_parsers(commands, common)
    add_story_parsers(commands, common)
    add_db_parsers(commands, common)
    add_settings_parser(commands, common)
    add_alert_parsers(commands, common)
    add_intake_parsers(commands, common)
    add_maintenance_parsers(commands, common)
    add_metrics_parsers(commands, common)
    add_demo_parser(commands, common)
    add_oncall_parser(commands, common)
    add_drill_parsers(commands, common)
    add_training_parsers(commands, common)
    add_status_parser(commands, common)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    flags = Flags(
        db=getattr(args, "db", None),
        config=getattr(args, "config", None),
        lang=getattr(args, "lang", None),
        policy=getattr(args, "policy", None),
        policy_files=list(getattr(args, "policy_files", None) or []),
    )
    return load_settings(flags, os.environ)


def cmd_daemon(settings: Settings, args) -> int:
    import asyncio

    from app.cli.daemon import run_daemon
    from app.domain.clock import SystemClock

    stop_intake = None
    if getattr(args, "intake", None):
        from app.cli.intake import serve_in_background

        stop_intake = serve_in_background(settings, args.intake)
    try:
        kind = "daemon-intake" if stop_intake is not None else "daemon"
        asyncio.run(run_daemon(settings, SystemClock(), kind=kind))
    finally:
        if stop_intake is not None:
            stop_intake()
    return 0


def _new_database_file(settings: Settings):
    """The SQLite file the command is about to create, if it does not exist yet: a typo in
    --db would otherwise start an empty database without a word."""
    from storage.urls import sqlite_path

    try:
        path = sqlite_path(settings.db_url)
    except StorageError:
        return None
    return path if path is not None and not path.exists() else None


def _not_utf8_argument(argv: Sequence[str]) -> str | None:
    """The option whose value held bytes that are not UTF-8 (Python keeps them as lone
    surrogates, which no database, file or terminal can take), or None when all are text."""
    previous = ""
    for word in argv:
        if any("\udc80" <= char <= "\udcff" for char in word):
            if word.startswith("--") and "=" in word:
                return word.split("=", 1)[0]
            return previous if previous.startswith("-") else "an argument"
        previous = word
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if (option := _not_utf8_argument(sys.argv[1:] if argv is None else argv)) is not None:
        catalog = Catalog(getattr(args, "lang", None) or "en")
        print(f"storycart: {catalog.t('cli.not_utf8', option=option)}", file=sys.stderr)
        return 2
    handler = getattr(args, "handler", cmd_run)  # no command: the TUI
    settings = None
    try:
        settings = _settings(args)
        new_file = _new_database_file(settings)
        code = handler(settings, args)
        if new_file is not None and new_file.exists():
            said = Catalog(settings.lang).t("cli.created_database", path=str(new_file))
            print(f"storycart: {printable(said)}", file=sys.stderr)
        return code
    except (CommandError, StorageError) as error:
        catalog = Catalog(settings.lang if settings is not None else "en")
        print(f"storycart: {printable(said_in(error, catalog))}", file=sys.stderr)
        return error.exit_code
    except (ConfigError, PolicyError) as error:
        catalog = Catalog(settings.lang if settings is not None else "en")
        print(f"storycart: {printable(said_in(error, catalog))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (head, less) went away; that is not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        if os.environ.get("STORYCART_DEBUG"):
            raise
        print(
            f"storycart: unexpected {type(error).__name__}: {printable(str(error))} "
            "(run with STORYCART_DEBUG=1 for details).",
            file=sys.stderr,
        )
        return 1
