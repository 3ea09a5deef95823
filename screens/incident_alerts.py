"""The incident screen's Alerts tab (`6`): the alert groups behind the incident — where they came
from, their shared labels, each alert with its status, host, summary, value, labels and links
(runbook, dashboard, panel, rule, silence). Loads in its own worker, again whenever an incident
changes; the sender's text is data (printable, shown as Content, never markup)."""

from __future__ import annotations

from textual import work
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from app.domain.i18n import Catalog
from app.domain.intake_text import context_lines


class AlertsLoaded(Message):
    def __init__(self, contexts: list[dict]) -> None:
        super().__init__()
        self.contexts = contexts


class IncidentAlerts(VerticalScroll, can_focus=True):
    """Scrolls with the arrow keys once focused (`6` focuses it)."""

    DEFAULT_CSS = "IncidentAlerts { height: 1fr; }"

    def __init__(self, catalog: Catalog, code: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.catalog = catalog
        self.code = code

    def compose(self):
        yield Static(Content(self.catalog.t("intake.none")), id="alerts-text")

    def on_mount(self) -> None:
        self.screen.host.changes.subscribe(self, self._changed)
        self.load()

    def _changed(self, changes) -> None:
        if changes.everything or self.code in changes.incidents:
            self.load()

    @work(thread=True, exit_on_error=False, group="incident-alerts")
    def load(self) -> None:
        services = self.screen.host.services
        if services is not None:
            groups = services.alerts.for_incident(self.code)
            self.post_message(AlertsLoaded([group.context for group in groups]))

    def on_alerts_loaded(self, message: AlertsLoaded) -> None:
        lines = [
            line for context in message.contexts for line in context_lines(context, self.catalog)
        ]
        text = "\n".join(lines) or self.catalog.t("intake.none")
        self.query_one("#alerts-text", Static).update(Content(text))
