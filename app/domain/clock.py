"""Where "now" comes from. Nothing in Story Cart reads the system time any other way."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to: for tests and snapshots."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | float) -> datetime:
        """Move forward by a timedelta or a number of seconds; returns the new now."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        with self._lock:
            self._now += step
            return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FakeClock.set needs a timezone-aware time")
        with self._lock:
            self._now = instant.astimezone(UTC)


class DrillClock:
    """Drill time: runs ``speed`` times faster than the clock under it, from ``start``, and
    stands still while paused. A 60-minute tabletop at 10× takes 6 minutes at the cart.

    Everything that takes a Clock takes this one unchanged; what waits on the real clock (the
    scheduler's wake-up job) asks `wall_time` when a drill moment will come."""

    def __init__(
        self, base: Clock, speed: float, start: datetime | None = None, paused: bool = False
    ) -> None:
        """``paused``: standing still until `resume` (a drill app starts it once it is ready,
        so its start-up is not drill time)."""
        if speed <= 0:
            raise ValueError("A drill runs at a speed above zero.")
        self.base = base
        self._lock = threading.Lock()
        self._speed = float(speed)
        self._anchor_base = base.now()
        self._anchor = (start or self._anchor_base).astimezone(UTC)
        self._paused = paused

    def now(self) -> datetime:
        with self._lock:
            return self._at(self.base.now())

    def _at(self, base_now: datetime) -> datetime:
        if self._paused:
            return self._anchor
        return self._anchor + (base_now - self._anchor_base) * self._speed

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def paused(self) -> bool:
        return self._paused

    def _reanchor(self) -> None:
        base_now = self.base.now()
        self._anchor = self._at(base_now)
        self._anchor_base = base_now

    def pause(self) -> None:
        with self._lock:
            if not self._paused:
                self._reanchor()
                self._paused = True

    def resume(self) -> None:
        with self._lock:
            if self._paused:
                self._anchor_base = self.base.now()
                self._paused = False

    def set_speed(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("A drill runs at a speed above zero.")
        with self._lock:
            self._reanchor()
            self._speed = float(speed)

    def wall_time(self, instant: datetime) -> datetime:
        """When, on the clock under this one, drill time reaches ``instant`` (while paused: a
        day from now — resuming re-plans)."""
        with self._lock:
            if self._paused:
                return self.base.now() + timedelta(days=1)
            return self._anchor_base + (instant - self._anchor) / self._speed


def wall_time(clock: Clock, instant: datetime) -> datetime:
    """When the real clock reaches ``instant`` of this clock (the same moment, but in a drill)."""
    convert = getattr(clock, "wall_time", None)
    return convert(instant) if convert is not None else instant
