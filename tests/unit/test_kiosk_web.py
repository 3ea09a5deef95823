"""The served kiosk's page and playlist without a browser: text is data on the page, nothing on it
points off the machine, the story's pages keep every word and line, and the shared playlist
moves on, reloads and reconnects on the injected clock (a real SQLite file)."""

from __future__ import annotations

import re
from importlib.resources import files

from rich.cells import cell_len

from app.domain.clock import FakeClock
from app.domain.i18n import Catalog
from app.domain.kiosk_playlist import SlideText
from app.domain.kiosk_web import BODY_COLUMNS, Showing, body_pages, document, fragment
from app.services.bundle import connection_for
from app.services.kiosk_feed import KioskFeed
from tests.conftest import make_settings
from tests.ui.helpers import START

KO = (
    "무슨 일이 있었나\n장바구니 서비스 릴리스가 트래픽 5%에 나가 30분 동안 초록불을 유지한 뒤 "
    "전체로 승격되었습니다. 38분 동안 릴리스 전에 로그인한 고객은 빈 장바구니를 보았습니다."
)
JA = (
    "何が起きたか\nカートサービスのリリースがトラフィックの5%に出て、30分間グリーンのまま全体へ"
    "昇格されました。38分間、リリース前にログインしたお客様には空のカートが表示されました。"
)
EN = (
    "What happened\nA release of the cart service went out to 5% of traffic, stayed green "
    "for 30 minutes and was promoted to everyone. For 38 minutes, customers who had signed "
    "in before the release saw an empty cart."
)


def test_user_text_is_escaped_data_on_the_page():
    slide = SlideText(
        "heading", '<script>alert("x")</script>\x1b[31m', ("a & b\x07",), (("<b>", "<i>"),)
    )
    page = document(Showing("en", slide, (("a & b\x07", False),), dots=(True,)), "Story Cart")
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "\x1b" not in page and "\x07" not in page
    assert "<b>" not in page and "&lt;b&gt;" in page


def test_nothing_on_the_page_points_off_the_machine():
    page = document(Showing("ko", SlideText("h", "t")), "Story Cart")
    style = (files("assets") / "kiosk" / "kiosk.css").read_text("utf-8")
    script = (files("assets") / "kiosk" / "kiosk.js").read_text("utf-8")
    comments = re.compile(r"/\*.*?\*/|^\s*//.*$", flags=re.S | re.M)
    for text in (page, style, script):
        assert "http" not in text and "//" not in comments.sub("", text)
    assert "@import" not in style
    assert set(re.findall(r'url\("([^"]+)"\)', style)) == {
        "/fonts/StoryCartSans-Regular.ttf",
        "/fonts/StoryCartSans-Bold.ttf",
        "/fonts/StoryCartMono-Regular.ttf",
    }
    # Proportional type at its own widths: no spacing between letters, no cell widths.
    assert "letter-spacing: normal" in style and "ch;" not in style and "ch)" not in style


def test_a_diagram_page_shows_the_text_as_typed_or_the_image_from_the_kiosk():
    from app.domain.story.diagrams import Diagram

    text = Diagram(caption="흐름 <1>", text="[LB] --> [app]\n  └─ <db>")
    shown = fragment(Showing("ko", SlideText("h", "t"), diagram=(text, None, "")))
    assert '<pre class="diagram">[LB] --&gt; [app]\n  └─ &lt;db&gt;</pre>' in shown
    assert "<figcaption>흐름 &lt;1&gt;</figcaption>" in shown
    image = Diagram(caption="c", image="iVBORw0KGgo=", media_type="image/png", name="a.png")
    shown = fragment(
        Showing(
            "ko", SlideText("h", "t"), diagram=(image, None, "PNG"), diagram_src="/diagram/ko/0"
        )
    )
    assert '<img src="/diagram/ko/0" alt="c">' in shown


def test_story_pages_keep_every_word_and_line_in_each_language():
    for text in (KO, JA, EN):
        slide = SlideText("h", "title", (text, text))
        pages = body_pages(slide)
        lines = [line for page in pages for line in page]
        assert all(cell_len(line) <= BODY_COLUMNS for line, _ in lines)
        shown = "".join(
            fragment(Showing("ko", slide, tuple(page))).split('<div class="body">')[1]
            for page in pages
        )
        heading, rest = text.split("\n")
        # The story's own line break stays a line break; the server's breaks do not show.
        assert f"<p>{heading}<br>{rest}</p>" in shown


def test_a_paragraphs_heading_never_stays_alone_at_the_foot_of_a_page():
    slide = SlideText("h", "title", tuple(f"Heading {n}\n{'word ' * 60}" for n in range(4)))
    for page in body_pages(slide):
        assert not page[-1][0].startswith("Heading"), page


def test_the_shared_playlist_moves_on_reloads_and_reconnects(tmp_path):
    clock = FakeClock(START)
    settings = make_settings(tmp_path, lang="ko")
    connection = connection_for(settings, clock)
    away = {"now": False}

    def connect():
        if away["now"]:
            raise OSError("database is away")
        return connection.get()

    feed = KioskFeed(connect, None, ("ko", "en"), 20, clock)
    waiting = feed.showing()  # nothing read yet: says so, and the page asks again soon
    assert waiting.slide.title == Catalog("ko").t("kiosk.loading") and waiting.next_in_ms == 500
    feed.start()
    first = _when_loaded(feed)
    assert first.lang == "ko" and first.slide.title == "건강해 보였던 카나리"
    assert first.dots[0] and first.next_in_ms == 20_000
    clock.advance(19)
    assert feed.showing().slide == first.slide  # not yet
    clock.advance(1)
    assert feed.showing().lines != first.lines  # the story's next page
    away["now"] = True
    for _ in range(30):  # through the pass: the reload at its end finds the database away
        clock.advance(20)
        feed.showing()
        if feed.reading or feed.problem:
            break
    _wait(lambda: feed.problem)
    shown = feed.showing()
    assert shown.problem and shown.slide.title  # keeps showing what it has
    away["now"] = False
    clock.advance(60)  # the longest pause between tries
    feed.showing()  # the retry is due
    _wait(lambda: not feed.problem and not feed.reading)
    assert not feed.showing().problem
    connection.close()


def _when_loaded(feed: KioskFeed) -> Showing:
    _wait(lambda: feed.contents)
    return feed.showing()


def _wait(condition, limit: int = 600) -> None:
    import threading

    event = threading.Event()
    for _ in range(limit):
        if condition():
            return
        event.wait(0.05)
    raise AssertionError("the kiosk's reading thread never got there")


async def test_the_server_serves_its_fonts_and_diagrams_and_nothing_else():
    import base64

    from aiohttp.test_utils import TestClient, TestServer

    from app.cli.kiosk_web_server import kiosk_web_app
    from app.domain.story.diagrams import Diagram

    png = b"\x89PNG\r\n\x1a\n-not-decoded-here"
    diagram = Diagram(image=base64.b64encode(png).decode(), media_type="image/png")

    class Feed:
        def showing(self):
            return Showing("ja", SlideText("今週のストーリー", "健康そうに見えたカナリア"))

        def diagram_image(self, lang, index):
            return diagram if (lang, index) == ("ja", 0) else None

    async with TestClient(TestServer(kiosk_web_app(Feed()))) as client:
        page = await client.get("/")
        assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert "<h1>健康そうに見えたカナリア</h1>" in await page.text()
        font = await client.get("/fonts/StoryCartSans-Bold.ttf")
        assert font.status == 200 and font.headers["Content-Type"] == "font/ttf"
        assert font.headers["Cache-Control"] == "public, max-age=86400" and font.headers["ETag"]
        assert len(await font.read()) > 1_000_000  # the CJK subset, whole
        for refused in ("/fonts/OFL.txt", "/fonts/..%2Fi18n%2Fen.toml", "/diagram/ja/1", "/x"):
            assert (await client.get(refused)).status == 404, refused
        image = await client.get("/diagram/ja/0")
        assert image.headers["Content-Type"] == "image/png" and await image.read() == png
        assert image.headers["Content-Security-Policy"].startswith("default-src 'none'")
        style = await client.get("/kiosk.css")
        assert style.headers["Content-Type"] == "text/css; charset=utf-8"
