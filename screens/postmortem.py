"""The postmortem wizard: one step per section, a rail showing each section's state, fields
reachable by keyboard alone, a draft saved within a second of every change, blameless hints and
a completeness checklist."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import (
    ContentSwitcher,
    Input,
    OptionList,
    Select,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from app.domain.autosave import Autosave
from app.domain.i18n import Catalog, said_in
from app.domain.postmortem.model import (
    SECTIONS,
    Postmortem,
)
from app.domain.postmortem.review import (
    all_text,
    blame_phrases,
    blameless_hints,
    completeness,
    section_state,
)
from app.domain.textsafe import printable
from screens.base import Command, StoryCartScreen, dialogs
from screens.localized import bind_localized
from screens.postmortem_lists import fill_lists, list_words, lock, stored_copy
from screens.presence_text import presence_text, same_section
from screens.story_drafting import draft_story
from widgets.fit_footer import FitFooter
from widgets.form import Form
from widgets.list_editor import ListEditor
from widgets.postmortem_steps import TEXT_FIELDS, PostmortemSteps

AUTOSAVE_DELAY = timedelta(seconds=0.5)  # after the first unsaved change
AUTOSAVE_CHECK_SECONDS = 0.1
STATE_MARKS = {"empty": "○", "partial": "◐", "complete": "●"}


class PostmortemLoaded(Message):
    def __init__(self, draft) -> None:
        super().__init__()
        self.draft = draft


class PostmortemScreen(StoryCartScreen):
    BINDING_SPECS = (
        # Priority: text areas use ctrl+arrows themselves; these must work inside them.
        ("ctrl+pagedown,f8", "step(1)", "binding.pm_next", True, True),
        ("ctrl+pageup,f7", "step(-1)", "binding.pm_previous", True, True),
        ("ctrl+r", "postmortem_review", "binding.pm_review", True),
        # Reaches the screen once a published postmortem's fields are read-only.
        ("s", "write_story", "binding.write_story", True),
        ("escape", "app.show_board", "binding.board", True),
    )

    def __init__(self, catalog: Catalog, code: str) -> None:
        super().__init__(name="postmortem")
        self.catalog = catalog
        self.code = code
        self.postmortem: Postmortem | None = None
        self.version = 0
        self.dirty = False
        self.saving = False
        self.stale = False
        self._progress_shown: tuple | None = None
        self._status_shown = ""
        self._hints_shown = ""
        self.history: tuple = ()
        self.autosaver = Autosave(AUTOSAVE_DELAY)
        bind_localized(self, catalog, self.BINDING_SPECS)

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(Content(self.code), id="screen-title")
        yield Static(id="pm-status")
        yield Static(id="pm-presence", classes="presence-line")
        with Form(id="pm-form"), Horizontal(id="pm-body"):  # every key typed here is text
            yield OptionList(id="pm-rail")
            yield PostmortemSteps(self.catalog, id="pm-steps", initial="step-summary")
        yield Static(id="pm-hints")
        yield Static(id="pm-meter")
        yield FitFooter()

    def on_mount(self) -> None:
        self.set_interval(AUTOSAVE_CHECK_SECONDS, self.autosave)
        self.host.services_ready.subscribe(self, lambda _services: self.load())
        if self.host.services is not None:
            self.load()

    @work(thread=True, exit_on_error=False, group="postmortem")
    def load(self) -> None:
        host = self.host
        draft = host.services.postmortems.open(self.code, self.catalog.lang, host.settings.user)
        self.post_message(PostmortemLoaded(draft))

    def on_postmortem_loaded(self, message: PostmortemLoaded) -> None:
        draft = message.draft
        self.show(draft.postmortem, draft.version, draft.history)

    # -- showing ------------------------------------------------------------------------------

    def show(self, postmortem: Postmortem, version: int, history: tuple = ()) -> None:
        self.postmortem, self.version = postmortem, version
        self.history = history
        for attr in TEXT_FIELDS:
            widget = self.query_one(f"#pm-{attr}")
            if isinstance(widget, TextArea):
                widget.load_text(getattr(postmortem, attr))
            else:
                widget.value = getattr(postmortem, attr)
        self.query_one("#pm-sla_breach", Select).value = postmortem.sla_breach
        self.lists = fill_lists(self, postmortem)
        self.query_one("#screen-title", Static).update(
            Content(f"{self.code} · {printable(postmortem.title)}")
        )
        self._progress_shown = None
        self.refresh_progress()
        self._show_status()
        self._show_hints(" ".join(text for _section, text in all_text(postmortem)))
        if postmortem.status == "published":
            lock(self)
        else:
            self.query_one("#pm-what").focus()

    def refresh_progress(self) -> None:
        postmortem = self.postmortem
        if postmortem is None:
            return
        t = self.catalog.t
        states = tuple(section_state(postmortem, s) for s in SECTIONS)
        check = completeness(postmortem)
        if (states, check) == self._progress_shown:
            return  # typing inside a section rarely changes its state: no relayout per key
        self._progress_shown = (states, check)
        rail = self.query_one("#pm-rail", OptionList)
        highlighted = rail.highlighted
        options = [
            Option(Content(f"{STATE_MARKS[state]} {t(f'pm.section.{s}')}"), id=s)
            for s, state in zip(SECTIONS, states, strict=True)
        ]
        rail.set_options(options)
        rail.highlighted = highlighted if highlighted is not None else 0
        missing = "".join(f"\n  ✗ {t(f'pm.missing.{key}')}" for key in check.missing)
        meter = t(
            "pm.meter",
            percent=check.percent,
            bar="█" * (check.percent // 10) + "░" * (10 - check.percent // 10),
        )
        self.query_one("#pm-meter", Static).update(Content(meter + missing))

    def _show_status(self, note: str = "") -> None:
        if self.postmortem is None:
            return
        t = self.catalog.t
        state = t(f"pm.value.{self.postmortem.status}")
        saved = t("pm.unsaved") if self.dirty else t("pm.saved", version=self.version)
        if self.stale:
            saved = t("pm.stale")
        line = t("pm.status_line", state=state, saved=saved) + note
        if self.history:
            last = self.history[-1]
            when = last["at"][:16].replace("T", " ")
            line += " · " + t(
                "pm.history",
                state=t(f"pm.value.{last['status']}"),
                who=printable(last["by"]),
                when=when,
            )
        if line != self._status_shown:
            self._status_shown = line
            self.query_one("#pm-status", Static).update(Content(line))

    # -- editing ------------------------------------------------------------------------------

    def _changed(self, attr: str, value) -> None:
        if self.postmortem is None or getattr(self.postmortem, attr) == value:
            return
        setattr(self.postmortem, attr, value)
        self._mark_dirty()
        if isinstance(value, str):
            self._show_hints(value)
        self.refresh_progress()
        self._show_status()

    def on_input_changed(self, event: Input.Changed) -> None:
        attr = (event.input.id or "").removeprefix("pm-")
        if attr in TEXT_FIELDS:
            self._changed(attr, event.value)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        attr = (event.text_area.id or "").removeprefix("pm-")
        if attr in TEXT_FIELDS:
            self._changed(attr, event.text_area.text)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "pm-sla_breach":
            self._changed("sla_breach", event.value)

    def on_list_editor_changed(self, event: ListEditor.Changed) -> None:
        self._mark_dirty()
        self._show_hints(list_words(event.editor))
        self.refresh_progress()
        self._show_status()

    def _show_hints(self, text: str) -> None:
        hints = blameless_hints(text, self.catalog.lang)
        lines = [
            self.catalog.t("pm.hint", phrase=h.phrase, suggestion=h.suggestion) for h in hints[:3]
        ]
        text = "\n".join(lines)
        if text != self._hints_shown:
            self._hints_shown = text
            self.query_one("#pm-hints", Static).update(Content(text))

    def _mark_dirty(self) -> None:
        starting = not self.dirty
        self.dirty = True
        self.autosaver.changed(self.host.clock.now())
        if starting:
            self._warn_if_shared()
            self.host.presence.tick()  # the others see "typing" at once

    # -- who else is here ---------------------------------------------------------------------

    companions: tuple = ()
    _warned: frozenset = frozenset()

    def presence_place(self) -> tuple[str, str, bool]:
        return f"postmortem:{self.code}", self.current_step(), self.dirty

    def show_presence(self, companions) -> None:
        self.companions = tuple(companions)
        text = presence_text(companions, self.catalog, section_names=True)
        line = self.query_one("#pm-presence", Static)
        line.update(Content(text))
        line.display = bool(text)
        if self.dirty:
            self._warn_if_shared()

    def _warn_if_shared(self) -> None:
        """Someone else is typing in the section this user is typing in: say so, once per
        person and section, before the second save is refused as stale."""
        section = self.current_step()
        for warning in same_section(self.companions, section, self._warned, self.catalog):
            self._warned = self._warned | {warning.key}
            self.notify(warning.text, severity="warning", timeout=10, markup=False)

    def autosave(self) -> None:
        """Checked often; saves once the delay after the first unsaved change has passed."""
        if not self.autosaver.due(self.host.clock.now()):
            return
        if self.dirty and not self.saving and not self.stale and self.postmortem is not None:
            self.autosaver.taken()
            self.saving = True
            self.dirty = False
            self._save(self.postmortem, self.version)

    @work(thread=True, exit_on_error=False, group="postmortem-save")
    def _save(self, postmortem: Postmortem, version: int) -> None:
        """Save a copy of the form's draft; a refusal keeps the form as typed."""
        snapshot = self.app.call_from_thread(stored_copy, self.lists, postmortem)
        services, user = self.host.services, self.host.settings.user
        saved = self.save_form(self, lambda: services.postmortems.save(snapshot, version, user))
        if saved is not None:
            self.app.call_from_thread(self.saved, saved)

    def saved(self, version: int) -> None:
        self.saving = False
        self.version = version
        self._show_status()

    def save_failed(self, stale: bool) -> None:
        self.saving = False
        self._mark_dirty()  # tried again after the delay, unless someone else's save won
        self.stale = stale
        self._show_status()

    def on_unmount(self) -> None:
        """Leaving with unsaved typing (at most the last half second): save it now. This one
        save runs on the UI thread because no worker outlives the screen at quit."""
        if not self.dirty or self.stale or self.postmortem is None:
            return
        services = self.host.services
        if services is not None:
            try:
                kept = stored_copy(self.lists, self.postmortem)
                services.postmortems.save(kept, self.version, self.host.settings.user)
            except Exception as error:  # reported, never lost silently
                self.app.notify(said_in(error, self.catalog), severity="error", markup=False)

    # -- review and publish -------------------------------------------------------------------

    def palette_commands(self) -> Iterator[Command]:
        yield from super().palette_commands()
        yield ("pm_review", self.action_postmortem_review)
        yield ("pm_publish", self.action_postmortem_publish)
        yield ("write_story", self.action_write_story)

    def print_jobs(self) -> list:
        from app.export.printing import SheetRequest

        report = SheetRequest("report", self.catalog.lang, ref=self.code)
        return [(report, self.catalog.t("print.report")), *super().print_jobs()]

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """`s` turns the postmortem into a story only once it is published (hidden before)."""
        if action == "write_story":
            return self.postmortem is not None and self.postmortem.status == "published"
        return super().check_action(action, parameters)

    def action_write_story(self) -> None:
        if self.ready_services() is not None:
            draft_story(self, self.code)

    def action_postmortem_review(self) -> None:
        self._change_status("in_review", "notice.pm_in_review")

    def action_postmortem_publish(self) -> None:
        phrases = blame_phrases(self.postmortem) if self.postmortem else []
        dialogs.publish_unless_blaming(
            self.app,
            self.catalog,
            "pm.blame_reminder",
            phrases,
            lambda: self._change_status("published", "notice.pm_published"),
        )

    def _change_status(self, status: str, notice: str) -> None:
        if self.postmortem is None:
            return
        if self.dirty or self.saving:
            self.notify(self.catalog.t("notice.pm_wait_save"), timeout=3)
            return
        if status == "in_review" and not completeness(self.postmortem).ready:
            self.notify(self.catalog.t("notice.pm_not_ready"), severity="warning", timeout=6)
            return
        self._set_status(status, notice)

    @work(thread=True, exit_on_error=False, group="postmortem-save")
    def _set_status(self, status: str, notice: str) -> None:
        host = self.host
        draft = host.services.postmortems.set_status(
            self.code, status, host.settings.user, self.version
        )
        self.post_message(PostmortemLoaded(draft))
        self.notify(self.catalog.t(notice), timeout=4)
        if status == "published" and self._hard_incident():
            from screens.self_care import SelfCareDialog

            self.app.call_from_thread(self.app.push_screen, SelfCareDialog(self.catalog))

    def _hard_incident(self) -> bool:
        """Whether the incident was one of its policy's two most severe levels (a worker)."""
        from screens.self_care import deserves_care

        view = self.host.services.incidents.view(self.code)
        return deserves_care(view.policy, view.record.severity)

    # -- navigation ---------------------------------------------------------------------------

    def current_step(self) -> str:
        return (self.query_one(ContentSwitcher).current or "step-summary").removeprefix("step-")

    def go_to(self, section: str) -> None:
        self.query_one(ContentSwitcher).current = f"step-{section}"
        self.host.presence.tick()
        self.query_one("#pm-rail", OptionList).highlighted = SECTIONS.index(section)
        step = self.query_one(f"#step-{section}")
        focusable = [w for w in step.query("Input, TextArea, Select, DataTable") if w.focusable]
        if focusable:
            focusable[0].focus()

    def action_step(self, direction: int) -> None:
        index = (SECTIONS.index(self.current_step()) + direction) % len(SECTIONS)
        self.go_to(SECTIONS[index])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "pm-rail" and event.option.id:
            self.go_to(event.option.id)
