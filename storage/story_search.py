"""Finding stories by their words.

Search works on `story.search_text`, text folded with `fold` (NFKC, case-folded), so ｶﾀｶﾅ finds
カタカナ and decomposed Hangul finds composed. Each word of a query must occur as a substring:
words of three or more characters go through the trigram index (FTS5 on SQLite, pg_trgm on
PostgreSQL); one- and two-character Korean / Japanese words like 장애 through the short-word
index (`story.short_text`, each CJK character a word); every word is then checked exactly.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import literal_column, text, union_all
from sqlmodel import Session, col, func, select

from storage.library_tables import StoryRecord

TRIGRAM = 3


def fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value).casefold()


# Hangul jamo and syllables, kana, CJK ideographs: scripts whose words have no spaces around
# them (Japanese) or are short (Korean 장애), indexed character by character.
_CJK = re.compile(
    "([\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3])"
)


_CJK_RANGES = ((0x1100, 0x11FF), (0x3040, 0x30FF), (0x3130, 0x318F), (0x3400, 0x4DBF))
_CJK_RANGES += ((0x4E00, 0x9FFF), (0xAC00, 0xD7A3))
_SPACED: dict[int, str] = {}  # each CJK character → itself between spaces (filled on first use)


def spaced(folded: str) -> str:
    """Folded search text with each CJK character a word of its own (the characters of _CJK,
    each between two spaces). A translation table: a library import spaces 100,000 texts."""
    if not _SPACED:
        _SPACED.update(
            (code, f" {chr(code)} ") for low, high in _CJK_RANGES for code in range(low, high + 1)
        )
    return folded.translate(_SPACED)


# spaced(), and the ASCII letters, digits and signs dropped: the short-word index serves only
# Korean and Japanese words (_all_cjk), and indexing an English story's every word there took
# PostgreSQL most of a 100,000-story import (to_tsvector over ~1,800 characters a story).
_SHORT: dict[int, str | None] = {}


def short_word_text(folded: str) -> str:
    """What the short-word index (`story.short_text`) holds of a folded search text: its CJK
    characters, each a word of its own; a match there is checked on the whole text after."""
    if not _SHORT:
        spaced("")
        _SHORT.update(_SPACED)
        _SHORT.update((code, None) for code in range(0x21, 0x7F))
    return folded.translate(_SHORT)


def _all_cjk(word: str) -> bool:
    return all(_CJK.fullmatch(character) for character in word)


def query_words(query: str) -> list[str]:
    return [word for word in fold(query).split() if word]


def search_ids(
    session: Session, query: str, limit: int | None = None, offset: int = 0
) -> list[int]:
    """Ids of stories containing every word of the query, newest incident first."""
    words = query_words(query)
    if not words:
        return []
    if session.get_bind().dialect.name == "sqlite":
        return _search_sqlite(session, words, limit, offset)
    return _search_postgres(session, words, limit, offset)


# SQLite's search indexes file each story under its place in the library's order (migration
# 0019): the day of the incident times 2**32 plus the story's id.
ORDER_KEY_ID = 2**32


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _search_sqlite(session: Session, words: list[str], limit: int | None, offset: int) -> list[int]:
    """Read newest first from one index — the trigram index when a word has three characters
    or more, else the short-word index — and stop after the page; every word is then checked
    exactly on the story itself (장 애 with a space is not 장애)."""
    params: dict[str, object] = {f"w{n}": word for n, word in enumerate(words)}
    exact = " AND ".join(f"instr(s.search_text, :w{n}) > 0" for n in range(len(words)))
    long_words = [word for word in words if len(word) >= TRIGRAM]
    short_words = [" ".join(word) for word in words if len(word) < TRIGRAM and _all_cjk(word)]
    if long_words or short_words:
        index = "story_fts" if long_words else "story_fts_short"
        params["match"] = " AND ".join(_phrase(word) for word in long_words or short_words)
        sql = (
            f"SELECT s.id FROM {index} AS f JOIN story AS s ON s.id = f.rowid % {ORDER_KEY_ID} "
            f"WHERE {index} MATCH :match AND {exact} ORDER BY f.rowid DESC"
        )
    else:  # only short words in Latin script: no index can help, the stories are read
        sql = (
            f"SELECT s.id FROM story AS s WHERE {exact} "
            "ORDER BY s.occurred_on DESC NULLS LAST, s.id DESC"
        )
    if limit is not None or offset:
        sql += f" LIMIT {-1 if limit is None else int(limit)} OFFSET {int(offset)}"
    return [row[0] for row in session.connection().execute(text(sql), params)]


def _like_pattern(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search_postgres(
    session: Session, words: list[str], limit: int | None, offset: int
) -> list[int]:
    """Like SQLite: the trigram index when a word has three characters or more, else the
    short-word index, and every word checked exactly with LIKE; a page looked for first among
    the newest stories (page_statement)."""
    if limit is not None:
        # A page is a few hundred rows at most: the planner's parallel workers for the text
        # index's branch were launched even when that branch never ran (6–8 ms of 9 for 장애).
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    return list(session.execute(page_statement(words, limit, offset)).scalars())


def indexed_statement(words: list[str]):
    """Every story holding the words, newest first, found by the text indexes. The short-word
    condition is never left as a filter beside the trigram index: PostgreSQL would then parse
    each candidate story's text (14 s for 결제 실패가 over 100,000 stories)."""
    statement = select(StoryRecord.id)
    short = [word for word in words if len(word) < TRIGRAM and _all_cjk(word)]
    if short and all(len(word) < TRIGRAM for word in words):
        statement = statement.where(_has_characters(short))
    for word in words:
        statement = statement.where(col(StoryRecord.search_text).like(_like_pattern(word)))
    return statement.order_by(
        col(StoryRecord.occurred_on).desc().nulls_last(), col(StoryRecord.id).desc()
    )


def page_statement(words: list[str], limit: int, offset: int):
    """One page of indexed_statement(words), looked for first among the newest stories — of the
    query's script when a word holds Korean or Japanese (ix_story_newest_<script>: those
    stories may sit anywhere in the library's order, measured 235–808 ms when the Korean third
    of 100,000 stories was the oldest and the newest of any script were read first)."""
    if limit is None:
        return indexed_statement(words).offset(offset)
    need = limit + offset
    newest = _newest(max(SEARCH_BUDGET, 4 * need), _script(words))
    return _first_or_indexed(newest, indexed_statement(words), words, limit, offset)


def _has_characters(words: list[str]):
    """The short-word index's condition: the story holds every character of the CJK words.
    Every character, not a phrase: a phrase needs word positions, which the GIN index does not
    hold, so each candidate's text would be parsed again to check it."""
    indexed = func.to_tsvector("simple", func.coalesce(StoryRecord.short_text, ""))
    characters = func.plainto_tsquery("simple", " ".join(" ".join(word) for word in words))
    return indexed.op("@@")(characters)


# A common word fills its page from the first few hundred stories in the library's order; the
# text indexes find its matches in no order, so PostgreSQL would collect and sort a third of the
# library first. So the page is first looked for among the newest stories (ix_story_newest, each
# word checked), and the text indexes answer only when those do not fill it — in one statement:
# the indexed branch sits behind a one-time filter on how many the first one found.
SEARCH_BUDGET = 2000


# Characters by script, as PostgreSQL's partial indexes ix_story_newest_<script> (migration
# 0023) name them; a search condition must say it in the same words for the index to serve.
SCRIPT_PATTERNS = {
    "hangul": "[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]",
    "kana_han": "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]",
}
_SCRIPTS = {script: re.compile(pattern) for script, pattern in SCRIPT_PATTERNS.items()}


def _script(words: list[str]) -> str | None:
    """The script whose newest stories hold the query's matches, if a word has one."""
    for script, pattern in _SCRIPTS.items():
        if any(pattern.search(word) for word in words):
            return script
    return None


def _newest(budget: int, script: str | None = None):
    statement = select(StoryRecord.id, StoryRecord.search_text, StoryRecord.occurred_on)
    if script is not None:
        pattern = literal_column(f"'{SCRIPT_PATTERNS[script]}'")
        statement = statement.where(col(StoryRecord.search_text).op("~")(pattern))
    return (
        statement.order_by(
            col(StoryRecord.occurred_on).desc().nulls_last(), col(StoryRecord.id).desc()
        )
        .limit(budget)
        .subquery("newest")
    )


def _first_or_indexed(newest, indexed, words: list[str], limit: int, offset: int):
    """The page from `newest` (the newest few stories) when they fill it, else from `indexed`
    (the text indexes' statement). Checking every word exactly with LIKE is the whole
    condition."""
    need = limit + offset
    order = (newest.c.occurred_on.desc().nulls_last(), newest.c.id.desc())
    quick = select(newest.c.id, newest.c.occurred_on)
    for word in words:
        quick = quick.where(newest.c.search_text.like(_like_pattern(word)))
    quick = quick.order_by(*order).limit(need).cte("quick")
    filled = select(func.count()).select_from(quick).scalar_subquery()
    # The CTE is kept in its order (materialized: it is read twice), and only one branch has
    # rows, in its own order (Append keeps it): nothing is sorted after the page is found.
    from_quick = select(quick.c.id).where(filled >= need).offset(offset).subquery("from_quick")
    from_index = indexed.where(filled < need).limit(limit).offset(offset).subquery("from_index")
    return union_all(select(from_quick.c.id), select(from_index.c.id))
