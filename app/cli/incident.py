"""`storycart incident …`: declare, acknowledge, update, escalate, resolve, reopen, list and
show from scripts and monitors. Human output is in the --lang language and passes through
printable(); --json is exact. Acknowledging or resolving twice is not an error (a monitor may
retry): it says so and exits 0."""

from __future__ import annotations

import json
from dataclasses import replace

from app.cli.errors import CommandError
from app.cli.policy import command_policies, policy_named
from app.config import Settings
from app.domain.escalation import StepState
from app.domain.i18n import Catalog, said_in
from app.domain.incident import AlreadyDone, IncidentError
from app.domain.moments import MomentError
from app.domain.textsafe import printable
from app.domain.word_lists import joined

ACTOR_HELP = "who is acting (default: your user name)"


def add_incident_parsers(commands, common) -> None:
    incident = commands.add_parser(
        "incident",
        parents=[common],
        help="declare, acknowledge, update, escalate, resolve, list, show incidents",
        description="Incidents from the command line (scripts and monitors use these).",
    )
    actions = incident.add_subparsers(dest="incident_command", metavar="ACTION", required=True)
    declare = actions.add_parser(
        "declare",
        parents=[common],
        help="declare an incident and print its id",
        description="Declare an incident under the active policy; prints its id.",
    )
    declare.add_argument("--title", required=True)
    declare.add_argument("--severity", required=True)
    declare.add_argument("--type", dest="type_key", help="incident type (default: the first)")
    declare.add_argument("--impact", default="")
    declare.add_argument("--commander")
    _add_time_flags(declare)
    _add_at_flag(declare, "declared")
    declare.add_argument("--actor", help=ACTOR_HELP)
    declare.set_defaults(handler=cmd_incident, incident_action=_declare)
    report = actions.add_parser(
        "report",
        parents=[common],
        help="the regulatory report: required, not-required, or filed",
        description="Decide whether the incident must be reported to a regulator (its clock "
        "keeps running, or stops), or record that the report was filed (--at, default now).",
    )
    report.add_argument("id")
    report.add_argument("decision", choices=("required", "not-required", "filed"))
    report.add_argument("--at", help="when it was filed (ISO 8601 or '2h ago')")
    report.add_argument("--actor", help=ACTOR_HELP)
    report.set_defaults(handler=cmd_incident, incident_action=_report)
    times = actions.add_parser(
        "times",
        parents=[common],
        help="correct when the impact began and when it was first detected",
        description="Correct when the impact began (--started) and when the first signal came "
        "(--detected); the metrics measure from them. Logged in the timeline.",
    )
    times.add_argument("id")
    _add_time_flags(times)
    times.add_argument("--actor", help=ACTOR_HELP)
    times.set_defaults(handler=cmd_incident, incident_action=_times)
    for action, text, carry_out in (
        ("ack", "acknowledge an incident (again: a note, exit 0)", _acknowledge),
        ("resolve", "resolve an incident (again: a note, exit 0)", _resolve),
        ("reopen", "reopen a resolved incident", _reopen),
        (
            "escalate",
            "fire the next escalation step now; says whether it was early or late",
            _escalate,
        ),
    ):
        sub = actions.add_parser(action, parents=[common], help=text, description=text + ".")
        sub.add_argument("id")
        if action in ("ack", "resolve"):
            _add_at_flag(sub, {"ack": "acknowledged", "resolve": "resolved"}[action])
        sub.add_argument("--actor", help=ACTOR_HELP)
        sub.set_defaults(handler=cmd_incident, incident_action=carry_out)
    status_update = actions.add_parser(
        "update",
        parents=[common],
        help="post a status update",
        description="Post a status update; resets the update clock.",
    )
    status_update.add_argument("id")
    status_update.add_argument("--status", required=True)
    status_update.add_argument("--text", required=True)
    _add_at_flag(status_update, "posted")
    status_update.add_argument("--actor", help=ACTOR_HELP)
    status_update.set_defaults(handler=cmd_incident, incident_action=_update)
    listing = actions.add_parser(
        "list", parents=[common], help="open incidents", description="List open incidents."
    )
    listing.add_argument("--all", action="store_true", help="include resolved incidents")
    listing.add_argument("--json", action="store_true", help="machine-readable JSON")
    listing.set_defaults(handler=cmd_incident, incident_action=_list)
    show = actions.add_parser(
        "show",
        parents=[common],
        help="one incident in full",
        description="Show an incident: deadlines, escalation steps and events, timeline.",
    )
    show.add_argument("id")
    show.add_argument("--json", action="store_true", help="machine-readable JSON")
    show.set_defaults(handler=cmd_incident, incident_action=_show)


def _add_time_flags(parser) -> None:
    moment = "an ISO 8601 time (2026-11-24T08:40, your time zone unless given) or '25m ago'"
    parser.add_argument("--started", help=f"when the impact began: {moment}")
    parser.add_argument("--detected", help=f"when the first signal came: {moment}")


def _add_at_flag(parser, done: str) -> None:
    parser.add_argument(
        "--at",
        help=f"when it was {done}, entered after the fact: an ISO 8601 time or '25m ago' "
        "(not in the future, not before what it follows; the timeline says it was entered late)",
    )


def _at(service, args):
    from app.domain.moments import parse_moment

    return parse_moment(args.at, service.clock.now()) if args.at else None


def _moments(service, args) -> dict:
    from app.domain.moments import parse_moment

    now = service.clock.now()
    return {
        "started_at": parse_moment(args.started, now) if args.started else None,
        "detected_at": parse_moment(args.detected, now) if args.detected else None,
    }


def _service(settings: Settings):
    from app.domain.clock import SystemClock
    from app.domain.incident import alert_channels
    from app.services.incident_service import IncidentService
    from app.services.policy_versions import PolicyVersions
    from storage.database import Database

    database = Database.open(settings.db_url)
    clock = SystemClock()
    store = PolicyVersions(database, clock)
    return IncidentService(
        database, clock, store, alert_channels(settings), settings.channels, settings.roster
    )


def cmd_incident(settings: Settings, args) -> int:
    catalog = Catalog(settings.lang)
    service = _service(settings)
    actor = getattr(args, "actor", None) or settings.user
    try:
        args.incident_action(service, settings, args, actor, catalog)
    except AlreadyDone as done:
        print(catalog.t("cli.nothing_changed", said=said_in(done, catalog)))
    except (IncidentError, MomentError) as error:
        raise CommandError(said_in(error, catalog)) from None
    finally:
        service.database.close()
    return 0


def _declare(service, settings: Settings, args, actor: str, _catalog: Catalog) -> None:
    policies = command_policies(settings)
    name = settings.policy or policies.choose("web-service").name
    code = service.declare(
        policy_named(policies, name),
        args.title,
        args.severity,
        actor=actor,
        type_key=args.type_key,
        impact=args.impact,
        commander=args.commander,
        at=_at(service, args),
        **_moments(service, args),
    )
    print(code)


def _report(service, _settings, args, actor: str, _catalog) -> None:
    from app.domain.moments import parse_moment

    if args.decision == "filed":
        at = parse_moment(args.at, service.clock.now()) if args.at else None
        service.file_report(args.id, actor, at)
    else:
        service.decide_report(args.id, actor, required=args.decision == "required")


def _times(service, _settings, args, actor: str, _catalog) -> None:
    if not (args.started or args.detected):
        raise IncidentError("refusal.times_needed")
    service.set_times(args.id, actor, **_moments(service, args))


def _acknowledge(service, _settings, args, actor: str, _catalog) -> None:
    service.acknowledge(args.id, actor, at=_at(service, args))


def _resolve(service, _settings, args, actor: str, _catalog) -> None:
    service.resolve(args.id, actor, at=_at(service, args))


def _reopen(service, _settings, args, actor: str, _catalog) -> None:
    service.reopen(args.id, actor)


def _update(service, _settings, args, actor: str, _catalog) -> None:
    service.post_update(args.id, actor, args.status, args.text, at=_at(service, args))


def _escalate(service, _settings, args, actor: str, catalog: Catalog) -> None:
    _print_escalation(service.escalate_now(args.id, actor), catalog)


def _print_escalation(fired, catalog: Catalog) -> None:
    from app.domain.incident_text import step_state_text
    from app.domain.message_templates import local_clock

    step = replace(fired.step, state=StepState.FIRED, fired_at=fired.fired_at)
    notify = joined((printable(who.get(catalog.lang)) for who in step.step.notify), catalog.lang)
    print(
        catalog.t(
            "cli.escalated",
            code=fired.code,
            step=step.position + 1,
            round=step.round + 1,
            notify=notify,
            state=step_state_text(step, fired.fired_at, catalog, local_clock),
        )
    )


def _list(service, _settings, args, _actor, catalog: Catalog) -> None:
    from app.domain.incident_document import view_document

    views = service.list(include_resolved=args.all)
    if args.json:
        now = service.clock.now()
        print(json.dumps([view_document(v, now) for v in views], ensure_ascii=False))
        return
    for record in (view.record for view in views):
        status = catalog.t(f"status.{record.status}")
        # ✓ as on the board: someone answered (a script can tell who still waits for one).
        acked = "✓" if record.acknowledged_at else "·"
        print(f"{record.code}  {record.severity:<6} {acked} {status:<13} {printable(record.title)}")


def _show(service, _settings, args, _actor, catalog: Catalog) -> None:
    from app.domain.incident_document import view_document
    from app.domain.incident_text import entry_text, step_state_text
    from app.domain.intake_text import context_lines
    from app.domain.message_templates import local_clock, local_time
    from app.services.alert_groups import AlertGroups

    view = service.view(args.id)
    now = service.clock.now()
    groups = AlertGroups(service.database).for_incident(view.record.code)
    if args.json:
        document = view_document(view, now) | {"alerts": [g.document() for g in groups]}
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return
    t = catalog.t
    record = view.record
    status = t(f"status.{record.status}")
    print(f"{record.code}  {record.severity}  {status}  {printable(record.title)}")
    print(
        t(
            "cli.show_policy",
            policy=view.policy.name,
            version=view.policy_version,
            declared=local_time(record.declared_at),
        )
    )
    if record.started_at is not None and record.detected_at is not None:
        began, seen = local_time(record.started_at), local_time(record.detected_at)
        print(t("cli.show_times", started=began, detected=seen))
    for deadline in view.plan.deadlines:
        if deadline.met_at is not None:
            state = t("cli.deadline_met", at=local_time(deadline.met_at))
        elif deadline.overdue(now):
            state = t("cli.deadline_overdue")
        else:
            state = t("cli.deadline_open")
        kind = t(f"cli.deadline.{deadline.kind.value}")
        print(f"  {kind}: {local_time(deadline.due_at)} · {state}")
    for step in view.plan.steps:
        notify = joined(
            (printable(who.get(catalog.lang)) for who in step.step.notify), catalog.lang
        )
        heading = t("cli.show_step", step=step.position + 1, round=step.round + 1)
        print(f"  {heading} {notify}: {step_state_text(step, now, catalog, local_clock)}")
    for entry in view.timeline:
        print(f"  {local_time(entry.at)}  {printable(entry.actor)}: {entry_text(entry, catalog)}")
    for group in groups:
        for line in context_lines(group.context, catalog):
            print(line)
