"""`storycart export markdown` and `storycart import`: postmortems as Markdown files."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.errors import CommandError
from app.cli.services import open_services
from app.config import Settings
from app.domain.i18n import Catalog, said_in
from app.domain.textsafe import printable
from app.services.files import OutputError, write_output


def add_exchange_parsers(commands, common: argparse.ArgumentParser) -> None:
    export = commands.add_parser(
        "export",
        parents=[common],
        help="write a postmortem (or a blank one) as a file",
        description="Write documents: `markdown` a postmortem (seed 003's template) or a blank "
        "one; `json` the story library; PDFs for the cart: story, cards, prompts, template, "
        "poster, report, booklet.",
    )
    export.set_defaults(handler=cmd_export)
    kinds = export.add_subparsers(dest="export_command", metavar="KIND", required=True)
    markdown = kinds.add_parser(
        "markdown",
        parents=[common],
        help="a postmortem as Markdown",
        description="Write a postmortem as Markdown that `storycart import` reads back.",
    )
    which = markdown.add_mutually_exclusive_group(required=True)
    which.add_argument("--postmortem", metavar="ID", help="the incident id, e.g. INC-2026-0001")
    which.add_argument("--blank", action="store_true", help="an empty template (--lang)")
    markdown.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="file, or - for stdout"
    )
    markdown.set_defaults(export_text=_markdown_text, export_kind="markdown")
    library = kinds.add_parser(
        "json",
        parents=[common],
        help="the whole story library as JSON",
        description="Write every story, the story-of-the-week history, nominations, feedback "
        "and the cart's locations as JSON that `storycart import` reads back.",
    )
    library.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="file, or - for stdout"
    )
    library.set_defaults(export_text=_library_text, export_kind="json")
    from app.cli.sheets import add_sheet_parsers

    add_sheet_parsers(kinds, common)
    importing = commands.add_parser(
        "import",
        parents=[common],
        help="read a postmortem (Markdown) or a library (JSON)",
        description="Store a postmortem written by `export markdown` (edited or not) as the "
        "incident's postmortem, or the stories of a library written by `export json`. A "
        "malformed file is refused with its line number or the story at fault; nothing is "
        "changed then.",
    )
    importing.add_argument("file")
    importing.add_argument("--actor", help="who is importing (default: your user name)")
    importing.set_defaults(handler=cmd_import)


def cmd_export(settings: Settings, args) -> int:
    text = args.export_text(settings, args)
    try:
        target = write_output(args.output, text, args.export_kind)
    except OutputError as error:
        raise _fail(said_in(error, Catalog(settings.lang))) from None
    if target is not None:
        print(printable(Catalog(settings.lang).t("cli.wrote", path=str(target))))
    return 0


def _library_text(settings: Settings, _args) -> str:
    from app.cli.story import export_library_json

    return export_library_json(settings)


def _markdown_text(settings: Settings, args) -> str:
    from app.domain.postmortem.markdown import blank_markdown

    if args.blank:
        return blank_markdown(settings.lang)
    from app.domain.incident import IncidentError

    with open_services(settings) as services:
        try:
            return services.postmortems.export_markdown(
                args.postmortem, settings.lang, settings.user
            )
        except IncidentError as error:
            raise _fail(str(error)) from None


def cmd_import(settings: Settings, args) -> int:
    from app.domain.clock import SystemClock
    from app.domain.incident import IncidentError
    from app.domain.postmortem.markdown import MarkdownError
    from app.domain.postmortem.model import PostmortemError
    from app.services.postmortem_service import PostmortemService
    from storage.database import Database

    path = Path(args.file)
    catalog = Catalog(settings.lang)
    t = catalog.t
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise _fail(t("cli.file_missing", path=str(path))) from None
    except UnicodeDecodeError:
        raise _fail(t("cli.file_not_utf8", path=str(path))) from None
    except OSError as error:
        raise _fail(t("cli.file_unreadable", path=str(path), reason=error.strerror)) from None
    text = text.replace("\x00", "")  # see cli_story._without_nul
    if text.lstrip().startswith(("{", "[")):
        from app.cli.story import import_library_json

        counts = import_library_json(settings, text, str(path), args.actor or settings.user)
        print(printable(t("cli.imported_library", counts=counts)))
        return 0
    database = Database.open(settings.db_url)
    try:
        service = PostmortemService(database, SystemClock())
        code = service.import_markdown(text, args.actor or settings.user)
    except MarkdownError as error:
        said = said_in(error, catalog)
        raise _fail(t("cli.markdown_refused", path=str(path), said=said)) from None
    except (IncidentError, PostmortemError) as error:
        said = said_in(error, catalog)
        raise _fail(t("cli.file_refused", path=str(path), said=said)) from None
    finally:
        database.close()
    print(t("cli.imported_postmortem", code=code))
    return 0


def _fail(message: str):
    return CommandError(message)
