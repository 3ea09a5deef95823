"""Stories as data: drafting from a postmortem, lenses, closing the loop, and months of
story-of-the-week rotation on a fake clock."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.clock import FakeClock
from app.domain.postmortem.model import ActionItem, Factor, Postmortem, TimelineItem, Why
from app.domain.story.drafting import (
    draft_from_postmortem,
    lens_text,
    next_lens,
    story_blame_phrases,
)
from app.domain.story.follow_ups import loop_summary
from app.domain.story.model import (
    LENSES,
    FollowUp,
    Story,
    StoryError,
    from_document,
    parse_themes,
    publish,
    to_document,
)
from app.domain.story.rotation import Candidate, Feature, choose_next, current_feature, next_start
from app.domain.story.starters import starter_stories

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def korean_postmortem() -> Postmortem:
    return Postmortem(
        incident="INC-2026-0007",
        title="결제 API 장애",
        lang="ko",
        what="카드 결제가 40분 동안 실패했다. 재시도도 실패했다.",
        when="09:00–09:40",
        who="모든 결제 사용자",
        users_affected="약 1200명",
        duration="40분",
        sla_breach="yes",
        business_impact="매출 손실",
        brand_impact="문의 증가",
        timeline=[
            TimelineItem("09:00", "알람 확인", "민지", "fact", "detection"),
            TimelineItem("09:10", "캐시 문제일지도", "はると", "hypothesis", ""),
            TimelineItem("09:35", "인증서 교체", "민지", "fact", "repair"),
        ],
        root_cause="만료된 인증서",
        whys=[Why("왜 실패?", "인증서 만료")],
        factors=[Factor("technical", "만료 모니터링 없음"), Factor("process", "갱신 담당자 없음")],
        went_well="빠른 롤백",
        was_hard="원인 파악",
        temporary="수동 갱신",
        permanent="자동 갱신",
        actions=[
            ActionItem("갱신 자동화", "민지", "2026-12-01", "high", "prevention"),
            ActionItem("런북 작성", "지원팀", "2026-12-10", "low", "documentation"),
        ],
        lessons="만료되는 것에는 주인이 필요하다. 알람도 필요하다.",
    )


def test_a_draft_tells_the_postmortem_in_plain_sections_with_three_lenses():
    story = draft_from_postmortem(korean_postmortem(), "SEV-1", date(2026, 11, 20))
    assert (story.key, story.lang, story.title, story.status) == (
        "INC-2026-0007/ko",
        "ko",
        "결제 API 장애",
        "draft",
    )
    headings = ["무슨 일이 있었나", "왜 중요했나", "팀은 어떻게 대응했나", "왜 일어났나"]
    positions = [story.narrative.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "- 09:00 알람 확인" in story.narrative and "- 09:35 인증서 교체" in story.narrative
    assert "캐시 문제일지도" not in story.narrative  # key moments only, not the hypotheses
    assert "SLA를 위반했습니다." in story.narrative
    assert story.highlight == "카드 결제가 40분 동안 실패했다. 만료되는 것에는 주인이 필요하다."
    assert "만료 모니터링 없음" in lens_text(story, "engineering")
    assert "갱신 자동화" in lens_text(story, "engineering")
    assert "갱신 담당자 없음" in lens_text(story, "product")
    assert "런북 작성" in lens_text(story, "support")
    assert story.prompts == [
        "우리가 놓친 초기 신호는 무엇이었을까?",
        "이 인시던트에서 우리를 가장 놀라게 한 것은 무엇이었을까?",
    ]
    assert "dependency_traps" in story.themes  # 인증서 is one of its keywords
    assert (story.severity, story.occurred_on) == ("SEV-1", "2026-11-20")


def test_lenses_cycle_and_unknown_lens_is_refused():
    assert [next_lens(lens) for lens in LENSES] == ["product", "support", "engineering"]
    with pytest.raises(StoryError, match="lens 'finance'"):
        lens_text(Story("k", "en", "t"), "finance")


def test_publishing_needs_narrative_highlight_and_a_prompt():
    story = Story("k", "en", "Title", narrative="Body")
    with pytest.raises(StoryError, match="needs a highlight"):
        publish(story)
    story.highlight = "Short"
    with pytest.raises(StoryError, match="prompt card"):
        publish(story)
    story.prompts = ["What surprised us most?"]
    assert publish(story).status == "published"


def test_loop_status_counts_done_open_and_overdue():
    items = [
        FollowUp("a", due="2026-11-01", status="done"),
        FollowUp("b", due="2026-11-01"),
        FollowUp("c", due="2026-12-01"),
        FollowUp("d", status="in_progress"),
    ]
    summary = loop_summary(items, date(2026, 11, 24))
    assert (summary.done, summary.open, summary.overdue, summary.total) == (1, 2, 1, 4)


def test_story_json_round_trip_and_bad_values():
    story = starter_stories()[0]
    assert from_document(to_document(story)) == story
    for change, problem in [
        ({"kind": "epic"}, "kind 'epic'"),
        ({"occurred_on": "2026-13-01"}, "not a date"),
        ({"colour": 1}, "Unknown story field 'colour'"),
        ({"title": " "}, "needs a title"),
        ({"prompts": ["a", "b", "c", "d", "e"]}, "at most 4"),
    ]:
        with pytest.raises(StoryError, match=problem):
            from_document({**to_document(story), **change})


def test_themes_typed_with_any_comma():
    assert parse_themes("alert_fatigue, 배포 실패、デプロイ，alert_fatigue") == [
        "alert_fatigue",
        "배포 실패",
        "デプロイ",
    ]


def test_starter_library_has_six_to_ten_stories_in_three_languages():
    stories = starter_stories()
    groups = {s.group for s in stories}
    assert 6 <= len(groups) <= 10
    for group in groups:
        members = [s for s in stories if s.group == group]
        assert sorted(s.lang for s in members) == ["en", "ja", "ko"]
        assert len({s.title for s in members}) == 3
        assert all(s.example and s.status == "published" for s in members)
        assert all(set(s.lenses) == set(LENSES) and s.prompts and s.highlight for s in members)
    themes = {t for s in stories for t in s.themes}
    assert {"alert_fatigue", "rollout_failure", "dependency_traps"} <= themes
    assert {s.kind for s in stories} == {"recent", "classic", "near_miss"}


# -- rotation -------------------------------------------------------------------------------


def rotate_for(weeks_total: int, candidates, weeks: int = 2, nominate=None):
    """Drive the rotation the way the service does: at every daily look, rotate when nothing is
    featured. Returns the features in order."""
    clock, history = FakeClock(START), []
    for _day in range(weeks_total * 7):
        now = clock.now()
        if nominate and now in nominate:
            candidates = nominate[now](candidates)
        if current_feature(history, now) is None:
            chosen = choose_next(candidates, history, now)
            starts = next_start(history, now, weeks)
            history.append(
                Feature(
                    chosen.group, starts, starts + timedelta(weeks=weeks), "rotation", chosen.themes
                )
            )
            candidates = [
                replace_nominations(c, 0) if c.group == chosen.group else c for c in candidates
            ]
        clock.advance(timedelta(days=1))
    return history


def replace_nominations(candidate: Candidate, count: int) -> Candidate:
    return Candidate(
        candidate.group,
        candidate.themes,
        candidate.occurred_on,
        candidate.example,
        count,
        START if count else None,
    )


POOL = [
    Candidate("a", ("alert_fatigue",), "2026-01-01"),
    Candidate("b", ("alert_fatigue",), "2026-02-01"),
    Candidate("c", ("rollout_failure",), "2026-03-01"),
    Candidate("d", ("dependency_traps",), "2026-04-01"),
    Candidate("e", ("rollout_failure", "capacity"), "2026-05-01"),
    Candidate("x", ("capacity",), "2025-01-01", example=True),
]


def test_six_months_of_rotation_every_two_weeks_without_a_theme_twice_in_a_row():
    history = rotate_for(26, POOL)
    assert len(history) == 13
    starts = [f.starts_at for f in history]
    assert all(b - a == timedelta(weeks=2) for a, b in itertools.pairwise(starts))
    for previous, current in itertools.pairwise(history):
        assert previous.group != current.group
        assert not set(previous.themes) & set(current.themes)
    # Newest never-featured stories first; then the one not shown longest whose theme may
    # follow; the example steps back while real stories remain.
    assert [f.group for f in history[:6]] == ["e", "d", "c", "b", "e", "a"]
    assert "x" not in {f.group for f in history}


def test_examples_are_featured_when_there_is_nothing_else():
    history = rotate_for(6, [c for c in POOL if c.example or c.group == "a"])
    assert [f.group for f in history] == ["a", "x", "a"]


@pytest.mark.parametrize("weeks", [1, 3, 4])
def test_rotation_period_follows_the_setting(weeks):
    history = rotate_for(12, POOL, weeks=weeks)
    assert all(f.ends_at - f.starts_at == timedelta(weeks=weeks) for f in history)
    assert len(history) == -(-12 * 7 // (weeks * 7))


def test_a_nomination_goes_first_at_the_next_rotation():
    nominate_at = START + timedelta(days=3)
    history = rotate_for(
        4,
        POOL,
        nominate={
            nominate_at: lambda pool: [
                replace_nominations(c, 2) if c.group == "a" else c for c in pool
            ]
        },
    )
    assert [f.group for f in history] == ["e", "a"]


def test_after_a_gap_the_new_feature_keeps_the_beat():
    first = Feature("a", START, START + timedelta(weeks=2), "rotation", ("alert_fatigue",))
    later = START + timedelta(weeks=7, days=3)
    starts = next_start([first], later, 2)
    assert starts == START + timedelta(weeks=6)
    assert current_feature([first], later) is None


def test_a_pin_holds_until_unpinned_and_only_then_rotation_resumes():
    rotation = Feature("a", START, START + timedelta(weeks=2), "rotation", ())
    pin = Feature("c", START + timedelta(days=3), None, "pin", ())
    assert current_feature([rotation, pin], START + timedelta(weeks=10)).group == "c"
    unpinned = Feature("c", pin.starts_at, START + timedelta(weeks=10), "pin", ())
    now = START + timedelta(weeks=10, hours=1)
    assert current_feature([rotation, unpinned], now) is None
    assert next_start([rotation, unpinned], now, 2) == unpinned.ends_at


def test_when_every_candidate_shares_the_theme_one_is_still_chosen():
    only = [Candidate("a", ("alert_fatigue",)), Candidate("b", ("alert_fatigue",))]
    previous = Feature("a", START, START + timedelta(weeks=2), "rotation", ("alert_fatigue",))
    assert choose_next(only, [previous], START + timedelta(weeks=2)).group == "b"
    assert choose_next([only[0]], [previous], START + timedelta(weeks=2)) is None


def test_a_sentence_the_wizard_flagged_as_blame_never_becomes_the_highlight():
    flagged = replace(
        korean_postmortem(), what="민지의 실수로 인증서가 만료되었다. 결제가 40분 멈췄다."
    )
    story = draft_from_postmortem(flagged, "SEV-1", date(2026, 11, 20))
    assert "실수" not in story.highlight
    assert story.highlight == "만료되는 것에는 주인이 필요하다."
    assert story_blame_phrases(story) == ["실수"]  # still in the narrative: publishing asks
    assert (
        story_blame_phrases(draft_from_postmortem(korean_postmortem(), "SEV-1", date(2026, 11, 20)))
        == []
    )


def test_story_refusals_are_said_in_the_readers_language():
    from app.domain.i18n import Catalog, said_in

    story = Story("k", "ko", "제목", narrative="본문", prompts=["왜?"])
    with pytest.raises(StoryError) as refused:
        publish(story)
    assert str(refused.value) == "A story needs a highlight before it is published."
    assert said_in(refused.value, Catalog("ko")) == "스토리를 게시하려면 하이라이트가 필요합니다."
    assert said_in(refused.value, Catalog("ja")) == "ストーリーを公開するにはハイライトが必要です。"
