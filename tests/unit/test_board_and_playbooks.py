"""Board rows, checklists and message templates: pure functions of stored facts and now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from app.domain.board_rows import Tone, board_clock, board_row, board_rows, clock_text
from app.domain.escalation import Firing, IncidentFacts
from app.domain.i18n import Catalog
from app.domain.incident import BoardItem, IncidentView
from app.domain.message_templates import TEMPLATE_KINDS, fill
from app.domain.playbooks import checklists_for, current_phase, playbook
from app.services.policy_set import load_policies, policy_sources

POLICIES = load_policies(policy_sources(None))
WEB = POLICIES.get("web-service")
AI = POLICIES.get("ai-ops")
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
EN, KO = Catalog("en"), Catalog("ko")


def record(code="INC-2026-0001", severity="SEV-2", type_key="service", **changes):
    values = dict(
        code=code,
        title="결제 API 장애",
        severity=severity,
        type_key=type_key,
        impact="",
        status="investigating",
        declared_at=T0,
        acknowledged_at=None,
        resolved_at=None,
        last_update_at=None,
        ladder_started_at=None,
        first_round=0,
    )
    values.update(changes)
    return SimpleNamespace(**values)


def item(policy=WEB, firings=(), **changes) -> BoardItem:
    row = record(**changes)
    facts = IncidentFacts(
        declared_at=row.declared_at,
        severity=row.severity,
        type_key=row.type_key,
        acknowledged_at=row.acknowledged_at,
        resolved_at=row.resolved_at,
        last_update_at=row.last_update_at,
        firings=tuple(firings),
    )
    return BoardItem(row, policy, facts)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (754, "12:34"),
        (0, "00:00"),
        (3723, "1h02m"),
        (-192, "+03:12"),
        (-3723, "+1h02m"),
        (86399, "23h59m"),
        (3 * 86400 + 4 * 3600 + 59, "3d04h"),
        (-(2 * 86400), "+2d00h"),
        (-(99 * 86400), "+99d00h"),
    ],
)
def test_clock_text(seconds, shown):
    assert clock_text(timedelta(seconds=seconds)) == shown
    assert len(shown) <= 7  # with a ✓ in front it still fits the board's 8-cell clock column


def test_fresh_sev2_counts_down_to_each_clock():
    # SEV-2: respond in 15 min, L1 at once (fired), L2 at 15 min, updates every 15 min,
    # resolve within 4 h.
    fired = [Firing("SEV-2#0", 0, T0, T0)]
    row = board_row(item(firings=fired), T0 + timedelta(minutes=2, seconds=30), EN)
    shown = {column: cell.text for column, cell in row.cells.items()}
    assert shown == {
        "severity": "SEV-2",
        "code": "INC-2026-0001",
        "title": "결제 API 장애",
        "status": "investigating",
        "age": "2m",
        "ack": "12m",
        "next_step": "12m",
        "update": "12m",
        "resolution": "3h57m",
        "regulatory": "—",
    }
    assert all(cell.tone is not Tone.OVERDUE for cell in row.cells.values())
    # Within five minutes of a deadline its seconds tick; the age stays in minutes.
    row = board_row(item(firings=fired), T0 + timedelta(minutes=10, seconds=30), EN)
    shown = {column: cell.text for column, cell in row.cells.items()}
    assert (shown["age"], shown["ack"], shown["next_step"]) == ("10m", "04:30", "04:30")


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (754, "12m"),
        (300, "5m"),
        (299, "04:59"),
        (0, "00:00"),
        (-299, "+04:59"),
        (-300, "+5m"),
        (-3599, "+59m"),
        (3723, "1h02m"),
        (-(2 * 86400), "+2d00h"),
    ],
)
def test_the_board_shows_seconds_only_near_a_deadline(seconds, shown):
    assert board_clock(timedelta(seconds=seconds)) == shown


def test_a_missed_clock_turns_red_and_counts_up():
    row = board_row(item(firings=[Firing("SEV-2#0", 0, T0, T0)]), T0 + timedelta(minutes=18), EN)
    assert (row.cells["ack"].text, row.cells["ack"].tone) == ("+03:00", Tone.OVERDUE)
    assert (row.cells["update"].text, row.cells["update"].tone) == ("+03:00", Tone.OVERDUE)
    # L2 came due at 15 min and has not fired yet: overdue until the scheduler fires it.
    assert row.cells["next_step"].tone is Tone.OVERDUE


def test_acknowledged_shows_the_ack_timeout_and_resolved_shows_the_postmortem_clock():
    acked = item(acknowledged_at=T0 + timedelta(minutes=5))
    row = board_row(acked, T0 + timedelta(minutes=10), EN)
    assert (row.cells["ack"].text, row.cells["ack"].tone) == ("✓ 55m", Tone.MET)  # 1 h timeout
    resolved = item(severity="SEV-1", resolved_at=T0 + timedelta(minutes=40), status="resolved")
    row = board_row(resolved, T0 + timedelta(hours=1), KO)
    assert row.cells["status"].text == "해결됨"
    assert row.cells["next_step"].text == "—" and row.cells["update"].text == "—"
    # SEV-1 postmortem within 1-2 days of the resolution (seed 003): the column now counts
    # down to it.
    assert (
        row.cells["resolution"].text.endswith("h") and row.cells["resolution"].tone is Tone.NORMAL
    )


def test_regulatory_clock_only_for_types_that_have_one():
    data = board_row(item(policy=AI, severity="P1", type_key="data"), T0, EN)
    model = board_row(item(policy=AI, severity="P1", type_key="model"), T0, EN)
    assert data.cells["regulatory"].text == "3d00h"
    assert model.cells["regulatory"].text == "—"


def test_board_order_is_worst_first_then_oldest_with_resolved_last():
    items = [
        item(code="INC-2026-0001", severity="SEV-3"),
        item(code="INC-2026-0002", severity="SEV-1", resolved_at=T0, status="resolved"),
        item(code="INC-2026-0003", severity="SEV-1", declared_at=T0 + timedelta(minutes=1)),
        item(code="INC-2026-0004", severity="SEV-1"),
    ]
    order = [row.key for row in board_rows(items, T0 + timedelta(minutes=5), EN)]
    assert order == ["INC-2026-0004", "INC-2026-0003", "INC-2026-0001", "INC-2026-0002"]


def test_sev1_has_the_seed_phases_and_the_phase_follows_the_clock():
    sev1 = checklists_for("web-service", "SEV-1", "service")
    assert [c.key for c in sev1] == [
        "sev1-immediate",
        "sev1-initial",
        "sev1-diagnosis",
        "sev1-resolution",
        "sev1-close",
        "rollback",
        "data-leak",
        "data-loss",
        "quick",  # seed 003 §9.1, for every incident
    ]
    assert [c.title.get("ko") for c in sev1[:4]] == [
        "즉시 조치 (0–5분)",
        "초기 대응 (5–15분)",
        "진단 (15–30분)",
        "해결 (30분–1시간)",
    ]
    assert current_phase(sev1, timedelta(minutes=3)).key == "sev1-immediate"
    assert current_phase(sev1, timedelta(minutes=20)).key == "sev1-diagnosis"
    assert current_phase(sev1, timedelta(hours=2)) is None
    sev3 = checklists_for("web-service", "SEV-3", "service")
    assert [c.key for c in sev3] == ["quick"]  # standard work (seed 003 §2.1): no war-room lists


def test_every_checklist_item_is_written_in_three_languages_with_unique_keys():
    for name in ("web-service", "ai-ops"):
        lists = playbook(name)
        assert lists and len({c.key for c in lists}) == len(lists)
        for checklist in lists:
            assert checklist.title.languages() == {"en", "ko", "ja"}
            assert len({i.key for i in checklist.items}) == len(checklist.items)
            assert all(i.text.languages() == {"en", "ko", "ja"} for i in checklist.items)
    regulatory = [c.key for c in checklists_for("ai-ops", "P0", "data")]
    assert "regulatory" in regulatory
    assert "regulatory" not in [c.key for c in checklists_for("ai-ops", "P0", "model")]


def _view(**changes) -> IncidentView:
    board = item(**changes)
    typed = "[b]cache[/b] {x} stale"
    timeline = (
        SimpleNamespace(
            kind="status_update",
            text=f"identified: {typed}",
            actor="민지",
            data={"status": "identified", "text": typed},
        ),
    )
    return IncidentView(
        record=board.record,
        policy=WEB,
        policy_version=3,
        plan=board.plan(T0),
        timeline=timeline,
        events=(),
        roles={"commander": "민지"},
    )


@pytest.mark.parametrize("lang", ["en", "ko", "ja"])
def test_every_template_fills_in_every_language(lang):
    catalog = Catalog(lang)
    for kind in TEMPLATE_KINDS:
        text = fill(kind, _view(), catalog, T0 + timedelta(minutes=20))
        assert "{" not in text.replace("{x}", ""), (kind, text)
        assert "결제 API 장애" in text


def test_declaration_template_uses_the_incident_and_leaves_hints_for_the_unknown():
    text = fill("declaration", _view(), KO, T0)
    assert "심각도: SEV-2 (높음)" in text
    assert "인시던트 커맨더: @민지" in text
    assert "테크니컬 리드: [테크니컬 리드]" in text  # not assigned yet: a hint, in Korean
    assert "워룸: #incident-20261124-0001" in text
    assert "15분마다 업데이트합니다." in text


def test_user_text_in_templates_is_kept_literally():
    text = fill("status_update", _view(), EN, T0 + timedelta(minutes=20))
    assert "identified: [b]cache[/b] {x} stale" in text
    assert "(T+20 min)" in text
    korean = fill("status_update", _view(), KO, T0 + timedelta(minutes=20))
    assert "원인 파악: [b]cache[/b] {x} stale" in korean  # the status in the reader's words


def test_the_plan_cache_gives_the_same_rows_as_planning_every_tick():
    from app.domain.board_rows import PlanCache

    items = [
        item(code="INC-2026-0001", severity="SEV-1"),
        item(code="INC-2026-0002", severity="SEV-2", acknowledged_at=T0 + timedelta(minutes=3)),
        item(code="INC-2026-0003", policy=AI, severity="P1", type_key="data"),
    ]
    cache = PlanCache()
    moments = [T0 + timedelta(seconds=s) for s in range(0, 3 * 3600, 37)]
    moments += [T0 + timedelta(minutes=30), T0 + timedelta(minutes=5)]  # a jump back
    for now in moments:
        assert board_rows(items, now, EN, cache) == board_rows(items, now, EN)
        # What the cache keeps of a plan is the step a row shows, not every round's steps.
        assert all(len(cache.plan(i, now).steps) <= 1 for i in items)


def test_the_overdue_count_is_what_the_rows_show_and_a_reload_does_not_replan(monkeypatch):
    from app.domain.board_rows import PlanCache

    specs = [
        dict(code="INC-2026-0001", severity="SEV-1"),
        dict(code="INC-2026-0002", severity="SEV-2", acknowledged_at=T0 + timedelta(minutes=3)),
        dict(code="INC-2026-0003", policy=AI, severity="P1", type_key="data"),
        dict(code="INC-2026-0004", severity="SEV-3", resolved_at=T0, status="resolved"),
    ]
    items = [item(**spec) for spec in specs]
    cache = PlanCache()
    counts = []
    for now in [T0 + timedelta(seconds=s) for s in range(0, 4 * 86400, 613)]:
        rows = board_rows(items, now, EN)
        shown = sum(1 for r in rows for cell in r.cells.values() if cell.tone is Tone.OVERDUE)
        assert sum(cache.overdue_cells(i, now) for i in items) == shown, now
        counts.append(shown)
    assert len(set(counts)) >= 3  # clocks run out, are met, start again: the count moves
    planned = []
    monkeypatch.setattr(BoardItem, "plan", lambda *call: planned.append(call))
    reloaded = [item(**spec) for spec in specs]  # a reload: new objects, the same facts
    assert [cache.plan(i, now) for i in reloaded] == [cache.plan(i, now) for i in items]
    assert planned == []


def test_the_status_page_text_follows_the_incidents_state():
    """Seed 003 §4.3: title, message and colour per state, in the reader's language."""
    investigating = fill("status_page", _view(status="investigating"), EN, T0)
    assert investigating.startswith("Investigating Issues (yellow)")
    assert "We are currently investigating reports of" in investigating
    mitigating = fill("status_page", _view(status="mitigating"), KO, T0)
    assert mitigating.startswith("수정 진행 중 (주황)")
    resolved = fill("status_page", _view(status="resolved"), Catalog("ja"), T0)
    assert resolved.startswith("解決済み (緑)")


def test_every_ai_ops_type_has_its_own_runbook():
    """Seed 001 §1-2: a runbook per incident type, and only for its type."""
    for type_key in ("data", "model", "security", "regulatory", "operational"):
        keys = [c.key for c in checklists_for("ai-ops", "P2", type_key)]
        runbooks = [key for key in keys if key.startswith("runbook-")]
        assert runbooks == [f"runbook-{type_key}"], (type_key, keys)
