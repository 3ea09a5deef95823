"""The severity poster read from across a room: the levels, their definition and their targets
(the first tier) set large, measured on the rendered page; the detail below them smaller but
readable; Letter paper too."""

from __future__ import annotations

import pytest

from app.domain.i18n import Catalog
from app.export import printing
from app.services.policy_files import load_policies, policy_sources
from tests.export.pdf_checks import (
    assert_inside_margins,
    assert_pages,
    poster_level_sizes,
    squeeze,
    text_of,
    type_size,
    word_boxes,
)

POLICIES = load_policies(policy_sources(None))
# The smallest first-tier type each paper reaches (points) with the built-in policies; before
# the two tiers every word was one size: 7.9–9.2 pt on A4 and Letter, 12.5–14.2 pt on A3.
LEVEL_AT_LEAST = {"a4": 15.0, "letter": 15.0, "a3": 24.0}


@pytest.mark.parametrize(
    ("policy", "lang", "paper"),
    [
        ("web-service", "en", "a4"),
        ("ai-ops", "ja", "a4"),
        ("ai-ops", "ko", "letter"),
        ("web-service", "ja", "a3"),
        ("ai-ops", "en", "a3"),
    ],
)
def test_the_levels_are_set_large_and_the_detail_below_them(tmp_path, policy, lang, paper):
    chosen = POLICIES.get(policy)
    printed = printing.poster_pdf(chosen, lang, paper)
    assert printed.missing == ""
    assert_pages(printed.data, paper, 1, landscape=True)
    t = Catalog(lang).t
    sizes = poster_level_sizes(
        printed.data, tmp_path, t("sheet.poster_level"), t("sheet.poster_detail")
    )
    assert min(sizes) >= LEVEL_AT_LEAST[paper], min(sizes)
    # Every level's key, name and targets are in that first tier.
    first = squeeze(text_of(printed.data)).split(squeeze(t("sheet.poster_detail")))[0]
    for severity in chosen.severities:
        assert squeeze(severity.key) in first and squeeze(severity.name.get(lang)) in first
        assert squeeze(t("sheet.poster_targets")) in first
    # The detail: smaller, but nothing under 6 pt.
    every = [type_size(box) for box in word_boxes(printed.data, tmp_path)]
    assert min(every) >= 5.9
    assert max(every) > min(every) * 2
    assert_inside_margins(printed.data, tmp_path, paper, landscape=True)
