"""The incident board (home screen): every active incident, worst first, with a countdown to
each of its clocks, refreshed in place once a second."""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from app.domain.board_rows import COLUMNS, PlanCache, board_order, row_at
from app.domain.clock import Clock
from app.domain.i18n import Catalog
from app.domain.incident import BoardItem
from app.domain.intake import window_text
from app.domain.message_templates import local_time
from app.domain.service_words import service_said
from app.domain.textsafe import printable
from app.services.board_reader import BoardReader
from screens import anywhere_actions
from screens.incident_commands import IncidentCommandsScreen
from screens.localized import bind_localized
from widgets.board_table import BoardHeader, BoardTable, board_layout
from widgets.fit_footer import FitFooter
from widgets.watcher_line import WatcherLine

FLASH_SECONDS = 10.0
WATCHERS_EVERY_S = 5.0  # how often the board reads who fires escalations


class WatchersLoaded(Message):
    def __init__(self, watchers: list) -> None:
        super().__init__()
        self.watchers = watchers  # app.domain.watchers.Watcher, the latest pass first


class BoardLoaded(Message):
    def __init__(
        self, items: list[BoardItem], broken_paging: list, windows: list, overdue_follow_ups: int
    ) -> None:
        super().__init__()
        self.items = items
        self.broken_paging = broken_paging  # ChannelStatus of channels whose last page failed
        self.windows = windows  # maintenance windows open now
        self.overdue_follow_ups = overdue_follow_ups  # postmortem action items past their date


class BoardScreen(IncidentCommandsScreen):
    BINDING_SPECS = (
        ("n", "declare", "binding.declare", True),
        ("enter", "open_incident", "binding.open", True),
        ("a", "acknowledge", "binding.acknowledge", True),
        ("u", "post_update", "binding.update", True),
        ("r", "resolve", "binding.resolve", True),
        ("e", "escalate", "binding.escalate", True),
        ("s", "change_severity", "binding.severity", False),
        ("o", "reopen", "binding.reopen", False),
        ("f", "coach", "binding.coach", False),
        ("p", "write_postmortem", "binding.postmortem", True),
    )

    def __init__(
        self,
        catalog: Catalog,
        clock: Clock,
        first_look: list[BoardItem] | None = None,
        look_later: Callable[[], list[BoardItem] | None] | None = None,
    ) -> None:
        """``first_look``: the incidents to draw in the first frame, read before the services
        were loaded (app.services.first_look); ``look_later``: the same read, too slow to hold
        the first frame for (the team's server), done in a thread right after it. The board's
        own first read follows either."""
        super().__init__(name="board")
        self.catalog = catalog
        self.clock = clock
        self._first_look = first_look
        self._look_later = look_later
        self._looked = False  # the first look answered: its rows are on screen, or none are
        self.items: list[BoardItem] = []
        self._order: list[str] = []  # the incidents' codes in board order
        self._by_code: dict[str, BoardItem] = {}
        self._open: list[BoardItem] = []
        self.plans = PlanCache()
        self._reader: BoardReader | None = None
        self.loaded = False
        self._flash_timer = None
        self._flash_code: str | None = None
        self._summary = ""
        self._banners: dict[str, str] = {}  # what each banner shows
        self._overdue_follow_ups = 0
        self._window_ends = None  # when the first open maintenance window closes
        self._watchers: list | None = None  # None: not read yet
        bind_localized(self, catalog, self.BINDING_SPECS)

    def compose(self) -> ComposeResult:
        t = self.catalog.t
        yield Static(Content(t("board.title")), id="screen-title")
        yield Static(id="board-summary")
        yield WatcherLine(id="watcher-line")
        yield Static(id="paging-broken")
        yield Static(id="maintenance")
        yield Static(id="flash")
        yield BoardHeader(id="board-header")
        yield BoardTable(id="board-table")
        yield Static(Content(t("board.empty")), id="board-empty")
        yield FitFooter()

    def on_mount(self) -> None:
        self.lay_out(self.app.size.width)
        self.query_one(BoardTable).focus()
        self.query_one("#flash").display = False
        self.query_one("#paging-broken").display = False
        self.query_one("#maintenance").display = False
        self.set_interval(1.0, self._tick)
        self.set_interval(WATCHERS_EVERY_S, self.load_watchers)
        if self._first_look is not None:  # an empty board says so in its first frame too
            self._keep(self._first_look)
            self._first_look, self._looked = None, True
        if self._look_later is not None:
            self.call_after_refresh(self._look_at_the_server)
        self.refresh_clocks()
        host = self.host
        host.services_ready.subscribe(self, lambda _services: self.load_everything())
        host.changes.subscribe(self, self._changed)
        host.alert_flashed.subscribe(self, lambda flash: self.flash(*flash))
        if host.services is not None:
            self.load_everything()

    @work(thread=True, exit_on_error=False, group="first-look", exclusive=True)
    def _look_at_the_server(self) -> None:
        items = self._look_later()
        if items is not None:
            self.app.call_from_thread(self._looked_later, items)

    def _looked_later(self, items: list[BoardItem]) -> None:
        if self.loaded:
            return  # the board's own read came first
        self._keep(items)
        self._looked = True
        self.refresh_clocks()

    def load_everything(self) -> None:
        self.load_items()
        self.load_watchers()

    @work(thread=True, exit_on_error=False, group="watchers", exclusive=True)
    def load_watchers(self) -> None:
        if self.host.services is not None:
            self.post_message(WatchersLoaded(self.host.services.watchers.current()))

    def on_watchers_loaded(self, message: WatchersLoaded) -> None:
        self._watchers = message.watchers
        self.show_watchers()

    def show_watchers(self) -> None:
        """Who fires escalations: this board, the others still passing, or nobody."""
        if self._watchers is None:
            return
        from app.domain.watcher_text import watcher_line

        engine = self.host.engine
        text, nobody = watcher_line(
            self._watchers,
            self.clock.now(),
            self.host.settings.engine.interval_s,
            self.catalog,
            engine.instance if engine is not None else None,
            this_watches=engine is not None and engine.healthy,
        )
        self.query_one(WatcherLine).show(text, nobody)

    def _changed(self, changes) -> None:
        if changes.shown:
            self.load_items()

    @work(thread=True, exit_on_error=False, group="board", exclusive=True)
    def load_items(self) -> None:
        services = self.host.services
        if self._reader is None or self._reader.incidents is not services.incidents:
            self._reader = BoardReader(services.incidents)
        self.post_message(
            BoardLoaded(
                self._reader.read(),
                services.paging.broken(),
                services.maintenance.active(),
                services.metrics.overdue_follow_ups(),
            )
        )

    def on_board_loaded(self, message: BoardLoaded) -> None:
        self._overdue_follow_ups = message.overdue_follow_ups
        self.show_items(message.items)
        self.show_banners(message.broken_paging, message.windows)
        self._window_ends = min((window.ends_at for window in message.windows), default=None)

    def show_banners(self, broken: list, windows: list) -> None:
        """A silent pager is the worst failure: say which channel fails, until a page gets
        through; and which maintenance windows keep intake alerts from paging."""
        lines = [
            self.catalog.t(
                "board.paging_broken",
                channel=status.name,
                at=local_time(status.last_failed_at),
                error=service_said(status.last_error or "", self.catalog),
            )
            for status in broken
        ]

        quiet = [window_text(window, self.catalog) for window in windows]
        for name, shown in (("#paging-broken", lines), ("#maintenance", quiet)):
            text = printable("\n".join(shown))
            if self._banners.get(name) != text:  # an update lays the screen out again
                self._banners[name] = text
                banner = self.query_one(name, Static)
                banner.update(Content(text))
                banner.display = bool(shown)

    def lay_out(self, width: int) -> None:
        t = self.catalog.t
        layout = board_layout(
            {column: t(f"board.column_{column}") for column in COLUMNS},
            {column: t(f"board.short_{column}") for column in COLUMNS},
            width,
        )
        self.query_one(BoardHeader).show_headers(layout.headers, layout.widths)
        self.query_one(BoardTable).lay_out(layout.widths, layout.compact)

    def on_resize(self, event) -> None:
        self.lay_out(event.size.width)

    def show_items(self, items: list[BoardItem]) -> None:
        self._keep(items)
        if not self.loaded:
            self.loaded = True
            self.call_after_refresh(self.host.board_shown.publish, None)
        if self._flash_code is not None and not any(
            item.record.code == self._flash_code and item.record.resolved_at is None
            for item in items
        ):
            self._end_flash()  # its incident was resolved: the warning no longer holds
        self.refresh_clocks()

    def _keep(self, items: list[BoardItem]) -> None:
        self.items = items
        ordered = board_order(items)
        self._order = [item.record.code for item in ordered]
        self._by_code = {item.record.code: item for item in items}
        self._open = [item for item in ordered if item.record.resolved_at is None]
        self.plans.keep_only(items)

    def _tick(self) -> None:
        # Under another screen nobody sees the countdowns: the screen on top gets the time.
        if self.is_current:
            self.refresh_clocks()
        if self._window_ends is not None and self.clock.now() >= self._window_ends:
            self._window_ends = None  # a maintenance window closed by itself: its banner goes
            self.load_items()

    def on_screen_resume(self) -> None:
        self.refresh_clocks()

    def refresh_clocks(self) -> None:
        """Re-derive every countdown from the stored deadlines and the clock."""
        now, catalog, plans, items = self.clock.now(), self.catalog, self.plans, self._by_code
        self.query_one(BoardTable).show(
            self._order, lambda code: row_at(items[code], now, catalog, plans)
        )
        empty = (self.loaded or self._looked) and not self._order
        if self.query_one("#board-empty").display != empty:
            self.query_one("#board-empty").display = empty
        # After the rows are drawn: counting what is overdue plans every open incident (seconds
        # for the first count of 10,000; a screenful of rows needs a screenful of plans).
        self.call_after_refresh(self._show_summary)

    def _show_summary(self) -> None:
        if not self.is_attached:
            return  # the app left meanwhile
        now, plans = self.clock.now(), self.plans
        summary = self.catalog.t(
            "board.summary",
            open=len(self._open),
            resolved=len(self._order) - len(self._open),
            overdue=sum(plans.overdue_cells(item, now) for item in self._open),
        )
        if self._overdue_follow_ups:
            summary += " · " + self.catalog.t("follow_ups.board", count=self._overdue_follow_ups)
        # Never "0 open" for a database nobody has read yet: the board does not know.
        unreachable = self.host.database.unreachable if self.host.services is None else None
        if unreachable:
            summary = self.catalog.t("board.unreachable", reason=printable(unreachable))
        elif not (self.loaded or self._looked):
            summary = self.catalog.t("board.opening")
        if summary != self._summary:  # an update re-lays the screen out: only on a change
            self._summary = summary
            line = self.query_one("#board-summary", Static)
            line.set_class(bool(unreachable), "-unreachable")  # wraps: the reason in full
            line.update(Content(summary))
        self.show_watchers()  # the others' ages; redrawn only when the text changes

    def selected_code(self) -> str | None:
        return self.query_one(BoardTable).selected_code()

    def incident_code(self) -> str | None:
        code = self.selected_code()
        if code is None:
            self.notify(self.catalog.t("notice.no_incident"), timeout=3)
        return code

    def incident_item(self, code: str):
        for item in self.items:
            if item.record.code == code:
                return item.record, item.policy
        return None, None

    def select_code(self, code: str) -> None:
        self.query_one(BoardTable).select(code)

    def flash(self, text: str, code: str | None = None) -> None:
        """A visible banner for an escalation that just fired on incident `code`."""
        self._flash_code = code
        banner = self.query_one("#flash", Static)
        banner.update(Content(printable(text)))
        banner.display = True
        if self._flash_timer is not None:
            self._flash_timer.stop()
        self._flash_timer = self.set_timer(FLASH_SECONDS, self._end_flash)

    def _end_flash(self) -> None:
        self._flash_code = None
        self.query_one("#flash").display = False

    def action_declare(self) -> None:
        anywhere_actions.declare(self)

    def action_open_incident(self) -> None:
        code = self.selected_code()
        if code is not None:
            self.open_incident(code)

    def on_board_table_row_selected(self, event: BoardTable.RowSelected) -> None:
        event.stop()
        self.open_incident(event.code)

    def open_incident(self, code: str) -> None:
        from screens.incident import IncidentScreen

        self.app.push_screen(IncidentScreen(self.catalog, self.clock, code))
