"""The app's incident actions: dialogs in, storage work in thread workers, messages back.

Kept apart from app/tui.py so the App class stays about modes, keys and errors. Every action
works on the incident under the cursor of the board, or the one the detail screen shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from app.i18n import said_in
from app.incident_model import FiredStep, IncidentView
from app.output import write_file
from screens.board import BoardScreen

if TYPE_CHECKING:  # importing app.alerts loads SQLAlchemy: not before the first frame
    from app.alerts import Delivery


INCIDENT_SCREEN = "incident"  # IncidentScreen's name; the module loads after the first frame


class _Dialogs:
    """screens.dialogs, imported on first use: its form widgets are not needed for the first
    frame of the board."""

    def __getattr__(self, name: str):
        from screens import dialogs as module

        return getattr(module, name)


dialogs = _Dialogs()


def is_incident_screen(screen) -> bool:
    return screen.name == INCIDENT_SCREEN


class BoardLoaded(Message):
    def __init__(self, items: list, signature: tuple) -> None:
        super().__init__()
        self.items = items
        self.signature = signature


class IncidentLoaded(Message):
    def __init__(self, view: IncidentView) -> None:
        super().__init__()
        self.view = view


class PostmortemLoaded(Message):
    def __init__(self, code: str, draft) -> None:
        super().__init__()
        self.code = code
        self.draft = draft


class IncidentsChanged(Message):
    """This process changed an incident; `notice` is said to the user."""

    def __init__(self, notice: str, select: str | None = None) -> None:
        super().__init__()
        self.notice = notice
        self.select = select  # an incident the board's cursor moves to (a new declaration)


class IncidentActions:
    """Mixed into StoryCartApp."""

    service = None  # app.incidents.IncidentService once the database is open
    postmortems = None  # app.postmortems.PostmortemService, likewise
    _board_signature: tuple | None = None

    # -- where an action applies --------------------------------------------------------------

    def _board(self) -> BoardScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, BoardScreen)), None)

    def _detail(self):
        return next((s for s in self.screen_stack if is_incident_screen(s)), None)

    def target_code(self) -> str | None:
        screen = self.screen
        if is_incident_screen(screen):
            return screen.code
        if isinstance(screen, BoardScreen):
            code = screen.selected_code()
            if code is None:
                self.notify(self.catalog.t("notice.no_incident"), timeout=3)
            return code
        return None

    def _service_ready(self) -> bool:
        if self.service is None:
            self.notify(self.catalog.t("notice.not_ready"), timeout=3)
            return False
        return True

    def _item(self, code: str):
        board = self._board()
        detail = self._detail()
        if detail is not None and detail.view is not None and detail.code == code:
            return detail.view.record, detail.view.policy
        for item in board.items if board else ():
            if item.record.code == code:
                return item.record, item.policy
        return None, None

    # -- actions ------------------------------------------------------------------------------

    def action_show_board(self) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, BoardScreen):
            self.pop_screen()

    def open_incident(self, code: str) -> None:
        from screens.incident import IncidentScreen

        self.push_screen(IncidentScreen(self.catalog, self.clock, code))

    def action_declare(self) -> None:
        if not self._service_ready():
            return
        policy = self.policies.get(self.active_policy)

        def declared(request) -> None:
            if request is not None:
                self._run(
                    lambda: self.service.declare(
                        policy,
                        request.title,
                        request.severity,
                        actor=self.settings.user,
                        type_key=request.type_key,
                        impact=request.impact,
                        commander=request.commander or None,
                    ),
                    "notice.declared",
                    select_result=True,
                )

        self.push_screen(dialogs.DeclareDialog(self.catalog, policy), declared)

    def action_acknowledge(self) -> None:
        code = self.target_code()
        if code and self._service_ready():
            self._run(lambda: self.service.acknowledge(code, self.settings.user), "notice.acked")

    def action_post_update(self) -> None:
        code = self.target_code()
        if not (code and self._service_ready()):
            return
        record, _policy = self._item(code)

        def answered(result) -> None:
            if result is not None:
                status, text = result
                self._run(
                    lambda: self.service.post_update(code, self.settings.user, status, text),
                    "notice.updated",
                )

        status = record.status if record is not None else "investigating"
        self.push_screen(dialogs.UpdateDialog(self.catalog, code, status), answered)

    def action_resolve(self) -> None:
        code = self.target_code()
        if not (code and self._service_ready()):
            return

        def answered(text: str | None) -> None:
            if text is not None:
                self._run(
                    lambda: self.service.resolve(code, self.settings.user, text),
                    "notice.resolved",
                )

        title = self.catalog.t("resolve.title", code=code)
        self.push_screen(dialogs.TextDialog(self.catalog, title, "resolve.text", False), answered)

    def action_reopen(self) -> None:
        code = self.target_code()
        if code and self._service_ready():
            self._run(lambda: self.service.reopen(code, self.settings.user), "notice.reopened")

    def action_change_severity(self) -> None:
        code = self.target_code()
        if not (code and self._service_ready()):
            return
        record, policy = self._item(code)
        if policy is None:
            return
        lang = self.catalog.lang
        options = [(f"{s.key} · {s.name.get(lang)}", s.key) for s in policy.severities]

        def chosen(severity: str | None) -> None:
            if severity is not None:
                self._run(
                    lambda: self.service.change_severity(code, self.settings.user, severity),
                    "notice.severity_changed",
                )

        title = self.catalog.t("severity.title", code=code)
        self.push_screen(dialogs.ChoiceDialog(title, options, record.severity), chosen)

    def action_escalate(self) -> None:
        code = self.target_code()
        if not (code and self._service_ready()):
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run(
                    lambda: self.service.escalate_now(code, self.settings.user),
                    "notice.escalated",
                )

        question = self.catalog.t("escalate.question", code=code)
        self.push_screen(dialogs.ConfirmDialog(self.catalog, question), confirmed)

    def action_add_note(self) -> None:
        code = self.target_code()
        if not (code and self._service_ready()):
            return

        def answered(result) -> None:
            if result is not None:
                text, certainty = result
                self._run(
                    lambda: self.service.add_note(code, self.settings.user, text, certainty),
                    "notice.noted",
                )

        title = self.catalog.t("note.title", code=code)
        self.push_screen(dialogs.NoteDialog(self.catalog, title), answered)

    def action_assign_role(self) -> None:
        code = self.target_code()
        detail = self._detail()
        if not (code and self._service_ready()) or detail is None or detail.view is None:
            return

        def answered(result) -> None:
            if result is not None:
                role, person = result
                self._run(
                    lambda: self.service.assign_role(code, self.settings.user, role, person),
                    "notice.role_set",
                )

        dialog = dialogs.RoleDialog(self.catalog, code, detail.view.roles, detail.selected_role())
        self.push_screen(dialog, answered)

    def action_coach(self) -> None:
        code = self.target_code() if is_incident_screen(self.screen) else None
        record, policy = self._item(code) if code else (None, None)
        policy = policy or self.policies.get(self.active_policy)
        self.push_screen(
            dialogs.CoachDialog(self.catalog, policy, record.severity if record else None)
        )

    # -- postmortems --------------------------------------------------------------------------

    def _postmortem_screen(self):
        return self.screen if self.screen.name == "postmortem" else None

    def action_write_postmortem(self) -> None:
        code = self.target_code()
        if not (code and self._service_ready()):
            return
        record, _policy = self._item(code)
        if record is not None and record.resolved_at is None:
            self.notify(self.catalog.t("notice.resolve_first", code=code), timeout=4)
            return
        from screens.postmortem import PostmortemScreen

        self.push_screen(PostmortemScreen(self.catalog, code))

    @work(thread=True, exit_on_error=False, group="postmortem")
    def load_postmortem(self, code: str) -> None:
        draft = self.postmortems.open(code, self.catalog.lang, self.settings.user)
        self.post_message(PostmortemLoaded(code, draft))

    def on_postmortem_loaded(self, message: PostmortemLoaded) -> None:
        screen = self._postmortem_screen()
        if screen is not None and screen.code == message.code:
            draft = message.draft
            screen.show(draft.postmortem, draft.version, draft.history)

    @work(thread=True, exit_on_error=False, group="postmortem-save")
    def save_postmortem(self, screen, postmortem, version: int) -> None:
        """Save a copy of the form's draft; a refusal keeps the form as typed."""
        from copy import deepcopy

        snapshot = self.call_from_thread(deepcopy, postmortem)
        saved = self.save_form(
            screen, lambda: self.postmortems.save(snapshot, version, self.settings.user)
        )
        if saved is not None:
            self.call_from_thread(screen.saved, saved)

    def save_form(self, screen, save):
        """Run a form's save inside a worker. A stale write is refused with its sentence and
        the form keeps what was typed; returns the new version, or None when refused."""
        from storage.errors import StaleWrite

        try:
            return save()
        except StaleWrite as error:
            self.call_from_thread(screen.save_failed, True)
            self.notify(said_in(error, self.catalog), severity="error", timeout=15, markup=False)
            return None
        except Exception:
            self.call_from_thread(screen.save_failed, False)
            raise

    def action_postmortem_review(self) -> None:
        self._postmortem_status("in_review", "notice.pm_in_review")

    def action_postmortem_publish(self) -> None:
        from app.postmortem import blame_phrases

        screen = self._postmortem_screen()
        phrases = blame_phrases(screen.postmortem) if screen and screen.postmortem else []
        dialogs.publish_unless_blaming(
            self, self.catalog, "pm.blame_reminder", phrases,
            lambda: self._postmortem_status("published", "notice.pm_published"),
        )  # fmt: skip

    def _postmortem_status(self, status: str, notice: str) -> None:
        screen = self._postmortem_screen()
        if screen is None or screen.postmortem is None:
            return
        if screen.dirty or screen.saving:
            self.notify(self.catalog.t("notice.pm_wait_save"), timeout=3)
            return
        from app.postmortem import completeness

        if status == "in_review" and not completeness(screen.postmortem).ready:
            self.notify(self.catalog.t("notice.pm_not_ready"), severity="warning", timeout=6)
            return
        self._set_postmortem_status(screen, status, notice)

    @work(thread=True, exit_on_error=False, group="postmortem-save")
    def _set_postmortem_status(self, screen, status: str, notice: str) -> None:
        draft = self.postmortems.set_status(screen.code, status, self.settings.user, screen.version)
        self.post_message(PostmortemLoaded(screen.code, draft))
        self.notify(self.catalog.t(notice), timeout=4)

    def toggle_check(self, code: str, checklist: str, item: str) -> None:
        if self._service_ready():
            self._run(
                lambda: self.service.toggle_check(code, self.settings.user, checklist, item),
                None,
            )

    @work(thread=True, exit_on_error=False, group="files")
    def save_message(self, code: str, kind: str, text: str) -> None:
        folder = Path(self.settings.export_dir)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{code}-{kind}.txt"
        write_file(path, text, "message")
        self.notify(self.catalog.t("notice.saved", path=str(path)), markup=False, timeout=6)

    # -- storage work -------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="incident-actions")
    def _run(self, change, notice_key: str | None, select_result: bool = False) -> None:
        """Carry out a change; a refused one becomes a notification in the worker handler."""
        result = change()
        code = getattr(result, "code", result) if result is not None else ""
        notice = self.catalog.t(notice_key, code=code) if notice_key is not None else ""
        self.post_message(IncidentsChanged(notice, code if select_result and code else None))

    @work(thread=True, exit_on_error=False, group="board", exclusive=True)
    def load_board(self, force: bool = False) -> None:
        signature = self.service.board_signature()
        if force or signature != self._board_signature:
            self.post_message(BoardLoaded(self.service.board(), signature))

    @work(thread=True, exit_on_error=False, group="incident")
    def load_incident(self, code: str) -> None:
        if self.service is not None:
            self.post_message(IncidentLoaded(self.service.view(code)))

    def on_board_loaded(self, message: BoardLoaded) -> None:
        self._board_signature = message.signature
        board = self._board()
        if board is not None:
            board.show_items(message.items)
        detail = self._detail()
        if detail is not None:
            self.load_incident(detail.code)

    def on_incident_loaded(self, message: IncidentLoaded) -> None:
        detail = self._detail()
        if detail is not None and detail.code == message.view.record.code:
            detail.show(message.view)

    async def on_incidents_changed(self, message: IncidentsChanged) -> None:
        if message.notice:
            self.notify(message.notice, markup=False, timeout=4)
        board = self._board()
        if message.select and board is not None:
            board.select_code(message.select)
        self.load_board(force=True)
        if self.escalations is not None:
            await self.escalations.sweep_now()

    def poll_board(self) -> None:
        """Once a second: pick up changes made elsewhere (another laptop, the daemon)."""
        if self.service is not None:
            self.load_board()

    # -- escalation alerts --------------------------------------------------------------------

    def on_escalations_fired(self, fired: list[FiredStep]) -> None:
        self.load_board(force=True)

    def on_alerts_delivered(self, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            payload = delivery.payload
            if delivery.error:
                self.notify(
                    self.catalog.t("notice.alert_failed", channel=delivery.channel,
                                   error=delivery.error),
                    severity="error", markup=False, timeout=10,
                )  # fmt: skip
            elif delivery.shown and delivery.channel == "bell":
                self.bell()
            elif delivery.shown and delivery.channel == "flash":
                text = self.catalog.t(
                    "board.flash", code=payload["incident"], severity=payload["severity"],
                    notify=", ".join(
                        payload.get("notify_by_language", {}).get(self.catalog.lang)
                        or payload["notify"]
                    ),
                )  # fmt: skip
                board = self._board()
                if board is not None:
                    board.flash(text, payload["incident"])
                if not isinstance(self.screen, BoardScreen):
                    self.notify(text, severity="warning", markup=False, timeout=10)
