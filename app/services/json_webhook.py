"""Pages to a JSON webhook (Apprise's `json://` and `jsons://`) over kept-alive connections.

Apprise opens a new connection (and, on `jsons://`, a new TLS session) for every page and spends
about 2 ms of interpreter time on each: in a storm of a thousand pages that alone kept the last
page waiting for seconds. This sends the very document Apprise's JSON plugin sends — the URL read
by Apprise itself, once per channel — and keeps each connection open for the next page. Apprise
still sends every page this does not cover: a proxy in the environment, a title or body long
enough for Apprise to trim, a redirect. `tests/storage/test_json_webhook.py` compares what both
put on the wire."""

from __future__ import annotations

import base64
import http.client
import json
import ssl
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

# Above this many characters of title and body Apprise may trim the page: it sends those itself.
MAX_CHARACTERS = 32_000
# Idle connections kept per service, enough for every sending thread (alert_delivery).
KEEP_IDLE = 16
_SAFE_PATH = "!#$%&'()*+,/:;=?@[]~"  # as requests quotes a path: what is quoted stays so
# A kept connection the service has closed meanwhile fails before any answer: sent again once.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class WebhookFailed(Exception):
    """str() is one sentence, worded as Apprise words the same failure."""


@dataclass(frozen=True, eq=False)  # one per channel URL (paging caches it): kept by identity
class JsonWebhook:
    secure: bool
    host: str
    port: int
    verify: bool
    timeouts: tuple[float, float]  # connect, read
    method: str
    target: str  # path and query
    headers: dict[str, str]
    extras: dict[str, str]  # Apprise's `:key=value` payload entries (an empty value removes)
    describe: Callable[[int], str]  # an HTTP status in Apprise's words

    def document(self, title: str, body: str) -> bytes:
        """The JSON Apprise's plugin posts for this title and body."""
        payload = {
            "version": "1.0",
            "title": title or "",
            "message": body.rstrip() if body else "",
            "attachments": [],
            "type": "info",
        }
        for key, value in self.extras.items():
            if key in payload:
                moved = payload.pop(key)
                if value:
                    payload[value] = moved
            else:
                payload[key] = value
        return json.dumps(payload).encode("utf-8")

    def post(self, title: str, body: str, extra_headers: dict[str, str]) -> None:
        """Send one page; raises WebhookFailed with what went wrong."""
        data = self.document(title, body)
        headers = {**self.headers, **extra_headers, "Content-Length": str(len(data))}
        connection = _pool.take(self)
        try:
            try:
                status, reason = self._exchange(connection, data, headers)
            except _STALE:
                connection.close()  # a kept connection closed by the service: a fresh one
                status, reason = self._exchange(connection, data, headers)
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise self._unreachable(error) from None
        except Redirected:
            _pool.give_back(self, connection)
            raise
        _pool.give_back(self, connection)
        if not 200 <= status < 300:
            said = f"{reason}, " if reason else ""
            raise WebhookFailed(
                f"Failed to send JSON {self.method} notification: {said}error={status}."
            )

    def _exchange(self, connection, data: bytes, headers: dict[str, str]) -> tuple[int, str]:
        if connection.sock is None:
            connection.timeout = self.timeouts[0]
            connection.connect()
            connection.sock.settimeout(self.timeouts[1])
        connection.request(self.method, self.target, body=data, headers=headers)
        response = connection.getresponse()
        response.read()  # the connection serves the next page only once this one is read
        if 300 <= response.status < 400:
            raise Redirected()
        return response.status, self.describe(response.status)

    def _unreachable(self, error: BaseException) -> WebhookFailed:
        cause = str(error) or type(error).__name__
        return WebhookFailed(
            f"A Connection error occurred sending JSON notification to {self.host}. ({cause})"
        )

    def connection(self) -> http.client.HTTPConnection:
        if not self.secure:
            return http.client.HTTPConnection(self.host, self.port, timeout=self.timeouts[0])
        context = ssl.create_default_context()
        if not self.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection(
            self.host, self.port, timeout=self.timeouts[0], context=context
        )


class Redirected(Exception):
    """The service answered with a redirect: Apprise (requests) follows those."""


def webhook(service) -> JsonWebhook | None:
    """The webhook Apprise's JSON plugin `service` posts to, or None where Apprise must send
    it (a proxy in the environment would carry it; the URL asks Apprise to retry)."""
    if type(service).__name__ != "NotifyJSON" or not service.enabled:
        return None
    if getattr(service, "retry", 0):
        return None
    proxies = urllib.request.getproxies()
    if proxies and not urllib.request.proxy_bypass(service.host):
        return None
    headers = {"User-Agent": service.app_id, "Content-Type": "application/json"}
    headers.update(service.headers)
    if service.user:
        secret = f"{service.user}:{service.password or ''}".encode("latin-1", "replace")
        headers["Authorization"] = "Basic " + base64.b64encode(secret).decode("ascii")
    target = quote(service.fullpath or "/", safe=_SAFE_PATH)
    if service.params:
        target += "?" + urlencode(service.params)
    port = service.port if isinstance(service.port, int) else (443 if service.secure else 80)
    return JsonWebhook(
        secure=bool(service.secure),
        host=service.host,
        port=port,
        verify=bool(service.verify_certificate),
        timeouts=tuple(service.request_timeout),
        method=service.method,
        target=target,
        headers=headers,
        extras=dict(service.payload_extras),
        describe=type(service).http_response_code_lookup,
    )


class _Pool:
    """Idle connections per webhook; a sending thread takes one or opens a new one."""

    def __init__(self) -> None:
        self._idle: dict[JsonWebhook, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()

    def take(self, hook: JsonWebhook) -> http.client.HTTPConnection:
        with self._lock:
            idle = self._idle.get(hook)
            if idle:
                return idle.pop()
        return hook.connection()

    def give_back(self, hook: JsonWebhook, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(hook, [])
            if connection.sock is not None and len(idle) < KEEP_IDLE:
                idle.append(connection)
                return
        connection.close()


_pool = _Pool()
