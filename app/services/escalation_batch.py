"""A storm of escalation steps claimed a batch of incidents at a time, in one transaction.

The incidents' rows and events are read in two queries and planned; every due step's unique
EscalationEvent is inserted by one statement that skips what another process inserted first
(those steps are theirs: only the steps this transaction inserted fire here); their timeline
entries and outbox rows follow in one statement each, and one commit makes them all true
together. A process killed before the commit leaves nothing behind; one killed after it has
fired and queued its pages: exactly once either way.
"""

from __future__ import annotations

from app.domain.alert_context import essentials
from app.domain.escalation import LATE_NOT_RUNNING, MISSED, ON_TIME, Plan, PlannedStep, plan
from app.domain.i18n import LANGUAGES
from app.domain.incident import FiredStep, incident_facts
from app.domain.textsafe import printable
from app.services.incident_context import IncidentContext
from storage.escalation_claims import insert_claims, insert_rows, latest_alert_contexts
from storage.incident_rows import by_codes, firings_by_incident
from storage.tables import OutboxRecord, TimelineEntryRecord


def fire_batch(
    context: IncidentContext, codes: list[str], catching_up: bool, actor: str
) -> tuple[list[FiredStep], list[str]]:
    """Claim the due steps of these incidents in one transaction: the steps fired here, and
    the incidents whose acknowledgement timed out meanwhile (their ladder restarts: the
    caller fires those one at a time)."""
    now = context.clock.now()
    with context.database.session() as session:
        records = [r for r in by_codes(session, codes) if r.resolved_at is None]
        events = firings_by_incident(session, [record.id for record in records])
        wanted, alone = [], []
        for record in records:
            policy, _version = context.policy(record.policy_id)
            current = plan(incident_facts(record, events[record.id]), policy, now)
            if current.ack_timed_out_at is not None:
                alone.append(record.code)
                continue
            wanted += [(record, step, reason) for step, reason in due_claims(current, catching_up)]
        won = insert_claims(
            session,
            [
                dict(
                    incident_id=record.id,
                    step_id=step.step_id,
                    round=step.round,
                    due_at=step.due_at,
                    fired_at=now,
                    reason=reason,
                )
                for record, step, reason in wanted
            ],
        )
        paging = [record.code for record, step, reason in wanted if reason != MISSED]
        alerts = latest_alert_contexts(session, paging)
        entries, outbox, fired = [], [], []
        for record, step, reason in wanted:
            event_id = won.get((record.id, step.step_id, step.round))
            if event_id is None:
                continue  # another process inserted this step first: it fires there
            text, certainty, data = event_text(step, reason)
            entries.append(
                dict(
                    incident_id=record.id,
                    at=now,
                    kind="escalation",
                    actor=actor,
                    text=text,
                    certainty=certainty,
                    data=data,
                )
            )
            if reason == MISSED:
                continue
            alert = next(filter(None, map(essentials, alerts.get(record.code, []))), None)
            payload, channels = step_alerts(context, record, step, now, reason, actor, alert)
            outbox += [
                dict(
                    incident_id=record.id,
                    event_id=event_id,
                    channel=channel,
                    payload=payload,
                    created_at=now,
                    attempts=0,
                )
                for channel in channels
            ]
            fired.append(FiredStep(record.code, step, now, reason))
        insert_rows(session, TimelineEntryRecord, entries)
        insert_rows(session, OutboxRecord, outbox)
        session.commit()
    return fired, alone


def due_claims(current: Plan, catching_up: bool) -> list[tuple[PlannedStep, str]]:
    """The plan's due steps and why each fires. Several rounds of one step missed while
    nothing ran page its people once: the latest round fires, the earlier ones are recorded
    as missed."""
    due = current.due()
    latest: dict[str, int] = {}
    for step in due:
        latest[step.step_id] = max(latest.get(step.step_id, step.round), step.round)
    on_time = LATE_NOT_RUNNING if catching_up else ON_TIME
    return [(step, MISSED if step.round < latest[step.step_id] else on_time) for step in due]


def step_alerts(
    context: IncidentContext, record, step: PlannedStep, now, reason: str, actor: str, alert
) -> tuple[dict, list[str]]:
    """A fired step's alert payload, and the outbox channels it goes to (the alert channels,
    and the paging channels of the people it names or who hold its roles now)."""
    payload = {
        "incident": record.code,
        "title": record.title,
        "severity": record.severity,
        "status": record.status,
        "step": step.step_id,
        "round": step.round,
        "notify": [who.get("en") for who in step.step.notify],
        "notify_by_language": {
            lang: [who.get(lang) for who in step.step.notify] for lang in LANGUAGES
        },
        "position": step.position,
        "declared_at": record.declared_at.isoformat(),
        # What was missed, in each language (the ladder step's note, e.g. "no response
        # within 15 min").
        "note_by_language": {
            lang: step.step.note.get(lang) for lang in LANGUAGES if step.step.note
        },
        "due_at": step.due_at.isoformat(),
        "fired_at": now.isoformat(),
        "reason": reason,
        "actor": actor,
    }
    if alert:
        payload["alert"] = alert
    targets = [dict((lang, who.get(lang)) for lang in LANGUAGES) for who in step.step.notify]
    holders = [h for t in targets if (h := context.roster.holder(t.values(), now)) is not None]
    payload["people"] = [
        {
            "level": held.level,
            "name": held.person.name,
            "contact": held.person.contact,
            "until": held.until.isoformat(),
        }
        for held in holders
    ]
    own = {name for held in holders for name in held.person.channels}
    paged = [
        channel.outbox_channel
        for channel in context.paging
        if channel.takes(targets) or channel.name in own
    ]
    return payload, [*context.alert_channels, *paged]


def event_text(step: PlannedStep, reason: str) -> tuple[str, str, dict]:
    """The English line kept in `text`, the certainty, and the data app.timeline_text reads."""
    notify = ", ".join(printable(who.get("en")) for who in step.step.notify)
    text = (
        f"escalation: notify {notify} (step {step.position + 1}, round {step.round + 1}, {reason})"
    )
    data = {
        "step": step.step_id,
        "position": step.position,
        "round": step.round,
        "reason": reason,
        "notify": {lang: [who.get(lang) for who in step.step.notify] for lang in LANGUAGES},
    }
    return text, "fact", data
