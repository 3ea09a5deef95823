"""The kiosk as a web page for the cart's TV (`storycart kiosk --serve`): what one moment of the
playlist shows (`Showing`), and that moment as HTML — the whole document for the first response
(so the first slide is in it) and the slide alone for the page's script to swap in.

Real text, not terminal cells: set in StoryCart Sans (served by the kiosk itself, Hangul and
kana at their own widths), sized from the viewport (assets/kiosk/kiosk.css), so a 1080p or 4K
TV is filled with type readable across a room. Every value is escaped and stripped of control
codes; nothing on the page comes from anywhere but the kiosk server."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from app.domain.kiosk_playlist import SlideText
from app.domain.text_layout import wrap
from app.domain.textsafe import printable

# The page's text measured in terminal cells (a Latin letter ≈ one, a Hangul syllable or kana
# two), for the server's page breaks. The body is min(4.4vh, 2.6vw) on a box 90vw wide: about
# 70 cells a line whatever the screen's shape; these leave a margin.
BODY_COLUMNS = 64
BODY_LINES = 10  # with a one-line title and note; each further line of them costs one
TITLE_COLUMNS = 40
NOTE_COLUMNS = 90
BLOCKS = 8  # boxes a slide shows; more are listed in the last one
# Boxes in two columns: about 46 cells a line at the roomy size (more at the smaller ones);
# a slide has room for about 14 lines of roomy boxes, 17 dense, 20 denser (past that the
# boxes' ends are cut, as in the terminal).
BOX_COLUMNS = 44
DENSE_LINES = (13, 16)
FIRST_FONT = "StoryCartSans-Regular.ttf"  # all the story slide needs (4.5 MB with the CJK)
FONTS = {  # the kiosk serves these from assets/fonts and nothing else
    "StoryCartSans-Regular.ttf": "StoryCart Sans",
    "StoryCartSans-Bold.ttf": "StoryCart Sans",
    "StoryCartMono-Regular.ttf": "StoryCart Mono",
}


@dataclass(frozen=True)
class Showing:
    """One moment of the cart's screen."""

    lang: str
    slide: SlideText
    lines: tuple[tuple[str, bool], ...] = ()  # this page of the body: (line, continues the last)
    diagram: tuple | None = None  # (diagram, picture, note) of this page of a diagrams slide
    diagram_src: str = ""  # where the page fetches that diagram's image
    dots: tuple[bool, ...] = ()  # one per slide of this pass, True for the one shown
    language: str = ""  # the language's own name, when the kiosk cycles through several
    problem: str = ""  # "reconnecting…", said on the page while the database is away
    next_in_ms: int = 500  # when the page asks for the next moment


def body_pages(slide: SlideText) -> list[list[tuple[str, bool]]]:
    """The slide's paragraphs broken into the pages the TV shows one after another: lines of
    BODY_COLUMNS cells (by each script's rules), each marked when it only continues the line
    before (the browser joins those again and wraps at the screen's real width); a blank line
    parts paragraphs but never starts a page."""
    taken = len(wrap(slide.title, TITLE_COLUMNS)) - 1
    if slide.note:
        taken += len(wrap(slide.note, NOTE_COLUMNS)) - 1
    height = max(3, BODY_LINES - max(0, taken))
    lines: list[tuple[str, bool]] = []
    for paragraph in slide.body:
        if lines:
            lines.append(("", False))
        for source in paragraph.splitlines() or [""]:
            pieces = wrap(source, BODY_COLUMNS) or [""]
            lines.extend((piece, number > 0) for number, piece in enumerate(pieces))
    pages: list[list[tuple[str, bool]]] = [[]]
    for line in lines:
        if len(pages[-1]) >= height:
            last = pages[-1]
            # A paragraph's first line (its heading) never stays alone at a page's foot.
            orphan = len(last) > 2 and last[-2] == ("", False) and line != ("", False)
            pages.append([last.pop()] if orphan else [])
            if orphan:
                last.pop()  # the blank line before it
        if line == ("", False) and not pages[-1]:
            continue
        pages[-1].append(line)
    return pages


def document(showing: Showing, title: str) -> str:
    """The whole page: fonts preloaded, the style and script from the kiosk, the slide."""
    # The first slide's one face, asked for with the page rather than after the style.
    preload = (
        f'<link rel="preload" href="/fonts/{FIRST_FONT}" as="font" type="font/ttf" crossorigin>'
    )
    return (
        "<!DOCTYPE html>"
        f'<html lang="{_text(showing.lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f"<title>{_text(title)}</title>{preload}"
        '<link rel="stylesheet" href="/kiosk.css">'
        '<script src="/kiosk.js" defer></script></head>'
        f"<body>{fragment(showing)}</body></html>\n"
    )


def fragment(showing: Showing) -> str:
    """The slide and the status line: what the page's script swaps in at each change."""
    slide = showing.slide
    parts = [f'<p class="heading">{_text(slide.heading)}</p>']
    parts.append(f"<h1>{_text(slide.title)}</h1>")
    if showing.diagram is not None:
        parts.append(_diagram(showing.diagram, showing.diagram_src))
    elif showing.lines:
        parts.append(f'<div class="body">{_paragraphs(showing.lines)}</div>')
    if slide.blocks:
        parts.append(_blocks(slide.blocks))
    if slide.note:
        parts.append(f'<p class="note">{_text(slide.note)}</p>')
    dots = " ".join("●" if current else "○" for current in showing.dots)
    status = [f'<span class="dots">{dots}</span>'] if dots else []
    if showing.language:
        status.append(f'<span class="language">{_text(showing.language)}</span>')
    if showing.problem:
        status.append(f'<span class="problem">{_text(showing.problem)}</span>')
    return (
        f'<main id="slide" lang="{_text(showing.lang)}" data-next="{int(showing.next_in_ms)}">'
        f"{''.join(parts)}</main>"
        f'<footer id="status">{"".join(status)}</footer>'
    )


def _paragraphs(lines: tuple[tuple[str, bool], ...]) -> str:
    """The page's lines as paragraphs again: a line that continues the one before is joined
    to it (a space after a word, nothing between two CJK characters), a line of its own in the
    story starts a new line, a blank line a new paragraph."""
    paragraphs: list[str] = []
    current = ""
    for text, continues in (*lines, ("", False)):
        if not text and not continues:
            if current:
                paragraphs.append(current)
            current = ""
        elif not current:
            current = _text(text)
        elif continues:
            joint = "" if _cjk(current[-1:]) and _cjk(text[:1]) else " "
            current += joint + _text(text)
        else:
            current += "<br>" + _text(text)
    return "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)


def _cjk(char: str) -> bool:
    return bool(char) and ord(char) >= 0x2E80 and not 0xAC00 <= ord(char) <= 0xD7A3


def _blocks(blocks: tuple[tuple[str, str], ...]) -> str:
    items = list(blocks)
    if len(items) > BLOCKS:
        rest = items[BLOCKS - 1 :]
        items = [*items[: BLOCKS - 1], ("…", "\n".join(title for title, _ in rest))]
    boxes = "".join(
        f'<section class="block"><h2>{_text(title)}</h2><p>{_text(text)}</p></section>'
        for title, text in items
    )
    return f'<div class="blocks {_density(items)}">{boxes}</div>'


def _density(items: list[tuple[str, str]]) -> str:
    """How tightly the boxes are set: one column of large type for one or two, two columns
    for more, smaller when the tallest row of boxes would not fit (follow-ups run long)."""
    if len(items) <= 2:
        return "few"
    tallest = [
        max(_box_lines(title, text) for title, text in items[row : row + 2])
        for row in range(0, len(items), 2)
    ]
    lines = sum(tallest) + len(tallest)  # a line's worth of padding around each row
    if lines > DENSE_LINES[1]:
        return "denser"
    return "dense" if lines > DENSE_LINES[0] else "roomy"


def _box_lines(title: str, text: str) -> int:
    return sum(len(wrap(line, BOX_COLUMNS) or [""]) for line in (title, *text.split("\n")))


def _diagram(shown: tuple, src: str) -> str:
    diagram, _picture, note = shown
    if diagram.is_image:
        what = f'<img src="{_text(src)}" alt="{_text(diagram.caption or diagram.name)}">'
    else:
        what = f'<pre class="diagram">{_text(diagram.text)}</pre>'
    caption = " · ".join(part for part in (printable(diagram.caption), note) if part)
    return f'<figure class="diagram">{what}<figcaption>{_text(caption)}</figcaption></figure>'


def _text(value: object) -> str:
    return escape(printable(str(value)))
