"""The core stays free of Textual: storage/ and app/ (except tui.py and cli.py) never import
textual, screens or widgets — checked by import-linter's contract in pyproject.toml."""

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
    assert "1 kept, 0 broken" in result.stdout


def test_only_the_cli_imports_the_tui():
    # The contract ignores app.tui's own imports; this closes the back door of a core module
    # reaching Textual through app.tui.
    graph = grimp.build_graph("app", "storage", "screens", "widgets")
    assert graph.find_modules_that_directly_import("app.tui") <= {"app.cli"}
