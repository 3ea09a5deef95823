"""A batch of delivered alerts as the screen shows it: failures counted per channel and error."""

from __future__ import annotations

from app.domain.i18n import Catalog
from app.services.alert_delivery import Delivery
from app.services.screen_alerts import screen_alerts

PAYLOAD = {"incident": "INC-2026-0007", "severity": "P1", "notify": ["결제팀"]}


def test_failures_are_one_notice_per_channel_and_error_with_their_count():
    deliveries = [
        Delivery("command", PAYLOAD, error="exit status 2"),
        Delivery("page:ops", PAYLOAD, error="HTTP 503"),
        Delivery("command", PAYLOAD, error="exit status 2"),
        Delivery("command", PAYLOAD, error="exit status 2"),
        Delivery("flash", PAYLOAD),
    ]
    shown = screen_alerts(deliveries, Catalog("ko"))
    assert shown.failures == [
        "알림 채널 command이(가) 실패했습니다: “exit status 2” (×3)",
        "알림 채널 page:ops이(가) 실패했습니다: “HTTP 503”",
    ]
    assert shown.flash == ("에스컬레이션 INC-2026-0007 P1: 결제팀에게 알림", "INC-2026-0007")
    assert not shown.ring


def test_alerts_too_old_to_show_neither_ring_nor_flash():
    deliveries = [Delivery("bell", PAYLOAD, shown=False), Delivery("flash", PAYLOAD, shown=False)]
    shown = screen_alerts(deliveries, Catalog("ja"), mark="演習")
    assert shown == screen_alerts([], Catalog("ja"))
    assert shown.flash is None and not shown.ring and shown.failures == []


def test_a_drill_marks_its_banner_and_counts_the_others():
    other = {**PAYLOAD, "incident": "INC-2026-0008", "notify_by_language": {"ja": ["決済チーム"]}}
    deliveries = [Delivery("flash", PAYLOAD), Delivery("bell", PAYLOAD), Delivery("flash", other)]
    shown = screen_alerts(deliveries, Catalog("ja"), mark="演習")
    assert shown.flash == (
        "演習 · エスカレーション INC-2026-0008 P1: 決済チーム に通知（ほか 1 件）",
        "INC-2026-0008",
    )
    assert shown.ring
