"""The severity matrix of a policy as a poster (A3 landscape; fits A4 landscape too): for each
level its definition and examples, response / resolution / update targets, whom to notify first
and the escalation ladder, on one page."""

from __future__ import annotations

from app.export.layout import Sheet, Style
from app.i18n import Catalog
from app.policy_view import cell_examples, step_text
from app.textsafe import printable

MUTED = (95, 95, 95)
COLUMNS = (0.11, 0.33, 0.16, 0.14, 0.26)
PAD = 2.0


def poster_rows(policy, catalog: Catalog) -> list[list[str]]:
    t, lang = catalog.t, catalog.lang
    rows = []
    for severity in policy.severities:
        definition = [severity.impact.get(lang)] if severity.impact else []
        definition += [d.get(lang) for d in severity.definition]
        for incident_type in policy.types:
            examples = cell_examples(policy, incident_type.key, severity.key, lang)
            if examples:
                name = incident_type.name.get(lang)
                prefix = f"{name}: " if len(policy.types) > 1 else "• "
                definition.append(prefix + "; ".join(examples))
        targets = [
            t("sheet.respond", time=catalog.duration(severity.response_s)),
            t("sheet.resolve", time=catalog.duration(severity.resolution_s)),
            t("sheet.update", time=catalog.duration(severity.update_every_s)),
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


def severity_poster(policy, lang: str, paper: str = "a3") -> Sheet:
    catalog = Catalog(lang)
    t = catalog.t
    sheet = Sheet(paper, orientation="landscape")
    sheet.pdf.set_auto_page_break(False)  # a poster is one page: the type shrinks to fit
    sheet.page()
    title = f"{t('sheet.poster_title')} — {printable(policy.title.get(lang))}"
    sheet.pdf.set_title(title)
    header = [t(f"sheet.{key}") for key in ("poster_level", "poster_definition",
              "poster_targets", "poster_notify", "poster_ladder")]  # fmt: skip
    rows = poster_rows(policy, catalog)
    widths = [share * sheet.width for share in COLUMNS]
    scale = 1.0 if paper == "a3" else 0.72
    size = 11.5 * scale
    while True:
        body = Style(size, leading=1.35)
        title_style = Style(size * 2.1, True, 1.25)
        head_style = Style(size, True, 1.35)
        height = _height(sheet, [title], [title_style], [sheet.width]) + 4
        height += _height(sheet, header, [head_style] * 5, widths)
        height += sum(_height(sheet, row, [head_style] + [body] * 4, widths) for row in rows)
        if height <= sheet.pdf.h - sheet.pdf.t_margin - sheet.pdf.b_margin or size <= 5:
            break
        size -= 0.25
    sheet.text(title, title_style, after=4)
    sheet.row([(text, head_style) for text in header], widths, pad=PAD)
    for row in rows:
        sheet.row([(row[0], head_style)] + [(text, body) for text in row[1:]], widths, pad=PAD)
    return sheet


def _height(sheet: Sheet, texts, styles, widths) -> float:
    return (
        max(
            len(sheet.lines(text, style, width - 2 * PAD) or [""]) * sheet.use(style)
            for text, style, width in zip(texts, styles, widths, strict=True)
        )
        + 2 * PAD
    )
