"""What every main screen shares: the app's settings and services as a typed host, its own
background jobs whose failures go to the app's one error handler, its palette entries, help note
and printable sheets. The actions the palette offers everywhere live in screens.anywhere_actions;
the story editor opens from screens.story_drafting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol, cast

from textual import work
from textual.message import Message
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from app.config import Settings
from app.domain.clock import Clock
from app.domain.i18n import Catalog
from app.services.policy_set import PolicySet

OPEN_WAIT_S = 30.0  # how long a change made before the database opened waits for it

if TYPE_CHECKING:  # the services load SQLAlchemy: not before the first frame
    from app.services.bundle import Services
    from app.services.change_feed import Changes
    from app.services.engine import Engine
    from screens.presence_beat import PresenceBeat


class OpeningDatabase(Protocol):
    unreachable: str | None  # why the database could not be opened (tried again meanwhile)

    def services_when_open(self, timeout: float) -> Services | None:
        """From a worker thread: the services once the database is open (None after
        `timeout` seconds)."""
        ...


class Host(Protocol):
    """The parts of the app a screen may use."""

    settings: Settings
    catalog: Catalog
    clock: Clock
    policies: PolicySet
    active_policy: str
    services: Services | None
    engine: Engine | None  # this process's escalation engine, once the database is open
    database: OpeningDatabase  # screens.database_link.DatabaseLink
    presence: PresenceBeat  # says where the user is; a screen asks it to say so at once
    changes: Signal[Changes]  # what the change feed publishes (app.services.change_feed)
    alert_flashed: Signal[tuple[str, str]]
    services_ready: Signal[Services]
    policy_changed: Signal[None]


def failure_notice(error: BaseException | None, catalog: Catalog) -> tuple[str, str, float]:
    """(text, severity, seconds) of the notification for a failed background job: a refused
    action says why in one sentence; anything else is named as a storage problem."""
    from app.domain.i18n import said_in
    from app.domain.incident import IncidentError
    from app.domain.postmortem.model import PostmortemError
    from app.domain.story.model import StoryError
    from app.services.errors import StorageError
    from app.services.files import OutputError

    refusals = (IncidentError, PostmortemError, StoryError, StorageError, OutputError)
    if isinstance(error, refusals):
        severity = "error" if isinstance(error, StorageError) else "warning"
        return said_in(error, catalog), severity, 8
    return catalog.t("notice.storage_error", problem=said_in(error, catalog)), "error", 15


class JobFailed(Message):
    """A screen's background job failed; the app says why, in one place."""

    def __init__(self, worker: Worker) -> None:
        super().__init__()
        self.worker = worker


class ChangeMade(Message):
    """A screen's worker changed something (and entered it into the change feed: see
    `StoryCartScreen.making_change`): the app says `notice` and, for a new declaration, moves
    the board's cursor to it (`select`)."""

    def __init__(self, notice: str, select: str | None = None) -> None:
        super().__init__()
        self.notice = notice
        self.select = select


class Notice(Message):
    """A finished background job's sentence for the user; `reload` asks the screen to read
    its rows again."""

    def __init__(self, notice: str, reload: bool = False) -> None:
        super().__init__()
        self.notice = notice
        self.reload = reload


Command = tuple[str, Callable[[], object]]  # a palette command: catalog key, callback


class _Dialogs:
    """screens.dialogs, imported on first use: its form widgets are not needed for the first
    frame of the board."""

    def __getattr__(self, name: str):
        from screens import dialogs as module

        return getattr(module, name)


dialogs = _Dialogs()


class StoryCartScreen(Screen):
    catalog: Catalog  # set by each screen's constructor

    def on_mount(self) -> None:
        """During a drill every screen says so, on top (screens' own on_mount run as well)."""
        if getattr(self.app, "drill_run", None) is not None:
            from widgets.drill_banner import DrillBanner

            self.mount(DrillBanner(classes="drill-banner"), before=0)

    @property
    def host(self) -> Host:
        return cast(Host, self.app)

    def ready_services(self) -> Services | None:
        """The services, or None (said to the user) while the database is still opening."""
        services = self.host.services
        if services is None:
            self.notify(self.catalog.t(not_open_notice(self.host.database)), timeout=3)
        return services

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.app.post_message(JobFailed(event.worker))

    # -- the palette --------------------------------------------------------------------------

    def palette_commands(self) -> Iterator[Command]:
        """This screen's entries in the command palette, besides the app's own and those
        offered on every screen (screens.anywhere_actions)."""
        yield from ()

    def help_note(self) -> str:
        """A paragraph the help screen shows under the keys: where letters are typing (a
        form, a text field), that only ctrl and F keys act and which of them quits."""
        focused = self.focused
        if focused and any(node.check_consume_key("q", "q") for node in focused.ancestors):
            return self.catalog.t("help.in_form")
        return ""

    def print_jobs(self) -> list:
        """The sheets the print dialog offers on this screen, most specific first."""
        from screens.print_sheets import standard_sheets

        return standard_sheets(self.catalog)

    # -- background jobs ----------------------------------------------------------------------

    @contextmanager
    def making_change(self) -> Iterator[Callable[..., None]]:
        """Around a change a worker makes: yields `made(codes, board=False)`, which enters it
        into this process's change feed before the change is over, so a poll reading the
        database meanwhile does not find it first as another process's change."""
        engine = self.host.engine
        if engine is None:  # the database is still opening: nothing shows or plans yet
            yield lambda *_codes, **_board: None
            return
        with engine.changes.making():
            yield engine.changes.made_here

    @work(thread=True, exit_on_error=False, group="incident-actions")
    def change_incidents(
        self, change, notice_key: str | None, select_result: bool = False, after=None
    ):
        """Carry out a change; a refused one becomes a notification in the error handler.
        `after` runs on the app's loop once the change is done."""
        # A key pressed on the board's first look, before the database was open, is carried
        # out once it is (a second or so), not refused.
        services = self.host.services or self.host.database.services_when_open(OPEN_WAIT_S)
        if services is None:
            self.app.call_from_thread(self.ready_services)  # says it is still opening
            return
        with self.making_change() as made:
            result = change(services)
            code = getattr(result, "code", result) if result is not None else ""
            codes = [code] if isinstance(code, str) and code else []
            made(codes, board=not codes)
        if after is not None:
            self.app.call_from_thread(after)
        notice = self.catalog.t(notice_key, code=code) if notice_key is not None else ""
        # To the app, not this screen: the user may have left it before the change is done.
        self.app.post_message(ChangeMade(notice, code if select_result and code else None))

    @work(thread=True, exit_on_error=False, group="story-write")
    def write_stories(self, change, notice: str, reload: bool = False) -> None:
        change(self.host.services)
        self.post_message(Notice(notice, reload))

    def on_notice(self, message: Notice) -> None:
        self.notify(message.notice, timeout=4, markup=False)
        if message.reload:
            self.reload()

    def reload(self) -> None:
        """Read this screen's rows again after a change (screens that show rows override)."""

    def save_form(self, form, save):
        """Run a form's save inside a worker. A stale write is refused with its sentence and
        the form keeps what was typed; returns the new version, or None when refused."""
        from app.domain.i18n import said_in
        from app.services.errors import StaleWrite

        try:
            return save()
        except StaleWrite as error:
            self.app.call_from_thread(form.save_failed, True)
            self.notify(said_in(error, self.catalog), severity="error", timeout=15, markup=False)
            return None
        except Exception:
            self.app.call_from_thread(form.save_failed, False)
            raise


def not_open_notice(database) -> str:
    """What to say for a key that needs the database before it is open (app.database)."""
    return "notice.unreachable" if database.unreachable is not None else "notice.not_ready"
