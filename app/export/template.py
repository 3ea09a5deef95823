"""A blank postmortem to fill in on paper during or right after a review (seed 000): every
section of DESIGN.md §4 in the chosen language, with room to write."""

from __future__ import annotations

from app.domain.i18n import Catalog
from app.export.layout import BODY, HEADING, SMALL, TITLE, Sheet

MUTED = (95, 95, 95)
FACTOR_CATEGORIES = ("technical", "process", "organisational", "environmental")
TIMELINE_ROWS = 10
ACTION_ROWS = 6


def blank_template(lang: str, paper: str = "a4") -> Sheet:
    t = Catalog(lang).t
    section = lambda key: t(f"pm.section.{key}")  # noqa: E731
    field = lambda key: t(f"pm.field.{key}")  # noqa: E731
    value = lambda key: t(f"pm.value.{key}")  # noqa: E731
    sheet = Sheet(paper)
    sheet.page()
    sheet.pdf.set_title(f"{t('sheet.template_title')} — {t('sheet.template_subtitle')}")
    sheet.text(t("sheet.template_title"), TITLE, after=0.5)
    sheet.text(t("sheet.template_subtitle"), SMALL, color=MUTED, after=1)
    sheet.text(t("sheet.template_blameless"), SMALL, color=MUTED, after=2)
    quarter = sheet.width / 4
    sheet.row(
        [
            (f"{t(k)}:", SMALL)
            for k in ("sheet.incident_id", "sheet.severity", "sheet.date", "sheet.facilitator")
        ],
        [quarter] * 4,
    )
    sheet.pdf.ln(4)

    gap = 8.0  # between writing lines

    def room(lines: int, line_gap: float = gap) -> float:
        """The height a block's first writing lines need (three at most: the rest may follow on
        the next page)."""
        return line_gap * min(lines, 3) + 3

    def labelled_height(label: str, lines: int) -> float:
        return sheet.text_height(label, BODY) + room(lines)

    def heading(key: str, then: float) -> None:
        """A section heading, on a new page unless its first block fits under it."""
        sheet.keep(sheet.text_height(section(key), HEADING, 0.5) + then)
        sheet.text(section(key), HEADING, after=0.5)

    def labelled(label: str, lines: int) -> None:
        sheet.keep(labelled_height(label, lines))
        sheet.text(label, BODY, after=0)
        sheet.writing_space(lines)

    heading("summary", labelled_height(field("what"), 3))
    labelled(field("what"), 3)
    labelled(field("when"), 1)
    labelled(field("who"), 2)
    heading("impact", labelled_height(field("users_affected"), 1))
    labelled(field("users_affected"), 1)
    labelled(field("duration"), 1)
    choices = "   ".join(f"□ {value(v)}" for v in ("yes", "no", "unknown"))
    sheet.text(f"{field('sla_breach')}:   {choices}", BODY, after=2)
    labelled(field("business_impact"), 2)
    labelled(field("brand_impact"), 2)

    certainty = f"{value('fact')} / {value('hypothesis')}"
    columns = [w * sheet.width for w in (0.16, 0.5, 0.16, 0.18)]
    header = [
        (field("at"), SMALL),
        (field("event"), SMALL),
        (field("actor"), SMALL),
        (certainty, SMALL),
    ]
    blank_row = [("", BODY)] * 4
    heading(
        "timeline", sheet.row_height(header, columns) + sheet.row_height(blank_row, columns, 3.2)
    )
    sheet.table(header, [blank_row] * TIMELINE_ROWS, columns, pad=3.2)
    sheet.pdf.ln(4)

    heading("root_cause", labelled_height(field("root_cause"), 3))
    labelled(field("root_cause"), 3)
    sheet.keep(sheet.text_height(t("sheet.whys"), BODY) + 2 * room(1, 6.5))
    sheet.text(t("sheet.whys"), BODY, after=0)
    for number in range(1, 6):
        # A why and its because stay together.
        sheet.keep(2 * (sheet.text_height("→", SMALL) + room(1, 6.5)))
        sheet.text(f"{number}. {field('why')}", SMALL, color=MUTED, after=0)
        sheet.writing_space(1, gap=6.5)
        sheet.text(f"   → {field('because')}", SMALL, color=MUTED, after=0)
        sheet.writing_space(1, gap=6.5)
    heading("factors", labelled_height(value(FACTOR_CATEGORIES[0]), 2))
    for category in FACTOR_CATEGORIES:
        labelled(value(category), 2)
    for key in ("went_well", "was_hard", "lucky"):
        heading(key, room(3))
        sheet.writing_space(3)
    heading("mitigation", labelled_height(field("temporary"), 2))
    labelled(field("temporary"), 2)
    labelled(field("permanent"), 2)

    columns = [w * sheet.width for w in (0.36, 0.15, 0.12, 0.11, 0.15, 0.11)]
    header = [
        (field(k), SMALL) for k in ("action", "owner", "due", "priority", "category", "status")
    ]
    blank_row = [("", BODY)] * 6
    heading(
        "actions", sheet.row_height(header, columns) + sheet.row_height(blank_row, columns, 3.2)
    )
    sheet.table(header, [blank_row] * ACTION_ROWS, columns, pad=3.2)
    priorities = " / ".join(value(k) for k in ("high", "medium", "low"))
    categories = " / ".join(
        value(k) for k in ("prevention", "detection", "response", "documentation", "training")
    )
    sheet.text(f"{priorities}   ·   {categories}", SMALL, color=MUTED, after=3)
    heading("lessons", room(4))
    sheet.writing_space(4)
    return sheet
