"""The curator's view (C / palette): when the last new story came and whether a refill is due,
where the cart stands (and whether it is time to move it), the next rotation; the feedback inbox
(h marks an entry handled); nominations with their reasons and the incidents with a published
postmortem but no story yet; where the cart has stood."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Label, Static

from app.domain.i18n import Catalog
from app.domain.textsafe import printable
from screens import anywhere_actions
from screens.base import Command, Notice, StoryCartScreen
from screens.localized import bind_localized
from widgets.fit_footer import FitFooter

DUE_STYLE = "bold #FFFFFF on #B3261E"


class CuratorLoaded(Message):
    def __init__(self, view) -> None:
        super().__init__()
        self.view = view


def _day(moment) -> str:
    return moment.astimezone().strftime("%Y-%m-%d") if moment else "—"


class CuratorScreen(StoryCartScreen):
    BINDING_SPECS = (
        ("h", "handle_feedback", "binding.handle_feedback", True),
        ("g", "move_cart", "binding.move_cart", True),
        ("escape", "app.show_board", "binding.board", True),
    )

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(name="curator")
        self.catalog = catalog
        self.view = None
        bind_localized(self, catalog, self.BINDING_SPECS)

    def compose(self) -> ComposeResult:
        t = self.catalog.t
        yield Static(Content(t("curator.title")), id="screen-title")
        yield Static(id="curator-summary")
        yield Label(Content(t("curator.feedback")), classes="curator-heading")
        yield DataTable(id="curator-feedback", cursor_type="row", zebra_stripes=True)
        yield Label(Content(t("curator.nominations")), classes="curator-heading")
        yield DataTable(id="curator-nominations", cursor_type="row", zebra_stripes=True)
        yield Label(Content(t("curator.places")), classes="curator-heading")
        yield DataTable(id="curator-places", cursor_type="row", zebra_stripes=True)
        yield FitFooter()

    def on_mount(self) -> None:
        t = self.catalog.t
        columns = {
            "#curator-feedback": ("given", "by", "place", "text", "handled"),
            "#curator-nominations": ("ref", "reason", "by", "given"),
            "#curator-places": ("place", "since", "lens", "by"),
        }
        for selector, keys in columns.items():
            table = self.query_one(selector, DataTable)
            for key in keys:
                table.add_column(t(f"curator.column_{key}"), key=key)
        self.query_one("#curator-feedback", DataTable).focus()
        self.reload()

    def palette_commands(self):
        yield from super().palette_commands()
        commands: list[Command] = [("handle_feedback", self.action_handle_feedback)]
        yield from commands

    @work(thread=True, exit_on_error=False, group="curator", exclusive=True)
    def reload(self) -> None:
        self.post_message(CuratorLoaded(self.host.services.curator.view(self.catalog.lang)))

    def on_curator_loaded(self, message: CuratorLoaded) -> None:
        self.view = view = message.view
        self._summary(view)
        t = self.catalog.t
        feedback = self.query_one("#curator-feedback", DataTable)
        keep = feedback.cursor_row
        feedback.clear()
        for item in view.feedback:
            handled = t("curator.handled_by", who=item.handled_by) if item.handled_at else ""
            feedback.add_row(
                _day(item.given_at),
                Text(printable(item.given_by)),
                Text(printable(item.location or "—")),
                Text(printable(item.text)),
                handled,
                key=str(item.id),
            )
        if view.feedback:
            feedback.move_cursor(row=min(keep, len(view.feedback) - 1))
        nominations = self.query_one("#curator-nominations", DataTable)
        nominations.clear()
        for item in view.nominations:
            ref = item.incident_code or item.group_key or "—"
            nominations.add_row(
                Text(ref),
                Text(printable(item.reason)),
                Text(printable(item.nominated_by)),
                _day(item.nominated_at),
            )
        for code, title in view.without_story:
            reason = t("curator.no_story_yet", title=printable(title))
            nominations.add_row(Text(code), Text(reason), "—", "—")
        places = self.query_one("#curator-places", DataTable)
        places.clear()
        for place in view.places:
            lens = t(f"story.lens.{place.lens}") if place.lens else "—"
            places.add_row(
                Text(printable(place.name)),
                _day(place.since),
                lens,
                Text(printable(place.moved_by)),
            )

    def _summary(self, view) -> None:
        t = self.catalog.t
        weeks = view.weeks_since_new_story
        lines = [
            t("curator.never_new") if weeks is None else t("curator.last_new", weeks=weeks),
        ]
        if view.refill_due:
            lines.append(t("curator.refill_due"))
        if view.places:
            here = view.places[0]
            lines.append(t("curator.here", place=printable(here.name), since=_day(here.since)))
            if view.move_due:
                lines.append(t("curator.move_due"))
        else:
            lines.append(t("curator.nowhere"))
        if view.rotates_at is not None:
            lines.append(t("curator.rotates", at=_day(view.rotates_at)))
        unhandled = sum(1 for f in view.feedback if f.handled_at is None)
        lines.append(t("curator.inbox", count=unhandled))
        due = view.refill_due or view.move_due
        self.query_one("#curator-summary", Static).update(
            Text("\n".join(lines), style=DUE_STYLE if due else "")
        )

    def action_move_cart(self) -> None:
        anywhere_actions.move_cart(self)

    def action_handle_feedback(self) -> None:
        table = self.query_one("#curator-feedback", DataTable)
        if self.view is None or not self.view.feedback or self.ready_services() is None:
            return
        item = self.view.feedback[min(table.cursor_row, len(self.view.feedback) - 1)]
        if item.handled_at is None:
            self._handle(item.id)

    @work(thread=True, exit_on_error=False, group="curator-write")
    def _handle(self, feedback_id: int) -> None:
        self.host.services.cart.handle_feedback(feedback_id, self.host.settings.user)
        self.post_message(Notice(self.catalog.t("curator.handled"), reload=True))
