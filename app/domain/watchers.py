"""Who fires escalations: the processes that watch (board, daemon, intake, kiosk), each recording
its passes, and the outside dead-man's switch a healthy watcher pings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# daemon-intake: `storycart daemon --intake`, one process firing and taking alerts.
WATCHER_KINDS = ("board", "daemon", "daemon-intake", "intake", "kiosk")
INTAKE_KINDS = ("intake", "daemon-intake")
DEFAULT_INTERVAL_S = 30


@dataclass(frozen=True)
class EngineSettings:
    """The [engine] table."""

    heartbeat_url: str = ""  # pinged every interval while a watcher is healthy; empty: none
    interval_s: int = DEFAULT_INTERVAL_S  # a watcher records a pass (and pings) this often


# A watcher whose last pass is older than this many intervals is gone (it died, or its machine
# sleeps): one missed pass is a slow database, two and a half is nobody there.
GONE_AFTER_INTERVALS = 2.5


@dataclass(frozen=True)
class Watcher:
    """A process that fires escalations, as its row says."""

    instance: str
    kind: str
    host: str
    pid: int
    user: str
    version: str
    started_at: datetime
    last_pass_at: datetime
    stopped_at: datetime | None = None

    def age(self, now: datetime) -> timedelta:
        """Since the last pass (never negative: another machine's clock may run ahead)."""
        return max(timedelta(0), now - self.last_pass_at)

    def alive(self, now: datetime, interval_s: float) -> bool:
        limit = timedelta(seconds=interval_s * GONE_AFTER_INTERVALS)
        return self.stopped_at is None and self.age(now) <= limit


def alive_watchers(
    watchers: list[Watcher], now: datetime, interval_s: float, but: str | None = None
) -> list[Watcher]:
    """The watchers still there, leaving out instance `but` (this process)."""
    return [w for w in watchers if w.instance != but and w.alive(now, interval_s)]
