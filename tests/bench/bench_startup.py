"""Start-up benchmark: process start to first painted frame, and resident memory.

Runs `storycart` (the incident board on a real SQLite file) and a minimal Textual app that shows one
Static, alternately, each in its own pseudo-terminal of 120x40, and times from spawn until the
frame holding a marker text has been written. Prints a table; not a test.

    .venv/bin/python tests/bench/bench_startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import textwrap
import time
from pathlib import Path

MINIMAL_APP = textwrap.dedent(
    """
    from textual.app import App
    from textual.widgets import Static

    class Minimal(App):
        def compose(self):
            yield Static("Minimal floor ready")

    Minimal().run()
    """
)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure(
    command: list[str], marker: bytes, env: dict[str, str], settle: float
) -> tuple[float, int, int]:
    """Seconds from spawn to the marker on screen; RSS (KiB) then and `settle` seconds later."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    seen = b""
    elapsed = None
    deadline = started + 30
    try:
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
                if marker in seen:
                    elapsed = time.perf_counter() - started
                    rss_at_frame = rss_kib(process.pid)
                    break
        if elapsed is None:
            raise RuntimeError(f"{command[-1]}: marker {marker!r} never appeared")
        end = time.perf_counter() + settle
        while time.perf_counter() < end:  # keep draining so the app never blocks on output
            if select.select([master], [], [], 0.05)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
        return elapsed, rss_at_frame, rss_kib(process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        os.close(master)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--settle", type=float, default=1.0, help="seconds before reading RSS")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="storycart-bench-"))
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "LANG": "C.UTF-8",
    }
    minimal = home / "minimal_app.py"
    minimal.write_text(MINIMAL_APP)
    storycart = [sys.executable, "-m", "app.cli", "--lang", "en"]
    floor = [sys.executable, str(minimal)]

    # Byte-code as an installed app has it: pip compiles site-packages (Textual, the floor's
    # only code) at install time, but an editable checkout under PYTHONDONTWRITEBYTECODE=1
    # would otherwise recompile Story Cart's own modules on every start.
    repo = Path(__file__).resolve().parents[2]
    packages = [str(repo / name) for name in ("app", "screens", "widgets", "storage", "assets")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], check=True)

    # One warm-up each: the first database migration is not start-up.
    measure(storycart, b"Incident board", env, args.settle)
    measure(floor, b"Minimal floor ready", env, 0.1)

    results: dict[str, list[tuple[float, int, int]]] = {"storycart": [], "floor": []}
    for _ in range(args.runs):
        results["storycart"].append(measure(storycart, b"Incident board", env, args.settle))
        results["floor"].append(measure(floor, b"Minimal floor ready", env, args.settle))

    def row(name: str, label: str) -> str:
        times = [t * 1000 for t, _, _ in results[name]]
        at_frame = statistics.median(r / 1024 for _, r, _ in results[name])
        settled = statistics.median(r / 1024 for _, _, r in results[name])
        return (
            f"| {label:<35} | {statistics.median(times):9.0f} | {min(times):7.0f} | "
            f"{max(times):7.0f} | {at_frame:14.1f} | {settled:14.1f} |"
        )

    ratio = statistics.median(t for t, _, _ in results["storycart"]) / statistics.median(
        t for t, _, _ in results["floor"]
    )
    python = sys.version.split()[0]
    print(f"Start-up to first painted frame, {args.runs} runs each, 120x40 pty, Python {python}")
    print(
        "| app                                 | median ms |  min ms |  max ms "
        "| RSS@frame MiB | RSS@+1s MiB    |"
    )
    print(f"|{'-' * 37}|{'-' * 11}|{'-' * 9}|{'-' * 9}|{'-' * 16}|{'-' * 16}|")
    print(row("storycart", "storycart (incident board, SQLite)"))
    print(row("floor", "minimal Textual app (one Static)"))
    print(f"\nratio storycart / floor (median): {ratio:.2f}x   goal: <= 1.5x")
    print(
        f"RSS@frame: when the first frame is on screen; RSS@+1s: {args.settle:.1f} s later, "
        "after the database worker (SQLAlchemy, Alembic) has run."
    )


if __name__ == "__main__":
    main()
