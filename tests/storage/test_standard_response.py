"""Seed 003 §2.1 on a real SQLite file and a real PostgreSQL database: SEV-1/2 are declared
incidents, SEV-3/4 standard work — no incident-channel posts, no status-update clock — and a
policy file says which levels are which."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.clock import FakeClock
from app.domain.escalation import DeadlineKind
from app.domain.paging import PagingChannel
from app.domain.policy.parse import parse_policy_text
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database
from storage.incident_rows import by_code, outbox_for

WEB = load_policies(policy_sources(None)).get("web-service")
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ROOM = PagingChannel("room", url="json://127.0.0.1:9/room", broadcast=True)


def test_standard_work_gets_no_channel_posts_and_no_update_clock(database_url):
    database = Database.open(database_url)
    clock = FakeClock(START)
    service = IncidentService(database, clock, PolicyVersions(database, clock), (), (ROOM,))
    declared = service.declare(WEB, "Checkout down", "SEV-2", "ops")
    standard = service.declare(WEB, "Typo on the pricing page", "SEV-4", "ops")
    service.post_update(standard, "ops", "identified", "a missing word")
    with database.session() as session:
        posts = {
            code: [row.channel for row in outbox_for(session, by_code(session, code).id)]
            for code in (declared, standard)
        }
    assert posts == {declared: ["page:room"], standard: []}
    assert service.view(declared).plan.deadline(DeadlineKind.STATUS_UPDATE) is not None
    assert service.view(standard).plan.deadline(DeadlineKind.STATUS_UPDATE) is None
    assert service.view(standard).plan.deadline(DeadlineKind.RESOLUTION) is not None
    database.close()


def test_a_policy_file_marks_which_levels_are_declared(tmp_path):
    from tests.unit.test_policy_validation import MINIMAL, refusal

    policy = parse_policy_text(
        MINIMAL.replace('response = "30m"', 'response = "30m"\ndeclared = false'), "p.toml"
    )
    assert [s.declared for s in policy.severities] == [True, False]
    said = refusal(tmp_path, MINIMAL.replace('response = "30m"', 'response = "30m"\ndeclared = 0'))
    assert "must be true or false, not an integer" in said


def test_the_matrix_says_which_levels_are_standard_work():
    from app.domain.i18n import Catalog
    from app.domain.policy.view import severity_sections

    def handling(key: str, lang: str) -> list[str]:
        sections = severity_sections(WEB.severity(key), Catalog(lang))
        return [
            line
            for s in sections
            if s.title == Catalog(lang).t("detail.handling")
            for line in s.lines
        ]

    assert handling("SEV-1", "en") == []
    assert handling("SEV-3", "ko") == [
        "선언하지 않는 표준 대응: 인시던트 채널 공지와 상태 업데이트 기한 없음 (시드 003 §2.1)"
    ]
