"""Presence on a real SQLite file and a real PostgreSQL database: each running app says where
it is; the others at the same place see it (not themselves, not people elsewhere), a client
that stops saying so drops out after 20 seconds, and one that leaves is gone at once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.clock import FakeClock
from app.services.presence_service import Companion, PresenceService
from storage.database import Database

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def presence(database_url):
    database = Database.open(database_url)
    clock = FakeClock(NOW)
    yield clock, PresenceService(database, clock)
    database.close()


def test_the_others_at_the_same_place_are_seen_until_they_go(presence):
    clock, service = presence
    place = "postmortem:INC-2026-0001"
    assert service.here("a", "민지", place, "whys", editing=True) == []
    assert service.here("b", "佐藤", place, "timeline") == [Companion("민지", "whys", True)]
    service.here("c", "Sam", "incident:INC-2026-0002")
    assert service.others("a", place) == [Companion("佐藤", "timeline", False)]
    service.here("b", "佐藤", place, "whys", editing=True)  # moved: the row is replaced
    assert service.others("a", place) == [Companion("佐藤", "whys", True)]
    clock.advance(21)
    assert service.others("a", place) == []  # 佐藤's app stopped saying so
    service.here("b", "佐藤", place, "whys")
    service.leave("b")
    assert service.others("a", place) == []
