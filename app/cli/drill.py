"""`storycart drill …`: tabletop exercises and game days (seed 003 §8) on an accelerated clock.

A drill runs in a folder of its own under the data dir's drills/ (or --dir): its own SQLite
database and drill.json. Nothing reaches the team's database, metrics, paging channels or
alert_command: the drill app is given only the drill database and settings with every way out
removed (`drill_settings`). A replay (--from) only reads its incident from the team's database.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from app.cli.errors import CommandError
from app.cli.policy import command_policies
from app.config import Settings, data_dir
from app.domain.i18n import Catalog, said_in
from app.domain.textsafe import printable

DEFAULT_SPEED = 10.0
SPEEDS = (1.0, 600.0)


def add_drill_parsers(commands, common) -> None:
    drill = commands.add_parser(
        "drill",
        parents=[common],
        help="tabletop exercises on an accelerated clock, scored",
        description="Play a scenario (or replay a past incident) on a drill clock that runs "
        "--speed times faster, in a drill database of its own: nothing real is touched or "
        "paged. The team responds on the real board; F10 pauses, F12 ends and scores.",
    )
    actions = drill.add_subparsers(dest="drill_command", metavar="ACTION", required=True)
    start = actions.add_parser("start", parents=[common], help="start a drill (opens the app)")
    what = start.add_mutually_exclusive_group()
    what.add_argument(
        "--scenario", default="payment-api-outage", help="a shipped scenario's key or a .toml file"
    )
    what.add_argument("--from", dest="replay", metavar="INC", help="replay this past incident")
    start.add_argument(
        "--speed", type=float, default=DEFAULT_SPEED, help="how many times faster (1–600)"
    )
    start.add_argument("--dir", help="where drill folders go (default: the data dir's drills/)")
    scenarios = actions.add_parser("scenarios", parents=[common], help="the shipped scenarios")
    check = actions.add_parser("check", parents=[common], help="check a scenario file")
    check.add_argument("file")
    listing = actions.add_parser("list", parents=[common], help="past drills and their scores")
    listing.add_argument("--dir", help="where drill folders are (default: data dir's drills/)")
    score = actions.add_parser("score", parents=[common], help="a drill's score")
    score.add_argument("folder", help="the drill's folder (as `drill list` prints)")
    score.add_argument("--json", action="store_true", help="machine-readable JSON")
    debrief = actions.add_parser("debrief", parents=[common], help="a drill's debrief as a PDF")
    debrief.add_argument("folder")
    debrief.add_argument("-o", "--output", required=True, help="the PDF file to write")
    for parser, carry_out in (
        (start, _start),
        (scenarios, _scenarios),
        (check, _check),
        (listing, _list),
        (score, _score),
        (debrief, _debrief),
    ):
        parser.set_defaults(handler=cmd_drill, drill_action=carry_out)


def cmd_drill(settings: Settings, args) -> int:
    from app.domain.drill.scenario import ScenarioError
    from app.services.drill_run import DrillFolderError

    try:
        return args.drill_action(settings, args)
    except (ScenarioError, DrillFolderError) as error:
        raise CommandError(said_in(error, Catalog(settings.lang))) from None


def drills_dir(args) -> Path:
    return Path(args.dir).expanduser() if getattr(args, "dir", None) else data_dir() / "drills"


def drill_settings(settings: Settings, db_url: str) -> Settings:
    """The settings a drill app runs with: the drill database, and no way to reach anyone —
    no paging channels (the roster's people keep their names, not their channels), no
    alert_command, no desktop notifications, no intake, no heartbeats."""
    roster = settings.roster
    people = {key: replace(person, channels=()) for key, person in roster.people.items()}
    return settings.with_overrides(
        db_url=db_url,
        channels=(),
        alert_command=(),
        desktop_notifications=False,
        heartbeats=(),
        roster=replace(roster, people=people),
    )


def _scenario(settings: Settings, args, policies):
    from app.domain.drill.scenario import check_against, find_scenario, replay_of

    if args.replay:
        from app.cli.services import open_services
        from app.domain.incident import IncidentError

        with open_services(settings) as services:
            try:
                view = services.incidents.view(args.replay)
            except IncidentError as error:
                raise CommandError(said_in(error, Catalog(settings.lang))) from None
        return replay_of(view, Catalog(settings.lang).t)
    scenario = find_scenario(args.scenario)
    check_against(scenario, policies)
    return scenario


def _start(settings: Settings, args) -> int:
    from app.cli.run import run_drill
    from app.domain.clock import DrillClock, SystemClock
    from app.services.drill_run import DrillRun

    catalog = Catalog(settings.lang)
    low, high = SPEEDS
    if not low <= args.speed <= high:
        raise CommandError(catalog.t("drill.bad_speed", low=f"{low:g}", high=f"{high:g}"))
    policies = command_policies(settings)
    scenario = _scenario(settings, args, policies)
    clock = DrillClock(SystemClock(), args.speed, paused=True)  # runs once the board is up
    run = DrillRun.create(drills_dir(args), scenario, args.speed, settings.lang, clock)
    drill_app_settings = drill_settings(settings, run.db_url).with_overrides(policy=scenario.policy)
    code = run_drill(drill_app_settings, clock, policies, run)
    print(printable(catalog.t("drill.folder", path=str(run.directory))))
    return code


def _scenarios(settings: Settings, _args) -> int:
    from app.domain.drill.scenario import starter_scenarios

    for scenario in starter_scenarios():
        title = scenario.title.get(settings.lang)
        minutes = scenario.length_s // 60
        print(
            printable(
                f"{scenario.key:<20}  {scenario.policy:<12}  {scenario.severity:<6}  "
                f"{minutes:>3} min  {title}"
            )
        )
    return 0


def _check(settings: Settings, args) -> int:
    from app.domain.drill.scenario import check_against, load_file

    scenario = load_file(Path(args.file).expanduser())
    check_against(scenario, command_policies(settings))
    catalog = Catalog(settings.lang)
    print(printable(catalog.t("drill.checked", name=scenario.key, count=len(scenario.events))))
    return 0


def _conductor(settings: Settings, folder: str):
    """The drill in `folder`, its services on the drill database, read for a score — at the
    drill time it ended (one that never ended, a crash: at the last event it told)."""
    from app.domain.clock import FakeClock
    from app.services.bundle import Services
    from app.services.drill_conductor import DrillConductor
    from app.services.drill_run import DrillRun

    run = DrillRun.open(Path(folder).expanduser())
    told = run.told()
    stopped = run.ended_at or (told[-1].at if told else run.started_at)
    services = Services.open(run.db_url, FakeClock(stopped), rotation_weeks=2, alert_channels=())
    return run, services, DrillConductor(run, services.incidents, command_policies(settings))


def _list(settings: Settings, args) -> int:
    from app.services.drill_run import MANIFEST

    catalog = Catalog(settings.lang)
    folders = sorted(p.parent for p in drills_dir(args).glob(f"*/{MANIFEST}"))
    if not folders:
        print(printable(catalog.t("drill.none_yet")))
    for folder in folders:
        run, services, conductor = _conductor(settings, str(folder))
        try:
            percent = f"{conductor.score().percent:>3}%" if run.ended_at else "  —"
        finally:
            services.close()
        title = run.scenario.title.get(settings.lang)
        print(printable(f"{percent}  {run.speed:>5g}×  {folder}  {title}"))
    return 0


def _score(settings: Settings, args) -> int:
    from app.domain.drill.debrief import score_rows

    run, services, conductor = _conductor(settings, args.folder)
    try:
        card = conductor.score()
    finally:
        services.close()
    if args.json:
        document = {
            "scenario": run.scenario.key,
            "speed": run.speed,
            "incident": card.incident or None,
            "percent": card.percent,
            "ended": run.ended_at is not None,
            "lines": [
                {
                    "measure": line.measure,
                    "points": line.points,
                    "verdict": line.verdict,
                    "measured_s": line.measured_s,
                    "target_s": line.target_s,
                    "done": line.done,
                    "of": line.of,
                    "detail": line.detail,
                }
                for line in card.lines
            ],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0
    catalog = Catalog(settings.lang)
    print(printable(catalog.t("drill.score_big", percent=card.percent)))
    for row in score_rows(card, catalog):
        print(printable(f"  {row.verdict:<8} {row.measure}: {row.measured} / {row.target}"))
    return 0


def _debrief(settings: Settings, args) -> int:
    from app.export.drill_debrief import debrief_pdf
    from app.services.files import write_file

    run, services, conductor = _conductor(settings, args.folder)
    try:
        card = conductor.score()
        view = services.incidents.view(card.incident) if card.incident else None
        printed = debrief_pdf(run, card, view, settings.lang, conductor.clock.now())
    finally:
        services.close()
    write_file(Path(args.output), printed.data, "pdf")
    said = Catalog(settings.lang).t("print.done", path=args.output, pages=printed.pages)
    print(printable(said))
    return 0
