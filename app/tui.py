"""StoryCartApp: global keys and palette entries, navigation between screens, the signals that
tell screens what changed, and the one place where failed background jobs become messages for
the user. It holds the parts it is composed of: the link to the database and the escalation
engine (screens/database_link.py), the policies (screens/policy_keeper.py), presence
(screens/presence_beat.py) and drills (screens/drill_control.py). Each screen carries out its
own actions (screens/)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App
from textual.command import CommandPalette
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from app.config import Settings
from app.domain.clock import Clock, SystemClock
from app.domain.i18n import Catalog, said_in
from app.services.first_look import ChildLook, board_first_look, looks_at_once
from app.services.policy_set import PolicySet, load_policies, policy_sources
from screens.base import ChangeMade, JobFailed, StoryCartScreen, failure_notice, not_open_notice
from screens.board import BoardScreen
from screens.database_link import DatabaseLink
from screens.drill_control import DrillControl
from screens.help import HelpScreen, help_rows
from screens.kiosk_watch import open_behind_kiosk
from screens.library_preview import LibraryPreview
from screens.localized import bind_localized, command_palette, localize_palette_binding
from screens.matrix import MatrixScreen
from screens.metrics_preview import MetricsPreview
from screens.palette import palette_commands
from screens.policy_keeper import PolicyKeeper
from screens.presence_beat import PresenceBeat
from screens.theme import STORYCART_THEME, STYLES
from screens.typed_ahead import KeyTurnEnded, TypedAhead

if TYPE_CHECKING:  # SQLAlchemy and the services load after the first frame
    from app.services.bundle import Connection, Services
    from app.services.change_feed import Changes


LIBRARY = "library"  # the name the library screen is kept under once opened


class StoryCartApp(App[int]):
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
        server_look: ChildLook | None = None,
    ) -> None:
        """``drill``: a DrillRun — the app then runs that drill, on its own database and a
        DrillClock (``clock``), with paging stripped from ``settings`` (app.cli.drill).
        ``server_look``: the team server's first look, already under way in a child process
        (app.services.first_look.look_in_a_child)."""
        super().__init__()
        self.server_look = server_look
        self.drill_run = drill
        # `storycart kiosk`: the cart's screen from the start; the board (and the escalation
        # scheduler) only once a curator has typed the unlock keys.
        self.start_in_kiosk = kiosk
        self.kiosk_locked = False
        self.settings = settings
        # Tests drive escalations with a FakeClock and sweep_now() instead of real-time jobs.
        self.start_scheduler = start_scheduler
        self.services: Services | None = None
        self.escalations = None
        self.engine = None
        self.clock = clock or SystemClock()
        self.catalog = Catalog(settings.lang)
        self.policies = policies or load_policies(
            policy_sources(settings.policy_dir, settings.policy_files)
        )
        self.active_policy = self.policies.choose(settings.policy or "web-service").name
        # What screens subscribe to: data goes down to them, their changes come up as messages.
        self.services_ready: Signal[Services] = Signal(self, "services-ready")
        self.changes: Signal[Changes] = Signal(self, "changes")  # from the change feed
        self.alert_flashed: Signal[tuple[str, str]] = Signal(self, "alert-flashed")
        self.policy_changed: Signal[None] = Signal(self, "policy-changed")
        self.board_shown: Signal[None] = Signal(self, "board-shown")  # its first incidents
        self.library_preview = LibraryPreview()
        self.metrics_preview = MetricsPreview()
        self.typed_ahead = TypedAhead(self)
        self.database = DatabaseLink(self)
        self.policy_keeper = PolicyKeeper(self)
        self.drills = DrillControl(self)
        self.presence = PresenceBeat(self)
        self.title = self.catalog.t("app.title")
        bind_localized(self, self.catalog, self.BINDING_SPECS)
        if drill is not None:
            self.title = f"{self.catalog.t('drill.banner_mark')} · {self.title}"
            self.drills.setup()
        localize_palette_binding(self, self.catalog)
        self.register_theme(STORYCART_THEME)
        # Chosen before start-up: changing it in on_mount would restyle everything once more.
        self.theme = settings.theme

    # -- start and stop -----------------------------------------------------------------------

    def get_default_screen(self) -> BoardScreen:
        # As the default screen the board is styled once at start-up; a MODES screen would
        # restyle the whole app again.
        first_look = look_later = None
        if not self.start_in_kiosk and self.drill_run is None:
            url = self.settings.db_url
            look_later = partial(board_first_look, url, self.clock, self.policies)
            if self.server_look is not None:  # the server's, taken in a child meanwhile
                look_later = self.server_look.records
            if looks_at_once(url) or (self.server_look and self.server_look.ready()):
                first_look, look_later = look_later(), None  # in the first frame
        return BoardScreen(self.catalog, self.clock, first_look, look_later)

    async def on_event(self, event: events.Event) -> None:
        await self.typed_ahead.take(event, super().on_event)

    async def on_key_turn_ended(self, marker: KeyTurnEnded) -> None:
        await self.typed_ahead.marker_arrived(marker)

    def on_mount(self) -> None:
        self.typed_ahead.start()
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
        return self.database.connection()

    def open_database(self) -> None:
        self.database.open()

    def on_unmount(self) -> None:
        self.presence.leave()
        self.database.close()

    def on_change_made(self, message: ChangeMade) -> None:
        """A change a screen's worker made (and entered into the change feed, which has it
        shown and the ladders re-planned): said, and a new declaration selected."""
        if message.notice:
            self.notify(message.notice, markup=False, timeout=4)
        board = next((s for s in self.screen_stack if isinstance(s, BoardScreen)), None)
        if message.select is not None and board is not None:
            board.select_code(message.select)

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

    def _services_ready(self, then: Callable[[], object]) -> bool:
        """Whether the services are there. If not, `then` (the action asked for: a key pressed
        on the first look) is carried out once the database opens, or, when it could not be
        opened, the user hears so."""
        if self.services is None and not self.database.after_open(then):
            self.notify(self.catalog.t(not_open_notice(self.database)), timeout=3)
        return self.services is not None

    def action_show_library(self) -> None:
        from screens.library import LibraryScreen

        if not self._services_ready(self.action_show_library) or self._go_back_to(LibraryScreen):
            return
        self.action_show_board()
        if not self.is_screen_installed(LIBRARY):
            # Kept once opened, its search and place with it: composing the screen again was
            # most of the wait for `l` (100,000 stories, another process busy).
            preview = self.library_preview.for_lang(self.catalog.lang)
            self.install_screen(LibraryScreen(self.catalog, preview), LIBRARY)
        self.push_screen(LIBRARY)

    def action_show_metrics(self) -> None:
        from screens.metrics import MetricsScreen

        if not self._services_ready(self.action_show_metrics) or self._go_back_to(MetricsScreen):
            return
        self.action_show_board()
        self.push_screen(MetricsScreen(self.catalog))

    def action_show_follow_ups(self) -> None:
        from screens.follow_ups import FollowUpsScreen

        if not self._services_ready(self.action_show_follow_ups) or self._go_back_to(
            FollowUpsScreen
        ):
            return
        self.push_screen(FollowUpsScreen(self.catalog))

    def action_show_curator(self) -> None:
        from screens.curator import CuratorScreen

        if not self._services_ready(self.action_show_curator) or self._go_back_to(CuratorScreen):
            return
        self.push_screen(CuratorScreen(self.catalog))

    def action_show_training(self) -> None:
        from screens.training import TrainingScreen

        if not self._services_ready(self.action_show_training) or self._go_back_to(TrainingScreen):
            return
        self.push_screen(TrainingScreen(self.catalog))

    def action_show_oncall(self) -> None:
        from screens.oncall import OnCallDialog

        roster = self.settings.roster
        held = roster.on_call(self.clock.now()) if roster else []
        self.push_screen(OnCallDialog(self.catalog, held, bool(roster)))

    def action_show_week(self) -> None:
        from screens.reader import ReaderScreen

        if not self._services_ready(self.action_show_week):
            return
        self.action_show_board()
        self.push_screen(ReaderScreen(self.catalog, week=True))

    def action_print(self) -> None:
        from screens.print_dialog import PrintDialog
        from screens.print_sheets import standard_sheets

        if isinstance(self.screen, PrintDialog) or not self._services_ready(self.action_print):
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
        self.policy_keeper.use(name)
        self.action_show_matrix()

    def action_next_policy(self) -> None:
        self.policy_keeper.use_next()

    def action_reload_policies(self) -> None:
        self.policy_keeper.reload()

    # -- drills (screens/drill_control.py) ---------------------------------------------------

    async def action_drill_pause(self) -> None:
        await self.drills.pause()

    def action_drill_end(self) -> None:
        self.drills.end()

    def action_start_drill(self) -> None:
        self.drills.choose()

    def drill_launcher(self, command: list[str]) -> int:
        """Start `storycart drill start …` in a terminal of its own (tests replace this)."""
        from screens.drill_setup import run_in_terminal

        return run_in_terminal(self, command)

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

    # -- the one place where a failed background job is explained ----------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self._explain_failure(event.worker.error)

    def on_job_failed(self, message: JobFailed) -> None:
        self._explain_failure(message.worker.error)

    def _explain_failure(self, error: BaseException | None) -> None:
        text, severity, timeout = failure_notice(error, self.catalog)
        self.notify(text, severity=severity, timeout=timeout, markup=False)


def run_tui(
    settings: Settings,
    policies: PolicySet,
    server_look: ChildLook | None,
    kiosk: bool = False,
) -> int:
    app = StoryCartApp(settings, policies=policies, kiosk=kiosk, server_look=server_look)
    app.run()
    return app.return_code or 0
