"""The library's first page and size, read in the background a moment after the board is up
and again whenever the stories change, so that `l` shows the rows in the library's first
frame; the screen still reads the page again as it opens."""

from __future__ import annotations

from functools import partial

# After the board's own start-up work, not competing with it.
PREVIEW_AFTER_S = 2.0


class LibraryPreview:
    def __init__(self) -> None:
        self.items: list | None = None  # the first page, as the library screen reads it
        self.total: int | None = None
        self.lang: str | None = None

    def start(self, app) -> None:
        app.set_timer(PREVIEW_AFTER_S, partial(self.read, app))
        app.changes.subscribe(app, lambda changes: changes.stories and self.read(app))

    def read(self, app) -> None:
        app.run_worker(
            partial(self._read, app),
            thread=True,
            group="library-preview",
            exclusive=True,
            exit_on_error=False,
        )

    def _read(self, app) -> None:
        from screens.library import PAGE

        stories, lang = app.services.stories, app.catalog.lang
        items = stories.page(lang, 0, PAGE)
        total = stories.count()
        app.call_from_thread(self._keep, lang, items, total)

    def _keep(self, lang: str, items: list, total: int) -> None:
        self.lang, self.items, self.total = lang, items, total

    def for_lang(self, lang: str) -> tuple[list, int] | None:
        if self.items is None or self.lang != lang:
            return None
        return self.items, self.total
