"""Story use cases: the starter library, stories drafted from published postmortems,
translations, saving and publishing, browsing and search."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from app.domain.incident import IncidentError
from app.domain.postmortem.model import PostmortemError
from app.domain.story.diagrams import Diagram
from app.domain.story.drafting import draft_from_postmortem
from app.domain.story.model import (
    Story,
    StoryError,
    preferred,
    publish,
    translation_draft,
    validate,
)
from app.domain.story.starters import starter_stories
from app.services.library.records import StoryStore, StorySummary, StoryView, summary_of, visible_in
from storage.errors import StaleWrite
from storage.incident_rows import by_code
from storage.postmortem_rows import postmortem_for
from storage.story_rows import (
    example_count,
    save_story,
    set_examples_hidden,
    stories_in_group,
    story_by_key,
    story_page,
    story_summaries,
    visible_story_count,
)
from storage.story_search import search_ids


class StoryService(StoryStore):
    """The stories themselves: the starter library, drafting from a published postmortem,
    translating, saving and publishing, browsing and search."""

    def ensure_starters(self) -> int:
        """On first use the library holds the starter stories; hiding them does not bring them
        back. Returns how many were added."""
        with self.database.session() as session:
            if example_count(session):
                return 0
            for story in starter_stories():
                session.add(self._record(story, "storycart"))
            try:
                session.commit()
            except IntegrityError:  # another process seeded them a moment ago
                session.rollback()
                return 0
            return len(starter_stories())

    def hide_examples(self, hidden: bool) -> int:
        with self.database.session() as session:
            count = set_examples_hidden(session, hidden)
            session.commit()
            return count

    def view(self, ref: str, lang: str | None = None) -> StoryView:
        """A story by key or id; with a language, the translation in it when there is one."""
        with self.database.session() as session:
            record = self._find(session, ref)
            group = stories_in_group(session, record.group_key)
            if lang is not None and record.lang != lang:
                shown = preferred(group, lang)
                if shown.lang == lang:
                    record = shown
            return self._view(session, record, group)

    def translate(self, ref: str, lang: str, actor: str) -> StoryView:
        """The story in another language: its translation when one exists, else a new linked
        draft prefilled with the source's text."""
        with self.database.session() as session:
            source = self._find(session, ref)
            draft = translation_draft(self._story(source), lang)  # refuses the same language
            group = stories_in_group(session, source.group_key)
            existing = next((r for r in group if r.lang == lang), None)
            if existing is not None:
                return self._view(session, existing, group)
            if story_by_key(session, draft.key) is not None:
                raise StoryError(f"A story {draft.key!r} already exists.")
            record = self._add_once(session, draft, actor)
            return self._view(session, record, stories_in_group(session, source.group_key))

    def from_postmortem(self, code: str, actor: str) -> StoryView:
        """The story of an incident whose postmortem is published: drafted the first time,
        opened as it was left afterwards."""
        from app.services.postmortem_service import PostmortemService

        with self.database.session() as session:
            incident = by_code(session, code)
            if incident is None:
                raise IncidentError("refusal.no_incident", code=code)
            record = postmortem_for(session, incident.id)
            if record is None or record.status != "published":
                raise PostmortemError(
                    f"The postmortem of {code} is not published yet; publish it first.",
                    "refusal.pm_not_published",
                    code=code,
                )
            lang = record.lang
            existing = story_by_key(session, f"{code}/{lang}")
            if existing is not None:
                return self._view(session, existing, [existing])
        draft = PostmortemService(self.database, self.clock).open(code, lang, actor)
        occurred = incident.declared_at.astimezone().date()
        story = draft_from_postmortem(
            draft.postmortem, incident.severity, occurred, incident.declared_at
        )
        with self.database.session() as session:
            record = self._add_once(session, story, actor)
            return self._view(session, record, [record])

    def save(self, story: Story, expected_version: int, actor: str) -> int:
        validate(story)
        with self.database.session() as session:
            record = self._find(session, story.key)
            version = save_story(
                session,
                record,
                expected_version,
                **self._columns(story),
                updated_at=self.clock.now(),
                updated_by=actor,
            )
            session.commit()
            return version

    def create(self, story: Story, actor: str) -> StoryView:
        validate(story)
        with self.database.session() as session:
            if story_by_key(session, story.key) is not None:
                raise StoryError(f"A story {story.key!r} already exists.")
            record = self._record(story, actor)
            session.add(record)
            session.commit()
            return self._view(session, record, [record])

    def add_diagram(self, ref: str, diagram: Diagram, actor: str) -> StoryView:
        """The diagram added at the end of the story's diagrams (a version conflict — someone
        saved a moment ago — is retried on their version)."""
        return self._change_diagrams(ref, actor, lambda diagrams: diagrams.append(diagram))

    def remove_diagram(self, ref: str, number: int, actor: str) -> StoryView:
        """Diagram ``number`` (1 is the first) taken off the story."""

        def remove(diagrams: list[Diagram]) -> None:
            if not 1 <= number <= len(diagrams):
                raise StoryError(
                    f"The story has no diagram {number}.", "refusal.no_diagram", number=number
                )
            del diagrams[number - 1]

        return self._change_diagrams(ref, actor, remove)

    def _change_diagrams(self, ref: str, actor: str, change) -> StoryView:
        """Apply `change` to the story's diagrams and save; when someone else saved in between,
        read their version and apply it again (two people adding at once both keep theirs)."""
        tries_left = 3
        while True:
            view = self.view(ref)
            change(view.story.diagrams)
            try:
                self.save(view.story, view.version, actor)
            except StaleWrite:
                tries_left -= 1
                if not tries_left:
                    raise
                continue
            return self.view(view.story.key)

    def publish(self, story: Story, expected_version: int, actor: str) -> int:
        return self.save(publish(story), expected_version, actor)

    def summaries(self, lang: str) -> list[StorySummary]:
        with self.database.session() as session:
            rows = story_summaries(session)
        return visible_in([summary_of(row) for row in rows], lang)

    def page(self, lang: str, offset: int, limit: int) -> list[StorySummary]:
        """A page of the whole library as `summaries` lists it."""
        with self.database.session() as session:
            rows = story_page(session, lang, offset, limit)
        return [summary_of(row) for row in rows]

    def count(self) -> int:
        """How many lines the whole library has (stories, not translations; hidden not)."""
        with self.database.session() as session:
            return visible_story_count(session)

    def search_page(
        self, query: str, lang: str, offset: int, limit: int | None
    ) -> tuple[list[StorySummary], int]:
        """Lines for up to `limit` matching stories from the `offset`-th match on, newest
        first, and how many matches were read (fewer than `limit`: there are no more). A
        story's translations on one page are one line; the screen folds later pages' in."""
        with self.database.session() as session:
            ids = search_ids(session, query, limit, offset)
            rows = story_summaries(session, ids) if ids else []
        return visible_in([summary_of(row) for row in rows], lang), len(ids)

    def search(self, query: str, lang: str, limit: int | None = None) -> list[StorySummary]:
        return self.search_page(query, lang, 0, limit)[0]
