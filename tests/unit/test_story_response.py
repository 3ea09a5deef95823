"""A story drafted from a postmortem tells the whole response (issue 31): every entry of the
incident's timeline — the acknowledgement, the escalations, the mitigating update, the
resolution — in order, with its time from the declaration, in the story's language; a very long
timeline is cut with "… and N more", keeping how it ended."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.domain.clock import FakeClock
from app.domain.postmortem.model import ActionItem, Why
from app.services.incident_service import IncidentService
from app.services.library.stories import StoryService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from storage.database import Database

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
POLICIES = load_policies(policy_sources(None))


def responded(narrative: str, heading: str, next_heading: str) -> list[str]:
    section = narrative.split(heading, 1)[1].split(next_heading, 1)[0]
    return [line for line in section.strip().splitlines() if line.startswith("- ")]


def drafted_story(tmp_path, lang: str, updates: int = 1):
    clock = FakeClock(START)
    database = Database.open(f"sqlite:///{tmp_path / 'team.db'}")
    try:
        incidents = IncidentService(database, clock, PolicyVersions(database, clock))
        code = incidents.declare(POLICIES.get("web-service"), "결제 API 장애", "SEV-2", "민지")
        clock.advance(2 * 60)
        incidents.escalate_now(code, "민지")
        clock.advance(2 * 60)
        incidents.acknowledge(code, "지훈")
        clock.advance(6 * 60)
        incidents.escalate_now(code, "지훈")
        for _ in range(updates):
            clock.advance(2 * 60)
            incidents.post_update(code, "지훈", "identified", "인증서 만료")
        clock.advance(5 * 60)
        incidents.post_update(code, "지훈", "mitigating", "인증서 교체 중")
        clock.advance(23 * 60)
        incidents.resolve(code, "지훈", "인증서 교체 완료")
        postmortems = PostmortemService(database, clock)
        draft = postmortems.open(code, lang, "민지")
        ready = replace(
            draft.postmortem,
            what="카드 결제가 40분 동안 실패했다.",
            users_affected="1200",
            root_cause="만료된 인증서",
            whys=[Why("왜?", "만료")],
            lessons="만료에는 주인이 필요하다.",
            actions=[ActionItem("갱신 자동화", "민지", "2026-12-10")],
        )
        version = postmortems.save(ready, draft.version, "민지")
        version = postmortems.set_status(code, "in_review", "민지", version).version
        postmortems.set_status(code, "published", "Alex", version)
        return StoryService(database, clock).from_postmortem(code, "민지").story
    finally:
        database.close()


def test_the_story_tells_the_whole_response_with_times_from_the_declaration(tmp_path):
    story = drafted_story(tmp_path, "ko")
    lines = responded(story.narrative, "팀은 어떻게 대응했나", "왜 일어났나")
    assert len(lines) == 7, lines  # declared, two escalations, ack, two updates, resolved
    assert lines[0].startswith("- T+0분 ") and "결제 API 장애" in lines[0]
    assert lines[2].startswith("- T+4분 ") and "지훈" in lines[2]  # the acknowledgement
    assert lines[5].startswith("- T+17분 ") and "완화 중: 인증서 교체 중" in lines[5]
    assert lines[6].startswith("- T+40분 ") and "인증서 교체 완료" in lines[6]
    assert all("escalation" not in line for line in lines)  # system entries in Korean


@pytest.mark.parametrize(
    ("lang", "more"), [("en", r"\n… and \d+ more\n"), ("ja", r"\n…ほか\d+件\n")]
)
def test_a_long_response_is_cut_and_keeps_how_it_ended(tmp_path, lang, more):
    story = drafted_story(tmp_path, lang, updates=18)
    headings = {"en": ("How the team responded", "Why it happened")}
    headings["ja"] = ("チームはどう対応したか", "なぜ起きたか")
    section = story.narrative.split(headings[lang][0], 1)[1].split(headings[lang][1], 1)[0]
    assert re.search(more, section), section
    assert len(section.strip().splitlines()) == 12  # nine moments, "… and N more", two more
    assert "인증서 교체 완료" in section.strip().splitlines()[-1]
