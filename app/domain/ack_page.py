"""The small HTML page an acknowledge link opens, in the link's language: the incident and who was
paged, with one Acknowledge button (a form that POSTs to the same address: opening the link,
as chat and mail previews do, changes nothing); after the POST, who acknowledged and when; for
a link that cannot acknowledge, the plain sentence why. Every value is escaped; no scripts, no
outside resources."""

from __future__ import annotations

from html import escape

from app.domain.ack_link import AckLinkRefused, AckLinkView, refusal_for
from app.domain.i18n import Catalog, said_in
from app.domain.message_templates import local_time
from app.domain.textsafe import printable

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:34em;padding:0 1em;"
    "line-height:1.5}dt{font-weight:bold}dd{margin:0 0 .5em}"
    "button{font-size:1.2em;padding:.6em 1.4em}"
)


def ack_page(subject: AckLinkView | AckLinkRefused, catalog: Catalog) -> str:
    t = catalog.t
    if isinstance(subject, AckLinkRefused):
        said = said_in(subject, catalog)
        return _document(catalog, t("ack_page.refused_heading"), _paragraph(said))
    details = _details(subject, catalog)
    if subject.acknowledged_here:
        said = t(
            "ack_page.done",
            code=subject.code,
            actor=subject.acknowledged_by,
            at=local_time(subject.acknowledged_at) or "",
        )
        return _document(catalog, t("ack_page.done_heading"), _paragraph(said) + details)
    refusal = refusal_for(subject)
    if refusal is not None:
        said = said_in(refusal, catalog)
        return _document(catalog, t("ack_page.refused_heading"), _paragraph(said) + details)
    form = (
        f'<form method="post"><button type="submit">{_text(t("page.ack_button"))}</button></form>'
    )
    body = details + form + _paragraph(t("ack_page.explain"))
    return _document(catalog, t("ack_page.heading", code=subject.code), body)


def _details(view: AckLinkView, catalog: Catalog) -> str:
    t = catalog.t
    rows = [
        (t("ack_page.incident"), view.code),
        (t("ack_page.severity"), view.severity),
        (t("ack_page.title"), view.title),
        (t("ack_page.status"), catalog.get(f"status.{view.status}") or view.status),
        (t("ack_page.paged"), view.paged),
        (t("ack_page.channel"), view.channel),
        (t("ack_page.expires"), local_time(view.expires_at) or ""),
    ]
    items = "".join(f"<dt>{_text(name)}</dt><dd>{_text(value)}</dd>" for name, value in rows)
    return f"<dl>{items}</dl>"


def _paragraph(text: str) -> str:
    return f"<p>{_text(text)}</p>"


def _text(value: object) -> str:
    return escape(printable(str(value)))


def _document(catalog: Catalog, heading: str, body: str) -> str:
    return (
        "<!DOCTYPE html>"
        f'<html lang="{catalog.lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{_text(heading)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{_text(heading)}</h1>{body}</main></body></html>\n"
    )
