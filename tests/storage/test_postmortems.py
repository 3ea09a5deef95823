"""Postmortem drafts on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.domain.clock import FakeClock
from app.domain.escalation import DeadlineKind
from app.domain.incident import IncidentError
from app.domain.postmortem.markdown import MarkdownError, to_markdown
from app.domain.postmortem.model import ActionItem, PostmortemError, Why
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from storage.errors import StaleWrite
from storage.tables import ActionItemRecord

WEB = load_policies(policy_sources(None)).get("web-service")
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(database_url):
    database = Database.open(database_url)
    clock = FakeClock(START)
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    code = incidents.declare(WEB, "결제 API 장애", "SEV-1", actor="민지", impact="모든 결제")
    incidents.add_note(code, "はると", "캐시 문제일지도", "hypothesis")
    incidents.toggle_check(code, "민지", "sev1-immediate", "verify")
    clock.advance(40 * 60)
    incidents.resolve(code, "민지", "인증서 갱신")
    yield database, clock, incidents, PostmortemService(database, clock), code
    database.close()


def test_the_draft_starts_from_the_incident(world):
    _db, _clock, _incidents, postmortems, code = world
    draft = postmortems.open(code, "ko", "민지")
    postmortem = draft.postmortem
    assert (postmortem.title, postmortem.lang, postmortem.status) == (
        "결제 API 장애",
        "ko",
        "draft",
    )
    assert postmortem.who == "모든 결제"
    assert postmortem.when == "2026-11-24 09:00:00 – 2026-11-24 09:40:00"
    texts = [(t.text, t.certainty, t.marker) for t in postmortem.timeline]
    assert texts[0] == ("SEV-1 선언: 결제 API 장애", "fact", "detection")
    # Steps that came due while nothing ran: said in the draft's language, never paged.
    ladder = [t.text for t in postmortem.timeline if "에스컬레이션" in t.text]
    assert ladder and all("호출 안 됨, 먼저 해결됨" in text for text in ladder), ladder
    assert not any("escalation:" in t.text for t in postmortem.timeline)
    assert postmortem.timeline[-1].text == "인증서 갱신"
    assert ("캐시 문제일지도", "hypothesis", "") in texts
    assert not any("sev1-immediate" in t.text for t in postmortem.timeline)  # bookkeeping left out
    assert postmortems.open(code, "en", "x").version == draft.version  # opened, not recreated


def test_saving_keeps_every_character_and_action_items_are_rows(world):
    database, _clock, _incidents, postmortems, code = world
    draft = postmortems.open(code, "ko", "민지")
    edited = replace(
        draft.postmortem,
        what="[b]결제[/b] 실패 \x1b[31m\n둘째 줄",
        whys=[Why("왜?", "만료")],
        actions=[
            ActionItem("갱신 자동화", "민지", "2026-12-01", "high", "prevention", "open"),
            ActionItem("알람", "はると", "", "low", "detection", "done"),
        ],
    )
    version = postmortems.save(edited, draft.version, "민지")
    assert version == draft.version + 1
    assert postmortems.open(code, "ko", "민지").postmortem == edited
    with database.session() as session:
        rows = session.exec(select(ActionItemRecord).order_by(ActionItemRecord.position)).all()
        assert [(r.title, r.owner, str(r.due), r.status) for r in rows] == [
            ("갱신 자동화", "민지", "2026-12-01", "open"),
            ("알람", "はると", "None", "done"),
        ]


def test_a_stale_save_is_refused_and_the_newer_text_stays(world):
    _db, _clock, _incidents, postmortems, code = world
    draft = postmortems.open(code, "ko", "민지")
    postmortems.save(replace(draft.postmortem, what="민지의 글"), draft.version, "민지")
    with pytest.raises(StaleWrite, match="your text is still in the form"):
        postmortems.save(replace(draft.postmortem, what="はるとの文"), draft.version, "はると")
    assert postmortems.open(code, "ko", "x").postmortem.what == "민지의 글"


def test_review_states_record_who_and_when(world):
    _db, clock, _incidents, postmortems, code = world
    draft = postmortems.open(code, "en", "민지")
    with pytest.raises(PostmortemError, match="missing required parts"):
        postmortems.set_status(code, "in_review", "민지", draft.version)
    ready = replace(
        draft.postmortem,
        what="Checkout failed",
        users_affected="1200",
        root_cause="Expired certificate",
        actions=[ActionItem("Automate renewal", "민지", "2026-12-01")],
    )
    version = postmortems.save(ready, draft.version, "민지")
    clock.advance(3600)
    reviewed = postmortems.set_status(code, "in_review", "민지", version)
    published = postmortems.set_status(code, "published", "Alex", reviewed.version)
    assert published.postmortem.status == "published"
    assert [(h["status"], h["by"]) for h in published.history] == [
        ("in_review", "민지"),
        ("published", "Alex"),
    ]


def test_handing_in_for_review_meets_the_postmortem_clock_and_sending_back_reopens_it(world):
    _db, clock, incidents, postmortems, code = world

    def postmortem_clock():
        return incidents.view(code).plan.deadline(DeadlineKind.POSTMORTEM)

    draft = postmortems.open(code, "en", "민지")
    assert postmortem_clock().met_at is None
    ready = replace(
        draft.postmortem,
        what="Checkout failed",
        users_affected="1200",
        root_cause="Expiry",
        actions=[ActionItem("Automate renewal", "민지", "2026-12-01")],
    )
    version = postmortems.save(ready, draft.version, "민지")
    clock.advance(3600)
    first = postmortems.set_status(code, "in_review", "민지", version)
    assert postmortem_clock().met_at == clock.now()
    back = postmortems.set_status(code, "draft", "Alex", first.version)
    assert postmortem_clock().met_at is None
    clock.advance(600)
    again = postmortems.set_status(code, "in_review", "민지", back.version)
    handed_in = clock.now()
    clock.advance(600)
    postmortems.set_status(code, "published", "Alex", again.version)
    assert postmortem_clock().met_at == handed_in
    (item,) = incidents.board()
    assert item.plan(clock.now()).deadline(DeadlineKind.POSTMORTEM).met_at == handed_in


def test_postmortem_needs_a_resolved_incident(world):
    _db, _clock, incidents, postmortems, _code = world
    other = incidents.declare(WEB, "still burning", "SEV-2", actor="ops")
    with pytest.raises(IncidentError, match="is not resolved yet"):
        postmortems.open(other, "en", "ops")


def test_markdown_import_replaces_the_draft_and_a_bad_file_changes_nothing(world):
    _db, _clock, _incidents, postmortems, code = world
    draft = postmortems.open(code, "ja", "민지")
    text = postmortems.export_markdown(code, "ja", "민지")
    edited = text.replace("### 何が起きたか\n\n\n", "### 何が起きたか\n\nカード決済が失敗した\n")
    assert postmortems.import_markdown(edited, "haruto") == code
    after = postmortems.open(code, "ja", "x")
    assert after.postmortem.what == "カード決済が失敗した"
    assert after.postmortem.timeline == draft.postmortem.timeline
    broken = edited.replace("| fact |", "| perhaps |")
    with pytest.raises(MarkdownError, match="certainty 'perhaps'"):
        postmortems.import_markdown(broken, "haruto")
    assert postmortems.open(code, "ja", "x") == after
    blank = to_markdown(replace(after.postmortem, incident=""))
    with pytest.raises(PostmortemError, match="blank template"):
        postmortems.import_markdown(blank, "haruto")
