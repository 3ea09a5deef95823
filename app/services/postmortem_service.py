"""Postmortem use cases: open (creating the draft from the incident), save drafts with
optimistic concurrency, move through review, export to and import from Markdown."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from app.domain.clock import Clock
from app.domain.i18n import LANGUAGES, Catalog
from app.domain.incident import IncidentError, impact_times
from app.domain.incident_text import entry_text, said_again
from app.domain.paging import POSTMORTEM_PUBLISHED, PagingChannel, broadcast_payload
from app.domain.postmortem.markdown import from_markdown, to_markdown
from app.domain.postmortem.model import (
    ActionItem,
    Postmortem,
    PostmortemError,
    TimelineItem,
    from_document,
    to_document,
    validate,
)
from app.domain.postmortem.review import change_status
from storage.database import Database
from storage.incident_rows import by_code, timeline_for, update_incident
from storage.outbox_rows import enqueue_broadcast
from storage.postmortem_rows import action_items, postmortem_for, save_postmortem
from storage.tables import ActionItemRecord, PostmortemRecord, TimelineEntryRecord

# Timeline kinds that are the system's bookkeeping rather than the story of the incident.
NOT_IN_POSTMORTEM = {"checklist", "role", "times", "follow_up"}


@dataclass(frozen=True)
class Draft:
    postmortem: Postmortem
    version: int
    history: tuple[dict, ...]


def _stamp(at) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _moment(stamp: str) -> datetime | None:
    """A timeline row's time as typed (local time unless it says otherwise), or None."""
    try:
        moment = datetime.fromisoformat(stamp.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.astimezone()


def _with_impact_and_signal(timeline: list, incident, catalog: Catalog) -> list:
    """The draft's timeline opens with when the impact began and the first signal (marked as
    the detection) when they came before the declaration; else the declaration is marked."""
    declared = incident.declared_at
    rows = []
    if incident.started_at is not None and incident.started_at < (incident.detected_at or declared):
        text = catalog.t("pm.impact_began")
        rows.append(TimelineItem(_stamp(incident.started_at), text, "", "fact", ""))
    if incident.detected_at is not None and incident.detected_at < declared:
        text = catalog.t("pm.first_signal")
        rows.append(TimelineItem(_stamp(incident.detected_at), text, "", "fact", "detection"))
    elif timeline:
        timeline[0].marker = "detection"
    return rows + timeline


class PostmortemService:
    def __init__(
        self, database: Database, clock: Clock, channels: tuple[PagingChannel, ...] = ()
    ) -> None:
        self.database = database
        self.clock = clock
        # Incident channels hear when a postmortem is published.
        self.broadcast = tuple(channel for channel in channels if channel.broadcast)

    def _incident(self, session, code: str):
        record = by_code(session, code)
        if record is None:
            raise IncidentError("refusal.no_incident", code=code)
        return record

    def existing(self, code: str) -> Postmortem | None:
        """The incident's postmortem if one was started (never creates one)."""
        with self.database.session() as session:
            incident = self._incident(session, code)
            record = postmortem_for(session, incident.id)
            return None if record is None else self._draft(session, record).postmortem

    def open(self, code: str, lang: str, actor: str) -> Draft:
        """The incident's postmortem; the first time, a draft pre-filled from the incident."""
        with self.database.session() as session:
            incident = self._incident(session, code)
            record = postmortem_for(session, incident.id)
            if record is None:
                if incident.resolved_at is None:
                    raise IncidentError("refusal.not_resolved_yet", code=code)
                postmortem = self._prefilled(session, incident, lang)
                now = self.clock.now()
                record = PostmortemRecord(
                    incident_id=incident.id,
                    lang=lang,
                    status="draft",
                    content=self._content(postmortem),
                    history=[],
                    created_at=now,
                    updated_at=now,
                    updated_by=actor,
                )
                session.add(record)
                session.flush()
                for position, item in enumerate(postmortem.actions):
                    session.add(self._row(record.id, position, item))
                session.commit()
            return self._draft(session, record)

    def _prefilled(self, session, incident, lang: str) -> Postmortem:
        catalog = Catalog(lang)
        timeline = [
            TimelineItem(_stamp(e.at), entry_text(e, catalog), e.actor, e.certainty, "")
            for e in timeline_for(session, incident.id)
            if e.kind not in NOT_IN_POSTMORTEM
        ]
        timeline = _with_impact_and_signal(timeline, incident, catalog)
        when = f"{_stamp(incident.started_at or incident.declared_at)} – "
        when += _stamp(incident.resolved_at)
        return Postmortem(
            incident=incident.code,
            title=incident.title,
            lang=lang,
            when=when,
            who=incident.impact,
            timeline=timeline,
        )

    def _follow_detection_marker(self, session, incident, postmortem, actor: str) -> None:
        marked = [item for item in postmortem.timeline if item.marker == "detection"]
        detected = _moment(marked[0].at) if marked else None
        if detected is None or incident.detected_at is None:
            return
        if abs((detected - incident.detected_at).total_seconds()) < 1:
            return
        try:
            started, detected = impact_times(
                incident.declared_at,
                self.clock.now(),
                min(incident.started_at or detected, detected),
                detected,
            )
        except IncidentError:
            return  # a marker after the declaration: the draft is kept, the times are not moved
        data = {
            "started": started.isoformat(),
            "detected": detected.isoformat(),
            "was_started": incident.started_at.isoformat() if incident.started_at else "",
            "was_detected": incident.detected_at.isoformat(),
            "from": "postmortem",
        }
        update_incident(session, incident, started_at=started, detected_at=detected)
        session.add(
            TimelineEntryRecord(
                incident_id=incident.id,
                at=self.clock.now(),
                kind="times",
                actor=actor,
                text=f"impact began {data['started']}, first signal {data['detected']}",
                data=data,
            )
        )

    @staticmethod
    def _content(postmortem: Postmortem) -> dict:
        document = to_document(postmortem)
        document.pop("actions")
        return document

    @staticmethod
    def _row(postmortem_id: int, position: int, item: ActionItem):

        return ActionItemRecord(
            postmortem_id=postmortem_id, position=position, **_item_values(item)
        )

    def _draft(self, session, record: PostmortemRecord) -> Draft:
        document = dict(record.content)
        document["status"] = record.status
        document["actions"] = [
            {
                "title": a.title,
                "owner": a.owner,
                "due": a.due.isoformat() if a.due else "",
                "priority": a.priority,
                "category": a.category,
                "status": a.status,
            }
            for a in action_items(session, record.id)
        ]
        return Draft(from_document(document), record.version, tuple(record.history))

    def save(self, postmortem: Postmortem, expected_version: int, actor: str) -> int:
        """Save the whole draft; refused (StaleWrite) when someone saved in between. A moved
        detection marker moves the incident's first-signal time (the metrics use it)."""
        validate(postmortem)
        with self.database.session() as session:
            incident = self._incident(session, postmortem.incident)
            record = postmortem_for(session, incident.id)
            if record is None:
                raise IncidentError("refusal.no_postmortem", code=postmortem.incident)
            self._follow_detection_marker(session, incident, postmortem, actor)
            version = save_postmortem(
                session,
                record,
                expected_version,
                [_item_values(item) for item in postmortem.actions],
                content=self._content(postmortem),
                updated_at=self.clock.now(),
                updated_by=actor,
            )
            session.commit()
            return version

    def set_status(self, code: str, status: str, actor: str, expected_version: int) -> Draft:
        with self.database.session() as session:
            incident = self._incident(session, code)
            record = postmortem_for(session, incident.id)
            if record is None:
                raise IncidentError("refusal.no_postmortem", code=code)
            current = self._draft(session, record)
            changed = change_status(current.postmortem, status)
            history = [
                *record.history,
                {"status": status, "by": actor, "at": self.clock.now().isoformat()},
            ]
            save_postmortem(
                session,
                record,
                expected_version,
                [_item_values(item) for item in changed.actions],
                status=status,
                history=history,
                updated_at=self.clock.now(),
                updated_by=actor,
            )
            if status == "published":
                now = self.clock.now()
                payload = broadcast_payload(
                    POSTMORTEM_PUBLISHED, incident.code, incident.severity, now
                )
                enqueue_broadcast(session, incident.id, self.broadcast, payload, now)
            session.commit()
            session.refresh(record)
            return self._draft(session, record)

    def export_markdown(self, code: str, lang: str, actor: str) -> str:
        """The postmortem as Markdown (opening the pre-filled draft if there is none yet)."""
        draft, facts = self.report(code, lang, actor)
        labels = {
            "incident": "Incident",
            "severity": "Severity",
            "declared": "Declared",
            "resolved": "Resolved",
            "author": "Author",
        }
        return to_markdown(draft.postmortem, [(labels[key], value) for key, value in facts])

    def report(self, code: str, lang: str, actor: str) -> tuple[Draft, list[tuple[str, str]]]:
        """The postmortem with the incident's facts (id, severity, declared, resolved, author):
        what the Markdown file and the printed incident report (seed 001 §4) start with."""
        draft = self.open(code, lang, actor)
        with self.database.session() as session:
            incident = self._incident(session, code)
            record = postmortem_for(session, incident.id)
        facts = [
            ("incident", incident.code),
            ("severity", incident.severity),
            ("declared", _stamp(incident.declared_at)),
            ("resolved", _stamp(incident.resolved_at) if incident.resolved_at else "—"),
            ("author", record.updated_by),
        ]
        return draft, facts

    def timeline_for_reader(self, code: str, postmortem: Postmortem, lang: str) -> list:
        """The postmortem's timeline with the lines the system wrote into the draft (from the
        incident's timeline, and its impact and first-signal rows) said in `lang`; the lines
        people wrote or changed as written."""
        with self.database.session() as session:
            entries = timeline_for(session, self._incident(session, code).id)
        by_moment: dict[str, list] = {}
        for entry in entries:
            by_moment.setdefault(_stamp(entry.at), []).append(entry)
        reader = Catalog(lang)
        openings = {}
        for key in ("pm.impact_began", "pm.first_signal"):
            openings.update({Catalog(other).t(key): reader.t(key) for other in LANGUAGES})
        timeline = []
        for item in postmortem.timeline:
            text = openings.get(item.text.strip())
            for entry in by_moment.get(item.at.strip(), ()):
                text = text or said_again(item.text, entry, reader)
            timeline.append(replace(item, text=text) if text else item)
        return timeline

    def import_markdown(self, text: str, actor: str) -> str:
        """Store a Markdown postmortem (replacing the incident's draft); a malformed file raises
        MarkdownError before anything is written. Returns the incident code."""
        postmortem = from_markdown(text)
        if not postmortem.incident:
            raise PostmortemError(
                "This file is a blank template: it names no incident to attach to."
            )
        draft = self.open(postmortem.incident, postmortem.lang, actor)
        with self.database.session() as session:
            incident = self._incident(session, postmortem.incident)
            record = postmortem_for(session, incident.id)
            save_postmortem(
                session,
                record,
                draft.version,
                [_item_values(item) for item in postmortem.actions],
                content=self._content(postmortem),
                status=postmortem.status,
                lang=postmortem.lang,
                updated_at=self.clock.now(),
                updated_by=actor,
            )
            session.commit()
        return postmortem.incident


def _item_values(item: ActionItem) -> dict:
    values = dict(vars(item))
    values["due"] = date.fromisoformat(item.due) if item.due else None
    return values
