"""What every main screen shares: the app's settings and services as a typed host, its own
background jobs whose failures go to the app's one error handler, and the actions that work
from anywhere (declare, feedback, move the cart, unpin the story)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol, cast

from textual import work
from textual.message import Message
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from app.config import Settings
from app.domain.clock import Clock
from app.domain.i18n import Catalog
from app.services.policy_files import PolicySet

if TYPE_CHECKING:  # the services load SQLAlchemy: not before the first frame
    from app.services.bundle import Services
    from app.services.engine import Engine


class Host(Protocol):
    """The parts of the app a screen may use."""

    settings: Settings
    catalog: Catalog
    clock: Clock
    policies: PolicySet
    active_policy: str
    services: Services | None
    engine: Engine | None  # this process's escalation engine, once the database is open
    incidents_changed: Signal[str | None]
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


class IncidentsChanged(Message):
    """This process changed an incident: the app tells the user, the board and the detail
    screen, and checks the ladders at once."""

    def __init__(self, notice: str, select: str | None = None) -> None:
        super().__init__()
        self.notice = notice
        self.select = select  # an incident the board's cursor moves to (a new declaration)


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
            self.notify(self.catalog.t("notice.not_ready"), timeout=3)
        return services

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.app.post_message(JobFailed(event.worker))

    # -- the palette --------------------------------------------------------------------------

    def palette_commands(self) -> Iterator[Command]:
        """This screen's entries in the command palette, besides the app's own."""
        yield ("declare", self.action_declare)
        yield ("feedback", self.action_give_feedback)
        yield ("move_cart", self.action_move_cart)
        yield ("unpin", self.action_unpin_story)
        yield ("examples", self.action_toggle_examples)
        yield ("maintenance", self.action_start_maintenance)

    def help_note(self) -> str:
        """A paragraph the help screen shows under the keys: where letters are typing (a
        form, a text field), that only ctrl and F keys act and which of them quits."""
        focused = self.focused
        if focused and any(node.check_consume_key("q", "q") for node in focused.ancestors):
            return self.catalog.t("help.in_form")
        return ""

    def print_jobs(self) -> list:
        """The sheets the print dialog offers on this screen, most specific first."""
        from screens.print_dialog import standard_sheets

        return standard_sheets(self.catalog)

    # -- actions that work from every screen --------------------------------------------------

    def action_declare(self) -> None:
        if self.ready_services() is None:
            return
        host = self.host
        policy = host.policies.get(host.active_policy)

        def declared(request) -> None:
            if request is not None:
                self.change_incidents(
                    lambda services: services.incidents.declare(
                        policy,
                        request.title,
                        request.severity,
                        actor=host.settings.user,
                        type_key=request.type_key,
                        impact=request.impact,
                        commander=request.commander or None,
                    ),
                    "notice.declared",
                    select_result=True,
                )

        from screens.declare_dialog import DeclareDialog

        self.app.push_screen(DeclareDialog(self.catalog, policy), declared)

    def action_give_feedback(self) -> None:
        self._ask_then_write(
            "story.feedback_title",
            "story.feedback_title",
            lambda services, text: services.cart.give_feedback(text, self.host.settings.user),
            lambda _text: self.catalog.t("story.feedback_thanks"),
        )

    def action_move_cart(self) -> None:
        """Where the cart stands now, then the lens its reader opens on there."""
        if self.ready_services() is None:
            return
        t = self.catalog.t

        def placed(place: str | None) -> None:
            if not place:
                return

            def lens_chosen(lens: str | None) -> None:
                if lens is None:
                    return
                chosen = None if lens == "-" else lens
                self.write_stories(
                    lambda s: s.cart.move_cart(place, self.host.settings.user, chosen),
                    t("story.cart_moved", place=place),
                    reload=True,
                )

            from app.domain.story.model import LENSES

            options = [(t("story.lens_default"), "-")]
            options += [(t(f"story.lens.{lens}"), lens) for lens in LENSES]
            self.app.push_screen(
                dialogs.ChoiceDialog(t("story.lens_title", place=place), options, "-"),
                lens_chosen,
            )

        dialog = dialogs.TextDialog(self.catalog, t("story.cart_title"), "story.cart_hint", True)
        self.app.push_screen(dialog, placed)

    def action_unpin_story(self) -> None:
        if self.ready_services() is not None:
            self.write_stories(
                lambda services: services.week.unpin(self.host.settings.user),
                self.catalog.t("story.unpinned"),
                reload=True,
            )

    def action_start_maintenance(self) -> None:
        """A window during which matching intake alerts are recorded but page nobody."""
        if self.ready_services() is None:
            return

        def answered(result) -> None:
            if result is not None:
                self._start_maintenance(*result)

        title = self.catalog.t("maintenance.title")
        self.app.push_screen(dialogs.MaintenanceDialog(self.catalog, title), answered)

    @work(thread=True, exit_on_error=False, group="incident-actions")
    def _start_maintenance(self, name: str, seconds: int, match: str) -> None:
        from datetime import timedelta

        from app.domain.intake import window_text

        window = self.host.services.maintenance.start(
            name, timedelta(seconds=seconds), self.host.settings.user, match
        )
        self.app.post_message(IncidentsChanged(window_text(window, self.catalog)))

    def examples_shown(self) -> bool:
        """Whether the example stories are on screen (toggling then hides them)."""
        return True

    def action_toggle_examples(self) -> None:
        if self.ready_services() is not None:
            hide = self.examples_shown()
            key = "story.examples_hidden" if hide else "story.examples_shown"
            self.write_stories(
                lambda services: services.stories.hide_examples(hide),
                self.catalog.t(key),
                reload=True,
            )

    def _ask_then_write(self, title_key: str, hint_key: str, change, notice) -> None:
        if self.ready_services() is None:
            return

        def answered(text: str | None) -> None:
            if text:
                self.write_stories(lambda services: change(services, text), notice(text))

        dialog = dialogs.TextDialog(self.catalog, self.catalog.t(title_key), hint_key, True)
        self.app.push_screen(dialog, answered)

    def nominate(self, ref: str) -> None:
        """Nominate a story, or an incident ("other teams must know this"), for the next
        rotation."""
        if self.ready_services() is None:
            return
        t = self.catalog.t

        def answered(reason: str | None) -> None:
            if reason:
                self.write_stories(
                    lambda services: services.cart.nominate(ref, reason, self.host.settings.user),
                    t("story.nominated"),
                )

        dialog = dialogs.TextDialog(
            self.catalog, t("story.nominate_title"), "story.nominate_reason", True
        )
        self.app.push_screen(dialog, answered)

    @work(thread=True, exit_on_error=False, group="story")
    def draft_story(self, code: str) -> None:
        """The story of incident `code`, drafted from its published postmortem, in the editor."""
        view = self.host.services.stories.from_postmortem(code, self.host.settings.user)
        self.app.call_from_thread(self.open_editor, view)

    def open_editor(self, view) -> None:
        from screens.story_editor import StoryEditorScreen

        self.app.push_screen(StoryEditorScreen(self.catalog, view))

    # -- background jobs ----------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="incident-actions")
    def change_incidents(
        self, change, notice_key: str | None, select_result: bool = False, after=None
    ):
        """Carry out a change; a refused one becomes a notification in the error handler.
        `after` runs on the app's loop once the change is done."""
        result = change(self.host.services)
        if after is not None:
            self.app.call_from_thread(after)
        code = getattr(result, "code", result) if result is not None else ""
        notice = self.catalog.t(notice_key, code=code) if notice_key is not None else ""
        # To the app, not this screen: the user may have left it before the change is done.
        self.app.post_message(IncidentsChanged(notice, code if select_result and code else None))

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
