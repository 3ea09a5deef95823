"""The intake's HTTP server: token, path, rate and size checks, JSON in and out. Loaded only
by `storycart intake` (http.server costs start-up time every other command would pay)."""

from __future__ import annotations

import hmac
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app.cli.intake import HEARTBEAT_PREFIX, MAX_BODY, PATHS, RateLimit


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
