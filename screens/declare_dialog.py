"""The declare form. Nothing is preselected as the severity: a stray Enter must not declare a
SEV-1 and page the whole ladder, so Enter without a chosen severity says so and moves there."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Select

from app.domain.i18n import Catalog
from app.domain.policy.model import Policy
from screens.coach_dialog import CoachDialog
from screens.dialogs import Dialog
from widgets.fields import Choice, TextField


@dataclass(frozen=True)
class DeclareRequest:
    title: str
    severity: str
    type_key: str
    impact: str
    commander: str


class DeclareDialog(Dialog):
    BINDINGS = [Binding("f2", "coach", show=False)]

    def __init__(self, catalog: Catalog, policy: Policy) -> None:
        super().__init__(catalog, catalog.t("declare.title", policy=policy.title.get(catalog.lang)))
        self.policy = policy

    def fields(self) -> ComposeResult:
        lang = self.catalog.lang
        yield self.label("declare.field_title")
        yield TextField(id="declare-title", placeholder=self.catalog.t("declare.title_placeholder"))
        yield self.label("declare.severity")
        yield Choice(
            [(f"{s.key} · {s.name.get(lang)}", s.key) for s in self.policy.severities],
            prompt=self.catalog.t("declare.severity_prompt"),
            id="declare-severity",
        )
        yield self.label("declare.type")
        yield Choice(
            [(t.name.get(lang), t.key) for t in self.policy.types],
            value=self.policy.types[0].key,
            allow_blank=False,
            id="declare-type",
        )
        yield self.label("declare.impact")
        yield TextField(
            id="declare-impact", placeholder=self.catalog.t("declare.impact_placeholder")
        )
        yield self.label("declare.commander")
        yield TextField(id="declare-commander")

    def hint(self) -> str:
        return self.catalog.t("declare.hint")

    def on_mount(self) -> None:
        self.query_one("#declare-title", Input).focus()

    def action_coach(self) -> None:
        self.app.push_screen(CoachDialog(self.catalog, self.policy))

    def action_submit(self) -> None:
        title = self.value_of("#declare-title")
        if not title:
            self.show_error(self.catalog.t("declare.needs_title"))
            self.query_one("#declare-title", Input).focus()
            return
        severity = self.query_one("#declare-severity", Select)
        if severity.is_blank():
            self.show_error(self.catalog.t("declare.needs_severity"))
            severity.focus()
            return
        self.dismiss(
            DeclareRequest(
                title=title,
                severity=str(severity.value),
                type_key=str(self.query_one("#declare-type", Select).value),
                impact=self.value_of("#declare-impact"),
                commander=self.value_of("#declare-commander"),
            )
        )
