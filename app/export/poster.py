"""The severity matrix of a policy as a wall poster (A3 landscape; fits A4 landscape too), on one
page: for each level, in its colour, the definition, the acknowledge / resolve / update targets,
whom to notify first and the escalation ladder; for a policy with several incident types, the
type × severity grid of examples below it. The type is set as large as the page allows, and the
rows share what is left, so the poster fills its page."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.i18n import Catalog
from app.domain.policy.targets import severity_targets
from app.domain.policy.view import cell_examples, step_text
from app.domain.textsafe import printable
from app.export.layout import Fill, Sheet, Style

MUTED = (95, 95, 95)
COLUMNS = (0.11, 0.33, 0.16, 0.14, 0.26)
GRID_FIRST_COLUMN = 0.16
PAD = 2.0
GAP = 5.0  # between the title, the table and the grid, at the largest type
SMALLEST, LARGEST = 5.0, 40.0
# Most severe first: red, orange, amber, blue, then grey for any further level.
SEVERITY_FILLS = (
    Fill((183, 28, 28)),
    Fill((230, 81, 0)),
    Fill((249, 168, 37), (33, 33, 33)),
    Fill((21, 101, 192)),
    Fill((84, 110, 122)),
)
HEADER_FILL = Fill((235, 235, 235), (20, 20, 20))


def severity_fill(index: int) -> Fill:
    return SEVERITY_FILLS[min(index, len(SEVERITY_FILLS) - 1)]


def poster_rows(policy, catalog: Catalog) -> list[list[str]]:
    """One row per severity: level, definition, targets, notify first, ladder. A policy with one
    incident type lists its examples under the definition; with several, they go in the grid."""
    t, lang = catalog.t, catalog.lang
    rows = []
    for severity in policy.severities:
        definition = [severity.impact.get(lang)] if severity.impact else []
        definition += [d.get(lang) for d in severity.definition]
        if len(policy.types) == 1:
            examples = cell_examples(policy, policy.types[0].key, severity.key, lang)
            if examples:
                definition.append("• " + "; ".join(examples))
        goal = severity_targets(severity)  # the one definition: as the metrics grade it
        targets = [
            t("sheet.acknowledge", time=catalog.duration(goal.acknowledge)),
            t("sheet.resolve", time=catalog.duration(goal.resolve)),
            t("sheet.update", time=catalog.duration(goal.update)),
        ]
        ladder = [f"{n}. {step_text(step, catalog)}" for n, step in enumerate(severity.ladder, 1)]
        rows.append(
            [
                f"{severity.key}\n{severity.name.get(lang)}",
                "\n".join(definition),
                "\n".join(targets),
                "\n".join(who.get(lang) for who in severity.first_notify),
                "\n".join(ladder),
            ]
        )
    return [[printable(cell) for cell in row] for row in rows]


def grid_rows(policy, catalog: Catalog) -> list[list[str]]:
    """Incident type × severity: one row per type, its examples under each severity."""
    if len(policy.types) < 2:
        return []
    lang, rows = catalog.lang, []
    for incident_type in policy.types:
        name = incident_type.name.get(lang)
        if incident_type.regulatory_report_s:
            report = catalog.duration(incident_type.regulatory_report_s)
            name += "\n" + catalog.t("sheet.poster_report", time=report)
        cells = [
            "\n".join(f"• {e}" for e in cell_examples(policy, incident_type.key, s.key, lang))
            for s in policy.severities
        ]
        rows.append([name, *cells])
    return [[printable(cell) for cell in row] for row in rows]


@dataclass(frozen=True)
class _Styles:
    title: Style
    subtitle: Style
    head: Style
    body: Style
    gap: float

    @classmethod
    def at(cls, size: float) -> _Styles:
        return cls(
            Style(size * 2.1, True, 1.25),
            Style(size, False, 1.35),
            Style(size, True, 1.3),
            Style(size, leading=1.32),
            GAP * size / 12,
        )


class _Poster:
    def __init__(self, sheet: Sheet, policy, catalog: Catalog) -> None:
        t = catalog.t
        self.sheet = sheet
        self.title = f"{t('sheet.poster_title')} — {printable(policy.title.get(catalog.lang))}"
        description = policy.description
        self.subtitle = printable(description.get(catalog.lang)) if description else ""
        self.header = [
            t(f"sheet.{key}")
            for key in (
                "poster_level",
                "poster_definition",
                "poster_targets",
                "poster_notify",
                "poster_ladder",
            )
        ]
        self.rows = poster_rows(policy, catalog)
        self.widths = [share * sheet.width for share in COLUMNS]
        self.levels = [f"{s.key}\n{s.name.get(catalog.lang)}" for s in policy.severities]
        self.grid = grid_rows(policy, catalog)
        self.grid_title = t("sheet.poster_grid")
        rest = (1 - GRID_FIRST_COLUMN) / max(len(policy.severities), 1)
        self.grid_widths = [GRID_FIRST_COLUMN * sheet.width] + [
            rest * sheet.width for _ in policy.severities
        ]

    def _tables(self, styles: _Styles):
        """(cells, widths, fills, stretches) of every table row in order; None marks the gap
        and heading before the grid."""
        head, body = styles.head, styles.body
        yield [(text, head) for text in self.header], self.widths, [HEADER_FILL] * 5, False
        for index, row in enumerate(self.rows):
            cells = [(row[0], head)] + [(text, body) for text in row[1:]]
            yield cells, self.widths, [severity_fill(index)] + [None] * 4, True
        if self.grid:
            yield None
            header = [("", head)] + [(level, head) for level in self.levels]
            fills = [HEADER_FILL] + [severity_fill(i) for i in range(len(self.levels))]
            yield header, self.grid_widths, fills, False
            for row in self.grid:
                cells = [(row[0], head)] + [(text, body) for text in row[1:]]
                yield cells, self.grid_widths, [HEADER_FILL] + [None] * len(self.levels), True

    def height(self, styles: _Styles) -> float:
        sheet = self.sheet
        total = self._heading_height(styles)
        for entry in self._tables(styles):
            if entry is None:
                total += self._grid_heading_height(styles)
                continue
            cells, widths, _fills, _stretch = entry
            total += sheet.row_height(cells, widths, pad=PAD)
        return total

    def _heading_height(self, styles: _Styles) -> float:
        height = self.sheet.text_height(self.title, styles.title)
        if self.subtitle:
            height += self.sheet.text_height(self.subtitle, styles.subtitle)
        return height + styles.gap

    def _grid_heading_height(self, styles: _Styles) -> float:
        return styles.gap + self.sheet.text_height(self.grid_title, styles.head, after=1)

    def draw(self, styles: _Styles, room: float) -> None:
        sheet = self.sheet
        stretching = sum(1 for entry in self._tables(styles) if entry is not None and entry[3])
        # A hair short of the page: rounding must never push the last row onto a second page.
        extra = max(room - self.height(styles) - 0.5, 0) / max(stretching, 1)
        sheet.text(self.title, styles.title, after=0)
        if self.subtitle:
            sheet.text(self.subtitle, styles.subtitle, after=0, color=MUTED)
        sheet.pdf.ln(styles.gap)
        for entry in self._tables(styles):
            if entry is None:
                sheet.pdf.ln(styles.gap)
                sheet.text(self.grid_title, styles.head, after=1)
                continue
            cells, widths, fills, stretch = entry
            natural = sheet.row_height(cells, widths, pad=PAD)
            sheet.row(
                cells, widths, pad=PAD, fills=fills, min_height=natural + extra if stretch else 0
            )


def severity_poster(policy, lang: str, paper: str = "a3") -> Sheet:
    catalog = Catalog(lang)
    sheet = Sheet(paper, orientation="landscape")
    # A poster is one page: the type is sized to fit it (the margin stays the bottom margin).
    sheet.pdf.set_auto_page_break(False, margin=sheet.pdf.t_margin)
    sheet.page()
    poster = _Poster(sheet, policy, catalog)
    sheet.pdf.set_title(poster.title)
    room = sheet.pdf.h - sheet.pdf.t_margin - sheet.pdf.b_margin
    low, high = SMALLEST, LARGEST  # the largest type (in quarter points) whose poster fits
    while high - low > 0.25:
        middle = (low + high) / 2
        if poster.height(_Styles.at(middle)) <= room:
            low = middle
        else:
            high = middle
    poster.draw(_Styles.at(low), room)
    return sheet
