"""How each paging channel is doing: its last success and its last failure (kept after it
recovered), read from the outbox and the timeline. A channel whose latest attempt failed is
broken until a delivery succeeds — the board says so, because a silent pager is the worst
failure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.paging import PagingChannel
from storage.database import Database
from storage.outbox_rows import last_attempts, last_success
from storage.paging_rows import last_failure


@dataclass(frozen=True)
class ChannelStatus:
    name: str
    last_ok_at: datetime | None
    last_failed_at: datetime | None
    last_error: str | None

    @property
    def broken(self) -> bool:
        return self.last_failed_at is not None and (
            self.last_ok_at is None or self.last_failed_at > self.last_ok_at
        )


class PagingStatus:
    def __init__(self, database: Database, channels: tuple[PagingChannel, ...]) -> None:
        self.database = database
        self.channels = tuple(c for c in channels if not c.broadcast)

    def statuses(self, history: bool = True) -> list[ChannelStatus]:
        """Each channel's last success and last failure; without `history`, the last failure
        only while it is the latest attempt (what `broken` needs, in fewer reads)."""
        names = [channel.outbox_channel for channel in self.channels]
        with self.database.session() as session:
            latest = last_attempts(session, names)
            statuses = []
            for channel in self.channels:
                tried = latest.get(channel.outbox_channel)
                ok = last_success(session, channel.outbox_channel)
                failed = None
                if tried is not None and tried.last_error:
                    failed = (tried.last_attempt_at, tried.last_error)
                elif history:
                    failed = last_failure(session, channel.outbox_channel, channel.name)
                statuses.append(
                    ChannelStatus(
                        channel.name,
                        ok.last_attempt_at if ok is not None else None,
                        failed[0] if failed is not None else None,
                        failed[1] if failed is not None else None,
                    )
                )
        return statuses

    def broken(self) -> list[ChannelStatus]:
        return [status for status in self.statuses(history=False) if status.broken]
