"""The cart's other paper, parsed back: highlight and prompt cards with cut marks, the blank
postmortem template, the booklet and every sheet from the command line — in Korean, Japanese and
English (the poster: test_poster.py; the incident report: test_incident_report.py)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from app.domain.clock import FakeClock
from app.domain.i18n import Catalog
from app.domain.story.bank import prompt_bank
from app.export import printing
from app.services.policy_set import load_policies, policy_sources
from storage.database import Database
from tests.conftest import library_services
from tests.export.pdf_checks import (
    MARGIN_POINTS,
    PAGE_POINTS,
    assert_ink,
    assert_inside_margins,
    assert_pages,
    gray_page,
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
