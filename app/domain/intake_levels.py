"""Which policy level an alert asks for, and why: the monitor's word mapped through [intake]
severities; without a word, or with one that maps nowhere, the configured default_severity for
its source; without that, the policy's own default for alerts. An alert is never refused for
what it lacks — the reason goes into the incident's timeline instead.

The policy's default for alerts: the least severe level whose ladder pages someone at once and
calls a second person within an hour if nothing happens. For the built-in policies that is
web-service SEV-3 (the L1 on-call engineer at once, the L2 tech lead after 1 h without an
acknowledgement) and ai-ops P3 (the engineer in charge at once, the team lead after 1 h
unresolved): a page nobody answers never stays silent, and nobody's executive is woken for an
alert whose importance the sender did not say. SEV-4 is not chosen: its second step waits 24 h."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.intake import IntakeMapping
from app.domain.policy.model import Policy

FOLLOW_UP_WITHIN_S = 3600


@dataclass(frozen=True)
class Level:
    """The level an alert asks for. `reason` is empty when the alert's word gave it, else
    "missing" (no severity) or "unmapped" (a word that maps nowhere); `origin` says where the
    level then came from: "setting" ([intake] default_severity) or "policy"."""

    key: str
    word: str = ""
    reason: str = ""
    origin: str = ""


def policy_default(policy: Policy) -> str:
    """The least severe level that pages at once and escalates within an hour; else the least
    severe level that pages at once; else the most severe level."""
    levels = list(reversed(policy.severities))
    for severity in levels:
        steps = sorted(step.after_s for step in severity.ladder)
        if steps and steps[0] == 0 and any(0 < s <= FOLLOW_UP_WITHIN_S for s in steps[1:]):
            return severity.key
    for severity in levels:
        if any(step.after_s == 0 for step in severity.ladder):
            return severity.key
    return policy.severities[0].key


def level_for(word: str, source: str, mapping: IntakeMapping, policy: Policy) -> Level:
    """The level an alert with this severity word (maybe "") from `source` asks for."""
    known = [severity.key for severity in policy.severities]
    word = word.strip()
    if word in known:
        return Level(word, word)
    mapped = mapping.severities.get(word.casefold()) if word else None
    if mapped in known:
        return Level(mapped, word)
    reason = "unmapped" if word else "missing"
    configured = mapping.default_for(source)
    if configured in known:
        return Level(configured, word, reason, "setting")
    return Level(policy_default(policy), word, reason, "policy")


def rank(policy: Policy, key: str) -> int:
    """0 for the most severe level, growing as they get milder; unknown keys come last."""
    keys = [severity.key for severity in policy.severities]
    return keys.index(key) if key in keys else len(keys)


def most_severe(levels: list[Level], policy: Policy) -> Level | None:
    return min(levels, key=lambda level: rank(policy, level.key), default=None)


def group_level(
    alerts: tuple[dict, ...], fallback_word: str, source: str, mapping: IntakeMapping, policy
) -> Level:
    """The level of a notification: its most severe firing alert's (every alert when none is
    firing), or the notification's own word when it carries no alerts."""
    firing = [a for a in alerts if a.get("status") == "firing"] or list(alerts)
    levels = [level_for(a.get("severity", ""), source, mapping, policy) for a in firing]
    chosen = most_severe(levels, policy)
    return chosen or level_for(fallback_word, source, mapping, policy)


def setting_problem(mapping: IntakeMapping, policy: Policy) -> str | None:
    """One sentence when [intake] default_severity names a level the policy lacks (the intake
    then uses the policy's default for alerts), for whoever starts the intake to say; else
    None."""
    known = [severity.key for severity in policy.severities]
    for source, level in mapping.default_severity.items():
        if level not in known:
            return (
                f"[intake] default_severity {level!r} (for {source}) is not a level of policy "
                f"{policy.name}: use one of {', '.join(known)}."
            )
    return None
