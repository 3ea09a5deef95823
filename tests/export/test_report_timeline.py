"""The incident report's timeline in the reader's language: the lines the system wrote into the
postmortem draft (declared, escalation fired, acknowledged, …) are said again in the language the
report is printed in, whatever language the draft was opened in; what people wrote stays as
written."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.domain.clock import FakeClock
from app.domain.i18n import Catalog
from app.domain.postmortem.model import TimelineItem
from app.export import printing
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from tests.export.pdf_checks import squeeze, text_of

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
POLICIES = load_policies(policy_sources(None))


def incident_with_a_draft(tmp_path, written_in: str):
    """A SEV-2 whose first two ladder steps fired, acknowledged and resolved, with a postmortem
    draft opened in `written_in` and one line a person added."""
    clock = FakeClock(START)
    database = Database.open(f"sqlite:///{tmp_path / 'team.db'}")
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    postmortems = PostmortemService(database, clock)
    code = incidents.declare(POLICIES.get("web-service"), "Checkout down", "SEV-2", "Mina")
    clock.advance(60)
    incidents.fire_due()
    clock.advance(20 * 60)
    incidents.fire_due()
    incidents.acknowledge(code, "Mina")
    clock.advance(30 * 60)
    incidents.resolve(code, "Mina", "")
    draft = postmortems.open(code, written_in, "Mina")
    person = TimelineItem("2026-12-02 09:30:00", "Rolled back release 4.2", "Mina", "fact", "")
    timeline = [*draft.postmortem.timeline, person]
    postmortems.save(replace(draft.postmortem, timeline=timeline), draft.version, "Mina")
    return database, postmortems, code


@pytest.mark.parametrize(("written_in", "printed_in"), [("en", "ko"), ("en", "ja"), ("ko", "en")])
def test_system_lines_follow_the_reports_language(tmp_path, written_in, printed_in):
    database, postmortems, code = incident_with_a_draft(tmp_path, written_in)
    try:
        printed = printing.report_pdf(postmortems, code, printed_in, "Mina", "a4")
    finally:
        database.close()
    assert printed.missing == ""
    text = squeeze(text_of(printed.data))
    reader, writer = Catalog(printed_in), Catalog(written_in)
    for catalog, present in ((reader, True), (writer, False)):
        declared = catalog.t("timeline.declared", severity="SEV-2", title="Checkout down")
        acknowledged = catalog.t("timeline.acknowledged", actor="Mina")
        assert (squeeze(declared) in text) is present, (catalog.lang, declared)
        assert (squeeze(acknowledged) in text) is present, (catalog.lang, acknowledged)
    # Each fired step in the reader's words: "Escalation step 1 …" only in English.
    for word in ("Escalation", "에스컬레이션", "エスカレーション"):
        present = word in reader.t("timeline.escalation", notify="", step=1, round=1, reason="")
        assert (squeeze(word) in text) is present, word
    assert squeeze("Rolled back release 4.2") in text  # a person's line, as written
