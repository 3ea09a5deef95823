"""`storycart intake --listen HOST:PORT`: take alerts from monitors over HTTP, and
`storycart intake token [--rotate]`: the bearer token they must send.

POST /v1/alerts/alertmanager | grafana | pagerduty | generic. Localhost unless told otherwise; a
body over 1 MiB, a wrong token, malformed JSON or an alert that maps nowhere is refused with a
4xx and one sentence in JSON, and nothing is stored; a 2xx means the alert is committed."""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


def cmd_intake(settings: Settings, args) -> int:
    from app.cli.policy import command_policies, policy_named
    from app.cli.services import open_services
    from app.services.intake_service import IntakeService
    from app.services.watch_service import HeartbeatService

    host, port = _address(args.listen)
    token = read_token(settings)
    policies = command_policies(settings)
    mapping = settings.intake
    policy = policy_named(policies, mapping.policy or settings.policy or "web-service")
    with open_services(settings) as services:
        intake = IntakeService(services.incidents, policy, mapping)
        heartbeats = HeartbeatService(services.incidents, policy, settings.heartbeats, mapping)
        server = make_server(host, port, token, intake, mapping.severity_label, heartbeats)
        stop = threading.Event()
        threading.Thread(target=watch_heartbeats, args=(heartbeats, stop), daemon=True).start()
        where = "" if ipaddress.ip_address(host).is_loopback else " (reachable from other hosts)"
        print(f"storycart intake listening on http://{host}:{server.server_port}{where}")
        sys.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            server.server_close()
    return 0


class IntakeServer(ThreadingHTTPServer):
    def __init__(self, address, token: str, intake, severity_label: str, heartbeats=None) -> None:
        super().__init__(address, IntakeHandler)
        self.expected = f"Bearer {token}".encode()
        self.intake = intake
        self.heartbeats = heartbeats
        self.severity_label = severity_label
        self.limits = RateLimit()


_REFUSED = object()


class IntakeHandler(BaseHTTPRequestHandler):
    server: IntakeServer
    server_version = "storycart-intake"

    def do_GET(self) -> None:
        self._refuse(405, "Send alerts with POST.")

    def do_POST(self) -> None:
        source = self._admitted()
        if source is None:
            return
        if source == "heartbeat":
            self._ping(self.path.split("?", 1)[0].removeprefix(HEARTBEAT_PREFIX))
            return
        body = self._body()
        if body is not _REFUSED:
            self._take(source, body)

    def _admitted(self) -> str | None:
        """The source this request is for, or None once it was refused (path, token, rate)."""
        path = self.path.split("?", 1)[0]
        source = PATHS.get(path) or ("heartbeat" if path.startswith(HEARTBEAT_PREFIX) else None)
        if source is None:
            self._refuse(404, f"There is no intake at {self.path[:100]}.")
            return None
        given = (self.headers.get("Authorization") or "").encode()
        if not hmac.compare_digest(given, self.server.expected):
            self._refuse(401, "A valid 'Authorization: Bearer TOKEN' header is required.")
            return None
        if not self.server.limits.allow(self.client_address[0]):
            self._refuse(429, "Too many alerts from this address; slow down.")
            return None
        return source

    def _body(self):
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._refuse(411, "The request needs a Content-Length.")
            return _REFUSED
        if int(length) > MAX_BODY:
            self.close_connection = True  # the rest of the body is not read
            self._refuse(413, f"The body is larger than {MAX_BODY // 1024 // 1024} MiB.")
            return _REFUSED
        try:
            return json.loads(self.rfile.read(int(length)).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self._refuse(400, "The body is not JSON.")
            return _REFUSED

    def _take(self, source: str, body) -> None:
        from app.domain.incident import IncidentError
        from app.domain.intake import IntakeError, parse

        try:
            alerts = parse(source, body, self.server.severity_label)
            taken = [self.server.intake.take(alert) for alert in alerts]
        except IntakeError as error:
            self._refuse(422, str(error))
            return
        except IncidentError as error:
            self._refuse(409, str(error))
            return
        first = taken[0]
        status = 202 if first.result == "declared" else 200
        self._answer(status, {"incident": first.incident, "result": first.result})

    def _ping(self, name: str) -> None:
        from app.domain.intake import IntakeError

        if self.server.heartbeats is None:
            self._refuse(404, "No heartbeats are set; add [heartbeats.NAME] to the settings.")
            return
        try:
            recovered = self.server.heartbeats.ping(name)
        except IntakeError as error:
            self._refuse(404, str(error))
            return
        self._answer(200, {"heartbeat": name, "recovered": recovered})

    def _answer(self, status: int, document: dict) -> None:
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _refuse(self, status: int, sentence: str) -> None:
        self._answer(status, {"error": sentence})

    def log_message(self, *_args) -> None:
        pass


def make_server(
    host: str, port: int, token: str, intake, severity_label: str, heartbeats=None
) -> IntakeServer:
    return IntakeServer((host, port), token, intake, severity_label, heartbeats)


def watch_heartbeats(heartbeats, stop: threading.Event, every: float = CHECK_EVERY_S) -> None:
    """Check the heartbeats until `stop` is set; a failed check is tried again next time."""
    while not stop.wait(every):
        try:
            heartbeats.check()
        except Exception as error:  # the database is away: say so, keep watching
            print(f"storycart intake: heartbeat check failed ({error})", file=sys.stderr)
