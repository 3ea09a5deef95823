"""The story editor: the draft drafted from a postmortem, edited by its author — title, kind,
themes, highlight, narrative, the three lenses, lessons, what changed since, prompt cards — saved
by itself a second after the last change, published with F9."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, Select, Static, TextArea

from app.domain.autosave import Autosave
from app.domain.i18n import LANGUAGE_NAMES, Catalog, said_in
from app.domain.story.bank import builtin_themes, prompt_bank, theme_names, themes_from_text
from app.domain.story.model import KINDS, LENSES
from app.domain.textsafe import printable
from screens.base import StoryCartScreen
from screens.dialogs import publish_unless_blaming
from screens.localized import bind_localized
from widgets.fields import Form, TextField
from widgets.fit_footer import FitFooter

AUTOSAVE_DELAY = timedelta(seconds=1)  # after the first unsaved change
AUTOSAVE_CHECK_SECONDS = 0.1
TEXTS = ("highlight", "narrative", *LENSES, "lessons", "changes", "prompts")


class EditedStoryLoaded(Message):
    def __init__(self, view) -> None:
        super().__init__()
        self.view = view


class StoryEditorScreen(StoryCartScreen):
    BINDING_SPECS = (
        ("f9", "publish", "binding.story_publish", True, True),
        ("ctrl+b", "add_prompt", "binding.add_prompt", True, True),
        ("f7", "add_diagram", "binding.add_diagram", True, True),
        ("f8", "remove_diagram", "binding.remove_diagram", True, True),
        ("escape", "back", "binding.back", True),
    )

    def __init__(self, catalog: Catalog, view=None, ref: str | None = None) -> None:
        """Edit the story in `view`, or the one stored as `ref` (read once mounted)."""
        super().__init__(name="story-editor")
        self.catalog = catalog
        self._initial = view
        self._ref = ref
        self.view = None
        self.story = None
        self.version = 0
        self.dirty = self.saving = self.stale = False
        self.autosaver = Autosave(AUTOSAVE_DELAY)
        self._stored = None  # the form as last stored; None while a save is unconfirmed
        bind_localized(self, catalog, self.BINDING_SPECS)

    def compose(self) -> ComposeResult:
        t = self.catalog.t
        yield Static(id="screen-title")
        yield Static(id="story-status")
        with Form(id="story-form"), VerticalScroll(id="story-fields"):  # typing, never keys
            yield self._label(t("story.field_title"))
            yield TextField(id="story-title")
            yield self._label(t("story.field_kind"))
            yield Select(
                [(t(f"story.kind.{k}"), k) for k in KINDS], allow_blank=False, id="story-kind"
            )
            builtin = theme_names(builtin_themes(self.catalog.lang), self.catalog.lang)
            yield self._label(t("story.field_themes", builtin=builtin))
            yield TextField(id="story-themes")
            for name in TEXTS:
                yield self._label(t(f"story.field_{name}"))
                yield TextArea(id=f"story-{name}", classes="story-text", tab_behavior="focus")
            yield self._label(t("story.prompt_bank"))
            yield self._label(t("story.field_diagrams"))
            yield Static(id="story-diagrams")
        yield FitFooter()

    @staticmethod
    def _label(text: str) -> Label:
        return Label(Content(text), classes="pm-label")

    def on_mount(self) -> None:
        self.set_interval(AUTOSAVE_CHECK_SECONDS, self.autosave)
        if self._initial is not None:
            self.show(self._initial)
        elif self._ref is not None:
            self._load(self._ref)

    @work(thread=True, exit_on_error=False, group="story")
    def _load(self, ref: str) -> None:
        self.post_message(EditedStoryLoaded(self.host.services.stories.view(ref, None)))

    def on_edited_story_loaded(self, message: EditedStoryLoaded) -> None:
        self.show(message.view)

    # -- showing ------------------------------------------------------------------------------

    def show(self, view, _week=None) -> None:
        self.view, self.story, self.version = view, view.story, view.version
        story = view.story
        self.query_one("#story-title", Input).value = story.title
        self.query_one("#story-kind", Select).value = story.kind
        themes = theme_names(story.themes, self.catalog.lang)
        self.query_one("#story-themes", Input).value = themes
        values = {
            "highlight": story.highlight,
            "narrative": story.narrative,
            "lessons": story.lessons,
            "changes": story.changes,
            "prompts": "\n".join(story.prompts),
            **story.lenses,
        }
        for name in TEXTS:
            self.query_one(f"#story-{name}", TextArea).load_text(values.get(name, ""))
        # The widgets post Changed for the loading too, after this returns: only a form that
        # differs from what is stored is unsaved.
        self._stored = self._form()
        self._show_diagrams()
        code = story.incident or story.key
        title = self.catalog.t("story.edit_title", code=code)
        self.query_one("#screen-title", Static).update(
            Content(f"{title} · {printable(story.title)}")
        )
        self._show_status()
        self.query_one("#story-title", Input).focus()

    def _show_status(self, note: str = "") -> None:
        t = self.catalog.t
        state = t("story.draft") if self.story.status != "published" else t("pm.value.published")
        if self.stale:
            saved = t("story.stale")
        elif self.dirty or self.saving:
            saved = t("pm.unsaved")
        else:
            saved = t("story.saved", version=self.version)
        parts = [state, LANGUAGE_NAMES[self.story.lang]]
        if self.story.translated_from:
            source = LANGUAGE_NAMES[self.story.translated_from]
            parts.append(t("story.translated_from", lang=source))
        text = " · ".join([*parts, saved, *([note] if note else [])])
        self.query_one("#story-status", Static).update(Content(text))

    # -- editing ------------------------------------------------------------------------------

    def _form(self):
        texts = {name: self.query_one(f"#story-{name}", TextArea).text for name in TEXTS}
        kind = self.query_one("#story-kind", Select).value
        return replace(
            self.story,
            title=self.query_one("#story-title", Input).value,
            kind=kind if isinstance(kind, str) else self.story.kind,
            themes=themes_from_text(self.query_one("#story-themes", Input).value),
            highlight=texts["highlight"],
            narrative=texts["narrative"],
            lenses={lens: texts[lens] for lens in LENSES if texts[lens].strip()},
            lessons=texts["lessons"],
            changes=texts["changes"],
            prompts=[line.strip() for line in texts["prompts"].splitlines() if line.strip()],
        )

    def _changed(self) -> None:
        if self.story is not None:
            self.dirty = self._form() != self._stored
            if self.dirty:
                self.autosaver.changed(self.host.clock.now())
            self._show_status()

    def on_input_changed(self, _event: Input.Changed) -> None:
        self._changed()

    def on_text_area_changed(self, _event: TextArea.Changed) -> None:
        self._changed()

    def on_select_changed(self, _event: Select.Changed) -> None:
        self._changed()

    def autosave(self) -> None:
        """Checked often; saves once the delay after the first unsaved change has passed."""
        if self.autosaver.due(self.host.clock.now()) and not self.saving:
            self.autosaver.taken()
            if self.dirty and not self.stale:
                self._save(publishing=False)

    def _save(self, publishing: bool) -> None:
        from app.domain.story.model import StoryError, validate

        story = self._form()
        try:
            validate(story)
        except StoryError as error:
            self._show_status(said_in(error, self.catalog))
            return
        self.dirty, self.saving = False, True
        self.story = self._stored = story
        self._store(story, self.version, publishing)

    @work(thread=True, exit_on_error=False, group="story-save")
    def _store(self, story, version: int, publishing: bool) -> None:
        stories, user = self.host.services.stories, self.host.settings.user
        save = stories.publish if publishing else stories.save
        saved = self.save_form(self, lambda: save(story, version, user))
        if saved is not None:
            self.app.call_from_thread(self.saved, saved, publishing)

    def saved(self, version: int, published: bool) -> None:
        self.version, self.saving = version, False
        if not self.is_mounted:  # left while the save ran; nothing left to redraw
            return
        if published:
            self.story = replace(self.story, status="published")
            self.app.notify(self.catalog.t("story.published"), timeout=4)
        self._show_status()

    def save_failed(self, stale: bool) -> None:
        self.saving, self.dirty, self._stored = False, True, None
        self.autosaver.changed(self.host.clock.now())  # tried again after the delay
        self.stale = self.stale or stale
        self._show_status()

    def action_publish(self) -> None:
        from app.domain.story.drafting import story_blame_phrases
        from app.domain.story.model import StoryError, publish

        if self.story is None or self.saving:
            return
        form = self._form()
        try:
            publish(form)
        except StoryError as error:
            self.app.notify(
                said_in(error, self.catalog), severity="warning", timeout=6, markup=False
            )
            return
        publish_unless_blaming(
            self.app,
            self.catalog,
            "story.blame_reminder",
            story_blame_phrases(form),
            lambda: self._save(publishing=True),
        )

    # -- diagrams -----------------------------------------------------------------------------

    def palette_commands(self):
        yield from super().palette_commands()
        yield ("add_diagram", self.action_add_diagram)
        yield ("remove_diagram", self.action_remove_diagram)

    def _diagram_names(self) -> list[str]:
        t = self.catalog.t
        names = []
        for number, diagram in enumerate(self.story.diagrams, 1):
            if diagram.is_image:
                what = f"{diagram.kind} · {printable(diagram.name)}"
            else:
                what = t("diagram.text_item", columns=diagram.columns, lines=len(diagram.lines()))
            caption = f" — {printable(diagram.caption)}" if diagram.caption else ""
            names.append(f"{number}. {what}{caption}")
        return names

    def _show_diagrams(self) -> None:
        names = self._diagram_names() or [self.catalog.t("diagram.none")]
        self.query_one("#story-diagrams", Static).update(Content("\n".join(names)))

    def _set_diagrams(self, diagrams: list) -> None:
        self.story = replace(self.story, diagrams=diagrams)
        self._show_diagrams()
        self._changed()  # saved by the autosave like any other change

    def action_add_diagram(self) -> None:
        from app.domain.story.diagrams import MAX_DIAGRAMS
        from screens.diagram_dialog import DiagramDialog

        if self.story is None:
            return
        if len(self.story.diagrams) >= MAX_DIAGRAMS:
            message = self.catalog.t("refusal.diagram_count", count=MAX_DIAGRAMS)
            self.app.notify(message, severity="warning", timeout=5, markup=False)
            return

        def attach(diagram) -> None:
            if diagram is not None:
                self._set_diagrams([*self.story.diagrams, diagram])

        self.app.push_screen(DiagramDialog(self.catalog), attach)

    def action_remove_diagram(self) -> None:
        from screens.dialogs import ChoiceDialog

        if self.story is None or not self.story.diagrams:
            return
        options = [(name, str(n)) for n, name in enumerate(self._diagram_names())]

        def remove(chosen) -> None:
            if chosen is not None:
                diagrams = list(self.story.diagrams)
                del diagrams[int(chosen)]
                self._set_diagrams(diagrams)

        title = self.catalog.t("diagram.remove_title")
        self.app.push_screen(ChoiceDialog(title, options, None), remove)

    def action_add_prompt(self) -> None:
        area = self.query_one("#story-prompts", TextArea)
        present = [line.strip() for line in area.text.splitlines() if line.strip()]
        unused = [
            p
            for p in prompt_bank(self.story.lang if self.story else self.catalog.lang)
            if p not in present
        ]
        if unused and len(present) < 4:
            area.load_text("\n".join([*present, unused[0]]))
            self._changed()

    def on_unmount(self) -> None:
        """Leaving with unsaved typing: save it now, in this thread (the screen is going)."""
        if self.story is None or not self.dirty or self.stale:
            return
        from app.domain.story.model import StoryError

        try:
            self.host.services.stories.save(self._form(), self.version, self.host.settings.user)
        except (StoryError, Exception) as error:
            self.app.notify(
                said_in(error, self.catalog), severity="error", timeout=10, markup=False
            )

    def action_back(self) -> None:
        self.app.pop_screen()
