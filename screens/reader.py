"""The story reader: one story in plain language, read through a lens (engineering, product or
support), with its follow-ups' live status and its prompt cards. Opened on the story of the
week, or on a story from the library."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from app.domain.i18n import LANGUAGE_NAMES, Catalog
from app.domain.story.bank import story_marks, week_until
from app.domain.story.diagram_picture import shown_on_screen
from app.domain.story.drafting import next_lens
from app.domain.story.follow_ups import SCREEN_LOOP_MARKS, loop_lines
from app.domain.story.model import LENSES
from app.domain.textsafe import printable
from screens import anywhere_actions
from screens.localized import bind_localized
from screens.story_screen import StoryScreen
from widgets.diagram_view import DiagramView
from widgets.fit_footer import FitFooter


class StoryLoaded(Message):
    def __init__(self, view, week=None, diagrams=()) -> None:
        super().__init__()
        self.view = view
        self.week = week
        self.diagrams = diagrams  # (diagram, picture, note), see shown_on_screen


class ReaderScreen(StoryScreen):
    BINDING_SPECS = (
        ("l", "next_lens", "binding.lens", True),
        ("n", "nominate", "binding.nominate", True),
        ("f", "give_feedback", "binding.feedback", True),
        ("e", "app.print", "binding.print", True),
        ("E", "edit_story", "binding.edit_story", True),
        ("T", "translate_story", "binding.translate", True),
        ("P", "pin_story", "binding.pin", True),
        ("escape,b", "back", "binding.back", True),
    )

    def __init__(self, catalog: Catalog, week: bool = False, ref: str | None = None) -> None:
        """The story `ref`, or with `week` the story of the week."""
        super().__init__(name="reader")
        self.catalog = catalog
        self.week_mode = week
        self.ref = ref
        self.view = None
        self.week = None
        self.lens = LENSES[0]
        self.lens_chosen = False  # the place's lens applies until the reader picks one
        bind_localized(self, catalog, self.BINDING_SPECS)

    def compose(self) -> ComposeResult:
        yield Static(id="screen-title")
        yield Static(id="reader-strip")
        with VerticalScroll(id="reader-body"):
            yield Static(id="reader-highlight")
            yield Static(id="reader-narrative")
            diagrams_title = Static(id="reader-diagrams-title", classes="reader-heading")
            diagrams_title.display = False  # until a story with diagrams is shown
            yield diagrams_title
            yield Vertical(id="reader-diagrams")
            yield Static(id="reader-lens-title", classes="reader-heading")
            yield Static(id="reader-lens")
            yield Static(id="reader-loop-title", classes="reader-heading")
            yield Static(id="reader-loop")
            yield Static(id="reader-prompts-title", classes="reader-heading")
            yield Static(id="reader-prompts")
        yield FitFooter()

    def on_mount(self) -> None:
        self.reload()
        self.host.changes.subscribe(self, lambda changes: changes.stories and self.reload())

    def reload(self) -> None:
        if self.week_mode:
            self._load_week()
        elif self.ref is not None:
            self._load_story(self.ref)

    @work(thread=True, exit_on_error=False, group="story")
    def _load_week(self) -> None:
        week = self.host.services.week.week(self.catalog.lang, self.host.settings.user)
        self._lens_of_the_place()
        view = week.view if week else None
        self.post_message(StoryLoaded(view, week, self._diagrams(view)))

    def _diagrams(self, view) -> tuple:
        if view is None:
            return ()
        return shown_on_screen(view.story.diagrams, self.catalog.t)

    def _lens_of_the_place(self) -> None:
        """The first time, the lens of the place the cart stands (the product area: product)."""
        if self.lens_chosen:
            return
        self.lens_chosen = True
        lens = self.host.services.cart.current_lens()
        if lens is not None:
            self.lens = lens

    @work(thread=True, exit_on_error=False, group="story")
    def _load_story(self, ref: str) -> None:
        self._lens_of_the_place()
        view = self.host.services.stories.view(ref, self.catalog.lang)
        self.post_message(StoryLoaded(view, None, self._diagrams(view)))

    def on_story_loaded(self, message: StoryLoaded) -> None:
        self.show(message.view, message.week)
        self._show_diagrams(message.diagrams)

    def _show_diagrams(self, diagrams) -> None:
        box = self.query_one("#reader-diagrams", Vertical)
        box.remove_children()
        title = self.query_one("#reader-diagrams-title", Static)
        title.display = bool(diagrams)
        title.update(Content(self.catalog.t("story.diagrams")))
        box.mount_all(DiagramView(*shown) for shown in diagrams)

    def story_on_screen(self):
        return self.view.story if self.view is not None else None

    def show(self, view, week=None) -> None:
        t = self.catalog.t
        self.view, self.week = view, week
        if view is None:
            self._set("#screen-title", t("story.week"))
            self._set("#reader-narrative", t("story.week_none"))
            return
        story = view.story
        title = printable(story.title)
        if week is not None:
            title = f"{t('story.week')} · {week_until(week.rotates_at, t)} — {title}"
        self._set("#screen-title", title)
        marks = story_marks(story, self.catalog.lang, t)
        if story.example:
            marks.append(t("story.example"))
        if story.status != "published":
            marks.append(t("story.draft"))
        if view.translations:
            names = (LANGUAGE_NAMES.get(lang, lang) for lang in view.translations)
            marks.append(t("story.translations", langs=self.catalog.joined(names)))
        self._set("#reader-strip", " · ".join(printable(m) for m in marks if m))
        self._set("#reader-highlight", printable(story.highlight))
        self._set("#reader-narrative", printable(story.narrative))
        self._show_lens()
        self._show_loop()
        self._set("#reader-prompts-title", t("story.prompts"))
        self._set("#reader-prompts", "\n".join(f"? {printable(p)}" for p in story.prompts))

    def _set(self, selector: str, text: str) -> None:
        self.query_one(selector, Static).update(Content(text))

    def _show_lens(self) -> None:
        t = self.catalog.t
        self._set("#reader-lens-title", t("story.lens_line", lens=t(f"story.lens.{self.lens}")))
        self._set("#reader-lens", printable(self.view.story.lenses.get(self.lens, "")) or "—")

    def _show_loop(self) -> None:
        t, view = self.catalog.t, self.view
        today = self.host.clock.now().astimezone().date()
        heading, lines = loop_lines(view.follow_ups, today, t, SCREEN_LOOP_MARKS)
        self._set("#reader-loop-title", heading)
        lines = [printable(line) for line in lines]
        if not lines:
            lines.append(t("story.loop_none"))
        if view.story.changes:
            lines += ["", f"{t('story.changes')}: {printable(view.story.changes)}"]
        self._set("#reader-loop", "\n".join(lines))

    def action_give_feedback(self) -> None:
        anywhere_actions.give_feedback(self)

    def action_next_lens(self) -> None:
        if self.view is not None:
            self.lens = next_lens(self.lens)
            self._show_lens()

    def action_back(self) -> None:
        self.app.pop_screen()
