"""The review's weekly chart tells weeks still to come from weeks without incidents: a past week
shows its count, 0 included; a week after the day the review is printed shows no count (a light
dotted outline stands where its bar will be)."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.i18n import Catalog
from app.export.printing import metrics_pdf
from tests.export.pdf_checks import text_lines, word_boxes
from tests.export.test_metrics_review import quarter

TODAY = date(2026, 12, 1)  # the quarter runs to 2026-12-31: four weeks are still to come


def chart_counts(data: bytes, tmp_path, lang: str) -> list[int]:
    """The counts printed over the weekly chart's bars, left to right."""
    t = Catalog(lang).t
    lines = text_lines(data, tmp_path)
    top = next(top for page, text, top, _b in lines if page == 1 and text == t("metrics.weekly"))
    bottom = next(
        top for page, text, top, _b in lines if page == 1 and text == t("review.by_severity")
    )
    words = [w for w in word_boxes(data, tmp_path) if w[0] == 1 and top < w[3] < bottom]
    return [int(w[1]) for w in sorted(words, key=lambda w: w[2]) if w[1].isdigit()]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_weeks_to_come_are_not_drawn_as_weeks_without_incidents(tmp_path, lang):
    chosen = quarter()
    printed = metrics_pdf(chosen, lang, "a4", TODAY)
    past = [n for week, n in chosen.weekly if week <= TODAY]
    assert len(past) < len(chosen.weekly)  # some weeks are still to come
    assert 0 in past  # and some past weeks had no incident
    assert chart_counts(printed.data, tmp_path, lang) == past
