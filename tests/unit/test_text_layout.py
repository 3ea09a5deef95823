from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from app.domain.text_layout import NO_LINE_START, hanging, wrap


def test_japanese_breaks_between_characters_and_keeps_every_character():
    lines = wrap("ハルシネーションの軽微な増加", 20)
    assert lines == ["ハルシネーションの軽", "微な増加"]
    assert "".join(lines) == "ハルシネーションの軽微な増加"


def test_kinsoku_punctuation_never_starts_a_line():
    lines = wrap("データの損失、漏えい。", 12)
    assert all(line[0] not in NO_LINE_START for line in lines)
    assert "".join(lines) == "データの損失、漏えい。"


def test_korean_breaks_between_words_not_inside_them():
    assert wrap("특정 브라우저에서 스타일 깨짐", 20) == ["특정 브라우저에서", "스타일 깨짐"]


def test_english_breaks_at_spaces():
    assert wrap("Broken styles in one browser", 14) == ["Broken styles", "in one browser"]


def test_hanging_marker_and_indent():
    assert hanging("差別的な意思決定による被害", 20) == "• 差別的な意思決定に\n  よる被害"


@given(st.text(alphabet="가나다 abc 日本語かなカナ、。「」", max_size=80), st.integers(2, 30))
def test_no_line_is_wider_than_asked_and_no_visible_character_is_lost(text, width):
    lines = wrap(text, width)
    assert all(cell_len(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
