"""What the app shows when the escalation engine has delivered alerts: a failed page as an
error, the bell, and the alert flashed on the board (or a notification on another screen).
During a drill every alert is marked DRILL: nobody may take it for real."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

    from app.services.alert_delivery import Delivery


def show_deliveries(app: App, deliveries: list[Delivery]) -> None:
    from app.services.screen_alerts import screen_alerts
    from screens.board import BoardScreen

    mark = app.catalog.t("drill.banner_mark") if app.drill_run is not None else ""
    shown = screen_alerts(deliveries, app.catalog, mark)
    for failure in shown.failures:
        app.notify(failure, severity="error", markup=False, timeout=10)
    if shown.ring:
        app.bell()
    if shown.flash is not None:
        app.alert_flashed.publish(shown.flash)
        # Quitting during a long start-up sweep: no screen is left to show it on.
        if app.screen_stack and not isinstance(app.screen, BoardScreen):
            app.notify(shown.flash[0], severity="warning", markup=False, timeout=10)
