"""Loading `storycart demo`'s made-up year (app.domain.demo) through the real services — declare,
acknowledge, mitigate, resolve, postmortems with follow-ups — each step at its own moment, so
the demo database looks exactly like one a team filled by hand. Only into an empty database:
a demo is never mixed into real incidents."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from app.domain.clock import FakeClock
from app.domain.demo import MITIGATION, DemoIncident, demo_history
from app.domain.policy.model import Policy
from app.domain.postmortem.model import ActionItem, Why
from app.services.incident_service import IncidentService
from app.services.metrics_service import MetricsService
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from storage.incident_rows import all_incidents

DEMO_ACTOR = "demo"


class NotEmpty(ValueError):
    """The database already holds incidents."""


def load_demo(
    database: Database, policy: Policy, now: datetime, lang: str = "en", count: int = 200
) -> int:
    """Replay `count` incidents of the year before `now`; returns how many were loaded."""
    with database.session() as session:
        if all_incidents(session):
            raise NotEmpty("this database already holds incidents")
    clock = FakeClock(now)
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    postmortems = PostmortemService(database, clock)
    metrics = MetricsService(database, clock)
    for item in demo_history(count, now, lang):
        _replay(item, policy, clock, incidents, postmortems, metrics, lang)
    clock.set(now)
    return count


def _replay(item: DemoIncident, policy, clock, incidents, postmortems, metrics, lang) -> None:
    clock.set(item.declared_at)
    code = incidents.declare(
        policy,
        item.title,
        item.severity,
        DEMO_ACTOR,
        started_at=item.started_at,
        detected_at=item.detected_at,
    )
    steps = [
        (item.acknowledged_at, lambda: incidents.acknowledge(code, DEMO_ACTOR)),
        (
            item.mitigated_at,
            lambda: incidents.post_update(
                code, DEMO_ACTOR, "mitigating", MITIGATION.get(lang, MITIGATION["en"])
            ),
        ),
        (item.resolved_at, lambda: incidents.resolve(code, DEMO_ACTOR)),
    ]
    for moment, step in sorted((s for s in steps if s[0] is not None), key=lambda s: s[0]):
        clock.set(max(moment, clock.now()))
        step()
    if item.actions and item.resolved_at is not None:
        _postmortem(code, item, postmortems, metrics, lang)


def _postmortem(code: str, item: DemoIncident, postmortems, metrics, lang: str) -> None:
    draft = postmortems.open(code, lang, DEMO_ACTOR)
    actions = [ActionItem(a.title, a.owner, a.due.isoformat()) for a in item.actions]
    filled = replace(
        draft.postmortem,
        what=item.title,
        users_affected="-",
        root_cause="-",
        whys=[Why("-", "-")],
        lessons="-",
        actions=actions,
    )
    postmortems.save(filled, draft.version, DEMO_ACTOR)
    done = [row for row in metrics.follow_ups() if row.incident == code]
    for row, planned in zip(done, item.actions, strict=False):
        if planned.done:
            metrics.set_follow_up(row.item_id, "done", DEMO_ACTOR)
