"""`storycart intake --listen HOST:PORT`: take alerts from monitors over HTTP, and
`storycart intake token [--rotate]`: the bearer token they must send.

POST (or PUT) /v1/alerts/alertmanager | grafana | pagerduty | generic, /v2/enqueue (PagerDuty
Events API v2, answered as PagerDuty does) and /v1/heartbeat/NAME. Localhost unless told
otherwise; a body over 1 MiB, a wrong token, malformed JSON or an alert that maps nowhere is
refused with a 4xx and one sentence in JSON, and nothing is stored; a 2xx means the alert is
committed. The server itself is `app.cli.intake_server` (aiohttp), loaded only here."""

from __future__ import annotations

import ipaddress
import os
import secrets
import signal
import sys
import threading
from pathlib import Path

from app.cli.errors import CommandError
from app.cli.intake_limits import DEFAULT_LISTEN, MAX_BODY, RateLimit
from app.config import Settings
from app.domain.textsafe import printable

__all__ = ["MAX_BODY", "RateLimit", "build_intake", "cmd_intake", "serve_in_background"]
CHECK_EVERY_S = 5.0


def add_intake_parsers(commands, common) -> None:
    intake = commands.add_parser(
        "intake",
        parents=[common],
        help="take alerts from monitors over HTTP (Alertmanager, Grafana, PagerDuty, generic)",
        description="Serve POST (or PUT) /v1/alerts/alertmanager, /grafana, /pagerduty, "
        "/generic, /v2/enqueue (PagerDuty Events API v2: a PagerDuty sender changes only its "
        "URL) and /v1/heartbeat/NAME; each request needs 'Authorization: Bearer TOKEN' or, "
        "PagerDuty's way, the token as 'routing_key' (see `intake token`).",
    )
    intake.add_argument(
        "--listen",
        nargs="?",
        const=DEFAULT_LISTEN,
        default=DEFAULT_LISTEN,
        metavar="HOST:PORT",
        help=f"where to listen (default {DEFAULT_LISTEN}; the kiosk's --serve uses 8787)",
    )
    intake.add_argument(
        "--tls-cert", metavar="FILE", help="serve https with this certificate (PEM)"
    )
    intake.add_argument("--tls-key", metavar="FILE", help="the certificate's private key (PEM)")
    intake.set_defaults(handler=cmd_intake)
    actions = intake.add_subparsers(dest="intake_command", metavar="ACTION")
    token = actions.add_parser(
        "token",
        parents=[common],
        help="print the bearer token monitors send (made on first use)",
        description="Print the intake's bearer token, creating it (a 0600 file in the config "
        "directory) the first time; --rotate replaces it.",
    )
    token.add_argument("--rotate", action="store_true", help="make a new token")
    token.set_defaults(handler=cmd_token)


def token_path(settings: Settings) -> Path:
    """Beside the config file, readable by its owner alone."""
    return settings.config_path.parent / "intake.token"


def read_token(settings: Settings, rotate: bool = False) -> str:
    path = token_path(settings)
    if path.exists() and not rotate:
        if path.stat().st_mode & 0o077:
            raise CommandError(f"{path} must be readable by its owner alone (chmod 600 {path}).")
        return path.read_text("utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    os.chmod(path, 0o600)
    return token


def cmd_token(settings: Settings, args) -> int:
    print(read_token(settings, rotate=args.rotate))
    return 0


def _address(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    try:
        return host.strip("[]") or "127.0.0.1", int(port)
    except ValueError:
        raise CommandError(f"--listen {listen!r} is not HOST:PORT.") from None


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def build_intake(settings: Settings, listen: str, services, tls=None, option: str = "--listen"):
    """The intake server listening on `listen` and its heartbeats, over open services;
    `tls` is (certificate, key) files for https. ListenError when the address is taken."""
    from app.cli.ack_http import AckPages
    from app.cli.intake_server import make_server, tls_context
    from app.cli.policy import command_policies, policy_named
    from app.domain.intake_levels import setting_problem
    from app.services.ack_links import AckLinks
    from app.services.intake_service import IntakeService
    from app.services.watch_service import HeartbeatService

    host, port = _address(listen)
    token = read_token(settings)
    mapping = settings.intake
    policy = policy_named(
        command_policies(settings), mapping.policy or settings.policy or "web-service"
    )
    problem = setting_problem(mapping, policy)
    if problem:  # the intake still takes every alert (at the policy's default): say it, go on
        print(f"storycart intake: {problem}", file=sys.stderr)
    context = tls_context(*tls) if tls else None
    intake = IntakeService(services.incidents, policy, mapping)
    intake.warm_up()  # before the port opens: the first alert is answered as fast as the rest
    heartbeats = HeartbeatService(services.incidents, policy, settings.heartbeats, mapping)
    label = mapping.severity_label
    links = AckLinks(services.database, services.incidents.clock, services.incidents)
    acks = AckPages(links, settings.channels, settings.lang)
    server = make_server(host, port, token, intake, label, heartbeats, context, option, acks)
    where = "" if _loopback(host) else " (reachable from other hosts)"
    shown = f"[{host}]" if ":" in host else host
    scheme = "https" if context else "http"
    announcement = f"storycart intake listening on {scheme}://{shown}:{server.server_port}{where}"
    return server, heartbeats, announcement


def _tls(args) -> tuple[str, str] | None:
    cert, key = getattr(args, "tls_cert", None), getattr(args, "tls_key", None)
    if bool(cert) != bool(key):
        raise CommandError("--tls-cert and --tls-key go together.")
    return (cert, key) if cert else None


def _stop_on_sigterm(*_args) -> None:
    raise KeyboardInterrupt


def cmd_intake(settings: Settings, args) -> int:
    from app.cli.intake_server import ListenError
    from app.cli.services import check_ack_key, open_services
    from app.services.watching import watch_in_thread

    check_ack_key(settings)
    with open_services(settings) as services:
        try:
            server, heartbeats, announcement = build_intake(
                settings, args.listen, services, _tls(args)
            )
        except ListenError as error:
            print(f"storycart intake: {error}", file=sys.stderr)
            return 1
        stop = threading.Event()
        threading.Thread(target=watch_heartbeats, args=(heartbeats, stop), daemon=True).start()
        try:
            # The intake alone must page: it fires the ladders of what it declares (and every
            # other incident's) as a watcher of its own, with or without a daemon or a board.
            stop_watching = watch_in_thread(settings, "intake", on_problem=_say_problem)
            server.requests.after_take = stop_watching.made_here
        except BaseException:
            stop.set()
            server.shutdown()
            server.server_close()
            raise
        print(announcement)
        sys.stdout.flush()
        previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            stop.set()
            server.shutdown()
            server.server_close()
            stop_watching()
    return 0


def _say_problem(text: str) -> None:
    print(f"storycart intake: {printable(text)}", file=sys.stderr)
    sys.stderr.flush()


def serve_in_background(settings: Settings, listen: str):
    """Start the intake in its own thread (for `storycart daemon --intake`); returns what stops
    it. The announcement goes to stderr: the daemon's stdout carries its firing lines."""
    from app.cli.intake_server import ListenError
    from app.cli.services import open_services

    context = open_services(settings)
    services = context.__enter__()
    try:
        server, heartbeats, announcement = build_intake(
            settings, listen, services, option="--intake"
        )
    except ListenError as error:
        context.__exit__(None, None, None)
        raise CommandError(f"the intake's {error}") from None
    except BaseException:
        context.__exit__(None, None, None)
        raise
    stop = threading.Event()
    threading.Thread(target=watch_heartbeats, args=(heartbeats, stop), daemon=True).start()
    print(announcement, file=sys.stderr)
    sys.stderr.flush()

    def stop_intake() -> None:
        stop.set()
        server.shutdown()
        server.server_close()
        context.__exit__(None, None, None)

    return stop_intake


def watch_heartbeats(heartbeats, stop: threading.Event, every: float = CHECK_EVERY_S) -> None:
    """Check the heartbeats until `stop` is set; a failed check is tried again next time."""
    while not stop.wait(every):
        try:
            heartbeats.check()
        except Exception as error:  # the database is away: say so, keep watching
            print(f"storycart intake: heartbeat check failed ({error})", file=sys.stderr)
