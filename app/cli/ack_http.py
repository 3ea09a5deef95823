"""The acknowledge links' pages on the intake server: `GET /ack/TOKEN` shows the incident and who
was paged with one Acknowledge button and changes nothing (chat and mail previews fetch links);
`POST /ack/TOKEN` acknowledges, exactly once. Each page is in the language of the channel that
carried the link (else the app's). The token is the credential: no bearer header here."""

from __future__ import annotations

from aiohttp import web

from app.domain.ack_link import AckLinkRefused
from app.domain.ack_page import ack_page
from app.domain.i18n import Catalog
from app.domain.paging import PagingChannel
from app.services.ack_links import ACK_PATH, AckLinks

# The page is plain HTML with inline style: nothing else may load, nothing may frame it.
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


class AckPages:
    """What the intake answers on ACK_PATH; its methods run in the server's database threads."""

    def __init__(self, links: AckLinks, channels: tuple[PagingChannel, ...], lang: str) -> None:
        self.links = links
        self.languages = {channel.name: channel.lang for channel in channels if channel.lang}
        self.lang = lang

    @staticmethod
    def wants(path: str) -> bool:
        return path.startswith(ACK_PATH)

    def answer(self, method: str, path: str, remote: str) -> web.Response:
        token = path[len(ACK_PATH) :]
        try:
            if method == "POST":
                view = self.links.acknowledge(token, remote=remote)
            else:
                view = self.links.look(token)
        except AckLinkRefused as refused:
            return self._page(
                refused.http_status, ack_page(refused, self._catalog(refused.channel))
            )
        return self._page(200, ack_page(view, self._catalog(view.channel)))

    def _catalog(self, channel: str) -> Catalog:
        return Catalog(self.languages.get(channel, self.lang))

    @staticmethod
    def _page(status: int, html: str) -> web.Response:
        return web.Response(
            status=status,
            text=html,
            content_type="text/html",
            charset="utf-8",
            headers=_HEADERS,
        )
