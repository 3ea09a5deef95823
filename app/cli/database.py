"""`storycart db upgrade | check`: apply or verify the database migrations."""

from __future__ import annotations

from app.config import Settings


def add_db_parsers(commands, common) -> None:
    database = commands.add_parser(
        "db",
        parents=[common],
        help="database schema",
        description="Apply or verify the database migrations.",
    )
    db_commands = database.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_commands.add_parser(
        "upgrade",
        parents=[common],
        help="apply pending migrations",
        description="Create or upgrade the schema to this version's head.",
    )
    check = db_commands.add_parser(
        "check",
        parents=[common],
        help="verify the schema",
        description="Exit 0 when the schema is current, 1 when it needs an "
        "upgrade, 2 when the database is newer than this app or not one.",
    )
    upgrade.set_defaults(handler=cmd_db_upgrade)
    check.set_defaults(handler=cmd_db_check)


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
