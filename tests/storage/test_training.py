"""Training checklists on a real SQLite file and a real PostgreSQL database: items recorded for
several people, onboarding counted once, quarterly items only within the quarter, the newest
record winning, and bad input refused in one sentence with nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.clock import FakeClock
from app.domain.training import TrainingError
from app.services.training_service import TrainingService
from storage.database import Database

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def training(database_url):
    database = Database.open(database_url)
    yield TrainingService(database, FakeClock(NOW))
    database.close()


def state(states, person: str, ref: str):
    return next(s for s in states if s.person == person and s.item.ref == ref)


def test_onboarding_counts_once_and_quarterly_items_each_quarter(training):
    assert training.record("quarterly/tabletop", ["민지", "準一", "민지"], "lead") == [
        "민지",
        "準一",
    ]
    training.record("new-hire/process", ["민지"], "lead", NOW - timedelta(days=400))
    training.record("quarterly/rollback", ["민지"], "lead", NOW - timedelta(days=70))  # Q3
    shown = training.states(["Sam"])
    assert {s.person for s in shown} == {"민지", "準一", "Sam"}
    assert len(shown) == 3 * 7
    tabletop = state(shown, "민지", "quarterly/tabletop")
    assert tabletop.current and tabletop.done_at == NOW
    assert state(shown, "민지", "new-hire/process").current  # onboarding does not expire
    rollback = state(shown, "민지", "quarterly/rollback")
    assert rollback.done_at == NOW - timedelta(days=70) and not rollback.current
    assert not any(s.current for s in shown if s.person == "Sam")
    training.record("quarterly/rollback", ["민지"], "lead", NOW - timedelta(days=10))
    assert state(training.states(), "민지", "quarterly/rollback").current  # the newest counts


def test_bad_input_is_refused_and_nothing_is_stored(training):
    with pytest.raises(TrainingError, match=r"There is no training item 'quarterly/yoga'"):
        training.record("quarterly/yoga", ["민지"], "lead")
    with pytest.raises(TrainingError, match=r"Name who did the training\."):
        training.record("quarterly/tabletop", ["  "], "lead")
    with pytest.raises(TrainingError, match=r"cannot be done in the future"):
        training.record("quarterly/tabletop", ["민지"], "lead", NOW + timedelta(hours=1))
    assert training.states() == []
