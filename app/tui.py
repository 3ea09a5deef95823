"""StoryCartApp: screens, global bindings, command palette entries, the escalation scheduler on
the app's loop, and the one place where worker failures are turned into messages for the user."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.message import Message
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from app.clock import Clock, SystemClock
from app.config import Settings
from app.i18n import Catalog, said_in
from app.incident_model import IncidentError
from app.policy import Policy
from app.policy_registry import PolicySet, load_policies, policy_sources, tier_key
from screens.board import BoardScreen
from screens.help import HelpScreen
from screens.incident_actions import IncidentActions, is_incident_screen
from screens.localized import (
    bind_localized,
    command_palette,
    localize_palette_binding,
    textual_commands,
)
from screens.matrix import MatrixScreen
from screens.print_actions import PrintActions
from screens.story_actions import READER, StoryActions
from storage.errors import StorageError

STORYCART_THEME = Theme(
    name="storycart",
    primary="#3B6EA5",
    secondary="#5B8C5A",
    accent="#E0A458",
    warning="#E0A458",
    error="#D1495B",
    success="#5B8C5A",
    background="#15171C",
    surface="#1E2129",
    panel="#262A34",
    dark=True,
)

STYLES = Path(str(resources.files("assets") / "storycart.tcss"))


class PolicyRecovered(Message):
    """A broken policy file was replaced by its last good version from the database."""

    def __init__(self, policy: Policy, stored_at_text: str) -> None:
        super().__init__()
        self.policy = policy
        self.stored_at_text = stored_at_text


class DatabaseReady(Message):
    def __init__(self, database) -> None:
        super().__init__()
        self.database = database


class PoliciesReloaded(Message):
    def __init__(self, policies: PolicySet) -> None:
        super().__init__()
        self.policies = policies


class StoryCartApp(PrintActions, StoryActions, IncidentActions, App[int]):
    TITLE = "Story Cart"
    CSS_PATH = [STYLES]
    BINDING_SPECS = (
        # Help and quit first: the footer is cut at the right edge on a narrow terminal.
        ("question_mark,f1", "help", "binding.help", True),
        ("q", "quit", "binding.quit", True),
        ("m", "show_matrix", "binding.matrix", True),
        ("i", "show_board", "binding.board", False),
        ("l", "show_library", "binding.library", True),
        ("w", "show_week", "binding.week", True),
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
    ) -> None:
        super().__init__()
        # `storycart kiosk`: the cart's screen from the start; the board (and the escalation
        # scheduler) only once a curator has typed the unlock keys.
        self.start_in_kiosk = kiosk
        self.kiosk_locked = False
        self.settings = settings
        # Tests drive escalations with a FakeClock and sweep_now() instead of real-time jobs.
        self.start_scheduler = start_scheduler
        self.database = None
        self.escalations = None
        self._scheduler = None
        self.clock = clock or SystemClock()
        self.catalog = Catalog(settings.lang)
        self.policies = policies or load_policies(
            policy_sources(settings.policy_dir, settings.policy_files)
        )
        self.active_policy = self.policies.choose(settings.policy or "web-service").name
        self.title = self.catalog.t("app.title")
        bind_localized(self, self.catalog, self.BINDING_SPECS)
        localize_palette_binding(self, self.catalog)
        self.register_theme(STORYCART_THEME)
        # Chosen before start-up: changing it in on_mount would restyle everything once more.
        self.theme = settings.theme

    # -- screens ------------------------------------------------------------------------------

    def get_default_screen(self) -> BoardScreen:
        # As the default screen the board is styled once at start-up; a MODES screen would
        # restyle the whole app again.
        return BoardScreen(self.catalog, self.clock)

    def on_mount(self) -> None:
        for problem in self.policies.problems:
            self.notify(said_in(problem, self.catalog), severity="error", timeout=12, markup=False)
        if self.start_in_kiosk:
            self.action_kiosk()
            return
        # Importing SQLAlchemy and Alembic in a thread competes for the GIL with the first
        # paint; the database can wait until the board is on screen.
        self.call_after_refresh(self.open_database)

    async def on_database_ready(self, message: DatabaseReady) -> None:
        """Start the incident service and the escalation scheduler on this loop."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        from app.alerts import AlertDeliverer, desktop_notifier
        from app.incidents import (
            COMMAND_CHANNEL,
            SCREEN_CHANNELS,
            IncidentService,
            alert_channels,
        )
        from app.policy_store import PolicyStore
        from app.scheduler import EscalationScheduler

        self.database = message.database
        settings = self.settings
        self.service = IncidentService(
            self.database, self.clock, PolicyStore(self.database, self.clock),
            alert_channels(settings),
        )  # fmt: skip
        deliverer = AlertDeliverer(
            self.database, self.clock,
            channels=(*SCREEN_CHANNELS, "desktop", COMMAND_CHANNEL),
            command=settings.alert_command,
            notifier=desktop_notifier() if settings.desktop_notifications else None,
        )  # fmt: skip
        self._scheduler = AsyncIOScheduler()
        if self.start_scheduler:
            self._scheduler.start()
        self.escalations = EscalationScheduler(
            self.service, self._scheduler, self.on_escalations_fired,
            deliverer=deliverer, on_delivered=self.on_alerts_delivered,
        )  # fmt: skip
        from app.postmortems import PostmortemService

        self.postmortems = PostmortemService(self.database, self.clock)
        from app.library import StoryService

        self.stories = StoryService(self.database, self.clock, settings.rotation_weeks)
        self.load_board(force=True)
        self.set_interval(1.0, self.poll_board)
        await self.escalations.start()

    def on_unmount(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self.database is not None:
            self.database.close()

    def _matrix(self) -> MatrixScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, MatrixScreen):
                return screen
        return None

    # -- actions ------------------------------------------------------------------------------

    def action_show_matrix(self) -> None:
        if self._matrix() is not None:
            while not isinstance(self.screen, MatrixScreen):
                self.pop_screen()
            return
        self.action_show_board()
        policy = self.policies.get(self.active_policy)
        self.push_screen(MatrixScreen(self.catalog, policy, self.policies.tiers[policy.name]))

    def action_kiosk(self) -> None:
        from screens.kiosk import KioskOptions, KioskScreen

        if self.kiosk_locked:
            return
        settings = self.settings
        options = KioskOptions(
            db_url=settings.db_url,
            languages=settings.kiosk_languages or (settings.lang,),
            seconds=settings.kiosk_seconds,
            unlock=settings.kiosk_unlock,
            rotation_weeks=settings.rotation_weeks,
            policy=self.policies.get(self.active_policy),
        )
        self.kiosk_locked = True
        self.push_screen(KioskScreen(options, self.clock))

    def on_kiosk_screen_unlocked(self, _message) -> None:
        self.kiosk_locked = False
        self.pop_screen()
        self.notify(self.catalog.t("kiosk.unlocked"), timeout=3, markup=False)
        if self.database is None:
            self.open_database()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """While the kiosk is up no key does anything but type the unlock sequence: passers-by
        cannot declare incidents, edit stories, open the palette or quit."""
        if self.kiosk_locked:
            return False
        return super().check_action(action, parameters)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        keys: dict[str, list[str]] = {}
        descriptions: dict[str, str] = {}
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.description:
                continue
            action = binding.action.removeprefix("app.")
            keys.setdefault(action, []).append(self.get_key_display(binding))
            # A footer label kept short carries its full name as the tooltip.
            full = binding.tooltip if binding.show and binding.tooltip else binding.description
            descriptions.setdefault(action, full)
        rows = [
            (", ".join(sorted(set(shown), key=lambda k: (len(k), k))), descriptions[action])
            for action, shown in keys.items()
        ]
        self.push_screen(HelpScreen(self.catalog, sorted(rows)))

    def action_use_policy(self, name: str) -> None:
        self.active_policy = name
        policy = self.policies.get(name)
        matrix = self._matrix()
        if matrix is not None:
            matrix.show_policy(policy, self.policies.tiers[name])
        self.action_show_matrix()
        self.notify(
            self.catalog.t("notice.policy_switched", title=policy.title.get(self.catalog.lang)),
            markup=False,
            timeout=3,
        )

    def action_next_policy(self) -> None:
        names = self.policies.names()
        following = names[(names.index(self.active_policy) + 1) % len(names)]
        self.action_use_policy(following)

    # -- command palette ----------------------------------------------------------------------

    def get_system_commands(self, screen: Screen):
        catalog = self.catalog
        for action, key in (
            (self.action_show_board, "board"),
            (self.action_declare, "declare"),
            (self.action_show_matrix, "matrix"),
            (self.action_show_library, "library"),
            (self.action_show_week, "week"),
            (self.action_give_feedback, "feedback"),
            (self.action_move_cart, "move_cart"),
            (self.action_toggle_examples, "examples"),
            (self.action_unpin_story, "unpin"),
        ):
            yield SystemCommand(
                catalog.t(f"command.{key}"), catalog.t(f"command.{key}_help"), action
            )
        yield SystemCommand(
            catalog.t("kiosk.command"), catalog.t("kiosk.command_help"), self.action_kiosk
        )
        yield SystemCommand(
            catalog.t("print.command"), catalog.t("print.command_help"), self.action_print
        )
        if isinstance(screen, BoardScreen) or is_incident_screen(screen):
            for action, key in (
                (self.action_acknowledge, "acknowledge"),
                (self.action_post_update, "update"),
                (self.action_resolve, "resolve"),
                (self.action_reopen, "reopen"),
                (self.action_change_severity, "severity"),
                (self.action_escalate, "escalate"),
                (self.action_add_note, "note"),
                (self.action_coach, "coach"),
                (self.action_write_postmortem, "postmortem"),
                (self.action_write_story, "write_story"),
                (self.action_nominate, "nominate_incident"),
            ):
                yield SystemCommand(
                    catalog.t(f"command.{key}"), catalog.t(f"command.{key}_help"), action
                )
        if screen.name == "postmortem":
            for action, key in (
                (self.action_postmortem_review, "pm_review"),
                (self.action_postmortem_publish, "pm_publish"),
                (self.action_write_story, "write_story"),
            ):
                yield SystemCommand(
                    catalog.t(f"command.{key}"), catalog.t(f"command.{key}_help"), action
                )
        if screen.name in (READER, "library"):
            for action, key in (
                (self.action_nominate, "nominate"),
                (self.action_pin_story, "pin"),
                (self.action_edit_story, "edit_story"),
                (self.action_translate_story, "translate"),
            ):
                yield SystemCommand(
                    catalog.t(f"command.{key}"), catalog.t(f"command.{key}_help"), action
                )
        if is_incident_screen(screen):
            yield SystemCommand(
                catalog.t("command.role"), catalog.t("command.role_help"), self.action_assign_role
            )
        for name, policy in self.policies.policies.items():
            yield SystemCommand(
                catalog.t("command.use_policy", title=policy.title.get(catalog.lang)),
                catalog.t(
                    "command.use_policy_help",
                    name=name,
                    source=catalog.t(tier_key(self.policies.tiers[name])),
                ),
                lambda name=name: self.action_use_policy(name),
            )
        yield SystemCommand(
            catalog.t("command.reload"),
            catalog.t("command.reload_help"),
            self.action_reload_policies,
        )
        yield SystemCommand(
            catalog.t("command.help"), catalog.t("command.help_help"), self.action_help
        )
        yield from textual_commands(self, screen, catalog)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(command_palette(self.catalog))

    def action_save_screenshot(self) -> None:
        svg = self.export_screenshot()  # rendering belongs to the event loop; writing does not
        name = f"storycart-{self.clock.now().strftime('%Y-%m-%dT%H-%M-%S')}.svg"
        self._write_screenshot(Path(self.settings.export_dir) / name, svg)

    @work(thread=True, exit_on_error=False, group="files")
    def _write_screenshot(self, path: Path, svg: str) -> None:
        from app.output import write_file

        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, svg, "screenshot")
        self.notify(self.catalog.t("notice.screenshot", path=str(path)), markup=False, timeout=6)

    # -- workers: blocking I/O off the event loop ---------------------------------------------

    @work(thread=True, exit_on_error=False, group="storage", exclusive=True)
    def open_database(self) -> None:
        """Open (and migrate) the database, store the policies, then hand the database over."""
        from storage.database import Database

        database = Database.open(self.settings.db_url)
        try:
            self._store_policies(database, self.policies)
            from app.library import StoryService

            StoryService(database, self.clock, self.settings.rotation_weeks).ensure_starters()
        except BaseException:
            database.close()
            raise
        self.post_message(DatabaseReady(database))

    @work(thread=True, exit_on_error=False, group="storage", exclusive=True)
    def store_policies(self, policies: PolicySet) -> None:
        if self.database is not None:
            self._store_policies(self.database, policies)

    def _store_policies(self, database, policies: PolicySet) -> None:
        """Keep a version of each policy; recover broken files from their last good version."""
        from app.policy_store import PolicyStore

        store = PolicyStore(database, self.clock)
        last_good = store.last_good_by_source()
        for problem in policies.problems:
            stored = last_good.get(problem.source)
            if stored is not None and stored.policy.name not in policies.policies:
                when = stored.stored_at.astimezone().strftime("%Y-%m-%d %H:%M")
                self.post_message(PolicyRecovered(stored.policy, when))
        for policy in list(policies.policies.values()):
            store.snapshot(policy)

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
        matrix = self._matrix()
        if matrix is not None:
            matrix.show_policy(
                self.policies.get(self.active_policy), self.policies.tiers[self.active_policy]
            )
        self.notify(
            self.catalog.t("notice.policies_reloaded", count=len(self.policies.policies)),
            markup=False,
            timeout=3,
        )
        self.store_policies(message.policies)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where a failed background job becomes a message for the user."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if event.worker.group == "print":
            self.print_failed(said_in(error, self.catalog))
        from app.output import OutputError  # not needed before the first frame
        from app.postmortem import PostmortemError
        from app.stories import StoryError

        refusals = (IncidentError, PostmortemError, StoryError, StorageError, OutputError)
        if isinstance(error, refusals):
            # Refused actions explain themselves in one sentence.
            severity = "error" if isinstance(error, StorageError) else "warning"
            self.notify(said_in(error, self.catalog), severity=severity, timeout=8, markup=False)
            return
        self.notify(
            self.catalog.t("notice.storage_error", problem=said_in(error, self.catalog)),
            severity="error",
            timeout=15,
            markup=False,
        )


def run_tui(settings: Settings, kiosk: bool = False) -> int:
    app = StoryCartApp(settings, kiosk=kiosk)
    app.run()
    return app.return_code or 0
