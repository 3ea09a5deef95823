"""The intake's reasons in the incident's timeline (kind "intake"): why an alert got the level or
type it got, a severity the alerts raised or would lower, an alert of the group resolved, alerts
the sender left out, a resolve for an incident already resolved, a heartbeat silent again. Each
line keeps its English sentence in `text` and its facts in `data`, so every reader sees it in
their own language (app.domain.intake_text)."""

from __future__ import annotations

from app.domain.i18n import Catalog
from app.domain.intake_levels import Level
from app.domain.intake_text import intake_params

ENGLISH = Catalog("en")


class IntakeLog:
    def __init__(self, incidents) -> None:
        self.incidents = incidents

    def record(self, code: str, actor: str, event: str, **facts) -> None:
        data = {"event": event, **facts}
        text = ENGLISH.t(f"intake.{event}", **intake_params(data, ENGLISH))
        self.incidents.record_entry(code, actor, "intake", text, data)

    def level_reason(self, code: str, actor: str, level: Level, source: str) -> None:
        """Said only when the alert's own word did not give the level."""
        if level.reason:
            event = f"severity_{level.reason}_{level.origin}"
            self.record(code, actor, event, level=level.key, word=level.word, source=source)

    def type_unknown(self, code: str, actor: str, wanted: str, policy: str, used: str) -> None:
        self.record(code, actor, "type_unknown", type=wanted, policy=policy, used=used)

    def severity_rose(self, code: str, actor: str, level: Level, before: str) -> None:
        self.record(code, actor, "severity_rose", level=level.key, before=before)

    def severity_fell(self, code: str, actor: str, level: str, asked: str, current: str) -> None:
        self.record(code, actor, "severity_fell", level=level, asked=asked, current=current)

    def alert_resolved(self, code: str, actor: str, item: dict, firing: int) -> None:
        summary = item.get("summary") or item.get("fingerprint", "")
        self.record(code, actor, "alert_resolved", summary=summary, firing=firing)

    def truncated(self, code: str, actor: str, context: dict) -> None:
        if context.get("truncated"):
            self.record(code, actor, "truncated", count=int(context["truncated"]))

    def already_resolved(self, code: str, actor: str, source: str) -> None:
        self.record(code, actor, "already_resolved", source=source)

    def heartbeat_again(self, code: str, actor: str, name: str) -> None:
        self.record(code, actor, "heartbeat_again", name=name)
