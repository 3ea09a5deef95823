"""Drafting a story from a published postmortem, its three lenses, and the blame reminder."""

from __future__ import annotations

import re
from datetime import date, datetime

from app.domain.postmortem.model import Postmortem
from app.domain.postmortem.review import blame_phrases_in, blameless_hints
from app.domain.story.bank import bank, prompt_bank, suggest_themes
from app.domain.story.model import LENSES, Story, StoryError
from app.domain.story.response import response_lines


def draft_from_postmortem(
    postmortem: Postmortem, severity: str, occurred_on: date, declared_at: datetime | None = None
) -> Story:
    """A plain-language first draft for the author to edit: what happened, why it mattered, how
    the team responded (the whole timeline, timed from `declared_at`) and why it happened, plus
    a highlight, the three lenses, suggested themes and the two prompt cards seed 000 names."""
    p, words = postmortem, bank(postmortem.lang)["draft"]
    happened = _paragraph(
        p.what, p.when and f"{words['when']}: {p.when}", p.who and f"{words['who']}: {p.who}"
    )
    mattered = _paragraph(
        p.users_affected and f"{words['users']}: {p.users_affected}",
        p.duration and f"{words['duration']}: {p.duration}",
        p.sla_breach == "yes" and words["sla_breach"],
        p.business_impact,
        p.brand_impact,
    )
    responded = "\n".join(response_lines(p.timeline, declared_at, p.lang))
    responded = _paragraph(
        responded, p.temporary and f"{words['temporary']}: {p.temporary}", p.went_well
    )
    why = _paragraph(p.root_cause, *(f"{words['why']} {w.why} — {w.because}" for w in p.whys))
    narrative = "\n\n".join(
        f"{words[heading]}\n{text}"
        for heading, text in (
            ("happened", happened),
            ("mattered", mattered),
            ("responded", responded),
            ("cause", why),
        )
        if text
    )
    factors = {
        c: [f.text for f in p.factors if f.category == c and f.text.strip()]
        for c in ("technical", "process", "organisational", "environmental")
    }
    actions = {
        c: [a.title for a in p.actions if a.category == c and a.title.strip()]
        for c in ("prevention", "detection", "response", "documentation", "training")
    }
    lenses = {
        "engineering": _paragraph(
            p.root_cause,
            *factors["technical"],
            p.permanent and f"{words['permanent']}: {p.permanent}",
            *actions["prevention"],
            *actions["detection"],
        ),
        "product": _paragraph(
            mattered, *factors["process"], *factors["organisational"], p.was_hard
        ),
        "support": _paragraph(
            p.who,
            p.brand_impact,
            *factors["environmental"],
            *actions["response"],
            *actions["documentation"],
            *actions["training"],
        ),
    }
    whole = " ".join(
        [
            p.title,
            p.what,
            p.root_cause,
            p.lessons,
            *(t for texts in factors.values() for t in texts),
        ]
    )
    bank_prompts = prompt_bank(p.lang)
    return Story(
        key=f"{p.incident}/{p.lang}",
        lang=p.lang,
        title=p.title,
        kind="recent",
        severity=severity,
        occurred_on=occurred_on.isoformat(),
        themes=suggest_themes(whole, p.lang),
        highlight=_highlight(p),
        narrative=narrative,
        lenses={k: v for k, v in lenses.items() if v},
        lessons=p.lessons,
        prompts=list(bank_prompts[:2]),
        incident=p.incident,
    )


def _paragraph(*parts) -> str:
    return "\n".join(part.strip() for part in parts if part and part.strip())


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?。！？])(\s|$)", text.strip(), re.S)
    return (match.group(1) if match else text.strip()).strip()


def _highlight(p: Postmortem) -> str:
    """The first sentences of what happened and of the lessons, leaving out any that blames a
    person (the wizard flagged it; the highlight is what people remember)."""
    parts = [_first_sentence(p.what), _first_sentence(p.lessons)]
    text = " ".join(part for part in parts if part and not blameless_hints(part, p.lang))
    return text if len(text) <= 280 else text[:279] + "…"


def story_blame_phrases(story: Story) -> list[str]:
    """Phrases in the story's text that blame a person, each once, in order of the text."""
    texts = [
        story.title,
        story.highlight,
        story.narrative,
        *story.lenses.values(),
        story.lessons,
        story.changes,
    ]
    return blame_phrases_in(texts, story.lang)


def lens_text(story: Story, lens: str) -> str:
    if lens not in LENSES:
        raise StoryError(f"The lens {lens!r} is not one of {', '.join(LENSES)}.")
    return story.lenses.get(lens, "")


def next_lens(lens: str) -> str:
    return LENSES[(LENSES.index(lens) + 1) % len(LENSES)]
