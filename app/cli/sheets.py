"""`storycart export story|cards|prompts|template|poster|report|booklet ... -o FILE.pdf`: the
cart's paper from the command line."""

from __future__ import annotations

import sys

from app.cli.errors import CommandError
from app.cli.services import open_services
from app.config import Settings
from app.domain.i18n import Catalog
from app.domain.textsafe import printable

LENSES = ("engineering", "product", "support")
PAPERS = ("a4", "letter")


def add_sheet_parsers(kinds, common) -> None:
    def sheet(kind: str, help_text: str, description: str, papers=PAPERS, paper="a4"):
        parser = kinds.add_parser(kind, parents=[common], help=help_text, description=description)
        parser.add_argument("--paper", choices=papers, default=paper)
        parser.add_argument(
            "-o", "--output", required=True, metavar="FILE", help="file, or - for stdout"
        )
        parser.set_defaults(export_text=sheet_pdf, export_kind="pdf")
        return parser

    story = sheet(
        "story",
        "a story sheet (PDF) for the cart",
        "Print a story as a 1–2 page sheet in its own language: title, strip, "
        "highlight, narrative, timeline strip, one lens, follow-ups, what changed "
        "since, prompt cards.",
    )
    story.add_argument("id", help="a story's id or key (as `story list` prints)")
    story.add_argument("--lens", choices=LENSES, default="engineering")
    cards = sheet(
        "cards",
        "highlight cards (PDF), six per page with cut marks",
        "One card per story: of one story (ID), of a --theme, or of every "
        "published story, the story of the week first.",
    )
    cards.add_argument("id", nargs="?", default="", help="one story's id or key")
    cards.add_argument("--theme", default="", help="only stories with this theme")
    prompts = sheet(
        "prompts",
        "prompt cards (PDF), eight per page with cut marks",
        "The prompt bank in --lang, or one story's own prompt cards.",
    )
    prompts.add_argument("id", nargs="?", default="", help="one story's id or key")
    sheet(
        "template",
        "a blank postmortem template (PDF) to fill in on paper",
        "Every section of a postmortem with room to write, in --lang.",
    )
    poster = sheet(
        "poster",
        "the severity matrix of a policy as a poster (PDF)",
        "Definitions, targets, whom to notify first and the ladder of each level, "
        "on one A3 (or A4, or Letter) landscape page.",
        papers=("a3", "a4", "letter"),
        paper="a3",
    )
    poster.add_argument("name", nargs="?", help="policy name (default: --policy or web-service)")
    report = sheet(
        "report",
        "the incident report of a postmortem (PDF)",
        "Basic information, executive summary, timeline, root cause, impact, "
        "mitigation, action items and lessons (seed 001 §4).",
    )
    report.add_argument("id", help="the incident id, e.g. INC-2026-0001")
    booklet = sheet(
        "booklet",
        "the week's stories as one PDF (the weekly refill)",
        "A contents page, then the story of the week and every other published "
        "story (or one --theme), each from a new page.",
    )
    booklet.add_argument("--theme", default="")
    booklet.add_argument("--lens", choices=LENSES, default="engineering")
    booklet.add_argument("--limit", type=int, metavar="N", help="at most N stories")
    regulator = sheet(
        "regulator",
        "the report to a regulator (PDF), from an incident (seed 001 §3-2)",
        "The checklist (regulation, whether a report is required, the 72 h deadline from the "
        "discovery) and the required items, filled from the incident and its postmortem.",
    )
    regulator.add_argument("id", help="the incident id, e.g. INC-2026-0001")
    review = sheet(
        "metrics",
        "the incident review of a quarter (PDF) for the executive dashboard",
        "Headline figures against the targets, incidents per week and per severity, each "
        "severity's times with their spread, recurrences and overdue follow-ups, for the "
        "active policy (--policy).",
    )
    review.add_argument("--period", choices=("month", "quarter", "year"), default="quarter")
    review.add_argument("--back", type=int, default=0, help="so many periods before this one")


def sheet_pdf(settings: Settings, args) -> bytes:
    from app.domain.clock import SystemClock
    from app.domain.story.model import StoryError
    from app.export.printing import SheetRequest, render

    if getattr(args, "limit", None) is not None and args.limit < 1:
        raise CommandError(f"--limit must be 1 or more, not {args.limit}.")
    request = SheetRequest(
        args.export_command,
        settings.lang,
        args.paper,
        ref=getattr(args, "id", None) or getattr(args, "name", None) or "",
        lens=getattr(args, "lens", "engineering"),
        theme=getattr(args, "theme", ""),
        limit=getattr(args, "limit", None),
        feedback_url=settings.feedback_url,
    )
    today = SystemClock().now().astimezone().date()
    try:
        if request.kind == "poster":
            printed = render(request, today, policy=_policy(settings, args.name))
        elif request.kind == "metrics":
            printed = render(request, today, metrics=_metrics_report(settings, args))
        elif request.kind in ("report", "regulator"):
            printed = _report(settings, request, today)
        elif request.needs_stories:
            with open_services(settings) as services:
                printed = render(request, today, stories=services.stories, weeks=services.week)
        else:
            printed = render(request, today)
    except StoryError as error:
        raise CommandError(str(error)) from None
    if printed.missing:
        said = Catalog(settings.lang).t("cli.missing_glyph", chars=printed.missing)
        print(f"storycart: {printable(said)}", file=sys.stderr)
    return printed.data


def _policy(settings: Settings, name: str | None):
    from app.services.policy_set import load_policies, policy_sources

    policies = load_policies(policy_sources(settings.policy_dir, settings.policy_files))
    wanted = name or settings.policy or "web-service"
    if wanted not in policies.policies:
        raise CommandError(f"There is no policy {wanted!r}; known: {', '.join(policies.names())}.")
    return policies.get(wanted)


def _metrics_report(settings: Settings, args):
    from app.cli.metrics import metrics_service
    from app.domain.metrics import period_bounds

    policy = _policy(settings, None)
    service = metrics_service(settings)
    try:
        since, until = period_bounds(args.period, service.clock.now().astimezone(), args.back)
        return service.report(policy, since, until, pause_gc=True)
    finally:
        service.database.close()


def _report(settings: Settings, request, today):
    from app.domain.clock import SystemClock
    from app.domain.incident import IncidentError
    from app.export.printing import render

    with open_services(settings, SystemClock()) as services:
        try:
            return render(
                request,
                today,
                postmortems=services.postmortems,
                incidents=services.incidents,
                actor=settings.user,
            )
        except IncidentError as error:
            raise CommandError(str(error)) from None
