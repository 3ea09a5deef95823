"""`storycart` command line: the TUI by default, and the core without a screen.

Errors are one sentence on stderr with a non-zero exit code, never a traceback
(set STORYCART_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from app import __version__
from app.cli.errors import CommandError
from app.cli.incident import add_incident_parsers, cmd_incident
from app.cli.kiosk import add_kiosk_parser
from app.cli.policies import command_policies, policy_named
from app.cli.postmortem import add_exchange_parsers
from app.cli.story import add_story_parsers
from app.config import ConfigError, Flags, Settings, load_settings
from app.domain.i18n import Catalog, said_in
from app.domain.policy.document import policy_document, policy_to_toml
from app.domain.policy.errors import PolicyError
from app.domain.policy.parse import load_policy_file
from app.domain.policy.view import cell_examples, severity_sections, type_sections
from app.domain.textsafe import printable
from app.services.files import OutputError, write_output
from storage.errors import StorageError

EXIT_USAGE = 2


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

    commands.add_parser(
        "run",
        parents=[common],
        help="open the TUI (the default)",
        description="Open the full-screen TUI.",
    )

    add_kiosk_parser(commands, common)

    policy = commands.add_parser(
        "policy",
        parents=[common],
        help="list, show, check, export policies",
        description="Severity policies: list, show, check, export.",
    )
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    policy_commands.add_parser(
        "list",
        parents=[common],
        help="one line per policy",
        description="One line per policy: name, scheme, tier, source file.",
    )
    show = policy_commands.add_parser(
        "show", parents=[common], help="the full policy", description="Print the full policy."
    )
    show.add_argument("name")
    show.add_argument("--json", action="store_true", help="machine-readable JSON")
    check = policy_commands.add_parser(
        "check",
        parents=[common],
        help="validate a policy file",
        description="Exit 0 and print ok for a valid file; "
        "exit 1 with one sentence on stderr otherwise.",
    )
    check.add_argument("file")
    export = policy_commands.add_parser(
        "export",
        parents=[common],
        help="write a policy as TOML",
        description="Write a policy as TOML that loads back equal.",
    )
    export.add_argument("name")
    export.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="file, or - for stdout"
    )

    add_incident_parsers(commands, common)

    commands.add_parser(
        "daemon",
        parents=[common],
        help="fire escalations without a screen",
        description="Run the escalation scheduler without a screen; one JSON line per firing "
        "on stdout; SIGTERM or SIGINT stops it.",
    )

    add_exchange_parsers(commands, common)
    add_story_parsers(commands, common)

    database = commands.add_parser(
        "db",
        parents=[common],
        help="database schema",
        description="Apply or verify the database migrations.",
    )
    db_commands = database.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser(
        "upgrade",
        parents=[common],
        help="apply pending migrations",
        description="Create or upgrade the schema to this version's head.",
    )
    db_commands.add_parser(
        "check",
        parents=[common],
        help="verify the schema",
        description="Exit 0 when the schema is current, 1 when it needs an "
        "upgrade, 2 when the database is newer than this app or not one.",
    )
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


def cmd_policy_list(settings: Settings, _args) -> int:
    policies = command_policies(settings)
    rows = [
        (policy.name, policy.scheme, policies.tiers[name], policy.source)
        for name, policy in policies.policies.items()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)] if rows else [0, 0, 0]
    for row in rows:
        say("  ".join(value.ljust(widths[i]) for i, value in enumerate(row[:3])) + "  " + row[3])
    return 0


def say(text: str) -> None:
    """One line of human output; text from policy files is data, never terminal control."""
    print(printable(text))


def cmd_policy_show(settings: Settings, args) -> int:
    policy = policy_named(command_policies(settings), args.name)
    if args.json:
        document = policy_document(policy)
        document["source"] = policy.source
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0
    catalog = Catalog(settings.lang)
    lang = settings.lang
    say(f"{policy.title.get(lang)}  [{policy.name} · {policy.scheme}]")
    say(f"{policy.source}")
    if policy.description:
        say(policy.description.get(lang))
    for severity in policy.severities:
        say(f"\n== {severity.key} {severity.name.get(lang)} ==")
        for section in severity_sections(severity, catalog):
            _print_section(section)
    for incident_type in policy.types:
        say(f"\n== {incident_type.name.get(lang)} ({incident_type.key}) ==")
        for section in type_sections(incident_type, catalog):
            _print_section(section)
        print(f"{catalog.t('detail.examples')}:")
        for severity in policy.severities:
            examples = cell_examples(policy, incident_type.key, severity.key, lang)
            say(f"  {severity.key}: {' / '.join(examples) or '—'}")
    return 0


def _print_section(section) -> None:
    if len(section.lines) == 1:
        say(f"{section.title}: {section.lines[0]}")
        return
    say(f"{section.title}:")
    for line in section.lines:
        say(f"  {line}")


def cmd_policy_check(settings: Settings, args) -> int:
    try:
        load_policy_file(args.file)
    except PolicyError as error:
        raise CommandError(said_in(error, Catalog(settings.lang))) from None
    print("ok")
    return 0


def cmd_policy_export(settings: Settings, args) -> int:
    policy = policy_named(command_policies(settings), args.name)
    try:
        target = write_output(args.output, policy_to_toml(policy), "policy")
    except OutputError as error:
        raise CommandError(said_in(error, Catalog(settings.lang))) from None
    if target is None:
        return 0
    print(Catalog(settings.lang).t("cli.wrote", path=str(target)))
    return 0


def cmd_db_upgrade(settings: Settings, _args) -> int:
    from storage.schema import upgrade_schema

    before, after = upgrade_schema(settings.db_url)
    if before.up_to_date:
        print(f"schema {after.current} is up to date")
    else:
        print(f"upgraded schema {before.current or 'empty'} -> {after.current}")
    return 0


def cmd_db_check(settings: Settings, _args) -> int:
    from storage.schema import inspect_schema

    status = inspect_schema(settings.db_url)
    print(status.describe())
    return 0 if status.up_to_date else 1


def cmd_daemon(settings: Settings, _args) -> int:
    import asyncio

    from app.cli.daemon import run_daemon
    from app.domain.clock import SystemClock

    asyncio.run(run_daemon(settings, SystemClock()))
    return 0


def cmd_run(settings: Settings, _args, kiosk: bool = False) -> int:
    if not settings.kitty_keyboard:
        os.environ["TEXTUAL_DISABLE_KITTY_KEY"] = "1"
    from app.tui import run_tui

    return run_tui(settings, kiosk=kiosk)


def cmd_kiosk(settings: Settings, args) -> int:
    from app.cli.kiosk import kiosk_settings, serve

    settings = kiosk_settings(settings, args)
    if args.serve:
        return serve(settings, args)
    return cmd_run(settings, args, kiosk=True)


COMMANDS = {
    ("policy", "list"): cmd_policy_list,
    ("policy", "show"): cmd_policy_show,
    ("policy", "check"): cmd_policy_check,
    ("policy", "export"): cmd_policy_export,
    ("db", "upgrade"): cmd_db_upgrade,
    ("db", "check"): cmd_db_check,
}


def _new_database_file(settings: Settings):
    """The SQLite file the command is about to create, if it does not exist yet: a typo in
    --db would otherwise start an empty database without a word."""
    from storage.engine import sqlite_path

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
    command = args.command or "run"
    action = getattr(args, f"{command}_command", None)
    if command == "run":
        handler = cmd_run
    elif command == "daemon":
        handler = cmd_daemon
    elif command == "kiosk":
        handler = cmd_kiosk
    elif command == "incident":
        handler = cmd_incident
    elif command == "story":
        from app.cli.story import cmd_story

        handler = cmd_story
    elif command in ("export", "import"):
        from app.cli.postmortem import cmd_export, cmd_import

        handler = cmd_export if command == "export" else cmd_import
    else:
        handler = COMMANDS[(command, action)]
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
