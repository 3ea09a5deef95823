"""Every SVG under tests/ui/__snapshots__/ belongs to a snapshot test. Serially syrupy fails the
run on an unused snapshot; under pytest-xdist (the suite's default) it cannot tell, so this
test keeps that check: a renamed or deleted test does not leave its picture behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_textual_snapshot import SVGImageExtension
from syrupy.location import PyTestLocation

SNAPSHOTS = Path(__file__).resolve().parent / "__snapshots__"


def snapshot_names(session: pytest.Session, module: Path) -> set[str]:
    """The file name of each test's snapshot, for every test the module defines (whatever
    this run selected), named the way pytest-textual-snapshot names them."""
    tests = pytest.Module.from_parent(session, path=module).collect()
    return {
        SVGImageExtension.get_snapshot_name(test_location=PyTestLocation(test))
        for test in tests
        if "snap_compare" in getattr(test, "fixturenames", ())
    }


def test_every_snapshot_file_belongs_to_a_snapshot_test(request):
    folders = [folder for folder in SNAPSHOTS.iterdir() if folder.is_dir()]
    assert folders, "no snapshots found"
    for folder in folders:
        module = SNAPSHOTS.parent / f"{folder.name}.py"
        assert module.exists(), f"{folder} holds snapshots of a module that is gone"
        files = {path.stem for path in folder.glob("*.svg")}
        unused = files - snapshot_names(request.session, module)
        assert not unused, f"snapshots no test takes (delete them): {sorted(unused)}"
