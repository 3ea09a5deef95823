"""The severity matrix of a policy as a wall poster (A3 landscape; A4 and Letter too), on one
page, in two tiers. The first, read from across a room: each level in its colour, its definition
and its acknowledge / resolve / update targets, set as large as the page allows. The second,
read at the wall, below it and smaller: impact and examples, whom to notify first and the
escalation ladder, and for a policy with several incident types the type × severity grid of
examples beside them. The levels' rows share what is left, so the poster fills its page."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.i18n import Catalog
from app.domain.policy.targets import severity_targets
from app.domain.policy.view import cell_examples, step_text
from app.domain.textsafe import printable
from app.export.layout import Fill, Sheet, Style

MUTED = (95, 95, 95)
LEVEL_COLUMNS = (0.17, 0.5, 0.33)  # first tier: level, definition, targets
DETAIL_COLUMNS = (0.09, 0.25, 0.14, 0.52)  # second tier: level, impact, notify first, ladder
GRID_FIRST_COLUMN = 0.16
PAD = 1.6
GAP = 5.0  # between the title, the tiers and the grid, at 18 pt
LARGEST = 60.0  # the first tier's largest type (points)
DETAIL_SMALLEST, DETAIL_LARGEST = 6.0, 14.0  # the second tier's (points)
DETAIL_SHARES = (0.3, 0.55)  # the second tier's size as a share of the first's: at least, most
DETAIL_PAD = 1.2
LEVEL_SIZE = 18.0  # the first tier shortens its definitions rather than go below this
GUTTER = 6.0  # between the detail and the grid
SPLITS = (0.5, 0.42, 0.35)  # the detail's share of the width beside a grid, tried in turn
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
    """One row per severity: level, definition (a line per item), targets (the poster's first
    tier, set large), then impact and examples, notify first and ladder (its second tier). A
    policy with one incident type lists its examples with the impact; with several, they go in
    the grid."""
    t, lang = catalog.t, catalog.lang
    rows = []
    for severity in policy.severities:
        definition = [d.get(lang) for d in severity.definition]
        detail = [severity.impact.get(lang)] if severity.impact else []
        if len(policy.types) == 1:
            examples = cell_examples(policy, policy.types[0].key, severity.key, lang)
            if examples:
                detail.append("• " + "; ".join(examples))
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
                "\n".join(detail),
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
    """The poster's type: ``size`` for the levels, their definition and targets (read from
    across a room); ``detail`` for the second tier (read standing at the wall)."""

    title: Style
    subtitle: Style
    level: Style
    body: Style
    head: Style
    detail: Style
    gap: float

    @classmethod
    def at(cls, size: float, detail: float) -> _Styles:
        return cls(
            Style(size * 1.25, True, 1.25, phrases=True),
            Style(detail, False, 1.35),
            Style(size, True, 1.15),
            Style(size, leading=1.15),
            Style(detail, True, 1.2),
            Style(detail, leading=1.2),
            GAP * size / 18,
        )


class _Poster:
    """The poster's rows, laid out for type sizes. ``full``: the first tier shows every line of
    a level's definition (joined); otherwise its first line, the rest going to the detail."""

    def __init__(
        self, sheet: Sheet, policy, catalog: Catalog, full: bool = True, split: float = 0.5
    ) -> None:
        t = catalog.t
        self.sheet = sheet
        self.title = f"{t('sheet.poster_title')} — {printable(policy.title.get(catalog.lang))}"
        description = policy.description
        self.subtitle = printable(description.get(catalog.lang)) if description else ""
        rows = poster_rows(policy, catalog)
        for row in rows:
            first, *rest = row[1].split("\n")
            row[1] = " · ".join([first, *rest]) if full else first
            row[3] = "\n".join(([] if full else rest) + ([row[3]] if row[3] else []))
        self.levels = [row[:3] for row in rows]
        self.level_header = [t("sheet.poster_level"), t("sheet.poster_defined")]
        self.level_header.append(t("sheet.poster_targets"))
        self.level_widths = [share * sheet.width for share in LEVEL_COLUMNS]
        # The impact column only when some level has an impact or examples to show.
        keep = [0, 3, 4, 5] if any(row[3] for row in rows) else [0, 4, 5]
        headers = {3: "poster_impact", 4: "poster_notify", 5: "poster_ladder"}
        self.detail_header = [t(f"sheet.{headers.get(i, 'poster_level')}") for i in keep]
        self.details = [[row[i] for i in keep] for row in rows]
        self.grid = grid_rows(policy, catalog)
        # With a grid, the detail (``split`` of the width) and the grid share it, side by side.
        room = (sheet.width - GUTTER) * split if self.grid else sheet.width
        shares = [DETAIL_COLUMNS[[0, 3, 4, 5].index(i)] for i in keep]
        self.detail_widths = [share / sum(shares) * room for share in shares]
        room = sheet.width - GUTTER - room
        self.detail_title = t("sheet.poster_detail")
        self.grid_levels = [f"{s.key}\n{s.name.get(catalog.lang)}" for s in policy.severities]
        self.grid_title = t("sheet.poster_grid")
        rest = (1 - GRID_FIRST_COLUMN) / max(len(policy.severities), 1)
        self.grid_widths = [GRID_FIRST_COLUMN * room] + [rest * room for _ in policy.severities]
        self._heights: dict = {}

    def _first_tier(self, styles: _Styles):
        """(cells, widths, fills, stretches) of the levels' rows, with their header."""
        header = [(text, styles.head) for text in self.level_header]
        yield header, self.level_widths, [HEADER_FILL] * 3, False
        for index, row in enumerate(self.levels):
            cells = [(row[0], styles.level), (row[1], styles.body), (row[2], styles.level)]
            yield cells, self.level_widths, [severity_fill(index), None, None], True

    def _detail(self, styles: _Styles):
        """The detail table; a string is its heading."""
        head, body = styles.head, styles.detail
        count = len(self.detail_header)
        yield self.detail_title
        header = [(text, head) for text in self.detail_header]
        yield header, self.detail_widths, [HEADER_FILL] * count, False
        for index, row in enumerate(self.details):
            cells = [(row[0], head)] + [(text, body) for text in row[1:]]
            yield cells, self.detail_widths, [severity_fill(index)] + [None] * (count - 1), False

    def _grid(self, styles: _Styles):
        """The type × severity grid (nothing for a policy with one type)."""
        if not self.grid:
            return
        head, body = styles.head, styles.detail
        yield self.grid_title
        header = [("", head)] + [(level, head) for level in self.grid_levels]
        fills = [HEADER_FILL] + [severity_fill(i) for i in range(len(self.grid_levels))]
        yield header, self.grid_widths, fills, False
        for row in self.grid:
            cells = [(row[0], head)] + [(text, body) for text in row[1:]]
            yield cells, self.grid_widths, [HEADER_FILL] + [None] * len(self.grid_levels), False

    def _height(self, entries, styles: _Styles, pad: float = DETAIL_PAD) -> float:
        total = 0.0
        for entry in entries:
            if isinstance(entry, str):
                total += styles.gap + self.sheet.text_height(entry, styles.head, after=1)
            else:
                total += self._row_height(entry[0], entry[1], pad)
        return total

    def _row_height(self, cells, widths, pad: float) -> float:
        """`Sheet.row_height`, remembered: the type search asks for the same rows again."""
        key = (tuple(cells), tuple(widths), pad)
        if key not in self._heights:
            self._heights[key] = self.sheet.row_height(cells, widths, pad=pad)
        return self._heights[key]

    def first_height(self, styles: _Styles) -> float:
        height = self.sheet.text_height(self.title, styles.title)
        if self.subtitle:
            height += self.sheet.text_height(self.subtitle, styles.subtitle)
        return height + styles.gap + self._height(self._first_tier(styles), styles, PAD)

    def second_height(self, styles: _Styles) -> float:
        detail = self._height(self._detail(styles), styles)
        return max(detail, self._height(self._grid(styles), styles))

    def draw(self, styles: _Styles, room: float) -> None:
        sheet, pdf = self.sheet, self.sheet.pdf
        used = self.first_height(styles) + self.second_height(styles)
        # A hair short of the page: rounding must never push the last row onto a second page.
        extra = max(room - used - 0.5, 0) / max(len(self.levels), 1)
        sheet.text(self.title, styles.title, after=0)
        if self.subtitle:
            sheet.text(self.subtitle, styles.subtitle, after=0, color=MUTED)
        pdf.ln(styles.gap)
        self._draw(self._first_tier(styles), styles, extra, PAD)
        top, margin = pdf.get_y(), pdf.l_margin
        self._draw(self._detail(styles), styles)
        if self.grid:  # to the right of the detail, from the same height
            pdf.set_left_margin(margin + self.sheet.width - sum(self.grid_widths))
            pdf.set_xy(pdf.l_margin, top)
            self._draw(self._grid(styles), styles)
            pdf.set_left_margin(margin)

    def _draw(self, entries, styles: _Styles, extra: float = 0, pad: float = DETAIL_PAD) -> None:
        sheet = self.sheet
        for entry in entries:
            if isinstance(entry, str):
                sheet.pdf.ln(styles.gap)
                sheet.text(entry, styles.head, after=1, width=sum(self.detail_widths))
                continue
            cells, widths, fills, stretch = entry
            natural = sheet.row_height(cells, widths, pad=pad)
            sheet.row(
                cells, widths, pad=pad, fills=fills, min_height=natural + extra if stretch else 0
            )


def _largest(fits, low: float, high: float) -> float | None:
    """The largest size in [low, high] (to a quarter point) for which ``fits(size)``; None when
    not even ``low`` fits."""
    if fits(high):
        return high
    if not fits(low):
        return None
    while high - low > 0.25:
        middle = (low + high) / 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def poster_styles(poster: _Poster, room: float) -> _Styles:
    """The largest first tier with the second tier still fitting below it at DETAIL_SHARES[0]
    of its size (and at least DETAIL_SMALLEST); then the second tier as large as the room left
    allows, up to DETAIL_SHARES[1] of the first (and DETAIL_LARGEST)."""
    least, most = DETAIL_SHARES

    def floor(size: float) -> float:
        return max(DETAIL_SMALLEST, least * size)

    def fits(size: float, detail: float) -> bool:
        styles = _Styles.at(size, detail)
        return poster.first_height(styles) + poster.second_height(styles) <= room

    size = _largest(lambda s: fits(s, floor(s)), DETAIL_SMALLEST, LARGEST) or DETAIL_SMALLEST
    cap = max(min(DETAIL_LARGEST, most * size), floor(size))
    detail = _largest(lambda d: fits(size, d), floor(size), cap) or floor(size)
    return _Styles.at(size, detail)


def severity_poster(policy, lang: str, paper: str = "a3") -> Sheet:
    """The layout that sets the levels largest: every line of each definition in the first tier
    or only its first (the rest going to the detail), and with a grid, the detail taking SPLITS
    of the width beside it."""
    catalog = Catalog(lang)
    sheet = Sheet(paper, orientation="landscape")
    # A poster is one page: the type is sized to fit it (the margin stays the bottom margin).
    sheet.pdf.set_auto_page_break(False, margin=sheet.pdf.t_margin)
    sheet.page()
    room = sheet.pdf.h - sheet.pdf.t_margin - sheet.pdf.b_margin
    best = None
    for full in (True, False):
        for split in SPLITS if len(policy.types) > 1 else SPLITS[:1]:
            poster = _Poster(sheet, policy, catalog, full, split)
            styles = poster_styles(poster, room)
            # Whole definitions unless shortening them sets the levels larger.
            if best is None or styles.level.size > best[1].level.size + (0 if full else 0.5):
                best = poster, styles
        if best[1].level.size >= LEVEL_SIZE:
            break
    poster, styles = best
    sheet.pdf.set_title(poster.title)
    poster.draw(styles, room)
    return sheet
