"""Every printed sheet from what is stored: the one place the command line and the TUI ask for
a PDF. Blocking (database and fpdf2): the TUI calls these from a worker."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.story.bank import prompt_bank, theme_name
from app.domain.story.model import StoryError

KINDS = (
    "story",
    "cards",
    "prompts",
    "template",
    "poster",
    "report",
    "booklet",
    "metrics",
    "regulator",
)


@dataclass(frozen=True)
class SheetRequest:
    """Which sheet, from the command line or the TUI's print dialog."""

    kind: str
    lang: str
    paper: str = "a4"
    ref: str = ""  # a story (story, cards, prompts), an incident (report), a policy (poster)
    lens: str = "engineering"
    theme: str = ""
    limit: int | None = None
    period: tuple[str, int] = ("quarter", 0)  # the review's period: kind, and how many back
    feedback_url: str = ""  # a story sheet's QR feedback box points here (none when empty)

    @property
    def needs_stories(self) -> bool:
        return self.kind not in ("template", "poster", "report", "metrics", "regulator")


@dataclass(frozen=True)
class Printed:
    data: bytes
    pages: int
    missing: str  # characters the font could not print (empty: none)


def finish(sheet) -> Printed:
    data = sheet.output()
    return Printed(data, sheet.pdf.pages_count, sheet.missing_characters())


def playlist_views(stories, weeks, lang: str, theme: str = "", limit: int | None = None) -> list:
    """The weekly refill: the story of the week (from `weeks`, the StoryWeek service) first, then
    every other published story (newest first), in the reader's language; or only the stories
    of one theme."""
    week = weeks.week(lang) if not theme else None
    summaries = [s for s in stories.summaries(lang) if s.status == "published"]
    if theme:
        wanted = theme.casefold().replace("-", "_")
        summaries = [
            s
            for s in summaries
            if any(wanted in (t.casefold(), theme_name(t, lang).casefold()) for t in s.themes)
        ]
        if not summaries:
            raise StoryError(
                f"No published story has the theme {theme!r}.", "refusal.no_theme", theme=theme
            )
    keys = [week.view.story.key] if week is not None else []
    keys += [s.key for s in summaries if s.group != (week.feature.group if week else None)]
    keys = keys[:limit] if limit else keys
    return [stories.view(key, lang) for key in keys]


def story_pdf(stories, ref: str, lens: str, paper: str, today, feedback_url: str = "") -> Printed:
    from app.export.story_sheet import story_sheet

    return finish(story_sheet(stories.view(ref), today, lens, paper, feedback_url))


def cards_pdf(stories, weeks, lang: str, paper: str, ref: str = "", theme: str = "") -> Printed:
    """Highlight cards: of one story, of a theme, or of every published story."""
    from app.export.cards import highlight_cards

    views = [stories.view(ref, lang)] if ref else playlist_views(stories, weeks, lang, theme)
    views = [view for view in views if view.story.highlight]
    if not views:
        raise StoryError("There is no story with a highlight to print.", "refusal.no_highlight")
    return finish(highlight_cards(views, paper))


def prompts_pdf(stories, lang: str, paper: str, ref: str = "") -> Printed:
    """Prompt cards: the bank's, in `lang`, or one story's own."""
    from app.export.cards import prompt_cards

    prompts = list(prompt_bank(lang))
    if ref:
        view = stories.view(ref, lang)
        lang, prompts = view.story.lang, list(view.story.prompts)
        if not prompts:
            raise StoryError(
                f"The story {ref!r} has no prompt cards.", "refusal.no_prompts", ref=ref
            )
    return finish(prompt_cards(prompts, lang, paper))


def template_pdf(lang: str, paper: str) -> Printed:
    from app.export.blank_postmortem import blank_template

    return finish(blank_template(lang, paper))


def poster_pdf(policy, lang: str, paper: str) -> Printed:
    from app.export.poster import severity_poster

    return finish(severity_poster(policy, lang, paper))


def report_pdf(postmortems, code: str, lang: str, actor: str, paper: str, today=None) -> Printed:
    """The incident report; labels and the system's timeline lines in `lang`, the rest of the
    postmortem's text as written."""
    from dataclasses import replace

    from app.export.report import incident_report

    draft, facts = postmortems.report(code, lang, actor)
    timeline = postmortems.timeline_for_reader(code, draft.postmortem, lang)
    postmortem = replace(draft.postmortem, timeline=timeline)
    return finish(incident_report(postmortem, facts, paper, lang, today))


def booklet_pdf(
    stories,
    weeks,
    lang: str,
    paper: str,
    today,
    theme: str = "",
    lens="engineering",
    limit: int | None = None,
    progress=None,
) -> Printed:
    from app.domain.i18n import Catalog
    from app.export.booklet import booklet

    t = Catalog(lang).t
    views = playlist_views(stories, weeks, lang, theme, limit)
    if not views:
        raise StoryError("There is no published story to print.", "refusal.nothing_to_print")
    title = (
        t("sheet.booklet_theme", theme=theme_name(theme, lang))
        if theme
        else t("sheet.booklet_title", date=today.isoformat())
    )
    return finish(booklet(views, lang, today, title, lens, paper, progress))


def regulator_pdf(incidents, postmortems, code: str, lang: str, paper: str) -> Printed:
    """The report to a regulator, filled from the incident and its postmortem if any."""
    from app.export.regulator_report import regulator_report

    return finish(regulator_report(incidents.view(code), postmortems.existing(code), lang, paper))


def metrics_pdf(report, lang: str, paper: str, today=None) -> Printed:
    """The quarterly review of a metrics report (app.services.metrics_service)."""
    from app.export.metrics_review import metrics_review

    return finish(metrics_review(report, lang, paper, today))


def render(
    request: SheetRequest,
    today,
    *,
    stories=None,
    weeks=None,
    postmortems=None,
    policy=None,
    actor: str = "",
    progress=None,
    metrics=None,
    incidents=None,
) -> Printed:
    """The sheet a request names; `stories` and `weeks` (the story and week services) when
    `needs_stories`, `postmortems` for a report, `policy` for a poster, `metrics` (a
    MetricsReport) for the review."""
    kind, lang, paper = request.kind, request.lang, request.paper
    if kind == "template":
        return template_pdf(lang, paper)
    if kind == "poster":
        return poster_pdf(policy, lang, paper)
    if kind == "metrics":
        return metrics_pdf(metrics, lang, paper, today)
    if kind == "regulator":
        return regulator_pdf(incidents, postmortems, request.ref, lang, paper)
    if kind == "report":
        return report_pdf(postmortems, request.ref, lang, actor, paper, today)
    if kind == "story":
        return story_pdf(stories, request.ref, request.lens, paper, today, request.feedback_url)
    if kind == "cards":
        return cards_pdf(stories, weeks, lang, paper, request.ref, request.theme)
    if kind == "prompts":
        return prompts_pdf(stories, lang, paper, request.ref)
    if kind == "booklet":
        return booklet_pdf(
            stories, weeks, lang, paper, today, request.theme, request.lens, request.limit, progress
        )
    raise ValueError(f"{kind!r} is not one of {', '.join(KINDS)}.")
