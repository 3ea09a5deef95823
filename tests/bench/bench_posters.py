"""The severity posters' smallest first-tier type (levels, definitions, targets), measured on
the rendered page (word boxes from pdftotext -bbox), for each built-in policy on A4, A3 and
Letter in Korean, Japanese and English, with the second tier's size and the time to lay out.
"level pt" is the smallest first-tier type, "smallest pt" the smallest type on the page (the
second tier's). Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_posters.py
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from app.domain.i18n import Catalog
from app.export.poster import severity_poster
from app.services.policy_set import load_policies, policy_sources
from tests.export.pdf_checks import poster_level_sizes, type_size, word_boxes

PAPERS = ("a4", "a3", "letter")
LANGS = ("en", "ko", "ja")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", nargs="+", default=PAPERS, choices=PAPERS)
    parser.add_argument("--langs", nargs="+", default=LANGS, choices=LANGS)
    parser.add_argument("--policies", nargs="+", help="policy names (default: every built-in)")
    args = parser.parse_args()
    policies = load_policies(policy_sources(None))
    print(f"{'policy':<12} {'paper':<7} {'lang':<5} {'level pt':>9} {'smallest pt':>12} {'s':>6}")
    with tempfile.TemporaryDirectory() as folder:
        for name in args.policies or policies.names():
            for paper in args.papers:
                for lang in args.langs:
                    began = time.perf_counter()
                    data = severity_poster(policies.get(name), lang, paper).output()
                    took = time.perf_counter() - began
                    t = Catalog(lang).t
                    sizes = poster_level_sizes(
                        data, Path(folder), t("sheet.poster_level"), t("sheet.poster_detail")
                    )
                    every = [type_size(box) for box in word_boxes(data, Path(folder))]
                    print(
                        f"{name:<12} {paper:<7} {lang:<5} {min(sizes):>9.1f} {min(every):>12.1f} "
                        f"{took:>6.2f}"
                    )


if __name__ == "__main__":
    main()
