"""The first-report guide (`f` on the board and the incident, F2 in the declare form): the
five points of seed 002's guide, with the policy's notify-first list and, when the settings have
a roster, who holds each of those roles now."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from app.domain.i18n import Catalog
from app.domain.policy.model import Policy
from app.domain.textsafe import printable
from app.domain.word_lists import joined


class CoachDialog(ModalScreen[None]):
    """Seed 002's first-report guide, with the policy's notify-first list."""

    BINDINGS = [Binding("escape,q,f2,f", "close", show=False)]

    def __init__(self, catalog: Catalog, policy: Policy, severity: str | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.policy = policy
        self.severity = severity

    def compose(self) -> ComposeResult:
        catalog, lang = self.catalog, self.catalog.lang
        severities = [s for s in self.policy.severities if s.key == self.severity] or list(
            self.policy.severities
        )
        lines = []
        for severity in severities:
            names = joined((self._who(who, lang) for who in severity.first_notify), lang)
            lines.append(f"  {severity.key}: {names or '—'}")
        with Vertical(classes="dialog-box coach-box"):
            yield Static(Content(catalog.t("coach.title")), classes="dialog-title")
            for number in range(1, 6):
                yield Static(Content(catalog.t(f"coach.point{number}")), classes="coach-point")
                if number == 1:
                    yield Static(Content("\n".join(lines)), classes="coach-notify")
            yield Static(Content(catalog.t("coach.after")), classes="coach-after")
            yield Static(Content(catalog.t("dialog.close_hint")), classes="dialog-hint")

    def _who(self, target, lang: str) -> str:
        """A ladder target, and who holds it now when the settings have a roster."""
        name = printable(target.get(lang))
        settings = getattr(self.app, "settings", None)
        roster = getattr(settings, "roster", None)
        if not roster:
            return name
        held = roster.holder([text for _lang, text in target.values], self.app.clock.now())
        if held is None:
            return name
        person = held.person
        contact = f" ({printable(person.contact)})" if person.contact else ""
        return f"{name} → {printable(person.name)}{contact}"

    def action_close(self) -> None:
        self.dismiss(None)
