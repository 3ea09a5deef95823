"""The kiosk's core without a screen: settings, the unlock sequence, the playlist's deadlines,
pages and language passes, and line breaking of the story pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from rich.cells import cell_len

from app.config import (
    ConfigError,
    Flags,
    check_seconds,
    load_settings,
    parse_languages,
    parse_unlock,
)
from app.domain.kiosk_playlist import (
    KioskContent,
    Playlist,
    UnlockSequence,
    paginate,
    retry_after,
    seconds_until,
    slide_text,
)

NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)


def test_unlock_sequence_needs_every_key_in_order():
    unlock = UnlockSequence(parse_unlock("ctrl+k u n l o c k"))
    typed = ["a", "ctrl+k", "u", "n", "x", "ctrl+k", "u", "n", "l", "o", "c"]
    assert not any(unlock.feed(key) for key in typed)
    assert unlock.feed("k")
    assert not unlock.feed("k")  # starts over after unlocking


def test_unlock_sequence_with_repeated_keys():
    unlock = UnlockSequence(("a", "a", "b"))
    assert [unlock.feed(k) for k in "aaab"] == [False, False, False, True]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("u k", "kiosk_unlock needs at least 3 keys separated by spaces"),
        ("ctrl+k u+ n", "'u+' is not a key name"),
        ("", "needs at least 3 keys"),
    ],
)
def test_bad_unlock_sequences_are_refused(text, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_unlock(text)


def test_languages_and_seconds():
    assert parse_languages("ko, ja,en") == ("ko", "ja", "en")
    assert parse_languages(["ja", "ja", "en"]) == ("ja", "en")
    with pytest.raises(ConfigError, match="'fr' is not a language"):
        parse_languages(["ko", "fr"])
    assert check_seconds(5) == 5
    for bad in (4, 3601, 2.5, True, "20"):
        with pytest.raises(ConfigError, match="whole number of seconds from 5 to 3600"):
            check_seconds(bad)


def test_kiosk_settings_from_the_config_file(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        'kiosk_seconds = 45\nkiosk_languages = ["ko", "ja", "en"]\nkiosk_unlock = "f9 o k"\n',
        "utf-8",
    )
    settings = load_settings(Flags(config=str(config)), {})
    assert settings.kiosk_seconds == 45
    assert settings.kiosk_languages == ("ko", "ja", "en")
    assert settings.kiosk_unlock == ("f9", "o", "k")
    config.write_text('kiosk_unlock = "x"\n', "utf-8")
    with pytest.raises(
        ConfigError, match=rf"kiosk_unlock in {config} \(line 1\) needs at least 3 keys"
    ):
        load_settings(Flags(config=str(config)), {})


def test_playlist_moves_on_deadlines_pages_and_languages():
    playlist = Playlist(("ko", "en"), seconds=20)
    playlist.set_slides("ko", ("story", "highlight"))
    playlist.set_slides("en", ("story",))
    playlist.start(NOW)
    assert not playlist.due(NOW + timedelta(seconds=19))
    assert seconds_until(playlist.next_at, NOW + timedelta(seconds=19, milliseconds=500)) == 1
    at = NOW + timedelta(seconds=20)
    assert playlist.due(at)
    assert playlist.advance(at, pages=2) is False  # the story's second page
    assert (playlist.lang, playlist.slide, playlist.page) == ("ko", "story", 1)
    assert playlist.advance(at, pages=2) is False
    assert (playlist.slide, playlist.page) == ("highlight", 0)
    assert playlist.advance(at) is True  # the Korean pass is over
    assert (playlist.lang, playlist.slide, playlist.passes) == ("en", "story", 1)
    # Away for a week (a suspended machine): one step, and a fresh deadline.
    later = at + timedelta(days=7)
    playlist.advance(later)
    assert playlist.lang == "ko" and playlist.next_at == later + timedelta(seconds=20)


def test_a_language_with_fewer_slides_never_points_past_its_last():
    playlist = Playlist(("ko",), seconds=20)
    playlist.set_slides("ko", ("story", "highlight", "matrix"))
    playlist.slide_index = 2
    playlist.set_slides("ko", ("story",))  # reloaded: the other slides have nothing now
    assert playlist.slide == "story"


def test_retry_pauses_grow_to_a_minute():
    assert [retry_after(n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_pages_break_korean_between_words_and_japanese_with_kinsoku():
    korean = "결제 서비스가 38분 동안 멈췄고 고객 다섯 명 중 한 명이 장바구니를 잃었습니다. " * 6
    japanese = "カナリアはエラー0件と報告しながら、お客様の5人に1人のカートを空にしていました。" * 6
    pages = paginate([korean, japanese], width=30, height=8)
    lines = [line for page in pages for line in page]
    assert all(cell_len(line) <= 30 for line in lines)
    assert all(len(page) <= 8 for page in pages) and len(pages) > 2
    assert all(page[0] != "" for page in pages)  # no page starts with the blank separator
    assert "".join(lines).replace(" ", "") == (korean + japanese).replace(" ", "")
    words = set(korean.split())
    korean_lines = [line for line in lines if any("가" <= c <= "힣" for c in line)]
    assert len(korean_lines) > 6
    assert all(part in words for line in korean_lines for part in line.split())
    assert not any(line.startswith(("、", "。")) for line in lines)


def test_story_slide_without_a_published_story():
    text = slide_text(KioskContent("ja", None), "story")
    assert text.heading == "今週のストーリー"
    assert "公開済みのストーリーはまだありません" in text.title
    assert KioskContent("ja", None).slides() == ("story",)
