"""The intake's HTTP server: aiohttp's low-level server on an event loop of its own, in one
thread, with a bounded pool of threads for the database. Loaded only by `storycart intake` and
`storycart daemon --intake` (aiohttp costs start-up time every other command would pay).

Why a loop in one thread rather than the daemon's loop: the same object serves `storycart
intake` (which has no loop of its own) and `storycart daemon --intake`, and keeps the blocking
`serve_forever() / shutdown()` shape the callers and tests use; the daemon's loop stays the
escalation scheduler's alone, so an alert storm cannot delay a firing. One thread holds every
connection (an idle or stalled one costs a socket, never a thread); the database work is in
`WORKERS` threads.

What the server guards, beyond aiohttp's own framing (Content-Length, chunked, keep-alive):
a connection that sends no whole request head within IDLE_TIMEOUT_S is closed (aiohttp's
keep-alive timer runs from the connection's start), the body has BODY_TIMEOUT_S
(`intake_http.read_body`), at most MAX_CONNECTIONS are open (one more gets 503), the listen
backlog is BACKLOG, and aiohttp's own refusals (a malformed head, a bogus Content-Length) are
one JSON sentence like every other, never the request's bytes echoed."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import ssl
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from app.cli.errors import CommandError
from app.cli.intake_http import IntakeRequests, json_response
from app.cli.intake_limits import (
    BACKLOG,
    IDLE_TIMEOUT_S,
    LINGER_S,
    MAX_CONNECTIONS,
    WORKERS,
)
from app.domain.textsafe import printable

_HEAD_REFUSALS = {
    400: "The request is not well-formed HTTP (its request line, a header, its Content-Length "
    "or its chunks).",
    413: "The request line or a header is too long.",
    431: "The request's headers are too large.",
    501: "The request uses a transfer coding the intake does not take.",
}
_BUSY = json.dumps({"error": "The intake has too many open connections; try again."}).encode()
_BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
    b"Connection: close\r\nContent-Length: " + str(len(_BUSY)).encode() + b"\r\n\r\n" + _BUSY
)


class ListenError(CommandError):
    """The address cannot be listened on; str() is the sentence (without the command name)."""

    def __init__(self, host: str, port: int, error: OSError, option: str) -> None:
        if error.errno == errno.EADDRINUSE:
            what = "is already in use; stop what holds it or choose another port"
        else:
            known = isinstance(error.errno, int) and error.errno > 0  # not getaddrinfo's
            reason = os.strerror(error.errno) if known else (error.strerror or str(error))
            what = f"cannot be listened on ({reason}); choose another address"
        super().__init__(f"{_hostport(host, port)} {what} with {option} HOST:PORT.")


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class _Connection(web.RequestHandler):
    """aiohttp's connection handler, saying its own refusals in JSON."""

    over_cap = False  # answered 503 on arrival: what it sends is read and dropped

    def data_received(self, data: bytes) -> None:
        if not self.over_cap:
            super().data_received(data)

    def handle_error(
        self,
        request,
        status=500,
        exc=None,
        message=None,  # noqa: ARG002 (aiohttp's text)
    ) -> web.StreamResponse:
        if request.writer.output_size > 0:  # as aiohttp's: the answer has begun, nothing to say
            raise ConnectionError("the response was already started")
        if status >= 500 and status != 501:
            said = printable(repr(exc))[:300]
            print(f"storycart intake: a request failed ({said})", file=sys.stderr)
        sentence = _HEAD_REFUSALS.get(status, "The intake could not answer this request.")
        return json_response(status, {"error": sentence}, close=True)


class _Server(web.Server):
    """aiohttp's low-level server with `_Connection`s and a cap on open connections."""

    def __call__(self) -> web.RequestHandler:
        # aiohttp's protocol factory (web.Server.__call__), with our class in it.
        return _Connection(self, loop=self._loop, **self._kwargs)

    def connection_made(self, handler, transport) -> None:
        super().connection_made(handler, transport)
        if len(self.connections) > MAX_CONNECTIONS:
            # Answered and half-closed at once; closed a moment later, once what the client
            # sent meanwhile was read (closing on unread data would reset the connection, and
            # the client could lose the answer).
            handler.over_cap = True
            transport.write(_BUSY_RESPONSE)
            if transport.can_write_eof():  # not over TLS
                transport.write_eof()
            asyncio.get_running_loop().call_later(LINGER_S, handler.force_close)


class IntakeServer:
    """Listening from construction (so `server_port` is the real port, also for port 0) until
    `shutdown()`; `serve_forever()` only waits for that. `server_close()` ends the thread."""

    def __init__(
        self, host: str, port: int, requests_for, ssl_context=None, option="--listen"
    ) -> None:
        self.pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="intake-db")
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="intake-http")
        self.thread.daemon = True
        self.thread.start()
        self.stopped = threading.Event()
        requests = self.requests = requests_for(self.pool)
        try:
            self.runner = self._call(self._start(host, port, requests, ssl_context))
        except OSError as error:
            self.server_close()
            raise ListenError(host, port, error, option) from None
        self.server_port = self.runner.addresses[0][1]

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    async def _start(self, host, port, requests, ssl_context) -> web.ServerRunner:
        server = _Server(
            requests,
            keepalive_timeout=IDLE_TIMEOUT_S,
            lingering_time=LINGER_S,
            access_log=None,
        )
        runner = web.ServerRunner(server, shutdown_timeout=5.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port, ssl_context=ssl_context, backlog=BACKLOG)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        return runner

    def serve_forever(self) -> None:
        self.stopped.wait()

    def shutdown(self) -> None:
        """Stop listening, let answers under way finish (up to 5 s), close the connections."""
        if not self.stopped.is_set():
            self._call(self.runner.cleanup())
            self.stopped.set()

    def server_close(self) -> None:
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
        if not self.loop.is_running():
            self.loop.close()
        self.pool.shutdown(wait=True)
        self.stopped.set()


def tls_context(certificate: str, key: str) -> ssl.SSLContext:
    """For `--tls-cert` / `--tls-key`: senders that insist on https (PagerDuty's clients)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(certificate, key)
    except (OSError, ssl.SSLError) as error:
        raise CommandError(f"The TLS certificate or key cannot be read ({error}).") from None
    return context


def make_server(
    host: str,
    port: int,
    token: str,
    intake,
    severity_label: str,
    heartbeats=None,
    ssl_context=None,
    option: str = "--listen",
    acks=None,
) -> IntakeServer:
    def requests_for(pool) -> IntakeRequests:
        return IntakeRequests(token, intake, severity_label, heartbeats, pool, acks)

    return IntakeServer(host, port, requests_for, ssl_context, option)
