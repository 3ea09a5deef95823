"""What a paging service (Apprise, a webhook, a command) said, as a quotation inside a sentence
of the user's language: the service's own words, on one line, with nothing a terminal would
execute, without a URL's tokens or a credential (an Apprise error may quote the channel's URL),
cut short so that the sentence around it stays readable."""

from __future__ import annotations

from app.domain.i18n import Catalog
from app.domain.redact import redact_text
from app.domain.textsafe import printable

LIMIT = 200  # characters of the service's words; the rest is in the log and the timeline


def service_said(error: str, catalog: Catalog) -> str:
    words = " ".join(redact_text(printable(error)).split())
    if len(words) > LIMIT:
        words = words[: LIMIT - 1].rstrip() + "…"
    return catalog.t("said.quoted", words=words)
