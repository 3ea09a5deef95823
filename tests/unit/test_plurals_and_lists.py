"""Counts read right in English ("1 page", "2 pages") and lists read right in Japanese (joined
with 、, not an ASCII comma)."""

from __future__ import annotations

from app.domain.i18n import Catalog
from app.domain.word_lists import joined


def test_one_page_is_singular_in_english():
    en = Catalog("en")
    assert en.t("print.done", path="a.pdf", pages=1) == "Written: a.pdf (1 page)"
    assert en.t("print.done", path="a.pdf", pages=3) == "Written: a.pdf (3 pages)"
    assert Catalog("ja").t("print.done", path="a.pdf", pages=1) == "保存しました: a.pdf（1ページ）"


def test_counts_of_one_in_an_import_summary_are_singular():
    en = Catalog("en")
    said = [en.t(f"cli.count_{name}", n=1) for name in ("stories", "features", "nominations")]
    assert said == ["1 story", "1 feature", "1 nomination"]
    assert en.t("cli.count_locations", n=2) == "2 locations"


def test_japanese_lists_are_joined_with_the_ideographic_comma():
    assert joined(["L1 オンコール", "L3 マネージャー"], "ja") == "L1 オンコール、L3 マネージャー"
    assert joined(["L1 on-call", "L3 manager"], "en") == "L1 on-call, L3 manager"
    assert joined(["L1 온콜", "L3 매니저"], "ko") == "L1 온콜, L3 매니저"
    assert joined([], "ja") == ""
