"""A paging service's error is its own words, quoted inside a sentence of the user's language:
one line, nothing a terminal would execute, never so long that it hides the sentence."""

from __future__ import annotations

from app.domain.i18n import Catalog
from app.domain.service_words import service_said
from app.services.alert_delivery import Delivery
from app.services.screen_alerts import screen_alerts

PAYLOAD = {"incident": "INC-2026-0007", "severity": "P1", "notify": ["결제팀"]}
RAW = "Sending failed:\n  HTTP 503 \x1b[31mService Unavailable\x1b[0m"


def test_the_words_are_quoted_on_one_line_without_control_codes():
    assert (
        service_said(RAW, Catalog("ko")) == "“Sending failed: HTTP 503 [31mService Unavailable[0m”"
    )
    assert service_said(RAW, Catalog("ja")).startswith("「Sending failed: HTTP 503")
    assert service_said("x" * 500, Catalog("en")).endswith("x…”")
    assert len(service_said("x" * 500, Catalog("en"))) < 250


def test_a_failed_page_is_a_korean_sentence_with_the_service_words_quoted():
    shown = screen_alerts([Delivery("phone", PAYLOAD, error="HTTP 503")], Catalog("ko"))
    assert shown.failures == ["알림 채널 phone이(가) 실패했습니다: “HTTP 503”"]


def test_a_failed_page_is_a_japanese_sentence_with_the_service_words_quoted():
    shown = screen_alerts([Delivery("phone", PAYLOAD, error=RAW)], Catalog("ja"))
    (failure,) = shown.failures
    assert failure.startswith("通知チャネル phone が失敗しました: 「Sending failed: HTTP 503")
    assert failure.endswith("」") and "\n" not in failure and "\x1b" not in failure
