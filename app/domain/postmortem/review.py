"""How far a postmortem is: each section's state, completeness, moving between draft, review and
published, and the blameless hints."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from app.domain.postmortem.model import (
    COMPLETE,
    EMPTY,
    PARTIAL,
    SECTIONS,
    Postmortem,
    PostmortemError,
)

# -- progress and completeness --------------------------------------------------------------


def _filled(*texts: str) -> int:
    return sum(1 for text in texts if text.strip())


def _state(filled: int, needed: int, complete: bool | None = None) -> str:
    if filled == 0:
        return EMPTY
    if complete if complete is not None else filled >= needed:
        return COMPLETE
    return PARTIAL


def section_state(postmortem: Postmortem, section: str) -> str:
    p = postmortem
    if section == "summary":
        return _state(_filled(p.what, p.when, p.who), 3)
    if section == "impact":
        filled = _filled(p.users_affected, p.duration, p.business_impact, p.brand_impact)
        filled += p.sla_breach != "unknown"
        return _state(
            filled, 0, bool(_filled(p.users_affected, p.duration)) and p.sla_breach != "unknown"
        )
    if section == "timeline":
        entries = [t for t in p.timeline if t.text.strip()]
        return _state(
            len(p.timeline),
            0,
            bool(entries)
            and len(entries) == len(p.timeline)
            and any(t.certainty == "fact" for t in entries),
        )
    if section == "root_cause":
        whys = [w for w in p.whys if w.why.strip() and w.because.strip()]
        filled = _filled(p.root_cause) + len(p.whys)
        return _state(filled, 0, bool(p.root_cause.strip()) and bool(whys))
    if section == "factors":
        return _state(len(p.factors), 0, all(f.text.strip() for f in p.factors))
    if section == "mitigation":
        return _state(_filled(p.temporary, p.permanent), 2)
    if section == "actions":
        complete = all(a.title.strip() and a.owner.strip() and a.due for a in p.actions)
        return _state(len(p.actions), 0, complete)
    text = {
        "went_well": p.went_well,
        "was_hard": p.was_hard,
        "lucky": p.lucky,
        "lessons": p.lessons,
    }[section]
    return _state(_filled(text), 1)


@dataclass(frozen=True)
class Completeness:
    percent: int
    missing: tuple[str, ...]  # catalog keys under "postmortem.missing."

    @property
    def ready(self) -> bool:
        return not self.missing


def completeness(postmortem: Postmortem) -> Completeness:
    p = postmortem
    missing = []
    if not p.what.strip():
        missing.append("summary")
    if not re.search(r"\d", p.users_affected + p.duration):
        missing.append("impact_numbers")
    if not (p.root_cause.strip() or any(w.why.strip() and w.because.strip() for w in p.whys)):
        missing.append("root_cause")
    if not any(t.certainty == "fact" and t.text.strip() for t in p.timeline):
        missing.append("timeline_facts")
    if not any(a.title.strip() and a.owner.strip() and a.due for a in p.actions):
        missing.append("owned_action")
    done = sum(1 for s in SECTIONS if section_state(p, s) == COMPLETE)
    return Completeness(round(100 * done / len(SECTIONS)), tuple(missing))


def change_status(postmortem: Postmortem, status: str) -> Postmortem:
    """draft -> in_review (only when nothing required is missing) -> published; a review can
    send it back to draft."""
    allowed = {"draft": ("in_review",), "in_review": ("draft", "published"), "published": ()}
    if status not in allowed.get(postmortem.status, ()):
        raise PostmortemError(
            f"A postmortem in {postmortem.status} cannot move to {status}.",
            "refusal.pm_status",
            before=postmortem.status,
            after=status,
        )
    if status == "in_review" and not completeness(postmortem).ready:
        raise PostmortemError(
            "This postmortem is missing required parts; see the checklist.", "refusal.pm_missing"
        )
    return replace(postmortem, status=status)


# -- blameless hints ------------------------------------------------------------------------


@dataclass(frozen=True)
class Hint:
    phrase: str
    suggestion: str
    start: int
    end: int


@cache
def hint_phrases(lang: str) -> tuple[tuple[str, str], ...]:
    path = resources.files("assets") / "blameless" / f"{lang}.toml"
    document = tomllib.loads(path.read_text("utf-8"))
    return tuple((entry["phrase"], entry["suggest"]) for entry in document.get("hints", ()))


def blameless_hints(text: str, lang: str) -> list[Hint]:
    """Phrases that blame a person, with a question about the system; English phrases are
    checked in every language (teams mix them)."""
    folded = text.casefold()
    found = []
    languages = [lang] if lang == "en" else [lang, "en"]
    for language in languages:
        for phrase, suggestion in hint_phrases(language):
            start = folded.find(phrase.casefold())
            if start >= 0:
                found.append(Hint(phrase, suggestion, start, start + len(phrase)))
    return sorted(found, key=lambda hint: hint.start)


def blame_phrases_in(texts: Iterable[str], lang: str) -> list[str]:
    """Phrases in these texts that blame a person, each once, in the order they appear."""
    found: list[str] = []
    for text in texts:
        for hint in blameless_hints(text, lang):
            if hint.phrase not in found:
                found.append(hint.phrase)
    return found


def blame_phrases(postmortem: Postmortem) -> list[str]:
    """Phrases anywhere in the postmortem that blame a person, each once."""
    return blame_phrases_in((text for _section, text in all_text(postmortem)), postmortem.lang)


def all_text(postmortem: Postmortem) -> list[tuple[str, str]]:
    """(section, text) of every free text, for hints."""
    p = postmortem
    texts = [
        ("summary", p.what),
        ("summary", p.when),
        ("summary", p.who),
        ("impact", p.business_impact),
        ("impact", p.brand_impact),
        ("root_cause", p.root_cause),
        ("went_well", p.went_well),
        ("was_hard", p.was_hard),
        ("lucky", p.lucky),
        ("mitigation", p.temporary),
        ("mitigation", p.permanent),
        ("lessons", p.lessons),
    ]
    texts += [("timeline", t.text) for t in p.timeline]
    texts += [("root_cause", w.why + " " + w.because) for w in p.whys]
    texts += [("factors", f.text) for f in p.factors]
    texts += [("actions", a.title) for a in p.actions]
    return texts
