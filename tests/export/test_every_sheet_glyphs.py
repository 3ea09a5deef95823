"""Every kind of printed sheet (printing.KINDS), in Korean, Japanese and English, on A4 and
Letter (and A3 for the poster): it renders to pixels without an error, and every character of
its text layer is one the embedded font can draw (read from the font's cmap), so nothing prints
as an empty box or as nothing at all."""

from __future__ import annotations

import subprocess
from datetime import date
from functools import cache

import pytest
from fontTools.ttLib import TTFont

from app.domain.clock import FakeClock
from app.export import printing
from app.export.layout import font_path
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from tests.conftest import library_services
from tests.export.pdf_checks import gray_page
from tests.export.test_incident_report import reviewed_incident
from tests.export.test_metrics_review import quarter
from tests.ui.helpers import START

TODAY = date(2026, 12, 5)
POLICIES = load_policies(policy_sources(None))
CASES = [
    (kind, lang, paper)
    for kind in printing.KINDS
    for lang in ("ko", "ja", "en")
    for paper in ("a4", "letter", *(("a3",) if kind == "poster" else ()))
]


@cache
def drawable() -> frozenset[str]:
    """Characters both shipped fonts (regular and bold) have a glyph for."""
    maps = [TTFont(font_path(style)).getBestCmap() for style in ("", "B")]
    return frozenset(chr(code) for code in set(maps[0]) & set(maps[1]))


@pytest.fixture(scope="module")
def cart(tmp_path_factory):
    """Stories, an incident with a published Korean postmortem, and a quarter's metrics."""
    folder = tmp_path_factory.mktemp("every")
    database = Database.open(f"sqlite:///{folder / 'cart.db'}")
    clock = FakeClock(START)
    services = library_services(database, clock)
    services.stories.ensure_starters()
    services.code = reviewed_incident(database, clock)
    services.postmortems = PostmortemService(database, clock)
    services.incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    services.metrics = quarter()
    yield services
    database.close()


def request_for(cart, kind: str, lang: str, paper: str) -> printing.SheetRequest:
    ref = ""
    if kind == "story":
        ref = cart.stories.summaries(lang)[0].key
    elif kind in ("report", "regulator"):
        ref = cart.code
    return printing.SheetRequest(kind, lang, paper, ref=ref, limit=3)


@pytest.mark.parametrize(("kind", "lang", "paper"), CASES)
def test_the_sheet_renders_and_the_font_draws_every_character(tmp_path, cart, kind, lang, paper):
    printed = printing.render(
        request_for(cart, kind, lang, paper),
        TODAY,
        stories=cart.stories,
        weeks=cart.week,
        postmortems=cart.postmortems,
        incidents=cart.incidents,
        policy=POLICIES.get("ai-ops" if lang == "ja" else "web-service"),
        metrics=cart.metrics,
        actor="민지",
    )
    assert printed.missing == ""
    width, height, pixels = gray_page(printed.data, tmp_path, dpi=30)  # pdftoppm, page 1
    assert width * height == len(pixels) and min(pixels) < 128  # rendered, with ink
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(printed.data)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    shown = {c for c in text if not c.isspace() and c != "\x0c"}
    assert shown, "no text layer"
    assert sorted(shown - drawable()) == []
