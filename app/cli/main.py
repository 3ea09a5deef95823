"""`storycart` command line: the TUI by default, and the core without a screen.

Errors are one sentence on stderr with a non-zero exit code, never a traceback
(set STORYCART_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from app import __version__
from app.cli.errors import CommandError
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


# Each command group's module, the function adding its parsers, and the commands it adds, in
# the order `storycart --help` lists them. A command imports only its own group's module (and
# what that imports): `incident list` never loads the TUI, the story library or the intake.
COMMAND_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("app.cli.run", "add_run_parser", ("run",)),
    ("app.cli.kiosk", "add_kiosk_parser", ("kiosk",)),
    ("app.cli.policy", "add_policy_parsers", ("policy",)),
    ("app.cli.incident", "add_incident_parsers", ("incident",)),
    ("app.cli.daemon_parsers", "add_daemon_parsers", ("daemon",)),
    ("app.cli.postmortem", "add_exchange_parsers", ("export", "import")),
    ("app.cli.story", "add_story_parsers", ("story",)),
    ("app.cli.database", "add_db_parsers", ("db",)),
    ("app.cli.settings", "add_settings_parser", ("settings",)),
    ("app.cli.alert", "add_alert_parsers", ("alert",)),
    ("app.cli.intake", "add_intake_parsers", ("intake",)),
    ("app.cli.maintenance", "add_maintenance_parsers", ("maintenance",)),
    ("app.cli.metrics", "add_metrics_parsers", ("metrics", "follow-ups")),
    ("app.cli.demo", "add_demo_parser", ("demo",)),
    ("app.cli.oncall", "add_oncall_parser", ("oncall",)),
    ("app.cli.drill", "add_drill_parsers", ("drill",)),
    ("app.cli.training", "add_training_parsers", ("training",)),
    ("app.cli.status", "add_status_parser", ("status",)),
)
# The global options that take a value (the word after them is not a command).
_VALUE_OPTIONS = ("--db", "--config", "--lang", "--policy", "--policy-file")


def command_word(argv: Sequence[str]) -> str | None:
    """The command `argv` names, read past the global options ("" when it names none: the
    TUI); None when it uses an option this cannot read for sure (an abbreviation, --help):
    then every group is built and argparse says what it says today."""
    words = iter(argv)
    for word in words:
        if word in _VALUE_OPTIONS:
            next(words, None)
        elif word.startswith(tuple(option + "=" for option in _VALUE_OPTIONS)):
            continue
        elif word.startswith("-"):
            return None
        else:
            return word
    return ""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for every command, or only for `command`'s group when it is a known one
    ("": the TUI's)."""
    parser = argparse.ArgumentParser(
        prog="storycart",
        description="Incident board, postmortems and the story cart, in your terminal.",
    )
    parser.add_argument("--version", action="version", version=f"storycart {__version__}")
    _global_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = [] if command is None else [g for g in COMMAND_GROUPS if (command or "run") in g[2]]
    for module, function, _names in chosen or COMMAND_GROUPS:
        add = getattr(importlib.import_module(module), function)
        if module == "app.cli.daemon_parsers":
            add(commands, common, cmd_daemon)
        else:
            add(commands, common)
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


def _open_tui(settings: Settings, args) -> int:
    from app.cli.run import cmd_run

    return cmd_run(settings, args)


def cmd_daemon(settings: Settings, args) -> int:
    import asyncio

    from app.cli.daemon import run_daemon
    from app.domain.clock import SystemClock

    _keep_warm_server(settings)
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


def _keep_warm_server(settings: Settings) -> None:
    """While the daemon runs, a warm server does too: every command scripts call on this
    machine runs warm, the first of the day included."""
    from app.cli.warm_client import socket_path
    from app.cli.warm_control import keep_warm

    path = socket_path()
    if settings.warm_cli and path is not None:
        keep_warm(path, os.getpid())


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


def main(
    argv: Sequence[str] | None = None,
    on_settings: Callable[[Settings, str], bool] | None = None,
) -> int:
    """Run the command `argv` names; `on_settings(settings, command)` is called once the
    settings are read and may stop it there by returning False (the warm server's child uses
    it to hand a command back to its caller)."""
    words = sys.argv[1:] if argv is None else argv
    args = build_parser(command_word(words)).parse_args(argv)
    if (option := _not_utf8_argument(words)) is not None:
        catalog = Catalog(getattr(args, "lang", None) or "en")
        print(f"storycart: {catalog.t('cli.not_utf8', option=option)}", file=sys.stderr)
        return 2
    handler = getattr(args, "handler", None) or _open_tui  # no command: the TUI
    settings = None
    try:
        settings = _settings(args)
        if on_settings is not None and not on_settings(settings, args.command or ""):
            return 0
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
