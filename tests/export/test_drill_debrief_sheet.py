"""The drill debrief on paper: a debrief that would spill a few timeline rows onto a second page
is set a little tighter and fits its page; a Japanese title breaks between phrases (BudouX),
never inside a word such as 止まった."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.clock import DrillClock, FakeClock
from app.domain.drill.scenario import starter_scenarios
from app.domain.i18n import Catalog
from app.export.drill_debrief import debrief_pdf
from app.export.layout import BODY, TITLE, Sheet
from app.services.drill_conductor import DrillConductor
from app.services.drill_run import DrillRun
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database
from tests.export.pdf_checks import assert_inside_margins, squeeze, text_lines

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
POLICIES = load_policies(policy_sources(None))


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    """The payment outage drill run to its end: declared, every scripted moment told, nothing
    else done."""
    folder = tmp_path_factory.mktemp("drill")
    scenario = next(s for s in starter_scenarios() if s.key == "payment-api-outage")
    base = FakeClock(START)
    clock = DrillClock(base, 600)
    database = Database.open(f"sqlite:///{folder / 'drill.db'}")
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    run = DrillRun.create(folder / "run", scenario, 600, "ja", clock)
    conductor = DrillConductor(run, incidents, POLICIES)
    conductor.tick()
    if not run.incident:  # the team declares
        policy = POLICIES.get(scenario.policy)
        incidents.declare(policy, "결제 API 장애", scenario.severity, "민지")
    for _ in range(30):
        base.advance(10)
        conductor.tick()
    card = conductor.end()
    view = incidents.view(run.incident or incidents.first_declared())
    yield run, card, view, clock
    database.close()


@pytest.mark.parametrize("lang", ["ja", "ko", "en"])
def test_a_few_rows_never_take_a_page_of_their_own(tmp_path, outage, lang):
    run, card, view, clock = outage
    printed = debrief_pdf(run, card, view, lang, clock.now())
    assert printed.missing == ""
    assert printed.pages == 1
    lines = [text for page, text, _top, _bottom in text_lines(printed.data, tmp_path)]
    moments = [line for line in lines if line.startswith("T+")]
    assert len(moments) >= 9  # every scripted moment is there
    assert_inside_margins(printed.data, tmp_path, "a4")


def test_a_japanese_title_breaks_between_phrases(tmp_path, outage):
    run, card, view, clock = outage
    printed = debrief_pdf(run, card, view, "ja", clock.now())
    title = squeeze(Catalog("ja").t("drill.debrief_title", title=run.scenario.title.get("ja")))
    lines = [squeeze(text) for page, text, _top, _bottom in text_lines(printed.data, tmp_path)]
    start = next(n for n, line in enumerate(lines) if line and title.startswith(line))
    taken, count = "", 0
    while taken != title:
        taken, count = taken + lines[start + count], count + 1
        assert title.startswith(taken), (taken, title)
    assert any("止まった" in line for line in lines[start : start + count])
    # Where the title is too wide for a line, the break comes before 止まった, not inside it.
    sheet = Sheet("a4")
    text = Catalog("ja").t("drill.debrief_title", title=run.scenario.title.get("ja"))
    full = sheet.lines(text, TITLE)
    narrow = sheet.lines(text, TITLE, width=sheet.pdf.get_string_width(text) * 0.97)
    assert len(full) == 1 or full[-1].startswith("止まった")
    assert len(narrow) == 2 and narrow[1] == "止まった", narrow
    # Body text keeps breaking between characters (kinsoku), as before.
    sheet.use(BODY)
    body = sheet.lines(text, BODY, width=sheet.pdf.get_string_width(text) * 0.97)
    assert len(body) == 2 and body[1] != "止まった", body
