"""`storycart story list|show|week|search|nominate` and the library as JSON
(`storycart export json`, `storycart import FILE.json`)."""

from __future__ import annotations

import argparse
import json

from app.cli.errors import CommandError
from app.cli.services import open_services
from app.config import Settings
from app.domain.textsafe import printable
from app.domain.word_lists import joined


def add_story_parsers(commands, common: argparse.ArgumentParser) -> None:
    story = commands.add_parser(
        "story",
        parents=[common],
        help="the library of incident stories",
        description="Browse the library of incident stories and the story of the week.",
    )
    actions = story.add_subparsers(dest="story_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[common], help="every story, newest first")
    listing.add_argument("--json", action="store_true", help="machine-readable JSON")
    show = actions.add_parser("show", parents=[common], help="one story, whole")
    show.add_argument("id", help="a story's id or key (as `story list` prints)")
    show.add_argument(
        "--lens", choices=("engineering", "product", "support"), help="only this lens"
    )
    show.add_argument("--json", action="store_true", help="machine-readable JSON")
    week = actions.add_parser(
        "week", parents=[common], help="the story of the week and when it rotates"
    )
    week.add_argument("--json", action="store_true", help="machine-readable JSON")
    search = actions.add_parser(
        "search",
        parents=[common],
        help="stories containing every word of QUERY",
        description="Find stories by any substring of their title, text, lenses or lessons, "
        "in any language (two-character Korean and Japanese words included).",
    )
    search.add_argument("query")
    search.add_argument("--json", action="store_true", help="machine-readable JSON")
    nominate = actions.add_parser(
        "nominate", parents=[common], help="ask for an incident or story to be featured"
    )
    nominate.add_argument("id", help="an incident id (INC-…) or a story id or key")
    nominate.add_argument("reason", help="why other teams should know this story")
    translate = actions.add_parser(
        "translate",
        parents=[common],
        help="start the story in another language",
        description="Create a draft of the story in another language, linked to it and prefilled "
        "with its text, for a translator to write over (in the app: T on the story). The reader, "
        "the kiosk and printed sheets show the translation once it is published. When the "
        "translation exists already, says where it is.",
    )
    translate.add_argument("id", help="a story's id or key (as `story list` prints)")
    translate.add_argument("--to", required=True, choices=("en", "ko", "ja"), dest="target")
    translate.add_argument("--actor", help="who is translating (default: your user name)")
    diagram = actions.add_parser(
        "diagram",
        parents=[common],
        help="a story's diagrams: list, attach an image or a text diagram, remove one",
        description="Without options, lists the story's diagrams. --image attaches a PNG, JPEG "
        "or SVG file (at most 2 MiB); --text a text diagram from a file ('-' reads standard "
        "input), at most 120 columns and 60 lines, a Korean or Japanese character counting as "
        "two columns as in a terminal. The reader, the kiosk, the story sheet and the booklet "
        "show them (in the app: F7 / F8 in the story editor).",
    )
    diagram.add_argument("id", help="a story's id or key (as `story list` prints)")
    what = diagram.add_mutually_exclusive_group()
    what.add_argument("--image", metavar="FILE", help="attach this image file")
    what.add_argument("--text", metavar="FILE", help="attach this text diagram ('-': stdin)")
    what.add_argument("--remove", metavar="N", type=int, help="remove diagram N (1 is the first)")
    diagram.add_argument("--caption", default="", help="a line under the diagram")
    diagram.add_argument("--actor", help="who is changing the story (default: your user name)")
    diagram.add_argument("--json", action="store_true", help="list as JSON (without the images)")
    for parser, carry_out in (
        (diagram, _diagram),
        (listing, _list),
        (show, _show),
        (week, _week),
        (search, _search),
        (nominate, _nominate),
        (translate, _translate),
    ):
        parser.set_defaults(handler=cmd_story, story_action=carry_out)


def cmd_story(settings: Settings, args) -> int:
    from app.domain.incident import IncidentError
    from app.domain.story.model import StoryError

    with open_services(settings) as services:
        try:
            return args.story_action(services, settings, args)
        except (StoryError, IncidentError) as error:
            raise CommandError(str(error)) from None


def _summary_document(item) -> dict:
    return {
        "id": item.id,
        "key": item.key,
        "lang": item.lang,
        "title": item.title,
        "kind": item.kind,
        "severity": item.severity,
        "date": item.occurred_on,
        "themes": list(item.themes),
        "status": item.status,
        "example": item.example,
        "incident": item.incident or None,
    }


def _print_summaries(items, as_json: bool, lang: str) -> None:
    if as_json:
        print(json.dumps([_summary_document(i) for i in items], ensure_ascii=False, indent=2))
        return
    from app.domain.i18n import Catalog

    t = Catalog(lang).t
    for item in items:
        marks = f" {t('cli.mark_example')}" if item.example else ""
        marks += f" {t('cli.mark_draft')}" if item.status != "published" else ""
        print(
            f"{item.id:>5}  {item.occurred_on or '—':<10}  {item.severity or '—':<6}  "
            f"{printable(item.title)}{marks}"
        )


def _list(services, settings, args) -> int:
    _print_summaries(services.stories.summaries(settings.lang), args.json, settings.lang)
    return 0


def _search(services, settings, args) -> int:
    found = services.stories.search(args.query, settings.lang)
    _print_summaries(found, args.json, settings.lang)
    if not found and not args.json:
        from app.domain.i18n import Catalog

        print(printable(Catalog(settings.lang).t("cli.no_story", query=args.query)))
    return 0


def _view_document(view) -> dict:
    from app.domain.story.model import to_document

    document = to_document(view.story)
    document["follow_ups"] = [dict(vars(f)) for f in view.follow_ups]
    document["loop"] = {
        "done": view.loop.done,
        "open": view.loop.open,
        "overdue": view.loop.overdue,
    }
    document["translations"] = list(view.translations)
    return document


def _show(services, settings, args) -> int:
    view = services.stories.view(args.id)
    if args.json:
        print(json.dumps(_view_document(view), ensure_ascii=False, indent=2))
        return 0
    print(_story_text(view, settings.lang, _today(services), args.lens))
    return 0


def _story_text(view, lang: str, today, only_lens: str | None = None) -> str:
    from app.domain.i18n import Catalog
    from app.domain.story.bank import theme_name
    from app.domain.story.follow_ups import loop_state
    from app.domain.story.model import LENSES

    catalog, story = Catalog(lang), view.story
    themes = joined((theme_name(t, lang) for t in story.themes), lang)
    lines = [
        story.title,
        " · ".join(
            part
            for part in (
                story.severity,
                catalog.t(f"story.kind.{story.kind}"),
                story.occurred_on,
                themes,
            )
            if part
        ),
        "",
    ]
    if only_lens is None:
        lines += [story.highlight, "", story.narrative, ""]
    for lens in (only_lens,) if only_lens else LENSES:
        lines += [f"{catalog.t(f'story.lens.{lens}')}", story.lenses.get(lens, "—"), ""]
    if only_lens is None:
        if story.lessons:
            lines += [catalog.t("story.lessons"), story.lessons, ""]
        if view.follow_ups:
            lines.append(catalog.t("story.loop"))
            for item in view.follow_ups:
                state = loop_state(item, today)
                lines.append(
                    f"  [{catalog.t(f'story.loop_state.{state}')}] {item.title}"
                    f" — {item.owner or '—'} {item.due}".rstrip()
                )
            lines.append("")
        if story.changes:
            lines += [catalog.t("story.changes"), story.changes, ""]
        if story.prompts:
            lines.append(catalog.t("story.prompts"))
            lines += [f"  ? {prompt}" for prompt in story.prompts]
        if story.diagrams:
            lines += ["", catalog.t("story.diagrams"), *_diagram_lines(story.diagrams, catalog)]
    return printable("\n".join(lines).rstrip())


def _diagram_lines(diagrams, catalog) -> list[str]:
    lines = []
    for number, diagram in enumerate(diagrams, 1):
        if diagram.is_image:
            key = "story.diagram_svg" if diagram.kind == "SVG" else "story.diagram_image"
            lines.append(
                f"{number}. "
                + catalog.t(
                    key,
                    kind=diagram.kind,
                    name=diagram.name,
                    width=diagram.width,
                    height=diagram.height,
                )
            )
        else:
            lines.append(f"{number}.")
            lines += diagram.lines()
        if diagram.caption:
            lines.append(f"   {diagram.caption}")
    return lines


def _diagram(services, settings, args) -> int:
    from app.domain.i18n import Catalog

    actor = args.actor or settings.user
    catalog = Catalog(settings.lang)
    if args.image or args.text:
        new = _read_diagram(args, catalog)
        view = services.stories.add_diagram(args.id, new, actor)
    elif args.remove is not None:
        view = services.stories.remove_diagram(args.id, args.remove, actor)
    else:
        view = services.stories.view(args.id)
    diagrams = view.story.diagrams
    if args.json:
        listed = [
            {k: v for k, v in vars(d).items() if k != "image"} | {"kind": d.kind} for d in diagrams
        ]
        print(json.dumps(listed, ensure_ascii=False, indent=2))
    else:
        print(printable("\n".join(_diagram_lines(diagrams, catalog)) or "—"))
    return 0


def _read_diagram(args, catalog):
    import sys
    from pathlib import Path

    from app.domain.story.diagrams import text_diagram
    from app.export.diagrams import attachable_image

    if args.text == "-":
        return text_diagram(sys.stdin.read(), args.caption)
    path = Path(args.image or args.text).expanduser()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(catalog.t("refusal.no_file", path=str(path))) from None
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror}.") from None
    if args.image:
        return attachable_image(data, path.name, args.caption)
    try:
        return text_diagram(data.decode("utf-8"), args.caption)
    except UnicodeDecodeError:
        raise CommandError(catalog.t("cli.file_not_utf8", path=str(path))) from None


def _week(services, settings, args) -> int:
    week = services.week.week(settings.lang)
    if week is None:
        raise CommandError("There is no published story to feature yet.")
    if args.json:
        print(
            json.dumps(
                {
                    "story": _view_document(week.view),
                    "starts_at": week.feature.starts_at.isoformat(),
                    "rotates_at": week.rotates_at.isoformat() if week.rotates_at else None,
                    "reason": week.feature.reason,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    from app.domain.i18n import Catalog

    catalog = Catalog(settings.lang)
    if week.rotates_at is None:
        when = catalog.t("story.week_pinned")
    else:
        when = catalog.t(
            "story.week_until", when=week.rotates_at.astimezone().strftime("%Y-%m-%d %H:%M")
        )
    print(printable(f"{catalog.t('story.week')} · {when}"))
    print()
    print(_story_text(week.view, settings.lang, _today(services)))
    return 0


def _today(services):
    return services.stories.clock.now().astimezone().date()


def _translate(services, settings, args) -> int:
    view = services.stories.translate(args.id, args.target, args.actor or settings.user)
    story = view.story
    state = "draft" if story.status != "published" else "published"
    print(printable(f"{story.key}  {state}  {story.title}"))
    return 0


def _nominate(services, settings, args) -> int:
    services.cart.nominate(args.id, args.reason, settings.user)
    from app.domain.i18n import Catalog

    print(printable(Catalog(settings.lang).t("cli.nominated", ref=args.id)))
    return 0


# -- the library as JSON --------------------------------------------------------------------


def export_library_json(settings: Settings) -> str:
    with open_services(settings) as services:
        return json.dumps(services.exchange.export_document(), ensure_ascii=False, indent=2) + "\n"


def _without_nul(value):
    """NUL characters dropped from every string: never meaningful in text, and PostgreSQL
    refuses them (a file that loads on SQLite must load on a team server too)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


def import_library_json(settings: Settings, text: str, where: str, actor: str) -> str:
    from app.domain.i18n import Catalog, said_in
    from app.domain.story.model import StoryError

    catalog = Catalog(settings.lang)
    t = catalog.t
    try:
        document = _without_nul(json.loads(text))
    except json.JSONDecodeError as error:
        raise CommandError(
            t("cli.json_invalid", path=where, line=error.lineno, reason=error.msg)
        ) from None
    except RecursionError:
        raise CommandError(t("cli.json_too_deep", path=where)) from None
    with open_services(settings) as services:
        try:
            counts = services.exchange.import_document(document, actor)
        except StoryError as error:
            raise CommandError(
                t("cli.file_refused", path=where, said=said_in(error, catalog))
            ) from None
    return ", ".join(t(f"cli.count_{name}", n=count) for name, count in counts.items())
