"""Seed 002 after a hard incident: a short self-care card for the people involved, in their
language, offered when a SEV-1/2 (P0/P1: the policy's two most severe levels) is resolved and
when its postmortem is published."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from app.domain.i18n import Catalog

POINTS = 5


def deserves_care(policy, severity: str) -> bool:
    """The policy's two most severe levels (it lists the most severe first)."""
    return severity in [s.key for s in policy.severities[:2]]


class SelfCareDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,q", "close", show=False)]

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog

    def compose(self) -> ComposeResult:
        t = self.catalog.t
        with Vertical(classes="dialog-box", id="care-box"):
            yield Static(Content(t("care.title")), classes="dialog-title")
            yield Static(Content(t("care.system")), id="care-system")
            for number in range(1, POINTS + 1):
                # The bullet hangs: a wrapped point (Japanese has no spaces to break at) keeps
                # its lines under its text, and the bullet never sits alone on a line.
                bullet, _space, point = t(f"care.point{number}").partition(" ")
                with Horizontal(classes="care-point"):
                    yield Static(Content(bullet), classes="care-bullet")
                    yield Static(Content(point), classes="care-text")
            yield Static(Content(t("care.close")), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
