"""Keys said in the user's language, and which keys are typing rather than commands."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.dom import DOMNode

from app.domain.i18n import Catalog


def typed(character: str | None) -> bool:
    """A key that types a character (a letter, a digit, `?`, a space), as Input counts it;
    ctrl, F keys, Escape, Tab, Enter and the arrows are not."""
    return character is not None and character.isprintable()


def bind_localized(node: DOMNode, catalog: Catalog, specs: Iterable[tuple]) -> None:
    """Bind (keys, action, catalog key of the description, show in footer[, priority]).
    A footer label kept short has its full name under `<key>_long`, shown by the help screen.

    Textual's BINDINGS are class-level and English-only; the footer must speak the user's
    language, so the bindings are added per instance, the way App.bind does it.
    """
    for keys, action, description_key, show, *priority in specs:
        description = catalog.t(description_key)
        for key in (key.strip() for key in keys.split(",")):
            # BindingsMap.bind() has no tooltip; the same Binding it would make, with one.
            node._bindings.key_to_bindings.setdefault(key, []).append(
                Binding(
                    key,
                    action,
                    description,
                    show=bool(show),
                    tooltip=catalog.get(f"{description_key}_long") or "",
                    priority=bool(priority and priority[0]),
                )
            )
