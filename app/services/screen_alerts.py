"""What one batch of delivered alerts shows on this screen.

A batch can hold thousands of alerts (a start-up after a long outage fires every step that came
due meanwhile): the screen rings once, shows one banner naming the latest escalation and how many
more fired with it, and one error notice per channel and error with its count. One bell or
banner per alert would keep the app's loop busy for minutes and leave the board unusable.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from app.domain.i18n import Catalog
from app.domain.incident_text import flash_text
from app.domain.service_words import service_said
from app.services.alert_delivery import Delivery


@dataclass(frozen=True)
class ScreenAlerts:
    failures: list[str]  # one notice per (channel, error), in the order first met
    ring: bool
    flash: tuple[str, str] | None  # (banner text, incident code) of the latest escalation


def screen_alerts(deliveries: list[Delivery], catalog: Catalog, mark: str = "") -> ScreenAlerts:
    """`mark` goes in front of the banner (a drill's alerts must not be taken for real)."""
    failed = Counter(
        (delivery.channel, delivery.error) for delivery in deliveries if delivery.error
    )
    failures = []
    for (channel, error), count in failed.items():
        said = service_said(error, catalog)
        notice = catalog.t("notice.alert_failed", channel=channel, error=said)
        failures.append(notice if count == 1 else f"{notice} (×{count})")
    shown = [delivery for delivery in deliveries if delivery.shown and not delivery.error]
    flashes = [delivery.payload for delivery in shown if delivery.channel == "flash"]
    flash = None
    if flashes:
        text = flash_text(flashes[-1], catalog)
        if len(flashes) > 1:
            text = catalog.t("board.flash_more", flash=text, count=len(flashes) - 1)
        flash = (f"{mark} · {text}" if mark else text, flashes[-1]["incident"])
    return ScreenAlerts(
        failures=failures,
        ring=any(delivery.channel == "bell" for delivery in shown),
        flash=flash,
    )
