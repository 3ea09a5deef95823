"""A checklist item as people read it: its {fields} filled from the incident (the war room's
`#incident-{date}` channel is the declaration's own, #incident-20261202-0001)."""

from __future__ import annotations

import re
from datetime import tzinfo

from app.domain.message_templates import war_room
from app.domain.policy.model import LocalText
from app.domain.textsafe import printable

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def item_fields(record, zone: tzinfo | None = None) -> dict[str, str]:
    """What a checklist item may name: {date} (the war room's suffix), {code}, {title}."""
    return {"date": war_room(record, zone), "code": record.code, "title": printable(record.title)}


def filled_text(text: str, fields: dict[str, str]) -> str:
    """`text` with each {field} it names replaced; other braces are left as written."""
    return _FIELD.sub(lambda match: fields.get(match.group(1), match.group(0)), text)


def checklist_item_text(item, lang: str, record, zone: tzinfo | None = None) -> str:
    """The item in `lang` with its fields filled: the checklist tab, the timeline, the debrief."""
    return filled_text(item.text.get(lang), item_fields(record, zone))


def filled_item(item, record, zone: tzinfo | None = None) -> LocalText:
    """The item's text in every language it has, its fields filled."""
    fields = item_fields(record, zone)
    return LocalText(tuple((lang, filled_text(text, fields)) for lang, text in item.text.values))
