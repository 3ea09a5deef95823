"""Who else is here, as one line: "Also here: 준호 (5 whys, typing), 佐藤"."""

from __future__ import annotations

from typing import NamedTuple

from app.domain.i18n import Catalog
from app.domain.textsafe import printable
from app.domain.word_lists import joined


def presence_text(companions, catalog: Catalog, section_names: bool = False) -> str:
    if not companions:
        return ""
    t = catalog.t
    people = []
    for companion in companions:
        details = []
        if section_names and companion.section:
            details.append(t(f"pm.section.{companion.section}"))
        if companion.editing:
            details.append(t("presence.typing"))
        name = printable(companion.person)
        people.append(f"{name} ({joined(details, catalog.lang)})" if details else name)
    return t("presence.also_here", people=joined(people, catalog.lang))


class SharedSection(NamedTuple):
    key: tuple[str, str]  # (person, section): said once
    text: str


def same_section(companions, section: str, warned, catalog: Catalog) -> list[SharedSection]:
    """The warnings still to give that someone else is typing in this user's section."""
    warnings = []
    for companion in companions:
        key = (companion.person, section)
        if companion.editing and companion.section == section and key not in warned:
            text = catalog.t(
                "presence.same_section",
                person=companion.person,
                section=catalog.t(f"pm.section.{section}"),
            )
            warnings.append(SharedSection(key, text))
    return warnings
