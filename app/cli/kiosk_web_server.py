"""`storycart kiosk --serve`: the cart's screen as a web page for a TV's browser, served by aiohttp
from this process. `GET /` is the whole page with the current slide in it (the first response
already shows the story), `GET /slide` the next moment as JSON for the page's script, and the
page's own style, script and fonts (StoryCart Sans and Mono from assets/fonts) come from here
too: the TV needs no internet, and the Content-Security-Policy lets nothing else load.
Read-only: there is no key to unlock, nothing to post."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

from aiohttp import web

from app.domain.kiosk_web import FONTS, document, fragment
from app.services.kiosk_feed import KioskFeed

TITLE = "Story Cart"
_ASSETS = Path(str(files("assets")))
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
# Fonts and the page's style and script change only with a new version of Story Cart: a TV
# keeps them a day and revalidates them after (ETag / Last-Modified) with a 304.
_STATIC_CACHE = "public, max-age=86400"
_STATIC = {
    "kiosk.css": "text/css; charset=utf-8",
    "kiosk.js": "text/javascript; charset=utf-8",
}
_DIAGRAM_TYPES = {"image/png", "image/jpeg", "image/svg+xml"}


def kiosk_web_app(feed: KioskFeed) -> web.Application:
    app = web.Application()

    async def page(_request: web.Request) -> web.Response:
        return web.Response(
            text=document(feed.showing(), TITLE),
            content_type="text/html",
            charset="utf-8",
            headers=_PAGE_HEADERS,
        )

    async def slide(_request: web.Request) -> web.Response:
        showing = feed.showing()
        body = {"lang": showing.lang, "next": showing.next_in_ms, "html": fragment(showing)}
        return web.Response(
            text=json.dumps(body, ensure_ascii=False),
            content_type="application/json",
            charset="utf-8",
            headers=_PAGE_HEADERS,
        )

    async def font(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in FONTS:
            raise web.HTTPNotFound()
        return _file(_ASSETS / "fonts" / name, "font/ttf")

    async def static(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        return _file(_ASSETS / "kiosk" / name, _STATIC[name])

    async def diagram(request: web.Request) -> web.Response:
        try:
            index = int(request.match_info["index"])
        except ValueError:
            raise web.HTTPNotFound() from None
        found = feed.diagram_image(request.match_info["lang"], index)
        if found is None or found.media_type not in _DIAGRAM_TYPES:
            raise web.HTTPNotFound()
        return web.Response(
            body=found.image_bytes(),
            content_type=found.media_type,
            # An SVG shown as an image runs no script and loads nothing; opened on its own,
            # this policy says the same.
            headers={
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def no_icon(_request: web.Request) -> web.Response:
        return web.Response(status=204, headers={"Cache-Control": _STATIC_CACHE})

    app.router.add_get("/", page)
    app.router.add_get("/favicon.ico", no_icon)  # browsers ask; the kiosk has none
    app.router.add_get("/slide", slide)
    app.router.add_get("/fonts/{name}", font)
    app.router.add_get("/{name:kiosk\\.(?:css|js)}", static)
    app.router.add_get("/diagram/{lang}/{index}", diagram)
    return app


def _file(path: Path, content_type: str) -> web.FileResponse:
    return web.FileResponse(
        path,
        headers={
            "Content-Type": content_type,
            "Cache-Control": _STATIC_CACHE,
            "X-Content-Type-Options": "nosniff",
        },
    )


def run(feed: KioskFeed, host: str, port: int) -> None:
    """Serve until SIGINT or SIGTERM; OSError when the address cannot be listened on."""
    web.run_app(
        kiosk_web_app(feed),
        host=host,
        port=port,
        print=None,
        access_log=None,
        handle_signals=True,
    )
