"""The story library: search as you type (any language, two-character words included), filters
by theme, kind and severity, newest incident first; Enter opens the reader."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Input, Select, Static

from app.domain.i18n import Catalog
from app.domain.story.bank import builtin_themes, theme_name
from app.domain.story.model import KINDS
from app.domain.textsafe import printable
from app.domain.word_lists import joined
from app.services.library.records import filtered
from screens import anywhere_actions
from screens.localized import bind_localized
from screens.story_screen import StoryScreen
from widgets.fields import SearchField
from widgets.fit_footer import FitFooter

SEARCH_DELAY = 0.15  # seconds of quiet typing before the query runs
PAGE = 200  # rows read and drawn at a time; more when the cursor comes near the last
NEAR_THE_END = 20
SEVERITIES = ("SEV-1", "SEV-2", "SEV-3", "SEV-4", "P0", "P1", "P2", "P3")
COLUMNS = ("date", "severity", "kind", "title", "themes")
FILTERS = ("#filter-theme", "#filter-kind", "#filter-severity")


def next_page(offset: int, read: int) -> int | None:
    """Where the page after one of `read` lines read from `offset` starts; None: a short page
    was the last."""
    return offset + read if read == PAGE else None


class LibraryLoaded(Message):
    """A page of the library or of a search."""

    def __init__(self, query: str, items: list, offset: int, next_offset: int | None) -> None:
        super().__init__()
        self.query = query
        self.items = items
        self.offset = offset  # 0: a first page (a new query); else more of the same
        self.next_offset = next_offset  # where the next page starts; None: nothing more


class LibraryCounted(Message):
    """The library's size, read after its first page is on screen."""

    def __init__(self, total: int) -> None:
        super().__init__()
        self.total = total


class LibraryScreen(StoryScreen):
    BINDING_SPECS = (
        ("slash", "focus_search", "binding.search", True),
        ("n", "nominate", "binding.nominate", True),
        ("x", "toggle_examples", "binding.examples", True),
        ("T", "translate_story", "binding.translate", True),
        ("e", "app.print", "binding.print", True),
        ("escape", "app.show_board", "binding.board", True),
    )

    def __init__(self, catalog: Catalog, preview: tuple[list, int] | None = None) -> None:
        super().__init__(name="library")
        self.catalog = catalog
        self._preview = preview  # the first page and size read in the background, if any
        self.current_query = ""
        self.items: list = []
        self.found: list = []
        self.total: int | None = None  # the library's size, once counted
        self.next_offset: int | None = None  # None: everything there is has been read
        self.rendered = 0
        self.fetching = False
        self._timer = None
        self._shown = False
        bind_localized(self, catalog, self.BINDING_SPECS)

    def compose(self) -> ComposeResult:
        t = self.catalog.t
        lang = self.catalog.lang
        yield Static(Content(t("story.library")), id="screen-title")
        yield SearchField(placeholder=t("story.search"), id="library-search")
        with Horizontal(id="library-filters"):
            themes = [(theme_name(key, lang), key) for key in builtin_themes(lang)]
            yield Select(themes, prompt=f"{t('story.theme')}: {t('story.all')}", id="filter-theme")
            kinds = [(t(f"story.kind.{kind}"), kind) for kind in KINDS]
            yield Select(
                kinds, prompt=f"{t('story.kind_filter')}: {t('story.all')}", id="filter-kind"
            )
            severities = [(s, s) for s in SEVERITIES]
            yield Select(
                severities, prompt=f"{t('story.severity')}: {t('story.all')}", id="filter-severity"
            )
        yield Static(id="library-count")
        table = DataTable(id="library-table", cursor_type="row", zebra_stripes=True)
        for column in COLUMNS:
            table.add_column(t(f"story.column.{column}"), key=column)
        yield table
        yield FitFooter()

    def on_mount(self) -> None:
        self.query_one("#library-search", Input).focus()
        if self._preview is not None:  # rows in the first frame; read again just below
            items, self.total = self._preview
            self.on_library_loaded(LibraryLoaded("", items, 0, next_page(0, len(items))))
        self.search("")
        self.host.changes.subscribe(self, lambda changes: changes.stories and self.reload())

    def on_screen_resume(self) -> None:
        """Back on a kept library: what it shows is read again (the page on screen, if it has
        not changed, stays as it is, the cursor with it)."""
        if self._shown:  # once it is drawn: a read beside the drawing slowed it down
            self.call_after_refresh(self.reload)
        self._shown = True  # the first time, on_mount has just read it

    # -- data in ------------------------------------------------------------------------------

    def search(self, query: str) -> None:
        self._read_page(query, 0)

    @work(thread=True, exit_on_error=False, group="library", exclusive=True)
    def _read_page(self, query: str, offset: int) -> None:
        """A page of the whole library, or of what a search found, newest first: the library
        and every search are read a page at a time, whatever their size."""
        stories, lang = self.host.services.stories, self.catalog.lang
        if query.strip():
            items, read = stories.search_page(query, lang, offset, PAGE)
        else:
            items = stories.page(lang, offset, PAGE)
            read = len(items)
        self.post_message(LibraryLoaded(query, items, offset, next_page(offset, read)))
        if offset == 0 and not query.strip():
            # Counting 100,000 stories takes longer than reading the first page: rows first.
            self.post_message(LibraryCounted(stories.count()))

    def on_library_counted(self, message: LibraryCounted) -> None:
        self.total = message.total
        self._show_count()

    def on_library_loaded(self, message: LibraryLoaded) -> None:
        if message.query != self.query_one("#library-search", Input).value:
            return  # an older query's answer; a newer one is on its way
        if message.offset and (message.offset, message.query) != (
            self.next_offset,
            self.current_query,
        ):
            return  # more of a list that has since been read again
        self.fetching = False
        self.next_offset = message.next_offset
        if (message.offset, message.query) == (0, self.current_query) and message.items == (
            self.items
        ):
            return  # the page on screen, read again unchanged: the cursor stays where it is
        if message.offset == 0:
            self.current_query, self.items = message.query, []
        shown = {item.group for item in self.items}  # a translation met on an earlier page
        self.items = [*self.items, *(item for item in message.items if item.group not in shown)]
        if message.offset == 0:
            self._apply_filters()
        else:
            self.found = [*self.found, *self._filter(message.items, shown)]
            self._render_more()
            self._show_count()

    def reload(self) -> None:
        self.search(self.current_query)

    def _filter_value(self, selector: str) -> str:
        value = self.query_one(selector, Select).value
        return value if isinstance(value, str) else ""

    @property
    def complete(self) -> bool:
        return self.next_offset is None

    def _filter(self, items: list, skip_groups: set | frozenset = frozenset()) -> list:
        return filtered(
            [item for item in items if item.group not in skip_groups],
            *(self._filter_value(selector) for selector in FILTERS),
        )

    def _apply_filters(self) -> None:
        self.found = self._filter(self.items)
        table = self.query_one("#library-table", DataTable)
        table.clear()
        self.rendered = 0
        self._render_more()
        self._show_count()

    def _show_count(self) -> None:
        t = self.catalog.t
        filtering = self.current_query.strip() or any(map(self._filter_value, FILTERS))
        if self.total is None:
            count = ""  # a moment after the first rows
        elif not filtering:
            count = t("story.count", shown=self.total, total=self.total)
        elif self.complete:
            count = t("story.count", shown=len(self.found), total=self.total)
        else:  # more matches may be further down: they are read as the cursor gets there
            count = t("story.count_more", shown=len(self.found), total=self.total)
        if self.complete and not self.found:
            count = (count + " · " if count else "") + t("story.no_match")
        self.query_one("#library-count", Static).update(Content(count))
        if not self.complete and not self.fetching and len(self.found) < PAGE:
            self._read_more()  # a filter kept too few of what was read: read on

    def _read_more(self) -> None:
        self.fetching = True
        self._read_page(self.current_query, self.next_offset)

    def _render_more(self) -> None:
        """The next PAGE rows of what was found (drawing 100,000 rows at once takes seconds);
        past the end of what was read, the next page is read."""
        t, lang = self.catalog.t, self.catalog.lang
        table = self.query_one("#library-table", DataTable)
        for item in self.found[self.rendered : self.rendered + PAGE]:
            title = printable(item.title)
            if item.example:
                title += f" ({t('story.example')})"
            if item.status != "published":
                title += f" ({t('story.draft')})"
            themes = joined((theme_name(theme, lang) for theme in item.themes), lang)
            # Text(): user text is data, never markup.
            table.add_row(
                item.occurred_on or "—",
                item.severity or "—",
                t(f"story.kind.{item.kind}"),
                Text(title),
                Text(printable(themes)),
                key=item.key,
            )
        self.rendered = table.row_count

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row < self.rendered - NEAR_THE_END:
            return
        if self.rendered < len(self.found):
            self._render_more()
        elif not self.complete and not self.fetching:
            self._read_more()

    # -- user in ------------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SEARCH_DELAY, lambda: self.search(event.value))

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.query_one("#library-table", DataTable).focus()

    def on_select_changed(self, _event: Select.Changed) -> None:
        self._apply_filters()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        from screens.reader import ReaderScreen

        self.app.push_screen(ReaderScreen(self.catalog, ref=str(event.row_key.value)))

    def selected(self):
        table = self.query_one("#library-table", DataTable)
        if not self.found or table.cursor_row >= len(self.found):
            return None
        return self.found[table.cursor_row]

    def story_on_screen(self):
        return self.selected()

    def examples_shown(self) -> bool:
        """Whether the example stories are on screen (toggling then hides them)."""
        return any(item.example for item in self.items)

    def action_toggle_examples(self) -> None:
        anywhere_actions.toggle_examples(self)

    def action_focus_search(self) -> None:
        self.query_one("#library-search", Input).focus()
