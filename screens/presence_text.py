"""Who else is here, as one line: "Also here: 준호 (5 whys, typing), 佐藤"."""

from __future__ import annotations

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
