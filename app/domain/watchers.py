"""Who fires escalations: the processes that watch (board, daemon, intake, kiosk), each recording
its passes, and the outside dead-man's switch a healthy watcher pings."""

from __future__ import annotations

from dataclasses import dataclass

WATCHER_KINDS = ("board", "daemon", "intake", "kiosk")
DEFAULT_INTERVAL_S = 30


@dataclass(frozen=True)
class EngineSettings:
    """The [engine] table."""

    heartbeat_url: str = ""  # pinged every interval while a watcher is healthy; empty: none
    interval_s: int = DEFAULT_INTERVAL_S  # a watcher records a pass (and pings) this often
