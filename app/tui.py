"""StoryCartApp: global keys and palette entries, navigation between screens, the connection to
the database and the escalation scheduler on the app's loop, the signals that tell screens what
changed, and the one place where failed background jobs become messages for the user. Each
screen carries out its own actions (screens/)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.command import CommandPalette
from textual.message import Message
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from app.config import Settings
from app.domain.clock import Clock, SystemClock
from app.domain.i18n import Catalog, said_in
from app.domain.incident import FiredStep
from app.domain.paging import channel_name
from app.domain.policy.model import Policy
from app.services.policy_files import PolicySet, load_policies, policy_sources
from screens.base import IncidentsChanged, JobFailed, StoryCartScreen, failure_notice
from screens.board import BoardScreen
from screens.drill_actions import DrillActions
from screens.help import HelpScreen, help_rows
from screens.kiosk_watch import open_behind_kiosk
from screens.library_preview import LibraryPreview
from screens.localized import bind_localized, command_palette, localize_palette_binding
from screens.matrix import MatrixScreen
from screens.palette import palette_commands
from screens.presence_actions import PresenceActions
from screens.theme import STORYCART_THEME, STYLES

if TYPE_CHECKING:  # SQLAlchemy and the services load after the first frame
    from app.services.alert_delivery import Delivery
    from app.services.bundle import Connection, Services


class PolicyRecovered(Message):
    """A broken policy file was replaced by its last good version from the database."""

    def __init__(self, policy: Policy, stored_at_text: str) -> None:
        super().__init__()
        self.policy = policy
        self.stored_at_text = stored_at_text


class DatabaseReady(Message):
    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services


class PoliciesReloaded(Message):
    def __init__(self, policies: PolicySet) -> None:
        super().__init__()
        self.policies = policies


class IncidentsMoved(Message):
    """Someone else (another laptop, the daemon) changed the incidents."""


class TeamChanged(Message):
    """Another laptop committed a change to these tables (PostgreSQL's NOTIFY); None: the
    listener (re)connected and everything shown should be read again."""

    def __init__(self, tables: set[str] | None) -> None:
        super().__init__()
        self.tables = tables


# Tables whose change the board, the incident screen and the follow-ups show.
INCIDENT_TABLES = {
    "incident",
    "timeline_entry",
    "escalation_event",
    "role_assignment",
    "checklist_tick",
    "postmortem",
    "action_item",
}
STORY_TABLES = {"story", "feature", "nomination", "feedback", "cart_location"}


class StoryCartApp(DrillActions, PresenceActions, App[int]):
    TITLE = "Story Cart"
    POLL_SECONDS = 0.5  # how often the board looks for changes made elsewhere (SQLite)
    FALLBACK_POLL_SECONDS = 5.0  # the same on PostgreSQL, where NOTIFY wakes it at once
    CSS_PATH = [STYLES]
    BINDING_SPECS = (
        # Help and quit first: the footer is cut at the right edge on a narrow terminal.
        ("question_mark,f1", "help", "binding.help", True),
        ("q", "quit", "binding.quit", True),
        ("m", "show_matrix", "binding.matrix", True),
        ("i", "show_board", "binding.board", False),
        ("l", "show_library", "binding.library", True),
        ("w", "show_week", "binding.week", True),
        ("M", "show_metrics", "binding.metrics", False),
        ("F", "show_follow_ups", "binding.follow_ups", False),
        ("C", "show_curator", "binding.curator", False),
        ("K", "kiosk", "binding.kiosk", True),
        ("f6", "print", "binding.print", False, True),
    )

    def __init__(
        self,
        settings: Settings,
        clock: Clock | None = None,
        policies: PolicySet | None = None,
        start_scheduler: bool = True,
        kiosk: bool = False,
        drill=None,
    ) -> None:
        """``drill``: a DrillRun — the app then runs that drill, on its own database and a
        DrillClock (``clock``), with paging stripped from ``settings`` (app.cli.drill)."""
        super().__init__()
        self.drill_run = drill
        # `storycart kiosk`: the cart's screen from the start; the board (and the escalation
        # scheduler) only once a curator has typed the unlock keys.
        self.start_in_kiosk = kiosk
        self.kiosk_locked = False
        self.settings = settings
        # Tests drive escalations with a FakeClock and sweep_now() instead of real-time jobs.
        self.start_scheduler = start_scheduler
        self.services: Services | None = None
        self._connection: Connection | None = None
        self.escalations = None
        self.engine = None
        self._scheduler = None
        self._incidents_signature: tuple | None = None
        self.clock = clock or SystemClock()
        self.catalog = Catalog(settings.lang)
        self.policies = policies or load_policies(
            policy_sources(settings.policy_dir, settings.policy_files)
        )
        self.active_policy = self.policies.choose(settings.policy or "web-service").name
        # What screens subscribe to: data goes down to them, their changes come up as messages.
        self.services_ready: Signal[Services] = Signal(self, "services-ready")
        self.incidents_changed: Signal[str | None] = Signal(self, "incidents-changed")
        self.alert_flashed: Signal[tuple[str, str]] = Signal(self, "alert-flashed")
        self.policy_changed: Signal[None] = Signal(self, "policy-changed")
        self.stories_changed: Signal[None] = Signal(self, "stories-changed")
        self.library_preview = LibraryPreview()
        self._listener = None
        self.title = self.catalog.t("app.title")
        bind_localized(self, self.catalog, self.BINDING_SPECS)
        if drill is not None:
            self.title = f"{self.catalog.t('drill.banner_mark')} · {self.title}"
            self.setup_drill()
        localize_palette_binding(self, self.catalog)
        self.register_theme(STORYCART_THEME)
        # Chosen before start-up: changing it in on_mount would restyle everything once more.
        self.theme = settings.theme

    # -- start and stop -----------------------------------------------------------------------

    def get_default_screen(self) -> BoardScreen:
        # As the default screen the board is styled once at start-up; a MODES screen would
        # restyle the whole app again.
        return BoardScreen(self.catalog, self.clock)

    def on_mount(self) -> None:
        for problem in self.policies.problems:
            self.notify(said_in(problem, self.catalog), severity="error", timeout=12, markup=False)
        if self.start_in_kiosk:
            self.action_kiosk()
            open_behind_kiosk(self)  # the kiosk fires escalations too
            return
        # Importing SQLAlchemy and Alembic in a thread competes for the GIL with the first
        # paint; the database can wait until the board is on screen.
        self.call_after_refresh(self.open_database)

    def connection(self) -> Connection:
        """The one connection to the database, opened by whoever needs it first."""
        if self._connection is None:
            from app.services.bundle import connection_for

            self._connection = connection_for(self.settings, self.clock)
        return self._connection

    @work(thread=True, exit_on_error=False, group="storage", exclusive=True)
    def open_database(self) -> None:
        """Open (and migrate) the database, store the policies, then hand the services over."""
        services = self.connection().get()
        self._store_policies(services, self.policies)
        self.post_message(DatabaseReady(services))

    async def on_database_ready(self, message: DatabaseReady) -> None:
        """Start the escalation engine on this loop (this board watches) and tell the screens."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        from app.services.engine import build_engine

        services = self.services = message.services
        self._scheduler = AsyncIOScheduler()
        if self.start_scheduler:
            self._scheduler.start()
        kind = "kiosk" if self.start_in_kiosk else "board"
        self.engine = build_engine(
            self.settings,
            services.incidents,
            kind,
            self._scheduler,
            self.on_escalations_fired,
            self.on_alerts_delivered,
            screen=True,
            watch=self.drill_run is None,  # a drill's database is its own: nobody to tell
            on_problem=lambda said: self.notify(said, severity="error", markup=False),
        )
        self.escalations = self.engine.bridge
        self.services_ready.publish(services)
        self.library_preview.start(self)
        # With the team's NOTIFY heard at once, the poll is only the fallback.
        poll = self.FALLBACK_POLL_SECONDS if self._listen_to_the_team(services) else None
        self.set_interval(poll or self.POLL_SECONDS, self.watch_incidents)
        await self.engine.start()
        if not self.screen_stack:
            return  # quit while the start-up sweep ran (2,000 fresh incidents take a while)
        self.start_presence()
        if self.drill_run is not None:
            self.start_drill(services)

    def _listen_to_the_team(self, services) -> bool:
        """On a team database, hear other laptops' commits at once; True when listening."""
        if services.database.engine.dialect.name != "postgresql":
            return False
        from storage.change_feed import ChangeListener

        self._listener = ChangeListener(
            services.database.url,
            on_change=lambda tables: self.post_message(TeamChanged(tables)),
            on_connected=lambda: self.post_message(TeamChanged(None)),
            on_lost=lambda _reason: None,  # it reconnects by itself; the poll covers the gap
        )
        self._listener.start()
        return True

    def on_team_changed(self, message: TeamChanged) -> None:
        tables = message.tables
        if tables is None or tables & INCIDENT_TABLES:
            self.incidents_changed.publish(None)
        if tables is None or tables & STORY_TABLES:
            self.stories_changed.publish(None)
        if tables is None or "presence" in tables:
            self.presence_reread()

    def on_unmount(self) -> None:
        self.leave_presence()
        if self.engine is not None:  # its jobs stop quietly; nobody counts on this board now
            self.engine.leave()
        if self._listener is not None:
            self._listener.stop()
        if self._connection is not None:
            self._connection.close()

    # -- what changed, told to the screens ----------------------------------------------------

    @work(thread=True, exit_on_error=False, group="watch", exclusive=True)
    def watch_incidents(self) -> None:
        """Once a second: notice changes made elsewhere (another laptop, the daemon)."""
        signature = self.services.incidents.board_signature()
        if signature != self._incidents_signature:
            # The first time too: a change may have landed after the board's first read.
            self._incidents_signature = signature
            self.post_message(IncidentsMoved())

    def on_incidents_moved(self, _message: IncidentsMoved) -> None:
        self.incidents_changed.publish(None)

    async def on_incidents_changed(self, message: IncidentsChanged) -> None:
        if message.notice:
            self.notify(message.notice, markup=False, timeout=4)
        self.incidents_changed.publish(message.select)
        if self.escalations is not None:
            await self.escalations.sweep_now()

    def on_escalations_fired(self, _fired: list[FiredStep]) -> None:
        self.incidents_changed.publish(None)

    def on_alerts_delivered(self, deliveries: list[Delivery]) -> None:
        from app.services.screen_alerts import screen_alerts

        if any(channel_name(delivery.channel) for delivery in deliveries):
            self.incidents_changed.publish(None)  # the timeline and "paging broken" changed
        # Nobody may take a drill's alert for real.
        mark = self.catalog.t("drill.banner_mark") if self.drill_run is not None else ""
        shown = screen_alerts(deliveries, self.catalog, mark)
        for failure in shown.failures:
            self.notify(failure, severity="error", markup=False, timeout=10)
        if shown.ring:
            self.bell()
        if shown.flash is not None:
            self.alert_flashed.publish(shown.flash)
            # Quitting during a long start-up sweep: no screen is left to show it on.
            if self.screen_stack and not isinstance(self.screen, BoardScreen):
                self.notify(shown.flash[0], severity="warning", markup=False, timeout=10)

    # -- navigation ---------------------------------------------------------------------------

    async def action_quit(self) -> None:
        from screens.quit_guard import quit_or_ask

        quit_or_ask(self)  # the last watcher asks before it leaves open incidents unwatched

    def _go_back_to(self, screen_type: type[Screen]) -> bool:
        """Pop back to the screen of this type if it is open; False when it is not."""
        if not any(isinstance(screen, screen_type) for screen in self.screen_stack):
            return False
        while not isinstance(self.screen, screen_type):
            self.pop_screen()
        return True

    def action_show_board(self) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, BoardScreen):
            self.pop_screen()

    def action_show_matrix(self) -> None:
        if self._go_back_to(MatrixScreen):
            return
        self.action_show_board()
        policy = self.policies.get(self.active_policy)
        self.push_screen(MatrixScreen(self.catalog, policy, self.policies.tiers[policy.name]))

    def _services_ready(self) -> bool:
        if self.services is None:
            self.notify(self.catalog.t("notice.not_ready"), timeout=3)
            return False
        return True

    def action_show_library(self) -> None:
        from screens.library import LibraryScreen

        if not self._services_ready() or self._go_back_to(LibraryScreen):
            return
        self.action_show_board()
        self.push_screen(
            LibraryScreen(self.catalog, self.library_preview.for_lang(self.catalog.lang))
        )

    def action_show_metrics(self) -> None:
        from screens.metrics import MetricsScreen

        if not self._services_ready() or self._go_back_to(MetricsScreen):
            return
        self.action_show_board()
        self.push_screen(MetricsScreen(self.catalog))

    def action_show_follow_ups(self) -> None:
        from screens.follow_ups import FollowUpsScreen

        if not self._services_ready() or self._go_back_to(FollowUpsScreen):
            return
        self.push_screen(FollowUpsScreen(self.catalog))

    def action_show_curator(self) -> None:
        from screens.curator import CuratorScreen

        if not self._services_ready() or self._go_back_to(CuratorScreen):
            return
        self.push_screen(CuratorScreen(self.catalog))

    def action_show_training(self) -> None:
        from screens.training import TrainingScreen

        if not self._services_ready() or self._go_back_to(TrainingScreen):
            return
        self.push_screen(TrainingScreen(self.catalog))

    def action_show_oncall(self) -> None:
        from screens.oncall import OnCallDialog

        roster = self.settings.roster
        held = roster.on_call(self.clock.now()) if roster else []
        self.push_screen(OnCallDialog(self.catalog, held, bool(roster)))

    def action_show_week(self) -> None:
        from screens.reader import ReaderScreen

        if not self._services_ready():
            return
        self.action_show_board()
        self.push_screen(ReaderScreen(self.catalog, week=True))

    def action_print(self) -> None:
        from screens.print_dialog import PrintDialog, standard_sheets

        if isinstance(self.screen, PrintDialog) or not self._services_ready():
            return
        screen = self.screen
        jobs = (
            screen.print_jobs()
            if isinstance(screen, StoryCartScreen)
            else standard_sheets(self.catalog)
        )
        self.push_screen(PrintDialog(self.catalog, jobs))

    def action_kiosk(self) -> None:
        from screens.kiosk import KioskOptions, KioskScreen

        if self.kiosk_locked:
            return
        settings = self.settings
        options = KioskOptions(
            languages=settings.kiosk_languages or (settings.lang,),
            seconds=settings.kiosk_seconds,
            unlock=settings.kiosk_unlock,
            policy=self.policies.get(self.active_policy),
        )
        self.kiosk_locked = True
        self.push_screen(KioskScreen(options, self.clock, self.connection().get))

    def on_kiosk_screen_unlocked(self, _message) -> None:
        self.kiosk_locked = False
        self.pop_screen()
        self.notify(self.catalog.t("kiosk.unlocked"), timeout=3, markup=False)
        if self.services is None:
            self.open_database()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """While the kiosk is up no key does anything but type the unlock sequence: passers-by
        cannot declare incidents, edit stories, open the palette or quit."""
        if self.kiosk_locked:
            return False
        return super().check_action(action, parameters)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            note = self.screen.help_note() if isinstance(self.screen, StoryCartScreen) else ""
            self.push_screen(HelpScreen(self.catalog, help_rows(self, self.screen), note))

    def action_use_policy(self, name: str) -> None:
        self.use_policy(name)
        self.action_show_matrix()

    def use_policy(self, name: str) -> None:
        """Make `name` the active policy; the screens that show one follow."""
        self.active_policy = name
        policy = self.policies.get(name)
        self.policy_changed.publish(None)
        self.notify(
            self.catalog.t("notice.policy_switched", title=policy.title.get(self.catalog.lang)),
            markup=False,
            timeout=3,
        )

    def action_next_policy(self) -> None:
        names = self.policies.names()
        following = names[(names.index(self.active_policy) + 1) % len(names)]
        self.use_policy(following)  # on the screen it was asked from (the matrix, the metrics)

    # -- command palette ----------------------------------------------------------------------

    def get_system_commands(self, screen: Screen):
        yield from palette_commands(self, screen, self.catalog)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(command_palette(self.catalog))

    def action_save_screenshot(self) -> None:
        svg = self.export_screenshot()  # rendering belongs to the event loop; writing does not
        name = f"storycart-{self.clock.now().strftime('%Y-%m-%dT%H-%M-%S')}.svg"
        self._write_screenshot(Path(self.settings.export_dir) / name, svg)

    @work(thread=True, exit_on_error=False, group="files")
    def _write_screenshot(self, path: Path, svg: str) -> None:
        from app.services.files import write_file

        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, svg, "screenshot")
        self.notify(self.catalog.t("notice.screenshot", path=str(path)), markup=False, timeout=6)

    # -- policies -----------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="storage", exclusive=True)
    def store_policies(self, policies: PolicySet) -> None:
        if self.services is not None:
            self._store_policies(self.services, policies)

    def _store_policies(self, services: Services, policies: PolicySet) -> None:
        """Keep a version of each policy; recover broken files from their last good version."""
        for stored in services.policy_versions.keep(policies):
            when = stored.stored_at.astimezone().strftime("%Y-%m-%d %H:%M")
            self.post_message(PolicyRecovered(stored.policy, when))

    def action_reload_policies(self) -> None:
        last_good = {policy.source: policy for policy in self.policies.policies.values()}
        self._read_policy_files(last_good)

    @work(thread=True, exit_on_error=False, group="policies", exclusive=True)
    def _read_policy_files(self, last_good: dict[str, Policy]) -> None:
        sources = policy_sources(self.settings.policy_dir, self.settings.policy_files)
        self.post_message(PoliciesReloaded(load_policies(sources, last_good=last_good)))

    def on_policy_recovered(self, message: PolicyRecovered) -> None:
        self.policies.policies[message.policy.name] = message.policy
        self.policies.tiers.setdefault(message.policy.name, "database")
        self.notify(
            self.catalog.t(
                "notice.last_good", name=message.policy.name, when=message.stored_at_text
            ),
            severity="warning",
            markup=False,
        )

    def on_policies_reloaded(self, message: PoliciesReloaded) -> None:
        self.policies = message.policies
        for problem in message.policies.problems:
            self.notify(said_in(problem, self.catalog), severity="error", timeout=12, markup=False)
        if self.active_policy not in self.policies.policies:
            self.active_policy = self.policies.choose(self.settings.policy).name
        self.policy_changed.publish(None)
        self.notify(
            self.catalog.t("notice.policies_reloaded", count=len(self.policies.policies)),
            markup=False,
            timeout=3,
        )
        self.store_policies(message.policies)

    # -- the one place where a failed background job is explained ----------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self._explain_failure(event.worker.error)

    def on_job_failed(self, message: JobFailed) -> None:
        self._explain_failure(message.worker.error)

    def _explain_failure(self, error: BaseException | None) -> None:
        text, severity, timeout = failure_notice(error, self.catalog)
        self.notify(text, severity=severity, timeout=timeout, markup=False)


def run_tui(settings: Settings, kiosk: bool = False) -> int:
    app = StoryCartApp(settings, kiosk=kiosk)
    app.run()
    return app.return_code or 0
