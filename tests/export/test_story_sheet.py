"""Story sheets (PDF) parsed back: every starter story in Korean, Japanese and English comes
back exactly, on 1–2 pages of the right size, nothing outside the printable area, lines broken
where each script allows, no empty boxes, and a rendered page that is not blank."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from app.domain.clock import FakeClock
from app.domain.i18n import DEFAULT_LANGUAGE, Catalog, catalog_keys
from app.domain.story.bank import theme_name
from app.domain.text_layout import NO_LINE_END, NO_LINE_START
from app.export.story_sheet import story_sheet
from app.services.library.stories import StoryService
from storage.database import Database
from tests.export.pdf_checks import assert_ink, assert_inside_margins, assert_pages, squeeze

TODAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def stories(tmp_path_factory):
    database = Database.open(f"sqlite:///{tmp_path_factory.mktemp('sheets') / 'cart.db'}")
    service = StoryService(database, FakeClock())
    service.ensure_starters()
    yield service
    database.close()


def starter_keys(service) -> list[str]:
    return sorted(s.key for lang in ("ko", "ja", "en") for s in service.summaries(lang))


def test_every_starter_story_prints_and_reads_back_exactly(stories):
    keys = starter_keys(stories)
    assert len(keys) == 18
    for key in keys:
        view = stories.view(key)
        for lens in ("engineering", "support"):
            sheet = story_sheet(view, TODAY, lens)
            data = sheet.output()
            assert sheet.missing_characters() == "", key
            reader = PdfReader(BytesIO(data))
            assert 1 <= len(reader.pages) <= 2, key
            text = "\n".join(page.extract_text() for page in reader.pages)
            story = view.story
            for part in (
                story.title,
                story.highlight,
                story.narrative,
                story.lenses[lens],
                *story.prompts,
                story.changes,
            ):
                assert squeeze(part) in squeeze(text), (key, part[:30])
            for item in view.follow_ups:
                assert squeeze(item.title) in squeeze(text)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_page_size_and_nothing_outside_the_printable_area(stories, tmp_path, paper):
    data = story_sheet(stories.view("starter-sale-pool/ja"), TODAY, "product", paper).output()
    assert_pages(data, paper, range(1, 3))
    assert assert_inside_margins(data, tmp_path, paper) > 50


def lines_of(data: bytes) -> list[str]:
    reader = PdfReader(BytesIO(data))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


def korean_catalog() -> list[str]:
    """Every sentence the Korean sheet can print: the Korean catalog, English where it has
    no word yet."""
    catalog = Catalog("ko")
    return [catalog.t(key) for key in catalog_keys(DEFAULT_LANGUAGE) | catalog_keys("ko")]


def test_japanese_lines_follow_kinsoku_and_korean_breaks_between_words(stories):
    japanese = stories.view("starter-green-status-page/ja")
    lines = lines_of(story_sheet(japanese, TODAY, "support").output())
    long_lines = [line for line in lines if len(line) > 30]
    assert len(long_lines) >= 5  # paragraphs really wrapped
    for line in lines:
        assert line[0] not in NO_LINE_START, line
        assert line[-1] not in NO_LINE_END, line
    korean = stories.view("starter-green-status-page/ko")
    texts = [
        korean.story.narrative,
        korean.story.highlight,
        korean.story.changes,
        *korean.story.lenses.values(),
        *korean.story.prompts,
        *(f"{f.title} {f.owner} ({f.due})" for f in korean.follow_ups),
        *korean_catalog(),
        korean.story.severity,
        *(theme_name(theme, "ko") for theme in korean.story.themes),
    ]
    words = set(" ".join(texts).split())
    for line in lines_of(story_sheet(korean, TODAY, "support").output()):
        first, last = line.split()[0], line.split()[-1]
        # A wrapped line starts and ends on whole words of the text (or is a label line).
        assert first in words or first in ("●", "○", "▲", "?"), line
        assert last in words or re.fullmatch(r"\d+", last), line


def test_text_that_looks_like_markup_prints_literally(stories):
    view = stories.view("starter-empty-backups/en")
    tricky = replace(view.story, title="[b]Bold?[/b] <i>x</i> \x1b[31mred", highlight="**not**")
    data = story_sheet(replace(view, story=tricky), TODAY).output()
    text = PdfReader(BytesIO(data)).pages[0].extract_text()
    assert "[b]Bold?[/b] <i>x</i> [31mred" in text and "**not**" in text
    assert "\x1b" not in text


def test_a_rendered_page_is_not_blank(stories, tmp_path):
    assert_ink(story_sheet(stories.view("starter-alert-ignored/ko"), TODAY).output(), tmp_path)


def test_export_story_on_the_command_line(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'cart.db'}"]
    out = tmp_path / "week.pdf"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "export",
            "story",
            "starter-orphan-certificate/ja",
            "--lens",
            "support",
            "--paper",
            "letter",
            "-o",
            str(out),
            *db,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    reader = PdfReader(out)
    assert float(reader.pages[0].mediabox.width) == pytest.approx(612, abs=0.1)
    assert "持ち主のいない証明書" in reader.pages[0].extract_text()
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "export",
            "story",
            "nope",
            "-o",
            str(tmp_path / "x.pdf"),
            *db,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 1 and missing.stderr == "storycart: There is no story 'nope'.\n"
    assert not (tmp_path / "x.pdf").exists()


def decoded_codes(data: bytes, tmp_path, dpi: int = 150) -> list[str]:
    """Every QR code on the rendered pages, read by a real decoder (zxing-cpp)."""
    import zxingcpp
    from PIL import Image

    pdf = tmp_path / "qr.pdf"
    pdf.write_bytes(data)
    for old in tmp_path.glob("qr-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(tmp_path / "qr")], check=True)
    found = []
    for page in sorted(tmp_path.glob("qr-*.png")):
        found += [result.text for result in zxingcpp.read_barcodes(Image.open(page))]
    return found


def test_a_story_sheet_carries_a_qr_code_to_the_feedback_address(stories, tmp_path):
    """Seed 000's feedback box: the code decodes back to the configured address, beside the
    question in the story's language; without an address there is no code."""
    key = next(k for k in starter_keys(stories) if stories.view(k).story.lang == "ko")
    url = "https://forms.example.org/cart?from=3층-라운지"
    data = story_sheet(stories.view(key), TODAY, feedback_url=url).output()
    assert decoded_codes(data, tmp_path) == [url]
    text = squeeze("".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages))
    assert squeeze("이 카트가 더 유용해지려면 무엇이 필요할까요?") in text
    assert_inside_margins(data, tmp_path, "a4")
    plain = story_sheet(stories.view(key), TODAY).output()
    assert (
        decoded_codes(plain, tmp_path / "none" if (tmp_path / "none").mkdir() else tmp_path) == []
    )


def test_a_feedback_address_that_is_not_one_is_refused(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('feedback_url = "javascript:alert(1)"\n', "utf-8")
    refused = subprocess.run(
        [sys.executable, "-m", "app.cli", "settings", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "feedback_url" in refused.stderr and "http(s):// or mailto:" in refused.stderr
