"""The curator's view on a real SQLite file and a real PostgreSQL database: feedback marked
handled (once), the lens of the place the cart stands, a refill reminder when the last new story
is over four weeks old, a move reminder after four weeks in one place, and incidents whose
postmortem is published but that have no story yet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.clock import FakeClock
from app.domain.story.model import StoryError
from app.services.incident_service import IncidentService
from app.services.library.curator import CuratorService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from tests.conftest import library_services
from tests.postmortem_helpers import complete_postmortem

WEB = load_policies(policy_sources(None)).get("web-service")
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(database_url):
    database = Database.open(database_url)
    clock = FakeClock(START)
    services = library_services(database, clock)
    services.stories.ensure_starters()
    yield database, clock, services, CuratorService(database, clock)
    database.close()


def test_feedback_is_handled_once_and_the_inbox_shows_the_open_ones_first(world):
    _database, clock, services, curator = world
    services.cart.move_cart("3층 라운지", "민지", "product")
    first = services.cart.give_feedback("다이어그램이 더 있으면 좋겠어요", "지훈")
    clock.advance(60)
    services.cart.give_feedback("QR로 의견 남기기 좋네요", "さくら")
    assert services.cart.handle_feedback(first.id, "민지") is True
    assert services.cart.handle_feedback(first.id, "민지") is False
    view = curator.view("ko")
    assert [f.text for f in view.feedback] == [
        "QR로 의견 남기기 좋네요",
        "다이어그램이 더 있으면 좋겠어요",
    ]
    assert view.feedback[1].handled_by == "민지" and view.feedback[0].location == "3층 라운지"
    assert services.cart.current_lens() == "product"
    with pytest.raises(StoryError, match="not one of"):
        services.cart.move_cart("lobby", "민지", "marketing")


def test_refill_and_move_reminders_and_incidents_without_a_story(world):
    database, clock, services, curator = world
    view = curator.view("en")
    assert view.newest_story_at is None and view.refill_due  # only the shipped examples
    assert not view.move_due and view.places == ()
    services.cart.move_cart("Lobby", "Sam")
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    code = incidents.declare(WEB, "Checkout down", "SEV-2", "ops")
    incidents.resolve(code, "ops")
    complete_postmortem(PostmortemService(database, clock), code, "Sam")
    assert curator.view("en").without_story == ((code, "Checkout down"),)
    services.stories.from_postmortem(code, "Sam")  # a draft from it: no longer waiting
    assert curator.view("en").without_story == ()
    clock.advance(timedelta(weeks=5))
    view = curator.view("en")
    assert view.move_due and view.places[0].name == "Lobby"
