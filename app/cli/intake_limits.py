"""What the intake's HTTP server allows: paths, body size, time, connections, rate per sender.
No aiohttp here: `storycart` imports this for every command, the server only for `intake`."""

from __future__ import annotations

import threading
import time

DEFAULT_LISTEN = "127.0.0.1:9787"  # not 8787: that is `storycart kiosk --serve`'s port
MAX_BODY = 1024 * 1024
RATE_PER_SECOND = 200.0  # per sending address; a burst of twice that is let through
# A connection that has not sent a whole request head this long after it opened (or after its
# last answer, when kept alive) is closed; so is one whose body has not all come in time.
IDLE_TIMEOUT_S = 5.0
BODY_TIMEOUT_S = 5.0
LINGER_S = 1.0  # after an early refusal (413, 408), how long the rest of a body is read away
MAX_CONNECTIONS = 512  # open at once; one more is answered 503 and closed
BACKLOG = 1024  # connections the kernel queues before the server accepts them
WORKERS = 4  # threads taking alerts into the database (the event loop never waits on it)
HEARTBEAT_PREFIX = "/v1/heartbeat/"
PAGERDUTY_PATHS = ("/v2/enqueue", "/v1/alerts/pagerduty")
PATHS = {f"/v1/alerts/{source}": source for source in ("alertmanager", "grafana", "generic")} | {
    path: "pagerduty" for path in PAGERDUTY_PATHS
}


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
