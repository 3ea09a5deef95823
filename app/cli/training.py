"""`storycart training`: the training checklists (seed 003 §8.1) — who has done which onboarding
and quarterly item, and when; `training done ITEM --person NAME` records it."""

from __future__ import annotations

import json

from app.cli.errors import CommandError
from app.cli.services import open_services
from app.config import Settings
from app.domain.i18n import Catalog, said_in
from app.domain.textsafe import printable
from app.domain.word_lists import joined


def add_training_parsers(commands, common) -> None:
    training = commands.add_parser(
        "training",
        parents=[common],
        help="training checklists: onboarding and quarterly, who did what and when",
        description="Who has done each training item (seed 003 §8.1): onboarding once, the "
        "quarterly items (tabletop, rollback practice, postmortem review) every quarter.",
    )
    training.add_argument("--person", action="append", default=[], help="show this person too")
    training.add_argument("--json", action="store_true", help="machine-readable JSON")
    training.set_defaults(handler=cmd_training, training_action=_show)
    actions = training.add_subparsers(dest="training_command", metavar="ACTION")
    done = actions.add_parser("done", parents=[common], help="record a training item as done")
    done.add_argument("item", help="checklist/item, e.g. quarterly/tabletop (see `training`)")
    done.add_argument("--person", action="append", required=True, help="who did it (repeatable)")
    done.add_argument("--at", help="when, if not now: ISO 8601 or '2d ago'")
    done.add_argument("--actor", help="who records it (default: your user name)")
    done.set_defaults(handler=cmd_training, training_action=_done)


def cmd_training(settings: Settings, args) -> int:
    from app.domain.training import TrainingError

    with open_services(settings) as services:
        try:
            return args.training_action(services, settings, args)
        except TrainingError as error:
            raise CommandError(said_in(error, Catalog(settings.lang))) from None


def _show(services, settings, args) -> int:
    from app.domain.message_templates import local_time
    from app.domain.text_layout import pad_cells

    catalog = Catalog(settings.lang)
    shown = services.training.states(args.person)
    if args.json:
        document = [
            {
                "person": state.person,
                "item": state.item.ref,
                "done_at": state.done_at.isoformat() if state.done_at else None,
                "current": state.current,
            }
            for state in shown
        ]
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0
    if not shown:
        print(printable(catalog.t("training.nobody")))
    for state in shown:
        mark = "✓" if state.current else "·"
        when = local_time(state.done_at) if state.done_at else "—"
        text = state.item.text.get(settings.lang)
        person, ref = pad_cells(state.person, 12), pad_cells(state.item.ref, 28)
        print(printable(f"{mark} {person} {ref} {pad_cells(when, 20)} {text}"))
    return 0


def _done(services, settings, args) -> int:
    from app.domain.clock import SystemClock
    from app.domain.moments import MomentError, parse_moment

    catalog = Catalog(settings.lang)
    try:
        at = parse_moment(args.at, SystemClock().now()) if args.at else None
    except MomentError as error:
        raise CommandError(str(error)) from None
    names = services.training.record(args.item, args.person, args.actor or settings.user, at)
    print(
        printable(catalog.t("training.recorded", item=args.item, names=joined(names, catalog.lang)))
    )
    return 0
