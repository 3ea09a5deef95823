"""The intake's requests: path, method, token, rate and size checks, JSON in and out.

An aiohttp low-level handler (`IntakeRequests`): the body is read on the event loop with a
deadline; decoding, parsing and `IntakeService.take` (a database transaction) run in the
server's bounded thread pool, never on the loop. PUT is taken as POST (Grafana offers it).

PagerDuty Events API v2: `/v2/enqueue` and `/v1/alerts/pagerduty` answer as
events.pagerduty.com does (202 `{"status": "success", "message": "Event processed",
"dedup_key": …}` and nothing else; 400 `{"status": "invalid event",
"message": …, "errors": [...]}`), so a sender switches by changing only its base URL. On both,
the token may come as the body's `routing_key` instead of the header.

Every refusal is JSON with an "error" sentence; a 4xx only for what the sender can fix."""

from __future__ import annotations

import asyncio
import hmac
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from app.cli.intake_limits import (
    BODY_TIMEOUT_S,
    HEARTBEAT_PREFIX,
    MAX_BODY,
    PAGERDUTY_PATHS,
    PATHS,
    RateLimit,
)
from app.domain.incident import IncidentError
from app.domain.intake import IntakeBusy, IntakeError, parse
from app.domain.textsafe import printable

# PagerDuty's own path and Story Cart's: both answer as events.pagerduty.com does.
PAGERDUTY_STYLE = frozenset(PAGERDUTY_PATHS)
METHODS = ("POST", "PUT")
_PAGERDUTY_STATUS = {400: "invalid event", 401: "unauthorized", 413: "invalid event"}
_CLOSE = {408, 413}  # the rest of the body is not read: the connection cannot be reused


@dataclass(frozen=True)
class Answer:
    status: int
    document: dict


class Refused(Exception):
    """A request refused with an HTTP status and one sentence for the sender."""

    def __init__(self, status: int, sentence: str) -> None:
        super().__init__(sentence)
        self.status = status
        self.sentence = sentence


def sender_key(dedup_key: str) -> str:
    """The dedup key as a PagerDuty sender knows it: Story Cart keeps its keys per source."""
    return dedup_key.removeprefix("pagerduty:")


def json_response(status: int, document: dict, close: bool = False) -> web.Response:
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    response = web.Response(
        status=status, body=data, content_type="application/json", charset="utf-8"
    )
    if close:
        response.force_close()
    return response


def refusal_document(path: str, status: int, sentence: str) -> dict:
    if path not in PAGERDUTY_STYLE:
        return {"error": sentence}
    message = "Event object is invalid" if status == 400 else sentence
    pagerduty = _PAGERDUTY_STATUS.get(status, "error")
    return {"status": pagerduty, "message": message, "errors": [sentence], "error": sentence}


class IntakeRequests:
    """The handler aiohttp calls for each request (see the module docstring)."""

    def __init__(
        self, token: str, intake, severity_label: str, heartbeats, pool, acks=None
    ) -> None:
        self.token = token.encode("utf-8")
        self.intake = intake
        self.heartbeats = heartbeats
        self.acks = acks  # the acknowledge links' pages (app.cli.ack_http.AckPages), or None
        # Told the incidents an alert declared or raised, so this process's engine plans them
        # at once (their first page does not wait for the next sweep); from pool threads.
        self.after_take: Callable[[list[str]], None] | None = None
        self.severity_label = severity_label
        self.pool = pool
        self.limits = RateLimit()

    async def __call__(self, request: web.BaseRequest) -> web.StreamResponse:
        try:
            if self.acks is not None and self.acks.wants(request.path):
                return await self._ack_page(request)
            answer = await self._answer(request)
        except Refused as refused:
            document = refusal_document(request.path, refused.status, refused.sentence)
            response = json_response(refused.status, document, refused.status in _CLOSE)
            if refused.status == 405:
                response.headers["Allow"] = ", ".join(METHODS)
            return response
        except Exception as error:  # a bug or the database away: say it, keep serving
            said = printable(repr(error))[:300]
            print(f"storycart intake: an alert was not taken ({said})", file=sys.stderr)
            sentence = "The intake could not take the alert; send it again."
            return json_response(503, refusal_document(request.path, 503, sentence))
        return json_response(answer.status, answer.document)

    async def _answer(self, request: web.BaseRequest) -> Answer:
        path = request.path
        source = PATHS.get(path) or ("heartbeat" if path.startswith(HEARTBEAT_PREFIX) else None)
        if source is None:
            raise Refused(404, f"There is no intake at {printable(path[:100])}.")
        if request.method not in METHODS:
            raise Refused(405, "Send alerts with POST (or PUT).")
        authorized = self._bearer(request.headers.get("Authorization", ""))
        if not authorized and source != "pagerduty":  # PagerDuty's token may be in the body
            raise Refused(401, "A valid 'Authorization: Bearer TOKEN' header is required.")
        if not self.limits.allow(request.remote or ""):
            raise Refused(429, "Too many alerts from this address; slow down.")
        raw = await read_body(request)
        loop = asyncio.get_running_loop()
        if source == "heartbeat":
            return await loop.run_in_executor(self.pool, self._ping, path[len(HEARTBEAT_PREFIX) :])
        return await loop.run_in_executor(self.pool, self._take, source, raw, authorized, path)

    async def _ack_page(self, request: web.BaseRequest) -> web.StreamResponse:
        """GET shows the link's page, POST acknowledges (the token in the path is the
        credential); an HTML page either way, for a person's browser."""
        if request.method not in ("GET", "HEAD", "POST"):
            raise Refused(405, "Open the link, or press its Acknowledge button.")
        if not self.limits.allow(request.remote or ""):
            raise Refused(429, "Too many requests from this address; slow down.")
        if request.method == "POST":
            await read_body(request)  # the form's empty body: read so the connection is reused
        loop = asyncio.get_running_loop()
        method, remote = request.method, request.remote or ""
        return await loop.run_in_executor(self.pool, self.acks.answer, method, request.path, remote)

    def _bearer(self, header: str) -> bool:
        scheme, _, credentials = header.strip().partition(" ")
        given = credentials.strip().encode("utf-8", "replace")
        return scheme.casefold() == "bearer" and hmac.compare_digest(given, self.token)

    def _routing_key(self, body: object) -> bool:
        key = body.get("routing_key") if isinstance(body, dict) else None
        return isinstance(key, str) and hmac.compare_digest(
            key.encode("utf-8", "replace"), self.token
        )

    def _take(self, source: str, raw: bytes, authorized: bool, path: str) -> Answer:
        """In a pool thread: decode, check a PagerDuty routing key, parse, take."""
        body = decode(raw)
        if not authorized and not self._routing_key(body):
            raise Refused(
                401,
                "A valid 'Authorization: Bearer TOKEN' header or 'routing_key' is required.",
            )
        try:
            alerts = parse(source, body, self.severity_label)
            taken = [self.intake.take(alert) for alert in alerts]
        except IntakeError as error:
            raise Refused(400 if path in PAGERDUTY_STYLE else 422, str(error)) from None
        except IncidentError as error:
            raise Refused(409, str(error)) from None
        except IntakeBusy:
            # Another intake holds this alert's claim and has not finished: a 5xx, so the
            # sender tries again (Alertmanager, Grafana and PagerDuty's clients retry a 5xx).
            busy = "Another intake is taking this alert right now; send it again."
            raise Refused(503, busy) from None
        changed = sorted({t.incident for t in taken if t.incident and t.replan})
        if changed and self.after_take is not None:
            self.after_take(changed)
        first = taken[0]
        if path in PAGERDUTY_STYLE:
            return Answer(
                202,
                {
                    "status": "success",
                    "message": "Event processed",
                    "dedup_key": sender_key(alerts[0].dedup_key),
                },
            )
        status = 202 if first.result == "declared" else 200
        return Answer(status, {"incident": first.incident, "result": first.result})

    def _ping(self, name: str) -> Answer:
        if self.heartbeats is None:
            raise Refused(404, "No heartbeats are set; add [heartbeats.NAME] to the settings.")
        try:
            recovered = self.heartbeats.ping(name)
        except IntakeError as error:
            raise Refused(404, str(error)) from None
        return Answer(200, {"heartbeat": name, "recovered": recovered})


async def read_body(request: web.BaseRequest) -> bytes:
    """The whole body (Content-Length or chunked, as aiohttp framed it), at most MAX_BODY, all
    of it within BODY_TIMEOUT_S; a sender that stalls is refused and its connection closed."""
    too_big = f"The body is larger than {MAX_BODY // 1024 // 1024} MiB."
    length = request.content_length
    if length is not None and length > MAX_BODY:
        raise Refused(413, too_big)
    if request.headers.get("Expect", "").casefold() == "100-continue":
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(BODY_TIMEOUT_S):
            while chunk := await request.content.readany():
                size += len(chunk)
                if size > MAX_BODY:
                    raise Refused(413, too_big)
                chunks.append(chunk)
    except TimeoutError:
        raise Refused(408, f"The body did not arrive within {BODY_TIMEOUT_S:g} s.") from None
    return b"".join(chunks)


def decode(raw: bytes) -> object:
    """JSON in UTF-8, with or without a byte order mark."""
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, "The body is not JSON.") from None
