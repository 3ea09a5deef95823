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
    backup = db_commands.add_parser(
        "backup",
        parents=[common],
        help="a backup of the whole database (while it is in use)",
        description="SQLite: an online backup (a consistent copy while the app and the daemon "
        "write). PostgreSQL: pg_dump's custom format. Never overwrites FILE.",
    )
    backup.add_argument("file", help="where the backup goes (must not exist)")
    restore = db_commands.add_parser(
        "restore",
        parents=[common],
        help="restore a backup into an empty database",
        description="Restore a backup made by `db backup` into the database --db names, which "
        "must be empty (a new SQLite file or an empty PostgreSQL database).",
    )
    restore.add_argument("file", help="a backup made by `storycart db backup`")
    upgrade.set_defaults(handler=cmd_db_upgrade)
    check.set_defaults(handler=cmd_db_check)
    backup.set_defaults(handler=cmd_db_backup)
    restore.set_defaults(handler=cmd_db_restore)


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


def cmd_db_backup(settings: Settings, args) -> int:
    from pathlib import Path

    from app.domain.i18n import Catalog
    from storage.backup import backup

    target = Path(args.file).expanduser()
    kind = backup(settings.db_url, target)
    size = target.stat().st_size
    print(Catalog(settings.lang).t("cli.backup_done", path=str(target), kind=kind, size=size))
    return 0


def cmd_db_restore(settings: Settings, args) -> int:
    from pathlib import Path

    from app.domain.i18n import Catalog
    from storage.backup import restore
    from storage.schema import upgrade_schema

    restore(Path(args.file).expanduser(), settings.db_url)
    _before, after = upgrade_schema(settings.db_url)  # an older backup: brought up to date
    print(Catalog(settings.lang).t("cli.restore_done", path=args.file, revision=after.current))
    return 0
