"""`metrics --json` writes long lists on one line (json's C encoder) and the rest indented: the
same document as report_document either way; and gc_paused() puts collection back as it was."""

from __future__ import annotations

import gc
import json
from datetime import UTC, datetime, timedelta

from app.domain import metrics_view
from app.domain.metrics import IncidentFacts, report
from app.domain.metrics_view import report_document, report_json
from app.services.gc_pause import gc_paused

SINCE = datetime(2026, 10, 1, tzinfo=UTC)
UNTIL = datetime(2027, 1, 1, tzinfo=UTC)


def _report(count: int):
    facts = [
        IncidentFacts(
            code=f"INC-{n:04d}",
            title="디스크 가득" if n % 2 else "disk full",
            policy="web",
            severity="SEV-2",
            type_key="service",
            declared_at=SINCE + timedelta(hours=n),
            first_acknowledged_at=SINCE + timedelta(hours=n, minutes=n % 7),
            resolved_at=SINCE + timedelta(hours=n, minutes=30 + n % 11) if n % 5 else None,
        )
        for n in range(count)
    ]
    return report(facts, SINCE, UNTIL, {"SEV-2": {"acknowledge": 300}})


def test_the_json_is_the_document_with_long_lists_on_one_line(monkeypatch):
    monkeypatch.setattr(metrics_view, "LONG_LIST", 5)
    text = report_json(_report(40), incidents=True)
    assert json.loads(text) == json.loads(json.dumps(report_document(_report(40), incidents=True)))
    lines = text.splitlines()
    assert any(line.strip().startswith('"incidents": [{"id": "INC-') for line in lines)
    assert lines[1] == '  "policy": null,'


def test_short_lists_hold_one_item_a_line():
    text = report_json(_report(3), incidents=True)
    assert '          {"id": "INC-0000", "seconds": 0},' in text.splitlines()


def test_gc_paused_nests_and_restores():
    assert gc.isenabled()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
