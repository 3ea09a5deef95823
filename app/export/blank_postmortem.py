"""A blank postmortem to fill in on paper during or right after a review (seed 000): every
section of DESIGN.md §4 in the chosen language, with room to write."""

from __future__ import annotations

from app.domain.i18n import Catalog
from app.export.layout import BODY, HEADING, SMALL, TITLE, Sheet

MUTED = (95, 95, 95)
FACTOR_CATEGORIES = ("technical", "process", "organisational", "environmental")
TIMELINE_ROWS = 10
ACTION_ROWS = 6


GAP = 8.0  # millimetres between writing lines
WHY_GAP = 6.5


def blank_template(lang: str, paper: str = "a4") -> Sheet:
    writer = _TemplateWriter(Catalog(lang), Sheet(paper))
    writer.header()
    writer.summary_and_impact()
    writer.timeline()
    writer.causes()
    writer.reflections_and_mitigation()
    writer.actions_and_lessons()
    return writer.sheet


class _TemplateWriter:
    """The sections of a postmortem, each with room to write, in the catalog's language."""

    def __init__(self, catalog: Catalog, sheet: Sheet) -> None:
        self.t, self.sheet = catalog.t, sheet

    def section(self, key: str) -> str:
        return self.t(f"pm.section.{key}")

    def field(self, key: str) -> str:
        return self.t(f"pm.field.{key}")

    def value(self, key: str) -> str:
        return self.t(f"pm.value.{key}")

    @staticmethod
    def room(lines: int, line_gap: float = GAP) -> float:
        """The height a block's first writing lines need (three at most: the rest may follow on
        the next page)."""
        return line_gap * min(lines, 3) + 3

    def labelled_height(self, label: str, lines: int) -> float:
        return self.sheet.text_height(label, BODY) + self.room(lines)

    def heading(self, key: str, then: float) -> None:
        """A section heading, on a new page unless its first block fits under it."""
        self.sheet.keep(self.sheet.text_height(self.section(key), HEADING, 0.5) + then)
        self.sheet.text(self.section(key), HEADING, after=0.5)

    def labelled(self, label: str, lines: int) -> None:
        self.sheet.keep(self.labelled_height(label, lines))
        self.sheet.text(label, BODY, after=0)
        self.sheet.writing_space(lines)

    def blank_table(self, key: str, header: list, widths: list[float], rows: int) -> None:
        sheet = self.sheet
        blank_row = [("", BODY)] * len(header)
        first = sheet.row_height(header, widths) + sheet.row_height(blank_row, widths, 3.2)
        self.heading(key, first)
        sheet.table(header, [blank_row] * rows, widths, pad=3.2)

    def header(self) -> None:
        t, sheet = self.t, self.sheet
        sheet.page()
        sheet.pdf.set_title(f"{t('sheet.template_title')} — {t('sheet.template_subtitle')}")
        sheet.text(t("sheet.template_title"), TITLE, after=0.5)
        sheet.text(t("sheet.template_subtitle"), SMALL, color=MUTED, after=1)
        sheet.text(t("sheet.template_blameless"), SMALL, color=MUTED, after=2)
        keys = ("sheet.incident_id", "sheet.severity", "sheet.date", "sheet.facilitator")
        sheet.row([(f"{t(k)}:", SMALL) for k in keys], [sheet.width / 4] * 4)
        sheet.pdf.ln(4)

    def summary_and_impact(self) -> None:
        field, value = self.field, self.value
        self.heading("summary", self.labelled_height(field("what"), 3))
        self.labelled(field("what"), 3)
        self.labelled(field("when"), 1)
        self.labelled(field("who"), 2)
        self.heading("impact", self.labelled_height(field("users_affected"), 1))
        self.labelled(field("users_affected"), 1)
        self.labelled(field("duration"), 1)
        choices = "   ".join(f"□ {value(v)}" for v in ("yes", "no", "unknown"))
        self.sheet.text(f"{field('sla_breach')}:   {choices}", BODY, after=2)
        self.labelled(field("business_impact"), 2)
        self.labelled(field("brand_impact"), 2)

    def timeline(self) -> None:
        field, value = self.field, self.value
        certainty = f"{value('fact')} / {value('hypothesis')}"
        widths = [w * self.sheet.width for w in (0.16, 0.5, 0.16, 0.18)]
        header = [
            (field("at"), SMALL),
            (field("event"), SMALL),
            (field("actor"), SMALL),
            (certainty, SMALL),
        ]
        self.blank_table("timeline", header, widths, TIMELINE_ROWS)
        self.sheet.pdf.ln(4)

    def causes(self) -> None:
        sheet, field = self.sheet, self.field
        self.heading("root_cause", self.labelled_height(field("root_cause"), 3))
        self.labelled(field("root_cause"), 3)
        sheet.keep(sheet.text_height(self.t("sheet.whys"), BODY) + 2 * self.room(1, WHY_GAP))
        sheet.text(self.t("sheet.whys"), BODY, after=0)
        for number in range(1, 6):
            # A why and its because stay together.
            sheet.keep(2 * (sheet.text_height("→", SMALL) + self.room(1, WHY_GAP)))
            sheet.text(f"{number}. {field('why')}", SMALL, color=MUTED, after=0)
            sheet.writing_space(1, gap=WHY_GAP)
            sheet.text(f"   → {field('because')}", SMALL, color=MUTED, after=0)
            sheet.writing_space(1, gap=WHY_GAP)
        self.heading("factors", self.labelled_height(self.value(FACTOR_CATEGORIES[0]), 2))
        for category in FACTOR_CATEGORIES:
            self.labelled(self.value(category), 2)

    def reflections_and_mitigation(self) -> None:
        for key in ("went_well", "was_hard", "lucky"):
            self.heading(key, self.room(3))
            self.sheet.writing_space(3)
        self.heading("mitigation", self.labelled_height(self.field("temporary"), 2))
        self.labelled(self.field("temporary"), 2)
        self.labelled(self.field("permanent"), 2)

    def actions_and_lessons(self) -> None:
        value = self.value
        widths = [w * self.sheet.width for w in (0.36, 0.15, 0.12, 0.11, 0.15, 0.11)]
        columns = ("action", "owner", "due", "priority", "category", "status")
        self.blank_table("actions", [(self.field(k), SMALL) for k in columns], widths, ACTION_ROWS)
        priorities = " / ".join(value(k) for k in ("high", "medium", "low"))
        categories = " / ".join(
            value(k) for k in ("prevention", "detection", "response", "documentation", "training")
        )
        self.sheet.text(f"{priorities}   ·   {categories}", SMALL, color=MUTED, after=3)
        self.heading("lessons", self.room(4))
        self.sheet.writing_space(4)
