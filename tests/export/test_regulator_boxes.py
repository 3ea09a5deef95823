"""The report to a regulator has boxes to tick: drawn squares (not a glyph the font may lack)
before each regulation and each answer to "is a report required?", found on the rendered page
in every language and on A4 and Letter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.clock import FakeClock
from app.domain.i18n import Catalog
from app.export.printing import finish
from app.export.regulator_report import regulator_report
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database
from tests.export.pdf_checks import gray_page, squeeze, text_of, word_boxes

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
POLICIES = load_policies(policy_sources(None))
DPI = 100
BOX_MM = 3.2  # the side of a drawn box


@pytest.fixture(scope="module")
def incident(tmp_path_factory):
    clock = FakeClock(START)
    database = Database.open(f"sqlite:///{tmp_path_factory.mktemp('reg') / 'team.db'}")
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    code = incidents.declare(POLICIES.get("ai-ops"), "로그 노출", "P0", "민지", type_key="data")
    yield incidents.view(code)
    database.close()


def box_left_of(pixels, width: int, word) -> tuple[int, int, int, int] | None:
    """The dark pixels' bounds (x0, y0, x1, y1) in the strip just left of a word's box, at its
    height: where its tick box must be."""
    scale = DPI / 72
    x_max = int(word[2] * scale) - 1
    x_min = x_max - int(8 / 25.4 * DPI)  # 8 mm to the left
    y_min, y_max = int(word[3] * scale), int(word[5] * scale) + 1
    dark = [
        (x, y)
        for y in range(y_min, y_max)
        for x in range(x_min, x_max)
        if pixels[y * width + x] < 110
    ]
    if not dark:
        return None
    xs, ys = [x for x, _ in dark], [y for _, y in dark]
    return min(xs), min(ys), max(xs), max(ys)


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("lang", ["ko", "ja", "en"])
def test_every_choice_has_a_drawn_box_to_tick(tmp_path, incident, lang, paper):
    t = Catalog(lang).t
    printed = finish(regulator_report(incident, None, lang, paper))
    assert printed.missing == ""
    text = squeeze(text_of(printed.data))
    assert "☐" not in text  # no glyph standing in for a box
    width, _height, pixels = gray_page(printed.data, tmp_path, dpi=DPI)
    words = word_boxes(printed.data, tmp_path)
    side = BOX_MM / 25.4 * DPI
    choices = [
        t(f"regulator.{key}")
        for key in ("gdpr", "ai_act", "hipaa", "other", "duty_choice_required", "duty_choice_not")
    ]
    for choice in choices:
        first = choice.split()[0]
        word = next(w for w in words if w[0] == 1 and w[1].startswith(first))
        found = box_left_of(pixels, width, word)
        assert found is not None, choice
        x0, y0, x1, y1 = found
        # A square outline of the expected size, not a filled block.
        size = (x1 - x0 + 1, y1 - y0 + 1)
        assert abs(size[0] - side) <= 2.5 and abs(size[1] - side) <= 2.5, (choice, size)
        middle = pixels[((y0 + y1) // 2) * width + (x0 + x1) // 2]
        assert middle > 200, choice
