"""The layers hold (cli > tui > screens > widgets > export > config > services > storage >
domain), the core never imports Textual, and screens reach the database only through services —
and no import cycles among the project's modules (deferred imports count too) — import-linter's four
contracts in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parents[2]


def test_import_linter_contract_holds():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--config", "pyproject.toml"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_only_the_cli_imports_the_tui():
    graph = grimp.build_graph("app", "storage", "screens", "widgets")
    assert graph.find_modules_that_directly_import("app.tui") <= {"app.cli.run"}
