import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.durations import MAX_SECONDS, DurationError, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("15m", 900),
        ("1h", 3600),
        ("2d", 172800),
        ("1w", 604800),
        ("1h30m", 5400),
        ("0", 0),
        ("0s", 0),
        (" 4H ", 14400),
    ],
)
def test_durations_people_write(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("-5m", "negative"),
        ("15 minutes", "not a duration"),
        ("", "not a duration"),
        ("1x", "not a duration"),
        ("m", "not a duration"),
        ("1h1h", "repeats a unit"),
        (15, "expected a duration string"),
        (True, "expected a duration string"),
        (1.5, "expected a duration string"),
        ("99999999w", "longer than a year"),
        ("367d", "longer than a year"),
        ("9" * 400 + "s", "longer than a year"),
    ],
)
def test_garbage_durations_are_refused_with_a_reason(value, reason):
    with pytest.raises(DurationError, match=reason):
        parse_duration(value)


@given(st.integers(min_value=0, max_value=MAX_SECONDS))
def test_every_duration_formats_to_text_that_reads_back_the_same(seconds):
    assert parse_duration(format_duration(seconds)) == seconds


def test_formats_match_how_the_seeds_speak():
    assert format_duration(48 * 3600) == "48h"
    assert format_duration(72 * 3600) == "72h"
    assert format_duration(7 * 86400) == "1w"
