"""A form: everything inside it is for typing. While the focus is anywhere in a form (a text
field, a choice, a list, the postmortem's rail), no key that types a character acts as a command
of the screen or the app — `l` is an "l", `q` never quits. Only ctrl / F keys, Tab, Enter and
Escape act there.

It is Textual's own rule for Input and TextArea (check_consume_key) widened to the whole form:
the bindings a form consumes are left out of the key handling, the footer and the help screen
alike, so none of them can show a key that does not work. Dialog and the editing screens are
built on it; a new form only has to put its fields in one."""

from __future__ import annotations

from textual.containers import Vertical

from widgets.keys import typed


class Form(Vertical):
    """Set `editable` to False when the form becomes a read-only record (a published
    postmortem): its screen's letter keys act again."""

    editable = True

    def check_consume_key(self, _key: str, character: str | None) -> bool:
        return self.editable and typed(character)
