"""The quarterly review PDF from a real report, read back: the headline figures against their
targets, the severity tables, the overdue follow-ups and recurrences, in Korean, Japanese and
English; the charts are drawn (bar colour on the rendered page); nothing outside the margins."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.metrics import ActionFacts, IncidentFacts, report
from app.export.metrics_review import BAR
from app.export.printing import metrics_pdf
from tests.export.pdf_checks import (
    assert_inside_margins,
    assert_pages,
    colour_share,
    squeeze,
    text_of,
)

MONDAY = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
SINCE, UNTIL = datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
TARGETS = {"SEV-1": {"detect": 300, "acknowledge": 300, "resolve": 3600}}


def quarter() -> object:
    facts = []
    for number, (day, ack, resolve, title) in enumerate(
        [(0, 3, 40, "결제 API 장애"), (9, 12, 100, "ログイン不可"), (20, 4, 25, "결제 API 장애")]
    ):
        declared = MONDAY + timedelta(days=day)
        facts.append(
            IncidentFacts(
                f"INC-2026-{number + 1:04d}",
                title,
                "web-service",
                "SEV-1",
                "service",
                declared,
                declared,
                declared,
                declared + timedelta(minutes=ack),
                None,
                declared + timedelta(minutes=resolve),
            )
        )
    facts.append(
        IncidentFacts(
            "INC-2026-0004",
            "Search slow",
            "web-service",
            "SEV-3",
            "service",
            MONDAY + timedelta(days=30),
        )
    )
    actions = [
        ActionFacts(1, "INC-2026-0001", "갱신 자동화", "민지", date(2026, 10, 20), "open"),
        ActionFacts(2, "INC-2026-0002", "Runbook", "Sam", date(2026, 10, 30), "done"),
    ]
    return report(
        facts,
        SINCE,
        UNTIL,
        TARGETS,
        actions,
        date(2026, 12, 1),
        "web-service",
        ["SEV-1", "SEV-2", "SEV-3", "SEV-4"],
    )


@pytest.mark.parametrize(
    ("lang", "title", "resolve", "follow_ups"),
    [
        ("en", "Incident review: web-service", "time to resolve", "Follow-ups done"),
        ("ko", "인시던트 리뷰: web-service", "해결 시간", "후속 조치 완료"),
        ("ja", "インシデントレビュー: web-service", "解決までの時間", "フォローアップ完了"),
    ],
)
def test_the_review_reads_back_in_each_language(lang, title, resolve, follow_ups, tmp_path):
    printed = metrics_pdf(quarter(), lang, "a4")
    assert printed.missing == ""
    text = squeeze(text_of(printed.data))
    assert squeeze(title) in text
    assert squeeze("2026-10-01 – 2026-12-31") in text
    assert squeeze(f"SEV-1 · {resolve}") in text  # the headline tile
    assert squeeze(follow_ups) in text and "50%" in text  # one of two follow-ups done
    # SEV-1 time to resolve: 25, 40 and 100 minutes → median 40m, p90 1h40m, mean 55m; 2 of 3
    # within the hour.
    assert squeeze("40m 1h40m 55m 1h40m 1h 2/3 (67%)") in text
    assert "갱신자동화" in text and "2026-10-20" in text  # the overdue follow-up
    assert "INC-2026-0003" in text and "INC-2026-0001" in text  # a recurrence, 20 days apart
    assert_pages(printed.data, "a4", range(1, 4))
    assert_inside_margins(printed.data, tmp_path, "a4")
    assert colour_share(printed.data, tmp_path, BAR) > 0.003  # the bar charts are drawn
