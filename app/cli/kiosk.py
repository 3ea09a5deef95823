"""`storycart kiosk`: the cart's screen in this terminal, or served as a web page to the browser
on the cart's TV (app.cli.kiosk_web_server; loopback unless told otherwise)."""

from __future__ import annotations

import argparse
import ipaddress
import sys

from app.cli.errors import CommandError
from app.cli.run import cmd_run
from app.config import ConfigError, Settings, check_seconds, parse_languages

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787
FIRST_READ_S = 60.0  # --serve listens once the slides are read (or after this, saying "loading")


def add_kiosk_parser(commands, common: argparse.ArgumentParser) -> None:
    kiosk = commands.add_parser(
        "kiosk",
        parents=[common],
        help="the cart's screen: stories rotating, keys locked",
        description="Fill the screen with the story of the week, then rotate through its "
        "highlight, prompt cards, recent near misses, past follow-ups and the severity matrix. "
        "Keys are locked; type the unlock sequence (setting kiosk_unlock, default "
        "`ctrl+k u n l o c k`) to reach the board.",
    )
    kiosk.set_defaults(handler=cmd_kiosk)
    option = kiosk.add_argument
    option(
        "--seconds",
        type=int,
        metavar="N",
        help="seconds per slide (default: setting kiosk_seconds, 20)",
    )
    option(
        "--languages",
        metavar="LANGS",
        help="languages to cycle through, e.g. ko,ja,en (default: --lang)",
    )
    option(
        "--serve",
        action="store_true",
        help="serve the kiosk as a web page for the cart's TV (read-only, works offline)",
    )
    option("--host", default=DEFAULT_HOST, help=f"with --serve (default {DEFAULT_HOST})")
    option("--port", type=int, default=DEFAULT_PORT, help=f"with --serve (default {DEFAULT_PORT})")


def kiosk_settings(settings: Settings, args) -> Settings:
    changes = {}
    try:
        if args.seconds is not None:
            changes["kiosk_seconds"] = check_seconds(args.seconds, "--seconds")
        if args.languages is not None:
            changes["kiosk_languages"] = parse_languages(args.languages, "--languages")
    except ConfigError as error:
        raise CommandError(str(error)) from None
    return settings.with_overrides(**changes)


def serve(settings: Settings, args) -> int:
    if not 1 <= args.port <= 65535:
        raise CommandError(f"--port must be from 1 to 65535, not {args.port}.")
    if not _is_loopback(args.host):
        print(
            f"storycart: serving the kiosk on {args.host}: anyone who can reach "
            f"port {args.port} there sees it (read-only).",
            file=sys.stderr,
        )
    from app.cli.kiosk_web_server import run
    from app.domain.clock import SystemClock
    from app.services.bundle import connection_for
    from app.services.kiosk_feed import KioskFeed
    from app.services.policy_set import load_policies, policy_sources
    from app.services.watching import watch_in_thread

    clock = SystemClock()
    policies = load_policies(policy_sources(settings.policy_dir, settings.policy_files))
    connection = connection_for(settings, clock)
    connection.get()  # opened (and migrated) once, before the engine opens it too
    feed = KioskFeed(
        connection.get,
        policies.choose(settings.policy or "web-service"),
        settings.kiosk_languages or (settings.lang,),
        settings.kiosk_seconds,
        clock,
    )
    feed.start()  # read while the engine starts: the first page already has the story
    # The server fires escalations too, with or without a browser watching the slides.
    stop_watching = watch_in_thread(settings, kind="kiosk", clock=clock)
    try:
        feed.wait_first_read(FIRST_READ_S)
        run(feed, args.host, args.port)
    except OSError as error:
        raise CommandError(
            f"Cannot serve on {args.host}:{args.port} ({error.strerror or error})."
        ) from None
    finally:
        stop_watching()
        connection.close()
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_kiosk(settings: Settings, args) -> int:
    settings = kiosk_settings(settings, args)
    if args.serve:
        return serve(settings, args)
    return cmd_run(settings, args, kiosk=True)
