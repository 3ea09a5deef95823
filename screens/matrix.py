"""Severity matrix screen: incident type x severity for the active policy, with the definition
of the cell under the cursor."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from app.domain.i18n import Catalog
from app.domain.policy.model import Policy
from app.domain.policy.view import cell_heading, cell_sections
from app.domain.textsafe import printable
from app.services.policy_set import describe_source, tier_key
from screens.base import StoryCartScreen
from screens.localized import bind_localized
from widgets.definition_view import DefinitionView
from widgets.fit_footer import FitFooter
from widgets.severity_grid import SeverityGrid


class MatrixScreen(StoryCartScreen):
    BINDING_SPECS = (
        ("p", "app.next_policy", "binding.next_policy", True),
        ("ctrl+r", "app.reload_policies", "binding.reload_policies", True),
        ("e", "app.print", "binding.print", True),
    )

    def __init__(self, catalog: Catalog, policy: Policy, tier: str) -> None:
        super().__init__(name="matrix")
        self.catalog = catalog
        self.policy = policy
        self.tier = tier
        bind_localized(self, catalog, self.BINDING_SPECS)

    def compose(self) -> ComposeResult:
        yield Static(Content(self.catalog.t("matrix.title")), id="screen-title")
        yield Static(id="policy-line")
        yield SeverityGrid(id="grid")
        yield DefinitionView(id="definition")
        yield FitFooter()

    def on_mount(self) -> None:
        self.show_policy(self.policy, self.tier)
        self.query_one(SeverityGrid).focus()
        self.host.policy_changed.subscribe(self, lambda _none: self._show_active_policy())

    def _show_active_policy(self) -> None:
        policies, name = self.host.policies, self.host.active_policy
        self.show_policy(policies.get(name), policies.tiers[name])

    def print_jobs(self) -> list:
        from app.export.printing import SheetRequest

        t, lang = self.catalog.t, self.catalog.lang
        posters = [
            (
                SheetRequest("poster", lang, paper, ref=self.policy.name),
                t("print.poster", paper=paper.upper()),
            )
            for paper in ("a3", "a4", "letter")
        ]
        return posters + super().print_jobs()

    def show_policy(self, policy: Policy, tier: str) -> None:
        self.policy = policy
        self.tier = tier
        line = self.catalog.t(
            "matrix.policy_line",
            title=policy.title.get(self.catalog.lang),
            name=policy.name,
            source=f"{self.catalog.t(tier_key(tier))}: {describe_source(policy.source, tier)}",
        )
        self.query_one("#policy-line", Static).update(Content(printable(line)))
        self.query_one(SeverityGrid).show(policy, self.catalog.lang, self.app.size.width)
        self._show_cell(policy.types[0].key, policy.severities[0].key)

    def on_severity_grid_cell_focused(self, event: SeverityGrid.CellFocused) -> None:
        self._show_cell(event.type_key, event.severity_key)

    def _show_cell(self, type_key: str, severity_key: str) -> None:
        self.query_one(DefinitionView).show(
            cell_heading(self.policy, type_key, severity_key, self.catalog),
            cell_sections(self.policy, type_key, severity_key, self.catalog),
        )
