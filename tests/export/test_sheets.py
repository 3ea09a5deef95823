"""The cart's other paper, parsed back: highlight and prompt cards with cut marks, the blank
postmortem template, the severity poster, the incident report, the booklet, and the story
sheet's timeline strip — in Korean, Japanese and English."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from app.domain.clock import FakeClock
from app.domain.i18n import Catalog
from app.domain.policy.targets import severity_targets
from app.domain.postmortem.model import ActionItem, Factor, TimelineItem, Why
from app.domain.story.bank import prompt_bank
from app.export import printing
from app.export.poster import severity_fill
from app.export.story_sheet import story_sheet
from app.services.incident_service import IncidentService
from app.services.library.catalog import StoryService
from app.services.policy_files import load_policies, policy_sources
from app.services.policy_versions import PolicyStore
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from tests.conftest import library_services
from tests.export.pdf_checks import (
    MARGIN_POINTS,
    PAGE_POINTS,
    assert_ink,
    assert_inside_margins,
    assert_pages,
    colour_share,
    gray_page,
    inked_height,
    layout_lines,
    squeeze,
    text_lines,
    text_of,
)
from tests.ui.helpers import START

TODAY = date(2026, 11, 24)
LANGS = ("ko", "ja", "en")
POLICIES = load_policies(policy_sources(None))


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    database = Database.open(f"sqlite:///{tmp_path_factory.mktemp('sheets') / 'cart.db'}")
    services = library_services(database, FakeClock(START))
    services.stories.ensure_starters()
    yield services
    database.close()


@pytest.mark.parametrize("lang", LANGS)
def test_highlight_cards_six_per_page_with_cut_marks(lib, tmp_path, lang):
    printed = printing.cards_pdf(lib.stories, lib.week, lang, "a4")
    assert printed.missing == ""
    assert_pages(printed.data, "a4", 1)  # six starter stories, six cards on a page
    text = squeeze(text_of(printed.data))
    for summary in lib.stories.summaries(lang):
        story = lib.stories.view(summary.key, lang).story
        assert squeeze(story.title) in text and squeeze(story.highlight) in text
    assert text.count(squeeze(Catalog(lang).t("sheet.highlight_card"))) == 6
    assert_inside_margins(printed.data, tmp_path, "a4")
    # Cut marks: dark ticks in the margin on the first card's left edge (16 mm) above the grid
    # and on its top edge (16 mm) left of the grid, at 144 dpi (5.67 pixels per mm).
    width, _height, pixels = gray_page(printed.data, tmp_path, dpi=144)
    per_mm = 144 / 25.4

    def darkest(x_mm: float, y_mm: float) -> int:
        x, y = round(x_mm * per_mm), round(y_mm * per_mm)
        return min(pixels[(y + dy) * width + x + dx] for dx in (-1, 0, 1) for dy in (-1, 0, 1))

    assert darkest(16, 13) < 140 and darkest(13, 16) < 140
    assert darkest(8, 8) > 240  # and nothing in the page's corner


def test_cards_of_one_theme_or_one_story(lib):
    theme = printing.cards_pdf(lib.stories, lib.week, "en", "letter", theme="alert-fatigue")
    assert_pages(theme.data, "letter", 1)
    text = squeeze(text_of(theme.data))
    assert squeeze("The alert everyone had learned to ignore") in text
    assert squeeze("The canary that looked healthy") not in text
    one = printing.cards_pdf(lib.stories, lib.week, "ja", "a4", ref="starter-empty-backups/ko")
    assert "3週間空だったバックアップ" in text_of(one.data)  # the reader's language
    with pytest.raises(Exception, match="No published story has the theme 'nope'"):
        printing.cards_pdf(lib.stories, lib.week, "en", "a4", theme="nope")


@pytest.mark.parametrize("lang", LANGS)
def test_prompt_cards_from_the_bank_in_each_language(lib, tmp_path, lang):
    printed = printing.prompts_pdf(lib.stories, lang, "a4")
    bank = prompt_bank(lang)
    assert len(bank) == 10
    assert_pages(printed.data, "a4", 2)  # eight cards a page
    text = squeeze(text_of(printed.data))
    for prompt in bank:
        assert squeeze(prompt) in text
    assert_inside_margins(printed.data, tmp_path, "a4")
    assert_ink(printed.data, tmp_path)
    # One story's own cards, in the reader's language when it is written in it.
    own = squeeze(
        text_of(printing.prompts_pdf(lib.stories, "en", "a4", "starter-sale-pool/ja").data)
    )
    story = lib.stories.view("starter-sale-pool/en").story
    assert story.prompts and all(squeeze(p) in own for p in story.prompts)


@pytest.mark.parametrize(("lang", "paper"), [(lang, "a4") for lang in LANGS] + [("en", "letter")])
def test_blank_template_has_every_section_with_room_to_write(tmp_path, lang, paper):
    printed = printing.template_pdf(lang, paper)
    assert printed.missing == ""
    assert_pages(printed.data, paper, range(2, 5))
    t = Catalog(lang).t
    text = squeeze(text_of(printed.data))
    sections = (
        "summary",
        "impact",
        "timeline",
        "root_cause",
        "factors",
        "went_well",
        "was_hard",
        "lucky",
        "mitigation",
        "actions",
        "lessons",
    )
    for key in sections:
        assert squeeze(t(f"pm.section.{key}")) in text, key
    for key in (
        "what",
        "when",
        "who",
        "users_affected",
        "duration",
        "sla_breach",
        "temporary",
        "permanent",
        "owner",
        "due",
        "priority",
        "status",
        "actor",
    ):
        assert squeeze(t(f"pm.field.{key}")) in text, key
    for key in ("technical", "process", "organisational", "environmental", "fact", "hypothesis"):
        assert squeeze(t(f"pm.value.{key}")) in text, key
    assert all(f"{n}.{squeeze(t('pm.field.why'))}" in text for n in range(1, 6))
    assert_inside_margins(printed.data, tmp_path, paper)
    assert_ink(printed.data, tmp_path, page=2)

    # Nothing on the blank template is printed without its writing space: a heading, a label,
    # a why or a because is never the last thing on a page (everything has lines under it).
    lines = text_lines(printed.data, tmp_path)
    bottom = PAGE_POINTS[paper][1] - MARGIN_POINTS
    for page in {page for page, *_ in lines}:
        last = max((line for line in lines if line[0] == page), key=lambda line: line[3])
        assert bottom - last[3] >= 6.5 / 25.4 * 72 - 0.5, (page, last[1])


def test_a_table_over_several_pages_repeats_its_header(tmp_path):
    from app.export.layout import BODY, SMALL, Sheet

    sheet = Sheet("a4")
    sheet.page()
    widths = [sheet.width / 2] * 2
    sheet.table(
        [("Time", SMALL), ("Event", SMALL)],
        [[(f"09:{n:02d}", BODY), (f"Event number {n}", BODY)] for n in range(90)],
        widths,
        pad=3.2,
    )
    data = sheet.output()
    pages = [page.extract_text().split() for page in PdfReader(BytesIO(data)).pages]
    assert len(pages) > 2
    assert all(words[:2] == ["Time", "Event"] for words in pages)
    assert "89" in pages[-1][-1]
    assert_inside_margins(data, tmp_path, "a4")


@pytest.mark.parametrize(
    ("policy", "lang", "paper"),
    [
        ("web-service", "ko", "a3"),
        ("ai-ops", "ja", "a3"),
        ("ai-ops", "en", "a4"),
        ("web-service", "ja", "a4"),
    ],
)
def test_severity_poster_on_one_landscape_page(tmp_path, policy, lang, paper):
    chosen = POLICIES.get(policy)
    printed = printing.poster_pdf(chosen, lang, paper)
    assert printed.missing == ""
    assert_pages(printed.data, paper, 1, landscape=True)
    text = squeeze(text_of(printed.data))
    catalog = Catalog(lang)
    for severity in chosen.severities:
        assert squeeze(severity.name.get(lang)) in text
        goal = severity_targets(severity)  # the targets the metrics grade against (issue 32)
        respond = catalog.t("sheet.acknowledge", time=catalog.duration(goal.acknowledge))
        resolve = catalog.t("sheet.resolve", time=catalog.duration(goal.resolve))
        update = catalog.t("sheet.update", time=catalog.duration(goal.update))
        # The three targets, in order, each under its own name.
        assert squeeze(f"{respond}{resolve}{update}") in text, (respond, resolve)
        for who in severity.first_notify:
            assert squeeze(who.get(lang)) in text
    for cell in chosen.cells:  # every example of the matrix is on the poster
        for example in cell.examples:
            assert squeeze(example.get(lang)) in text
    assert_inside_margins(printed.data, tmp_path, paper, landscape=True)
    assert_ink(printed.data, tmp_path)
    # Made for a wall: each level in its colour, and the page filled to its bottom margin.
    for index in range(min(len(chosen.severities), 4)):
        assert colour_share(printed.data, tmp_path, severity_fill(index).background) > 0.002
    assert inked_height(printed.data, tmp_path) > 0.9


@pytest.mark.parametrize("policy", ["web-service", "ai-ops"])
def test_every_poster_is_one_page_in_every_language_and_paper(policy):
    for lang in LANGS:
        for paper in ("a3", "a4"):
            data = printing.poster_pdf(POLICIES.get(policy), lang, paper).data
            assert len(PdfReader(BytesIO(data)).pages) == 1, (lang, paper)


def test_a_poster_of_a_policy_with_several_types_has_the_type_by_severity_grid(tmp_path):
    chosen = POLICIES.get("ai-ops")
    printed = printing.poster_pdf(chosen, "en", "a3")
    layout = layout_lines(printed.data, tmp_path)
    header = next(line for line in layout if line.split()[:1] == ["P0"] and "P3" in line)
    assert header.split() == ["P0", "P1", "P2", "P3"]  # the grid's columns, one per level
    data_row = next(line for line in layout if line.lstrip().startswith("Data incident"))
    assert data_row.index("Mass leak of personal data") < data_row.index("Minor data drift")
    assert "report to the regulator" in "\n".join(layout)


def reviewed_incident(database, clock: FakeClock) -> str:
    """A resolved SEV-2 with a Korean postmortem: timeline with markers, whys, factors, actions,
    and text that looks like markup."""
    incidents = IncidentService(database, clock, PolicyStore(database, clock))
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


@pytest.mark.parametrize("lang", LANGS)
def test_booklet_of_the_week(lib, tmp_path, lang):
    seen = []
    printed = printing.booklet_pdf(
        lib.stories,
        lib.week,
        lang,
        "a4",
        TODAY,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(n, 6) for n in range(1, 7)]
    views = printing.playlist_views(lib.stories, lib.week, lang)
    week = lib.week.week(lang)
    assert views[0].story.key == week.view.story.key  # the story of the week first
    pages = [squeeze(page.extract_text()) for page in PdfReader(_bytes(printed.data)).pages]
    first_page = pages[0]
    titles = [squeeze(f"{n}. {v.story.title}") for n, v in enumerate(views, 1)]
    assert [first_page.index(title) for title in titles] == sorted(
        first_page.index(title) for title in titles
    )
    assert squeeze(Catalog(lang).t("sheet.booklet_contents")) in first_page
    # The contents give the page each story starts on, and every page says "n / pages".
    contents = layout_lines(printed.data, tmp_path)[: len(views) + 8]
    for number, view in enumerate(views, 1):
        line = next(line for line in contents if line.strip().startswith(f"{number}. "))
        start = int(line.split()[-1])
        assert pages[start - 1].startswith(squeeze(view.story.title)), (number, start)
    assert all(page.endswith(f"{n}/{len(pages)}") for n, page in enumerate(pages, 1))
    text = squeeze(text_of(printed.data))
    assert all(squeeze(v.story.narrative) in text for v in views)
    assert_inside_margins(printed.data, tmp_path, "a4")


def _bytes(sheet_or_data):
    from io import BytesIO

    data = sheet_or_data if isinstance(sheet_or_data, bytes) else sheet_or_data.output()
    return BytesIO(data)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_every_sheet_from_the_command_line(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'cart.db'}"]
    for kind, extra, lang, expected in [
        ("cards", [], "ko", "하이라이트 카드"),
        ("prompts", [], "ja", "プロンプトカード"),
        ("template", ["--paper", "letter"], "en", "Root Cause"),
        ("poster", ["ai-ops", "--paper", "a4"], "ko", "심각도 매트릭스"),
        ("booklet", ["--theme", "Rollout failure"], "en", "The canary that looked healthy"),
    ]:
        out = tmp_path / f"{kind}.pdf"
        done = run("export", kind, *extra, "--lang", lang, "-o", str(out), *db)
        assert done.returncode == 0, done.stderr
        assert expected in text_of(out.read_bytes()), kind
    for args, message in [
        (["poster", "nope"], "There is no policy 'nope'; known: "),
        (["cards", "--theme", "nope"], "No published story has the theme 'nope'."),
        (["booklet", "--limit", "0"], "--limit must be 1 or more, not 0."),
        (["report", "INC-2099-0001"], "There is no incident 'INC-2099-0001'."),
    ]:
        failed = run("export", *args, "-o", str(tmp_path / "bad.pdf"), *db)
        assert failed.returncode == 1 and failed.stderr.startswith(f"storycart: {message}"), (
            failed.stderr
        )
        assert not (tmp_path / "bad.pdf").exists()


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
