"""Drill scenarios (seed 003 §8: tabletop exercises and game days): what the team is told, and
when, in drill time from the start — the first signal, facts as they come in, injects that make
the response harder ("the rollback fails") — and what a good response looks like: the severity
the policy calls for, and the type.

A scenario is a TOML file (assets/drills/ holds three written for Story Cart from the seeds'
cases) or a past incident's timeline replayed (`replay_of`). Text is given per language; any
mistake is refused in one sentence naming the file and the event.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from app.domain.durations import DurationError, parse_duration
from app.domain.i18n import KeyedRefusal
from app.domain.policy.model import LocalText
from app.domain.textsafe import printable
from app.domain.toml_text import TomlReadError, TomlText, first_unknown, read_toml

EVENT_KINDS = ("signal", "fact", "inject", "customer", "update", "severity")
MAX_EVENTS = 200
MAX_LENGTH_S = 24 * 3600


class ScenarioError(KeyedRefusal):
    """A scenario that cannot be played; str() is one sentence naming where."""


@dataclass(frozen=True)
class DrillEvent:
    at_s: int  # drill seconds from the start
    kind: str
    text: LocalText
    source: LocalText | None = None  # who says it: monitoring, support, the vendor


@dataclass(frozen=True)
class Scenario:
    key: str
    title: LocalText
    summary: LocalText
    policy: str
    severity: str  # the severity a good response declares
    type_key: str
    length_s: int
    events: tuple[DrillEvent, ...]
    declares: str = ""  # the signal declares the incident itself at this severity (monitoring)

    def to_document(self) -> dict:
        """The scenario as plain data (kept with the drill, so its debrief can be made later)."""
        return {
            "key": self.key,
            "title": self.title.to_document(),
            "summary": self.summary.to_document(),
            "policy": self.policy,
            "severity": self.severity,
            "type": self.type_key,
            "length": f"{self.length_s}s",
            "declares": self.declares,
            "events": [
                {
                    "at": f"{event.at_s}s",
                    "kind": event.kind,
                    "text": event.text.to_document(),
                    **({"source": event.source.to_document()} if event.source else {}),
                }
                for event in self.events
            ],
        }


def _refuse(where: str, sentence: str) -> ScenarioError:
    return ScenarioError(f"{where}: {sentence}", "drill.scenario_error", where=where, said=sentence)


def _local(value: object, where: str, name: str, required: bool = True) -> LocalText | None:
    if value is None and not required:
        return None
    if isinstance(value, str) and value.strip():
        return LocalText.of(printable(value))
    if (
        isinstance(value, dict)
        and value
        and all(isinstance(v, str) and v.strip() for v in value.values())
    ):
        unknown = sorted(set(value) - {"ko", "ja", "en"})
        if unknown:
            raise _refuse(where, f"{name} has the language {unknown[0]!r}; use ko, ja or en.")
        return LocalText.of({lang: printable(text) for lang, text in value.items()})
    raise _refuse(where, f"{name} must be text, or a table of ko / ja / en texts.")


def _seconds(value: object, where: str, name: str) -> int:
    try:
        return parse_duration(value)
    except DurationError as error:
        raise _refuse(where, f"{name} is not a duration ({error}).") from None


def _at(where: str, text: TomlText | None, path: tuple[str | int, ...]) -> str:
    """The file with the line of a key path, when the scenario's text is known."""
    return text.where(path) if text else where


def from_document(document: dict, where: str, text: TomlText | None = None) -> Scenario:
    if not isinstance(document, dict):
        raise _refuse(where, "a scenario is a table.")
    known = {"key", "title", "summary", "policy", "severity", "type", "length", "declares"}
    unknown = first_unknown(document, known | {"events"})
    if unknown:
        raise _refuse(_at(where, text, (unknown,)), f"unknown field {unknown!r}.")
    for name in ("key", "policy", "severity", "type"):
        if not isinstance(document.get(name), str) or not document[name].strip():
            raise _refuse(where, f"the scenario needs a {name}.")
    length = _seconds(document.get("length", "60m"), where, "length")
    if not 0 < length <= MAX_LENGTH_S:
        raise _refuse(where, "length must be more than zero and at most 24h.")
    raw_events = document.get("events")
    if not isinstance(raw_events, list) or not raw_events:
        raise _refuse(where, "the scenario needs at least one [[events]].")
    if len(raw_events) > MAX_EVENTS:
        raise _refuse(where, f"a scenario has at most {MAX_EVENTS} events.")
    events = [_event(raw, where, text, n) for n, raw in enumerate(raw_events, 1)]
    events.sort(key=lambda event: event.at_s)
    if events[0].kind != "signal":
        raise _refuse(where, "the first event must be the signal that starts the incident.")
    if events[-1].at_s > length:
        raise _refuse(where, "an event comes after the end of the scenario (its length).")
    declares = document.get("declares", "")
    if not isinstance(declares, str):
        raise _refuse(where, "declares must be a severity or empty.")
    return Scenario(
        key=document["key"].strip(),
        title=_local(document.get("title"), where, "title"),
        summary=_local(document.get("summary", document.get("title")), where, "summary"),
        policy=document["policy"].strip(),
        severity=document["severity"].strip(),
        type_key=document["type"].strip(),
        length_s=length,
        events=tuple(events),
        declares=declares.strip(),
    )


def _event(raw: object, source: str, text: TomlText | None, number: int) -> DrillEvent:
    def where(*key: str) -> str:
        return f"{_at(source, text, ('events', number - 1, *key))}, event {number}"

    if not isinstance(raw, dict):
        raise _refuse(where(), "an event is a table.")
    unknown = first_unknown(raw, {"at", "kind", "text", "source"})
    if unknown:
        raise _refuse(where(unknown), f"unknown field {unknown!r}.")
    kind = raw.get("kind", "fact")
    if kind not in EVENT_KINDS:
        raise _refuse(where("kind"), f"the kind {kind!r} is not one of {', '.join(EVENT_KINDS)}.")
    return DrillEvent(
        at_s=_seconds(raw.get("at"), where("at"), "at"),
        kind=kind,
        text=_local(raw.get("text"), where("text"), "text"),
        source=_local(raw.get("source"), where("source"), "source", required=False),
    )


def check_against(scenario: Scenario, policies) -> None:
    """The policy, the severities and the type named exist (policies: a PolicySet)."""
    where = scenario.key
    policy = policies.policies.get(scenario.policy)
    if policy is None:
        raise _refuse(where, f"there is no policy {scenario.policy!r}.")
    severities = [s.key for s in policy.severities]
    for name, value in (("severity", scenario.severity), ("declares", scenario.declares)):
        if value and value not in severities:
            known = ", ".join(severities)
            raise _refuse(where, f"{name} {value!r} is not a severity of {policy.name} ({known}).")
    if scenario.type_key not in [t.key for t in policy.types]:
        raise _refuse(where, f"the type {scenario.type_key!r} is not a type of {policy.name}.")


def load_file(path: Path) -> Scenario:
    try:
        document = read_toml(path)
    except TomlReadError as error:
        said = {
            "missing": "there is no such file.",
            "not_utf8": "the file is not UTF-8 text.",
            "not_toml": f"not valid TOML ({error.detail}).",
        }.get(error.reason)
        if said is None:
            raise  # unreadable: an OSError's own words, as before
        raise _refuse(str(path), said) from None
    return from_document(document.data, str(path), document)


@cache
def starter_scenarios() -> tuple[Scenario, ...]:
    """The scenarios shipped with Story Cart (assets/drills/)."""
    folder = resources.files("assets") / "drills"
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            found.append(from_document(tomllib.loads(entry.read_text("utf-8")), entry.name))
    return tuple(found)


def find_scenario(name: str) -> Scenario:
    """A shipped scenario by key, or a scenario file by path."""
    for scenario in starter_scenarios():
        if scenario.key == name:
            return scenario
    path = Path(name).expanduser()
    if path.suffix == ".toml" or path.exists():
        return load_file(path)
    keys = ", ".join(s.key for s in starter_scenarios())
    raise ScenarioError(
        f"There is no scenario {name!r} (shipped: {keys}; or give a .toml file).",
        "drill.no_scenario",
        name=name,
        known=keys,
    )


def replay_of(view, t) -> Scenario:
    """A past incident as a scenario: its signal at the start, then what its timeline recorded
    — status updates, severity changes, facts — at the same distance from the declaration,
    for the team to respond to as the original responders did. `view`: an IncidentView."""
    record = view.record
    start = record.detected_at or record.declared_at
    events = [
        DrillEvent(
            0,
            "signal",
            LocalText.of(t("drill.replay_signal", title=record.title, impact=record.impact or "—")),
        )
    ]
    for entry in view.timeline:
        kind = {"status_update": "update", "severity_changed": "severity", "note": "fact"}.get(
            entry.kind
        )
        if kind is None or not entry.text.strip():
            continue
        offset = max(0, int((entry.at - start).total_seconds()))
        events.append(DrillEvent(offset, kind, LocalText.of(printable(entry.text))))
    events.sort(key=lambda event: event.at_s)
    end = record.resolved_at or (view.timeline[-1].at if view.timeline else start)
    length = max(events[-1].at_s, int((end - start).total_seconds()), 600)
    return Scenario(
        key=f"replay-{record.code}",
        title=LocalText.of(t("drill.replay_title", code=record.code, title=record.title)),
        summary=LocalText.of(printable(record.impact or record.title)),
        policy=view.policy.name,
        severity=_highest(view),
        type_key=record.type_key,
        length_s=min(length, MAX_LENGTH_S),
        events=tuple(events),
    )


def _highest(view) -> str:
    """The most severe level the incident ever had: what the drill team should declare."""
    order = [s.key for s in view.policy.severities]
    seen = {view.record.severity}
    for entry in view.timeline:
        if entry.kind == "severity_changed" and entry.data:
            seen.update(v for v in (entry.data.get("from"), entry.data.get("to")) if v in order)
    return min(seen, key=lambda key: order.index(key) if key in order else len(order))
