"""The incident report of a postmortem (seed 001 §4) parsed back, the story sheet's timeline
strip from the postmortem, and a report set tighter rather than end on a nearly empty page."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from io import BytesIO

from pypdf import PdfReader

from app.domain.clock import FakeClock
from app.domain.i18n import Catalog
from app.domain.postmortem.model import ActionItem, Factor, TimelineItem, Why
from app.export import printing
from app.export.story_sheet import story_sheet
from app.services.incident_service import IncidentService
from app.services.library.stories import StoryService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from tests.export.pdf_checks import (
    assert_inside_margins,
    assert_pages,
    inked_height,
    squeeze,
    text_of,
)
from tests.ui.helpers import START

TODAY = date(2026, 11, 24)
POLICIES = load_policies(policy_sources(None))


def reviewed_incident(database, clock: FakeClock) -> str:
    """A resolved SEV-2 with a Korean postmortem: timeline with markers, whys, factors, actions,
    and text that looks like markup."""
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    postmortems = PostmortemService(database, clock)
    code = incidents.declare(
        POLICIES.get("web-service"), "결제 API 장애", "SEV-2", actor="민지", impact="카드 결제"
    )
    clock.advance(50 * 60)
    incidents.resolve(code, "민지", "인증서 갱신")
    draft = postmortems.open(code, "ko", "민지")
    ready = replace(
        draft.postmortem,
        what="카드 결제가 50분 동안 실패했습니다. [b]굵게[/b] 아님",
        when="2026-11-24 09:00–09:50",
        who="카드로 결제하는 모든 고객",
        users_affected="약 1,200명",
        duration="50분",
        sla_breach="yes",
        timeline=[
            TimelineItem("2026-11-24 09:02:00", "결제 실패율 경보", "감시", "fact", "detection"),
            TimelineItem("2026-11-24 09:20:00", "인증서 만료 확인", "민지", "fact", "diagnosis"),
            TimelineItem("2026-11-24 09:48:00", "새 인증서 배포", "지원", "fact", "repair"),
        ],
        root_cause="결제 게이트웨이 인증서가 만료되었습니다.",
        whys=[Why("왜 만료되었나?", "갱신 담당자가 없었다"), Why("왜 없었나?", "팀 개편")],
        factors=[Factor("process", "만료 알림이 퇴사자 메일함으로 갔다")],
        temporary="수동으로 인증서 교체",
        permanent="인증서 자동 갱신과 만료 30일 전 경보",
        actions=[
            ActionItem("인증서 자동 갱신", "플랫폼 팀", "2026-12-15", "high"),
            ActionItem("만료 경보 추가", "민지", "2026-12-01"),
        ],
        lessons="만료에는 주인이 필요합니다.",
        went_well="경보가 2분 만에 울렸다",
        was_hard="인증서 위치를 아무도 몰랐다",
        lucky="주말이 아니었다",
    )
    version = postmortems.save(ready, draft.version, "민지")
    version = postmortems.set_status(code, "in_review", "민지", version).version
    postmortems.set_status(code, "published", "Alex", version)
    return code


def test_incident_report_follows_seed_001(tmp_path):
    clock = FakeClock(START)
    database = Database.open(f"sqlite:///{tmp_path / 'cart.db'}")
    try:
        code = reviewed_incident(database, clock)
        postmortems = PostmortemService(database, clock)
        printed = printing.report_pdf(postmortems, code, "ko", "민지", "a4", date(2026, 12, 5))
        english = printing.report_pdf(postmortems, code, "en", "민지", "a4", date(2026, 12, 5))
        postmortem = postmortems.open(code, "ko", "민지").postmortem
    finally:
        database.close()
    assert printed.missing == ""
    assert_pages(printed.data, "a4", range(1, 4))
    text = squeeze(text_of(printed.data))
    assert squeeze("인시던트 보고서: 결제 API 장애") in text
    headings = [
        "기본 정보",
        "요약",
        "타임라인",
        "근본 원인",
        "기여 요인",
        "영향 분석",
        "완화 조치",
        "잘된 점",
        "어려웠던 점",
        "운이 좋았던 점",
        "교훈",
    ]
    positions = [text.index(squeeze(h)) for h in headings]
    assert positions == sorted(positions)  # in seed 001's order
    for part in (
        code,
        "SEV-2",
        postmortem.what,
        postmortem.who,
        postmortem.root_cause,
        postmortem.temporary,
        postmortem.permanent,
        postmortem.lessons,
        "약 1,200명",
        postmortem.went_well,
        postmortem.was_hard,
        postmortem.lucky,
        *(item.text for item in postmortem.timeline),
        *(w.because for w in postmortem.whys),
        postmortem.factors[0].text,
        *(a.title for a in postmortem.actions),
        "2026-12-15",
        "플랫폼 팀",
    ):
        assert squeeze(part) in text, part
    assert "[b]굵게[/b]" in text  # printed literally
    # Due 2026-12-01 and still open on 2026-12-05: marked; the one due 12-15 is not.
    assert text.count("기한지남") == 1
    overdue_row = text.index("만료경보추가")
    assert text.index("인증서자동갱신플랫폼팀") < overdue_row < text.index("기한지남")
    assert_inside_margins(printed.data, tmp_path, "a4")
    pages = len(PdfReader(BytesIO(printed.data)).pages)
    assert pages == 1 or inked_height(printed.data, tmp_path, page=pages) > 0.3

    # --lang en: the labels in English, what people wrote as they wrote it.
    words = squeeze(text_of(english.data))
    for label in (
        "Incident report: 결제 API 장애",
        "Contributing Factors",
        "What Went Well",
        "Where We Got Lucky",
        "Lessons Learned",
        "overdue",
        postmortem.lucky,
    ):
        assert squeeze(label) in words, label
    assert "기본 정보" not in text_of(english.data)


def test_story_sheet_timeline_strip_from_the_postmortem(tmp_path):
    clock = FakeClock(START)
    database = Database.open(f"sqlite:///{tmp_path / 'cart.db'}")
    try:
        code = reviewed_incident(database, clock)
        view = StoryService(database, clock).from_postmortem(code, "민지")
        assert [m[1] for m in view.moments] == ["detection", "diagnosis", "repair"]
        data = story_sheet(view, TODAY).output()
    finally:
        database.close()
    text = text_of(data)
    assert "타임라인" in text
    for clock_text, marker in (("09:02", "감지"), ("09:20", "진단"), ("09:48", "복구")):
        assert clock_text in text and marker in text
    assert "인증서 만료 확인" in text
    assert_inside_margins(data, tmp_path, "a4")


def test_a_report_that_would_end_on_a_nearly_empty_page_is_set_tighter(tmp_path):
    from app.domain.postmortem.model import Postmortem
    from app.export.report import MOSTLY_EMPTY, _report, _Styles, incident_report

    facts = [("incident", "INC-2026-0007"), ("severity", "SEV-3")]
    catalog = Catalog("en")
    for count in range(1, 80):
        postmortem = Postmortem(
            incident="INC-2026-0007",
            lang="en",
            title="Slow search",
            timeline=[
                TimelineItem(
                    f"2026-11-24 09:{n % 60:02d}:00", f"Step {n} of the fix", "Sam", "fact"
                )
                for n in range(count)
            ],
        )
        natural = _report(postmortem, facts, "a4", catalog, None, _Styles.at(1.0))
        last = (natural.pdf.get_y() - natural.pdf.t_margin) / (
            natural.pdf.page_break_trigger - natural.pdf.t_margin
        )
        if natural.pdf.page == 3:  # the first timeline long enough to spill onto a third page
            assert last < MOSTLY_EMPTY
            break
    else:
        raise AssertionError("no timeline length spills a few lines onto a third page")
    data = incident_report(postmortem, facts, "a4", "en").output()
    assert_pages(data, "a4", 2)
    text = squeeze(text_of(data))
    assert squeeze(f"Step {count - 1} of the fix") in text and "LessonsLearned" in text
    assert_inside_margins(data, tmp_path, "a4")
