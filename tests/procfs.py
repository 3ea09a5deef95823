"""Processes read from /proc (no `ps` or `pgrep` needed on a bare machine)."""

from __future__ import annotations

from pathlib import Path


def _entries():
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            yield entry


def pids_with(fragment: str) -> list[int]:
    """The processes whose command line (words joined by spaces) contains `fragment`."""
    found = []
    for entry in _entries():
        try:
            words = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if fragment.encode() in b" ".join(words):
            found.append(int(entry.name))
    return sorted(found)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in _entries():
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()  # after "pid (name) "
        if fields[1] == str(pid) and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)
