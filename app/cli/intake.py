"""`storycart intake --listen HOST:PORT`: take alerts from monitors over HTTP, and
`storycart intake token [--rotate]`: the bearer token they must send.

POST /v1/alerts/alertmanager | grafana | pagerduty | generic. Localhost unless told otherwise; a
body over 1 MiB, a wrong token, malformed JSON or an alert that maps nowhere is refused with a
4xx and one sentence in JSON, and nothing is stored; a 2xx means the alert is committed."""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
import threading
import time
from pathlib import Path

from app.cli.errors import CommandError
from app.config import Settings

MAX_BODY = 1024 * 1024
RATE_PER_SECOND = 200.0  # per sending address; a burst of twice that is let through
DEFAULT_LISTEN = "127.0.0.1:8787"
HEARTBEAT_PREFIX = "/v1/heartbeat/"
CHECK_EVERY_S = 5.0
PATHS = {f"/v1/alerts/{source}": source for source in ("alertmanager", "grafana")} | {
    "/v1/alerts/pagerduty": "pagerduty",
    "/v1/alerts/generic": "generic",
}


def add_intake_parsers(commands, common) -> None:
    intake = commands.add_parser(
        "intake",
        parents=[common],
        help="take alerts from monitors over HTTP (Alertmanager, Grafana, PagerDuty, generic)",
        description="Serve POST /v1/alerts/alertmanager, /grafana, /pagerduty (Events API v2) "
        "and /generic; each request needs 'Authorization: Bearer TOKEN' (see `intake token`).",
    )
    intake.add_argument(
        "--listen", default=DEFAULT_LISTEN, metavar="HOST:PORT", help=f"default {DEFAULT_LISTEN}"
    )
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


class RateLimit:
    """A token bucket per sending address."""

    def __init__(self, per_second: float = RATE_PER_SECOND) -> None:
        self.per_second = per_second
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def allow(self, source: str) -> bool:
        now = time.monotonic()
        with self.lock:
            tokens, since = self.buckets.get(source, (2 * self.per_second, now))
            tokens = min(2 * self.per_second, tokens + (now - since) * self.per_second)
            if tokens < 1:
                self.buckets[source] = (tokens, now)
                return False
            self.buckets[source] = (tokens - 1, now)
            return True


def _address(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    try:
        return host.strip("[]") or "127.0.0.1", int(port)
    except ValueError:
        raise CommandError(f"--listen {listen!r} is not HOST:PORT.") from None


def build_intake(settings: Settings, listen: str, services):
    """The intake server on `listen` and its heartbeats, over open services."""
    from app.cli.intake_server import make_server
    from app.cli.policy import command_policies, policy_named
    from app.services.intake_service import IntakeService
    from app.services.watch_service import HeartbeatService

    host, port = _address(listen)
    token = read_token(settings)
    mapping = settings.intake
    policy = policy_named(
        command_policies(settings), mapping.policy or settings.policy or "web-service"
    )
    intake = IntakeService(services.incidents, policy, mapping)
    heartbeats = HeartbeatService(services.incidents, policy, settings.heartbeats, mapping)
    server = make_server(host, port, token, intake, mapping.severity_label, heartbeats)
    where = "" if ipaddress.ip_address(host).is_loopback else " (reachable from other hosts)"
    announcement = f"storycart intake listening on http://{host}:{server.server_port}{where}"
    return server, heartbeats, announcement


def cmd_intake(settings: Settings, args) -> int:
    from app.cli.services import open_services

    with open_services(settings) as services:
        server, heartbeats, announcement = build_intake(settings, args.listen, services)
        stop = threading.Event()
        threading.Thread(target=watch_heartbeats, args=(heartbeats, stop), daemon=True).start()
        print(announcement)
        sys.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            server.server_close()
    return 0


def serve_in_background(settings: Settings, listen: str):
    """Start the intake in threads (for `storycart daemon --intake`); returns what stops it.
    The announcement goes to stderr: the daemon's stdout carries its firing lines."""
    from app.cli.services import open_services

    context = open_services(settings)
    services = context.__enter__()
    try:
        server, heartbeats, announcement = build_intake(settings, listen, services)
    except BaseException:
        context.__exit__(None, None, None)
        raise
    stop = threading.Event()
    threading.Thread(target=watch_heartbeats, args=(heartbeats, stop), daemon=True).start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
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
