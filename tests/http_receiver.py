"""A real HTTP server in a thread that records every request: the far end of json:// and
ntfy:// paging channels and of the engine's heartbeat pings (GET) in tests. It can be told to
fail (HTTP 500) until told otherwise."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float = 0.0  # time.time() when the request was read
    peer: int = 0  # the sender's port: one per connection it opened


class Receiver:
    def __init__(self, port: int = 0) -> None:
        self.requests: list[Received] = []
        self.failing = False
        self.delay = 0.0  # seconds before answering (the sender is still waiting)
        # Close each connection after answering without saying so, as a service does with a
        # kept-alive connection that stayed idle past its timeout.
        self.drop_after_answer = False
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # connections kept alive, as real services keep them
            # An answer in one write, as real servers send it: headers and body written apart
            # on a kept-alive connection meet the sender's delayed ACK (40 ms per answer).
            wbufsize = 64 * 1024
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append(
                    Received(
                        "POST",
                        self.path,
                        dict(self.headers.items()),
                        body,
                        time.time(),
                        self.client_address[1],
                    )
                )
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = 500 if receiver.failing else 200
                answer = b'{"error": "down"}' if receiver.failing else b'{"id": "1"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                self.close_connection = self.close_connection or receiver.drop_after_answer

            def do_GET(self) -> None:  # a heartbeat ping (the engine's dead-man's switch)
                receiver.requests.append(
                    Received(
                        "GET",
                        self.path,
                        dict(self.headers.items()),
                        b"",
                        time.time(),
                        self.client_address[1],
                    )
                )
                self.send_response(500 if receiver.failing else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")

            def log_message(self, *_args) -> None:
                pass

        self.server = _Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Server(ThreadingHTTPServer):
    # A real service's listen backlog (nginx: 511), not socketserver's 5: with 5, a storm of
    # pages sent 16 at a time had connections reset by the receiver itself.
    request_queue_size = 512
