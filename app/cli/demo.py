"""`storycart demo [--incidents 200]`: a made-up year of incidents in a database of its own
(demo.db beside the real one, or --db), so a newcomer sees the metrics full; never mixed into
real incidents."""

from __future__ import annotations

from app.cli.errors import CommandError
from app.cli.policy import command_policies, policy_named
from app.config import Settings, data_dir
from app.domain.i18n import Catalog


def add_demo_parser(commands, common) -> None:
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="fill a separate demo database with a made-up year of incidents",
        description="Fill a demo database (demo.db in the data folder unless --db names one) "
        "with a realistic year of incidents, postmortems and follow-ups. Refuses a database "
        "that already holds incidents.",
    )
    demo.add_argument("--incidents", type=int, default=200, help="how many (default 200)")
    demo.set_defaults(handler=cmd_demo)


def demo_db_url(settings: Settings, explicit_db: bool) -> str:
    if explicit_db:
        return settings.db_url
    return f"sqlite:///{data_dir() / 'demo.db'}"


def cmd_demo(settings: Settings, args) -> int:
    from app.domain.clock import SystemClock
    from app.services.demo_service import NotEmpty, load_demo
    from storage.database import Database

    catalog = Catalog(settings.lang)
    if not 1 <= args.incidents <= 100_000:
        raise CommandError(catalog.t("demo.count"))
    # Only --db on this very command line picks the target: a database named in the config
    # file or the environment is the team's real one.
    url = demo_db_url(settings, settings.sources.get("db") == "--db")
    policy = policy_named(command_policies(settings), settings.policy or "web-service")
    database = Database.open(url)
    try:
        count = load_demo(database, policy, SystemClock().now(), settings.lang, args.incidents)
    except NotEmpty:
        raise CommandError(catalog.t("demo.not_empty", url=url)) from None
    finally:
        database.close()
    print(catalog.t("demo.loaded", count=count, url=url))
    return 0
