"""The story library on a real SQLite file and a real PostgreSQL database: starter stories,
stories from published postmortems, search in Korean / Japanese / English, the story of the week,
nominations, feedback and the library as JSON."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.clock import FakeClock
from app.domain.postmortem.model import ActionItem, PostmortemError, Why
from app.domain.story.model import Story, StoryError
from app.services.incident_service import IncidentService
from app.services.library.stories import StoryService
from app.services.library.week import StoryWeek
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from storage.errors import StaleWrite
from tests.conftest import library_services

WEB = load_policies(policy_sources(None)).get("web-service")
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(database_url):
    database = Database.open(database_url)
    clock = FakeClock(START)
    yield database, clock, library_services(database, clock)
    database.close()


def story(key: str, title: str, narrative: str, **more) -> Story:
    return Story(
        key=key,
        lang=more.pop("lang", "ko"),
        title=title,
        narrative=narrative,
        highlight=more.pop("highlight", title),
        prompts=["무엇이 놀라웠나?"],
        status="published",
        **more,
    )


def test_starters_arrive_once_and_can_be_hidden(world):
    _db, _clock, lib = world
    assert lib.stories.ensure_starters() == 18
    assert lib.stories.ensure_starters() == 0
    korean = lib.stories.summaries("ko")
    assert len(korean) == 6 and {s.lang for s in korean} == {"ko"}
    assert all(s.example for s in korean)
    assert {s.lang for s in lib.stories.summaries("ja")} == {"ja"}
    assert lib.stories.hide_examples(True) == 18
    assert lib.stories.summaries("ko") == []
    assert lib.stories.ensure_starters() == 0  # hidden, not re-added
    lib.stories.hide_examples(False)
    assert len(lib.stories.summaries("en")) == 6


def test_search_finds_korean_and_japanese_substrings_of_every_length(world):
    _db, _clock, lib = world
    lib.stories.create(story("k1", "결제 장애 회고", "카드 결제가 40분 동안 실패했다"), "민지")
    lib.stories.create(story("k2", "배포 롤백", "카나리가 건강해 보였다"), "민지")
    lib.stories.create(
        story("j1", "決済障害の振り返り", "カード決済が止まった", lang="ja"), "はると"
    )
    lib.stories.create(
        story("e1", "Certificate Expiry", "Payments to the PARTNER failed", lang="en"), "alex"
    )
    lib.stories.create(story("w1", "100% 디스크_가득", "큐가 멈췄다"), "민지")

    def found(query):
        return sorted(s.key for s in lib.stories.search(query, "ko"))

    assert found("장애") == ["k1"]  # two Korean characters
    assert found("장") == ["k1"]  # one
    assert found("결제가 40") == ["k1"]  # two words, both must occur
    assert found("카드 결제가") == ["k1"]
    assert found("障害") == ["j1"]  # two kanji
    assert found("ｶｰﾄﾞ決済") == ["j1"]  # half-width kana fold to full width
    assert found("partner") == ["e1"]  # English, any case
    assert found("expiry") == ["e1"]
    assert found("100%") == ["w1"] and found("_가") == ["w1"]  # LIKE wildcards are literal
    assert found("%") == ["w1"]
    assert found("장애 障害") == []
    assert found("없는말") == [] and found("   ") == []


def test_a_story_from_a_published_postmortem(world):
    database, clock, lib = world
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    postmortems = PostmortemService(database, clock)
    code = incidents.declare(WEB, "결제 API 장애", "SEV-1", actor="민지", impact="모든 결제")
    clock.advance(40 * 60)
    incidents.resolve(code, "민지", "인증서 갱신")
    draft = postmortems.open(code, "ko", "민지")
    with pytest.raises(PostmortemError, match="not published yet"):
        lib.stories.from_postmortem(code, "민지")
    ready = replace(
        draft.postmortem,
        what="카드 결제가 40분 동안 실패했다.",
        users_affected="1200",
        root_cause="만료된 인증서",
        whys=[Why("왜?", "만료")],
        lessons="만료에는 주인이 필요하다.",
        actions=[
            ActionItem("갱신 자동화", "민지", "2026-11-30"),
            ActionItem("알람 추가", "지원", "2026-11-20"),
        ],
    )
    version = postmortems.save(ready, draft.version, "민지")
    version = postmortems.set_status(code, "in_review", "민지", version).version
    postmortems.set_status(code, "published", "Alex", version)

    view = lib.stories.from_postmortem(code, "민지")
    assert view.story.key == f"{code}/ko" and view.story.status == "draft"
    assert "카드 결제가 40분 동안 실패했다." in view.story.narrative
    # Closing the loop: the postmortem's action items, live.
    assert [(f.title, f.status) for f in view.follow_ups] == [
        ("갱신 자동화", "open"),
        ("알람 추가", "open"),
    ]
    assert (view.loop.open, view.loop.overdue, view.loop.done) == (1, 1, 0)
    assert lib.stories.from_postmortem(code, "x").version == view.version  # opened, not redrafted

    edited = replace(view.story, narrative="고친 글 [b]그대로[/b]")
    version = lib.stories.save(edited, view.version, "민지")
    with pytest.raises(StaleWrite, match="your text is still in the form"):
        lib.stories.save(replace(view.story, narrative="늦은 글"), view.version, "はると")
    lib.stories.publish(edited, version, "민지")
    published = lib.stories.view(code + "/ko")
    assert published.story.status == "published"
    assert published.story.narrative == "고친 글 [b]그대로[/b]"
    assert [s.key for s in lib.stories.search("그대로", "ko")] == [f"{code}/ko"]


def test_story_of_the_week_rotates_on_its_beat_and_keeps_history(world):
    _db, clock, lib = world
    lib.stories.ensure_starters()
    first = lib.week.week("ko")
    assert first.view.story.lang == "ko" and first.rotates_at == START + timedelta(weeks=2)
    assert lib.week.week("ja").view.story.group == first.feature.group  # same story, in Japanese
    assert lib.week.week("ja").view.story.lang == "ja"
    seen = [first.feature]
    for _ in range(5):
        clock.advance(timedelta(weeks=2))
        seen.append(lib.week.week("en").feature)
    assert len({f.group for f in seen}) == 6
    for previous, current in itertools.pairwise(seen):
        assert not set(previous.themes) & set(current.themes)
    assert [f.group for f in lib.week.week("en").history] == [f.group for f in seen]


def test_nominations_pins_and_feedback(world):
    _db, clock, lib = world
    lib.stories.ensure_starters()
    first = lib.week.week("en")
    with pytest.raises(StoryError, match="Say why"):
        lib.cart.nominate("starter-empty-backups/en", "  ", "민지")
    lib.cart.nominate("starter-empty-backups/ko", "다른 팀도 꼭 알아야 한다", "민지")
    clock.advance(timedelta(weeks=2))
    week = lib.week.week("en")
    assert week.feature.group == "starter-empty-backups" != first.feature.group
    assert week.feature.reason == "nomination"
    assert lib.cart.nominations() == []  # featured nominations are done
    lib.week.pin("starter-friday-canary/en", "curator")
    clock.advance(timedelta(weeks=9))
    pinned = lib.week.week("ko")
    assert pinned.feature.group == "starter-friday-canary" and pinned.rotates_at is None
    lib.week.unpin("curator")
    assert lib.week.week("ko").feature.group != "starter-friday-canary"
    with pytest.raises(StoryError, match="No story is pinned"):
        lib.week.unpin("curator")

    lib.cart.move_cart("oncall_room", "민지")
    clock.advance(60)
    lib.cart.move_cart("3층 탕비실", "민지")
    lib.cart.give_feedback("QR 코드가 있으면 좋겠다", "はると")
    (entry,) = lib.cart.feedback()
    assert (entry.text, entry.location, entry.given_by) == (
        "QR 코드가 있으면 좋겠다",
        "3층 탕비실",
        "はると",
    )
    assert [p.name for p in lib.cart.locations()] == ["oncall_room", "3층 탕비실"]


def test_two_carts_rotating_at_the_same_moment_agree(database_url):
    databases = [Database.open(database_url) for _ in range(2)]
    clock = FakeClock(START)
    StoryService(databases[0], clock).ensure_starters()
    barrier, results = threading.Barrier(2), []

    def look(database):
        barrier.wait()
        results.append(StoryWeek(database, clock).week("en").feature)

    threads = [threading.Thread(target=look, args=(d,)) for d in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and results[0] == results[1]
    assert len(StoryWeek(databases[0], clock).week("en").history) == 1
    for database in databases:
        database.close()


def test_library_json_round_trip_and_a_bad_file_changes_nothing(world, tmp_path):
    _db, clock, lib = world
    lib.stories.ensure_starters()
    lib.stories.create(story("mine", "[b]굵게[/b] \x1b[31m", "본문"), "민지")
    lib.week.week("ko")
    lib.cart.nominate("mine", "이유", "민지")
    lib.cart.give_feedback("좋아요", "민지")
    lib.cart.move_cart("team_space", "민지")
    lib.stories.hide_examples(True)
    exported = lib.exchange.export_document()
    text = json.dumps(exported, ensure_ascii=False)

    other = Database.open(f"sqlite:///{tmp_path / 'other.db'}")
    copy = library_services(other, clock)
    counts = copy.exchange.import_document(json.loads(text), "alex")
    assert counts == {"stories": 19, "features": 1, "nominations": 1, "feedback": 1, "locations": 1}
    again = copy.exchange.export_document()
    assert again == exported
    assert copy.stories.view("mine").story.title == "[b]굵게[/b] \x1b[31m"

    broken = json.loads(text)
    broken["stories"][-1]["kind"] = "saga"
    broken["stories"][0]["title"] = "바뀌면 안 됨"
    with pytest.raises(StoryError, match="Story 19: The kind 'saga'"):
        copy.exchange.import_document(broken, "alex")
    assert copy.exchange.export_document() == exported
    with pytest.raises(StoryError, match="not a Story Cart library export"):
        copy.exchange.import_document({"stories": []}, "alex")
    other.close()


def test_a_translation_is_a_linked_draft_that_readers_get_once_published(world):
    from app.domain.kiosk_playlist import load_content
    from app.export.printing import playlist_views

    _db, clock, lib = world
    lib.stories.create(
        story(
            "late-deploy/ko",
            "금요일 배포",
            "금요일 오후에 배포했다.",
            kind="near_miss",
            occurred_on="2026-11-20",
        ),
        "민지",
    )
    draft = lib.stories.translate("late-deploy/ko", "ja", "Aiko").story
    assert (draft.key, draft.lang, draft.status) == ("late-deploy/ja", "ja", "draft")
    assert draft.translated_from == "ko" and draft.narrative == "금요일 오후에 배포했다."
    assert lib.stories.translate("late-deploy/ko", "ja", "Aiko").story.key == "late-deploy/ja"
    with pytest.raises(StoryError, match="already written in 한국어"):
        lib.stories.translate("late-deploy/ko", "ko", "민지")

    # A draft in the reader's language never hides the published original.
    assert [s.title for s in lib.stories.summaries("ja")] == ["금요일 배포"]
    assert lib.week.week("ja").view.story.lang == "ko"

    translated = replace(
        draft,
        title="金曜日のデプロイ",
        narrative="金曜の午後にデプロイした。",
        highlight="金曜日のデプロイ",
        prompts=["何に驚いたか？"],
    )
    lib.stories.publish(translated, lib.stories.view("late-deploy/ja").version, "Aiko")
    assert [s.title for s in lib.stories.summaries("ja")] == ["金曜日のデプロイ"]
    assert [s.title for s in lib.stories.summaries("ko")] == ["금요일 배포"]
    assert lib.stories.view("late-deploy/ko", "ja").story.title == "金曜日のデプロイ"
    assert lib.stories.view("late-deploy/ko").translations == ("ja",)
    assert lib.week.week("ja").view.story.title == "金曜日のデプロイ"
    views = playlist_views(lib.stories, lib.week, "ja")
    assert [v.story.title for v in views] == ["金曜日のデプロイ"]
    kiosk = load_content(lib.stories, lib.week, None, "ja", clock.now().date())
    assert kiosk.week.view.story.title == "金曜日のデプロイ"
    assert [m.title for m in kiosk.near_misses] == ["金曜日のデプロイ"]
    exported = {s["key"]: s for s in lib.exchange.export_document()["stories"]}
    assert exported["late-deploy/ja"]["translated_from"] == "ko"
