"""The postmortem model: Markdown round trip, malformed files, completeness, hints."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.postmortem.markdown import MarkdownError, blank_markdown, from_markdown, to_markdown
from app.domain.postmortem.model import (
    ACTION_CATEGORIES,
    ACTION_STATUSES,
    CERTAINTIES,
    FACTOR_CATEGORIES,
    MARKERS,
    PRIORITIES,
    ActionItem,
    Factor,
    Postmortem,
    PostmortemError,
    TimelineItem,
    Why,
    from_document,
    to_document,
)
from app.domain.postmortem.review import blameless_hints, change_status, completeness, section_state

# Any text a person can type or paste: every Unicode letter, markup look-alikes, escapes.
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=40
)
LINE = TEXT.filter(lambda t: "\n" not in t)


def full(lang: str = "ko") -> Postmortem:
    return Postmortem(
        incident="INC-2026-0001",
        title="결제 API 장애",
        lang=lang,
        what="카드 결제가 40분 동안 실패했다.\n# 제목처럼 보이는 줄\n\\역슬래시",
        when="09:00–09:40",
        who="모든 결제 사용자",
        users_affected="약 1,200명",
        duration="40분",
        sla_breach="yes",
        business_impact="[b]매출[/b] 손실",
        brand_impact="문의 증가",
        timeline=[
            TimelineItem("09:00", "알람 \x1b[31m 발생 | 파이프", "민지", "fact", "detection"),
            TimelineItem("09:10", "캐시 문제일지도", "はると", "hypothesis", ""),
        ],
        root_cause="만료된 인증서",
        whys=[Why("왜 실패?", "인증서 만료"), Why("왜 만료?", "갱신 자동화 없음")],
        factors=[Factor("process", "갱신 절차 문서 없음")],
        went_well="빠른 롤백",
        was_hard="원인 파악",
        lucky="야간이 아니었다",
        temporary="수동 갱신",
        permanent="자동 갱신",
        actions=[
            ActionItem("갱신 자동화", "민지", "2026-12-01", "high", "prevention", "in_progress")
        ],
        lessons="만료 알람이 필요하다",
    )


@pytest.mark.parametrize("lang", ["en", "ko", "ja"])
def test_markdown_round_trip_keeps_every_character(lang):
    postmortem = full(lang)
    text = to_markdown(postmortem, [("Severity", "SEV-1")])
    assert from_markdown(text) == postmortem
    assert from_document(to_document(postmortem)) == postmortem


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(TEXT, min_size=6, max_size=6),
    cells=st.lists(LINE | TEXT, min_size=4, max_size=4),
    certainty=st.sampled_from(CERTAINTIES),
    marker=st.sampled_from(MARKERS),
    category=st.sampled_from(FACTOR_CATEGORIES),
    priority=st.sampled_from(PRIORITIES),
    action_category=st.sampled_from(ACTION_CATEGORIES),
    status=st.sampled_from(ACTION_STATUSES),
)
def test_round_trip_of_any_text(
    texts, cells, certainty, marker, category, priority, action_category, status
):
    postmortem = Postmortem(
        incident="INC-2026-0042",
        title=cells[0].replace("\n", " "),
        lang="ja",
        what=texts[0],
        root_cause=texts[1],
        went_well=texts[2],
        temporary=texts[3],
        lessons=texts[4],
        users_affected=cells[1],
        timeline=[TimelineItem(cells[2], texts[5], cells[3], certainty, marker)],
        whys=[Why(cells[1], texts[0])],
        factors=[Factor(category, cells[2])],
        actions=[ActionItem(cells[3], cells[0], "", priority, action_category, status)],
    )
    assert from_markdown(to_markdown(postmortem)) == postmortem


@pytest.mark.parametrize(
    ("edit", "line", "problem"),
    [
        (lambda t: "garbage\n" + t, 1, "first line must be the '# ...' title"),
        (lambda t: t.replace("| fact |", "| maybe |"), None, "certainty 'maybe' is not one of"),
        (lambda t: t.replace("2026-12-01", "2026-13-01"), None, "due date '2026-13-01'"),
        (lambda t: t.replace("## 영향\n", "## Impact\n"), None, "expected the heading '## 영향'"),
        (
            lambda t: t.replace("| 갱신 자동화 | 민지 |", "| 갱신 자동화 |"),
            None,
            "expected 7 cells",
        ),
    ],
)
def test_malformed_markdown_names_the_line_and_the_problem(edit, line, problem):
    text = edit(to_markdown(full()))
    with pytest.raises(MarkdownError, match=problem) as caught:
        from_markdown(text)
    expected = line or next(
        n
        for n, row in enumerate(text.split("\n"), start=1)
        if any(k in row for k in ("maybe", "2026-13-01", "## Impact", "| 갱신 자동화 |"))
    )
    assert caught.value.line == expected


def test_blank_template_has_every_section_and_reads_back_empty():
    text = blank_markdown("ko")
    headings = ["## 요약", "## 영향", "## 타임라인", "## 근본 원인", "### 5 Whys", "## 기여 요인"]
    headings += ["## 잘된 점", "## 어려웠던 점", "## 운이 좋았던 점", "## 완화 조치"]
    for heading in [*headings, "## 액션 아이템", "## 교훈"]:
        assert heading + "\n" in text
    assert from_markdown(text).actions == []


def test_completeness_lists_what_is_missing_and_gates_review():
    empty = Postmortem(incident="INC-2026-0001", title="x", lang="en")
    check = completeness(empty)
    assert check.percent == 0
    assert check.missing == (
        "summary",
        "impact_numbers",
        "root_cause",
        "timeline_facts",
        "owned_action",
    )
    with pytest.raises(PostmortemError, match="missing required parts"):
        change_status(empty, "in_review")
    only_hypotheses = full()
    only_hypotheses.timeline = [TimelineItem("09:00", "maybe cache", "a", "hypothesis")]
    only_hypotheses.actions = [ActionItem("fix", "", "")]  # no owner, no due date
    assert completeness(only_hypotheses).missing == ("timeline_facts", "owned_action")
    ready = full()
    assert completeness(ready).ready and completeness(ready).percent == 100
    reviewed = change_status(ready, "in_review")
    assert change_status(reviewed, "published").status == "published"
    with pytest.raises(PostmortemError, match="cannot move to draft"):
        change_status(change_status(reviewed, "published"), "draft")


def test_section_states_move_from_empty_to_partial_to_complete():
    postmortem = Postmortem(incident="INC-2026-0001", title="x", lang="en")
    assert section_state(postmortem, "summary") == "empty"
    postmortem.what = "Checkout failed"
    assert section_state(postmortem, "summary") == "partial"
    postmortem.when, postmortem.who = "09:00", "all buyers"
    assert section_state(postmortem, "summary") == "complete"
    postmortem.actions = [ActionItem("Add alert", "Kim", "")]
    assert section_state(postmortem, "actions") == "partial"
    postmortem.actions[0].due = "2026-12-01"
    assert section_state(postmortem, "actions") == "complete"


@pytest.mark.parametrize(
    ("lang", "text", "phrases"),
    [
        (
            "en",
            "The deploy failed because Sam forgot the flag (human error).",
            ["forgot", "human error"],
        ),
        ("ko", "담당자의 실수와 부주의로 배포가 깨졌다", ["실수", "부주의"]),
        ("ja", "うっかり設定を消した。不注意だった", ["うっかり", "不注意"]),
        ("ko", "인증서 갱신이 자동화되어 있지 않았다", []),
    ],
)
def test_blameless_hints_flag_blame_and_suggest_a_system_question(lang, text, phrases):
    hints = blameless_hints(text, lang)
    assert [h.phrase for h in hints] == phrases
    for hint in hints:
        assert text.casefold()[hint.start : hint.end] == hint.phrase.casefold()
        assert hint.suggestion.endswith(("?", "？"))
