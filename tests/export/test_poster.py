"""The severity poster: one landscape page per policy, paper and language, every level in its
colour with its targets and whom to notify, every example of the matrix, the type × severity
grid; and read from across a room: the levels, their definition and their targets (the first
tier) set large, measured on the rendered page, the detail below them smaller but readable."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from app.domain.i18n import Catalog
from app.domain.policy.targets import severity_targets
from app.export import printing
from app.export.poster import severity_fill
from app.services.policy_set import load_policies, policy_sources
from tests.export.pdf_checks import (
    assert_ink,
    assert_inside_margins,
    assert_pages,
    colour_share,
    inked_height,
    layout_lines,
    poster_level_sizes,
    squeeze,
    text_of,
    type_size,
    word_boxes,
)

LANGS = ("ko", "ja", "en")
POLICIES = load_policies(policy_sources(None))


@pytest.mark.parametrize(
    ("policy", "lang", "paper"),
    [
        ("web-service", "ko", "a3"),
        ("ai-ops", "ja", "a3"),
        ("ai-ops", "en", "a4"),
        ("web-service", "ja", "a4"),
    ],
)
def test_severity_poster_on_one_landscape_page(tmp_path, policy, lang, paper):
    chosen = POLICIES.get(policy)
    printed = printing.poster_pdf(chosen, lang, paper)
    assert printed.missing == ""
    assert_pages(printed.data, paper, 1, landscape=True)
    text = squeeze(text_of(printed.data))
    catalog = Catalog(lang)
    for severity in chosen.severities:
        assert squeeze(severity.name.get(lang)) in text
        goal = severity_targets(severity)  # the targets the metrics grade against (issue 32)
        respond = catalog.t("sheet.acknowledge", time=catalog.duration(goal.acknowledge))
        resolve = catalog.t("sheet.resolve", time=catalog.duration(goal.resolve))
        update = catalog.t("sheet.update", time=catalog.duration(goal.update))
        # The three targets, in order, each under its own name.
        assert squeeze(f"{respond}{resolve}{update}") in text, (respond, resolve)
        for who in severity.first_notify:
            assert squeeze(who.get(lang)) in text
    for cell in chosen.cells:  # every example of the matrix is on the poster
        for example in cell.examples:
            assert squeeze(example.get(lang)) in text
    assert_inside_margins(printed.data, tmp_path, paper, landscape=True)
    assert_ink(printed.data, tmp_path)
    # Made for a wall: each level in its colour, and the page filled to its bottom margin.
    for index in range(min(len(chosen.severities), 4)):
        assert colour_share(printed.data, tmp_path, severity_fill(index).background) > 0.002
    assert inked_height(printed.data, tmp_path) > 0.9


@pytest.mark.parametrize("policy", ["web-service", "ai-ops"])
def test_every_poster_is_one_page_in_every_language_and_paper(policy):
    for lang in LANGS:
        for paper in ("a3", "a4"):
            data = printing.poster_pdf(POLICIES.get(policy), lang, paper).data
            assert len(PdfReader(BytesIO(data)).pages) == 1, (lang, paper)


def test_a_poster_of_a_policy_with_several_types_has_the_type_by_severity_grid(tmp_path):
    chosen = POLICIES.get("ai-ops")
    printed = printing.poster_pdf(chosen, "en", "a3")
    # The grid sits beside the detail, below the levels: read the page right of its heading.
    left = min(box[2] for box in word_boxes(printed.data, tmp_path) if box[1] == "Incident")
    layout = layout_lines(printed.data, tmp_path, left=left)
    header = next(line for line in layout if line.split()[:1] == ["P0"] and "P3" in line)
    assert header.split() == ["P0", "P1", "P2", "P3"]  # the grid's columns, one per level
    data_row = next(line for line in layout if line.lstrip().startswith("Data incident"))
    assert data_row.index("Mass leak of personal data") < data_row.index("Minor data drift")
    assert "report to the regulator" in "\n".join(layout)


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
