"""The postmortem wizard's steps: one scrolling page per section with its fields — text fields
and areas, the SLA choice, and list editors for the timeline, the five whys, the contributing
factors and the action items. The screen fills them and reads them back by id (pm-ATTRIBUTE)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import ContentSwitcher, Label, Select, Static, TextArea

from app.domain.i18n import Catalog
from app.domain.postmortem.model import (
    ACTION_CATEGORIES,
    ACTION_STATUSES,
    CERTAINTIES,
    FACTOR_CATEGORIES,
    MARKERS,
    PRIORITIES,
    SECTIONS,
    SLA_ANSWERS,
    ActionItem,
    Factor,
    TimelineItem,
    Why,
)
from widgets.fields import TextField
from widgets.list_editor import Column, ListEditor

# Free-text fields: widget id -> (section, attribute, multi-line)
TEXT_FIELDS = {
    "what": ("summary", True),
    "when": ("summary", False),
    "who": ("summary", False),
    "users_affected": ("impact", False),
    "duration": ("impact", False),
    "business_impact": ("impact", True),
    "brand_impact": ("impact", True),
    "root_cause": ("root_cause", True),
    "went_well": ("went_well", True),
    "was_hard": ("was_hard", True),
    "lucky": ("lucky", True),
    "temporary": ("mitigation", True),
    "permanent": ("mitigation", True),
    "lessons": ("lessons", True),
}


class PostmortemSteps(ContentSwitcher):
    def __init__(self, catalog: Catalog, **kwargs) -> None:
        super().__init__(**kwargs)
        self.catalog = catalog

    def compose(self) -> ComposeResult:
        t = self.catalog.t
        for section in SECTIONS:
            with VerticalScroll(id=f"step-{section}", classes="pm-step"):
                yield Static(Content(t(f"pm.section.{section}")), classes="pm-heading")
                yield from self._fields(section)

    def _label(self, key: str) -> Label:
        return Label(Content(self.catalog.t(key)), classes="pm-label")

    def _text(self, attr: str) -> ComposeResult:
        section = TEXT_FIELDS[attr][0]
        # A section with a single text field is labelled by its heading already.
        if attr != section or attr == "root_cause":
            yield self._label(f"pm.field.{attr}")
        if TEXT_FIELDS[attr][1]:
            yield TextArea(id=f"pm-{attr}", classes="pm-text", tab_behavior="focus")
        else:
            yield TextField(id=f"pm-{attr}")

    def _choices(self, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        return tuple((self.catalog.t(f"pm.value.{v or 'none'}"), v) for v in values)

    def _fields(self, section: str) -> ComposeResult:
        t = self.catalog.t
        texts = [attr for attr, (owner, _multi) in TEXT_FIELDS.items() if owner == section]
        if section == "impact":
            yield from self._text("users_affected")
            yield from self._text("duration")
            yield self._label("pm.field.sla_breach")
            yield Select(
                self._choices(SLA_ANSWERS),
                allow_blank=False,
                value="unknown",
                type_to_search=False,
                id="pm-sla_breach",
            )
            texts = ["business_impact", "brand_impact"]
        if section == "root_cause":
            yield from self._text("root_cause")
            yield Static(Content(t("pm.md.five_whys")), classes="pm-label")
            yield ListEditor(
                self.catalog,
                [Column("why", t("pm.field.why")), Column("because", t("pm.field.because"))],
                [],
                Why,
                id="pm-whys",
            )
            return
        for attr in texts:
            yield from self._text(attr)
        if section == "timeline":
            certain = self._choices(CERTAINTIES)
            yield ListEditor(
                self.catalog,
                [
                    # On a narrow screen the marker shrinks first, the time last.
                    Column("at", t("pm.field.at"), width=19, shrink=4),
                    Column("text", t("pm.field.event")),
                    Column("actor", t("pm.field.actor"), width=12, shrink=3),
                    Column("certainty", t("pm.field.certainty"), certain, 12, shrink=2),
                    Column("marker", t("pm.field.marker"), self._choices(MARKERS), 12, 1),
                ],
                [],
                TimelineItem,
                id="pm-timeline",
            )
        elif section == "factors":
            yield ListEditor(
                self.catalog,
                [
                    Column(
                        "category", t("pm.field.category"), self._choices(FACTOR_CATEGORIES), 16
                    ),
                    Column("text", t("pm.field.factor")),
                ],
                [],
                Factor,
                id="pm-factors",
            )
        elif section == "actions":
            kinds, statuses = self._choices(ACTION_CATEGORIES), self._choices(ACTION_STATUSES)
            yield ListEditor(
                self.catalog,
                [
                    Column("title", t("pm.field.action")),
                    # On a narrow screen priority and owner shrink first, the due date last.
                    Column("owner", t("pm.field.owner"), width=12, shrink=2),
                    Column("due", t("pm.field.due"), width=11, shrink=5),
                    Column("priority", t("pm.field.priority"), self._choices(PRIORITIES), 8, 1),
                    Column("category", t("pm.field.category"), kinds, 14, shrink=3),
                    Column("status", t("pm.field.status"), statuses, 10, 4),
                ],
                [],
                ActionItem,
                id="pm-actions",
            )
