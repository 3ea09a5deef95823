"""Modal forms for incident actions. Each returns its answer through dismiss(); the caller does
the storage work. Enter in a text field submits, Escape cancels, nothing needs a mouse."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from app.domain.i18n import Catalog
from app.domain.incident import CERTAINTIES, ROLES, STATUSES
from app.domain.textsafe import printable
from screens.coach_dialog import CoachDialog as CoachDialog  # opened as dialogs.CoachDialog
from widgets.fields import Choice, Form, TextField


class Dialog(ModalScreen):
    """A box in the middle of the screen with a title, fields and an error line."""

    BINDINGS = [
        Binding("escape", "cancel", show=False),
        Binding("ctrl+s", "submit", show=False),
    ]
    # Under 32 rows (an 80x24 terminal) the fields lose their borders so that every field, the
    # error line and the hint stay on screen (assets/storycart.tcss, Dialog.-short).
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    def __init__(self, catalog: Catalog, title: str) -> None:
        super().__init__()
        self.catalog = catalog
        self.dialog_title = title

    def compose(self) -> ComposeResult:
        with Form(classes="dialog-box"):  # letters typed anywhere in it are text
            yield Static(Content(self.dialog_title), classes="dialog-title")
            yield from self.fields()
            yield Static("", classes="dialog-error")
            yield Static(Content(self.hint()), classes="dialog-hint")

    def fields(self) -> ComposeResult:
        yield from ()

    def hint(self) -> str:
        return self.catalog.t("dialog.hint")

    def label(self, key: str) -> Label:
        return Label(Content(self.catalog.t(key)), classes="dialog-label")

    def show_error(self, message: str) -> None:
        self.query_one(".dialog-error", Static).update(Content(message))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def on_choice_submitted(self, event: Choice.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        raise NotImplementedError

    def value_of(self, selector: str) -> str:
        return printable(self.query_one(selector, Input).value).strip()


class UpdateDialog(Dialog):
    """Post a status update: (status, text)."""

    def __init__(self, catalog: Catalog, code: str, status: str) -> None:
        super().__init__(catalog, catalog.t("update.title", code=code))
        self.status = status if status in STATUSES else STATUSES[0]

    def fields(self) -> ComposeResult:
        yield self.label("update.status")
        yield Choice(
            [(self.catalog.t(f"status.{s}"), s) for s in STATUSES],
            value=self.status,
            allow_blank=False,
            id="update-status",
        )
        yield self.label("update.text")
        yield TextField(id="update-text", placeholder=self.catalog.t("update.placeholder"))

    def on_mount(self) -> None:
        self.query_one("#update-text", Input).focus()

    def action_submit(self) -> None:
        text = self.value_of("#update-text")
        if not text:
            self.show_error(self.catalog.t("update.needs_text"))
            return
        self.dismiss((str(self.query_one("#update-status", Select).value), text))


class TimesDialog(Dialog):
    """When the impact began and when the first signal came: (started, detected), aware."""

    def __init__(self, catalog: Catalog, code: str, record, now) -> None:
        super().__init__(catalog, catalog.t("times.title", code=code))
        self.record = record
        self.now = now

    def fields(self) -> ComposeResult:
        def local(moment) -> str:
            return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""

        declared = self.record.declared_at
        yield self.label("times.started")
        yield TextField(value=local(self.record.started_at or declared), id="times-started")
        yield self.label("times.detected")
        yield TextField(value=local(self.record.detected_at or declared), id="times-detected")

    def hint(self) -> str:
        return self.catalog.t("times.hint")

    def on_mount(self) -> None:
        self.query_one("#times-started", Input).focus()

    def action_submit(self) -> None:
        from app.domain.i18n import said_in
        from app.domain.incident import IncidentError, impact_times
        from app.domain.moments import MomentError, parse_moment

        try:
            started = parse_moment(self.value_of("#times-started"), self.now)
            detected = parse_moment(self.value_of("#times-detected"), self.now)
            impact_times(self.record.declared_at, self.now, started, detected)
        except (MomentError, IncidentError) as error:
            self.show_error(said_in(error, self.catalog))
            return
        self.dismiss((started, detected))


class PeriodDialog(Dialog):
    """A custom period for the metrics: (since, until), aware, since before until."""

    def __init__(self, catalog: Catalog, since, until, now) -> None:
        super().__init__(catalog, catalog.t("metrics.custom_title"))
        self.since, self.until, self.now = since, until, now

    def fields(self) -> ComposeResult:
        yield self.label("metrics.custom_since")
        yield TextField(value=self.since.strftime("%Y-%m-%d"), id="period-since")
        yield self.label("metrics.custom_until")
        yield TextField(value=self.until.strftime("%Y-%m-%d"), id="period-until")

    def hint(self) -> str:
        return self.catalog.t("metrics.custom_hint")

    def on_mount(self) -> None:
        self.query_one("#period-since", Input).focus()

    def action_submit(self) -> None:
        from app.domain.i18n import said_in
        from app.domain.moments import MomentError, parse_moment

        try:
            since = parse_moment(self.value_of("#period-since"), self.now)
            until = parse_moment(self.value_of("#period-until"), self.now)
        except MomentError as error:
            self.show_error(said_in(error, self.catalog))
            return
        if since >= until:
            self.show_error(self.catalog.t("metrics.bad_custom"))
            return
        self.dismiss((since, until))


class TextDialog(Dialog):
    """One line of text (resolution summary); empty allowed when `required` is False."""

    def __init__(self, catalog: Catalog, title: str, label_key: str, required: bool) -> None:
        super().__init__(catalog, title)
        self.label_key = label_key
        self.required = required

    def fields(self) -> ComposeResult:
        yield self.label(self.label_key)
        yield TextField(id="dialog-text")

    def on_mount(self) -> None:
        self.query_one("#dialog-text", Input).focus()

    def action_submit(self) -> None:
        text = self.value_of("#dialog-text")
        if self.required and not text:
            self.show_error(self.catalog.t("dialog.needs_text"))
            return
        self.dismiss(text)


class MaintenanceDialog(Dialog):
    """A maintenance window: (name, seconds, match)."""

    def fields(self) -> ComposeResult:
        yield self.label("maintenance.name")
        yield TextField(id="maintenance-name")
        yield self.label("maintenance.duration")
        yield TextField(value="2h", id="maintenance-duration")
        yield self.label("maintenance.match")
        yield TextField(id="maintenance-match")

    def on_mount(self) -> None:
        self.query_one("#maintenance-name", Input).focus()

    def action_submit(self) -> None:
        from app.domain.durations import DurationError, parse_duration

        name = self.value_of("#maintenance-name")
        if not name:
            self.show_error(self.catalog.t("dialog.needs_text"))
            return
        try:
            seconds = parse_duration(self.value_of("#maintenance-duration"))
        except DurationError as error:
            self.show_error(str(error))
            return
        self.dismiss((name, seconds, self.value_of("#maintenance-match")))


class NoteDialog(Dialog):
    """A timeline entry marked fact or hypothesis: (text, certainty)."""

    def fields(self) -> ComposeResult:
        yield self.label("note.text")
        yield TextField(id="note-text", placeholder=self.catalog.t("note.placeholder"))
        yield self.label("note.certainty")
        yield Choice(
            [(self.catalog.t(f"certainty.{c}"), c) for c in CERTAINTIES],
            value=CERTAINTIES[0],
            allow_blank=False,
            id="note-certainty",
        )

    def on_mount(self) -> None:
        self.query_one("#note-text", Input).focus()

    def action_submit(self) -> None:
        text = self.value_of("#note-text")
        if not text:
            self.show_error(self.catalog.t("dialog.needs_text"))
            return
        self.dismiss((text, str(self.query_one("#note-certainty", Select).value)))


class RoleDialog(Dialog):
    """Assign a role: (role, person); an empty name clears the role."""

    def __init__(self, catalog: Catalog, code: str, roles: dict[str, str], role: str) -> None:
        super().__init__(catalog, catalog.t("role.title", code=code))
        self.roles = roles
        self.role = role

    def fields(self) -> ComposeResult:
        yield self.label("role.role")
        yield Choice(
            [(self.catalog.t(f"role.{r}"), r) for r in ROLES],
            value=self.role,
            allow_blank=False,
            id="role-role",
        )
        yield self.label("role.person")
        yield TextField(self.roles.get(self.role, ""), id="role-person")

    def on_mount(self) -> None:
        self.query_one("#role-person", Input).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.query_one("#role-person", Input).value = self.roles.get(str(event.value), "")

    def action_submit(self) -> None:
        self.dismiss(
            (str(self.query_one("#role-role", Select).value), self.value_of("#role-person"))
        )


class ChoiceDialog(ModalScreen):
    """Pick one of a few options (a new severity); Enter picks, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, title: str, options: list[tuple[str, str]], current: str | None) -> None:
        super().__init__()
        self.dialog_title = title
        self.options = options
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Content(self.dialog_title), classes="dialog-title")
            yield OptionList(
                *[Option(Content(label), id=value) for label, value in self.options],
                id="choice-list",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        values = [value for _label, value in self.options]
        if self.current in values:
            options.highlighted = values.index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def quoted(phrases: list[str], limit: int = 4) -> str:
    """A few phrases for a sentence: "a", "b", "c" …"""
    shown = ", ".join(f"\u201c{printable(p)}\u201d" for p in phrases[:limit])
    return shown + (" …" if len(phrases) > limit else "")


def publish_unless_blaming(
    app, catalog: Catalog, question_key: str, phrases: list[str], publish
) -> None:
    """Publish now, or, when the text still holds phrases that blame a person, name them and
    publish only if the user says yes."""
    if not phrases:
        publish()
        return

    def answered(publish_anyway: bool | None) -> None:
        if publish_anyway:
            publish()

    question = catalog.t(question_key, phrases=quoted(phrases))
    app.push_screen(ConfirmDialog(catalog, question), answered)


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS = [
        Binding("y,enter", "answer(True)", show=False),
        Binding("n,escape", "answer(False)", show=False),
    ]

    def __init__(self, catalog: Catalog, question: str) -> None:
        super().__init__()
        self.catalog = catalog
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Content(self.question), classes="dialog-title")
            yield Static(Content(self.catalog.t("dialog.confirm_hint")), classes="dialog-hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
