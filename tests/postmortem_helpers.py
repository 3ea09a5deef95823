"""A postmortem filled in enough to pass review, saved and (by default) published: the common
starting point of the story, paging and follow-up tests."""

from __future__ import annotations

from dataclasses import replace

from app.domain.postmortem.model import ActionItem, Why
from app.services.postmortem_service import PostmortemService

DEFAULT_ACTIONS = (ActionItem("Automate renewal", "Sam", "2026-12-01"),)


def complete_postmortem(
    postmortems: PostmortemService,
    code: str,
    actor: str,
    lang: str = "en",
    *,
    actions=DEFAULT_ACTIONS,
    what: str = "Card payments failed for 20 minutes.",
    status: str = "published",
    publisher: str | None = None,
) -> int:
    """Fill the incident's postmortem, save it and move it on to `status` (draft, in_review or
    published); returns its version."""
    draft = postmortems.open(code, lang, actor)
    ready = replace(
        draft.postmortem,
        what=what,
        users_affected="1200",
        root_cause="An expired certificate",
        whys=[Why("Why?", "Expired")],
        lessons="Expiry needs an owner.",
        actions=list(actions),
    )
    version = postmortems.save(ready, draft.version, actor)
    if status in ("in_review", "published"):
        version = postmortems.set_status(code, "in_review", actor, version).version
    if status == "published":
        version = postmortems.set_status(code, "published", publisher or actor, version).version
    return version
