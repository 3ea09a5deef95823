"""Start-up benchmark: process start to the board showing its incidents, and resident memory.

Runs `storycart` (the incident board on a real SQLite file holding --incidents open incidents)
and a minimal Textual app that shows one Static, alternately, each in its own pseudo-terminal of
120x40, and times from spawn until the frame holding a marker text has been written: for Story
Cart the board's header (first frame) and then an incident's row (start-up as the user sees
it). The same one-Static app is also timed after `import pydantic_settings`: what reading
settings the way issue 33 asks costs any app before its first frame. Story Cart is timed cold
(STORYCART_WARM_CLI=0: every import paid) and warm (drawn by a child of the warm server the
warm-up run started, app.cli.warm_server; the bench has its own $TMPDIR, so its own server;
RSS is that child's). Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_startup.py [--runs 10] [--incidents 20]
        [--baseline DIR] [--postgres]

--baseline DIR also starts the Story Cart checked out in DIR (say `git archive main | tar -x -C
DIR`) in the same alternation, on the same database: before → after under the same load.
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
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_board import seed

from tests.procfs import children_of, pids_with

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
# The floor with the settings library issue 33 asks for (one typed model on pydantic-settings)
# imported first, as any app that reads its settings before it draws pays it: what no start-up
# of Story Cart can go below without a warm server.
SETTINGS_FLOOR_APP = "import pydantic_settings\n" + MINIMAL_APP


def compile_checkout(root: Path) -> None:
    """Byte-code for a checkout's packages, as an installed app has it: pip compiles
    site-packages (Textual, the floor's only code) at install time, but an editable checkout
    under PYTHONDONTWRITEBYTECODE=1 would otherwise recompile Story Cart's own modules on
    every start."""
    packages = [str(root / name) for name in ("app", "screens", "widgets", "storage", "assets")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], check=True)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def board_process(process: subprocess.Popen, env: dict[str, str]) -> int:
    """The process that runs the board: the one started, or when it runs warm (app.cli.warm_
    client) the warm server's child drawing it."""
    folder = Path(env.get("TMPDIR", "/tmp")) / f"storycart-{os.getuid()}"
    for server in pids_with(f"app.cli.warm_server {folder}"):
        for child in children_of(server):
            return child
    return process.pid


def until_warm(env: dict[str, str]) -> None:
    """Wait for the warm server the warm-up board started."""
    probe = [sys.executable, "-c", "from app.cli.warm_client import run_warm; "
             "import sys; sys.exit(run_warm(['settings', '--json']) is None)"]  # fmt: skip
    deadline = time.monotonic() + 60
    while subprocess.run(probe, env=env, stdout=subprocess.DEVNULL).returncode:
        if time.monotonic() > deadline:
            raise RuntimeError("no warm server after 60 s")
        time.sleep(0.1)


def stop_servers(env: dict[str, str]) -> None:
    for path in (Path(env["TMPDIR"]) / f"storycart-{os.getuid()}").glob("cli-*.sock"):
        stop = f"from app.cli.warm_control import stop_server; stop_server({str(path)!r})"
        subprocess.run([sys.executable, "-c", stop], env=env, check=True)


def measure(
    command: list[str], markers: tuple[bytes, ...], env: dict[str, str], settle: float
) -> tuple[list[float], int, int]:
    # `python -m` puts the working directory first on sys.path: run from the checkout the
    # environment names (PYTHONPATH), or a --baseline run would import this one.
    """Seconds from spawn to each marker on screen, in order; RSS (KiB) when the last one is on
    screen and `settle` seconds later."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        cwd=env.get("PYTHONPATH", "").split(os.pathsep)[0] or None,
    )
    os.close(slave)
    seen = b""
    elapsed: list[float] = []
    deadline = started + 30
    try:
        while time.perf_counter() < deadline and len(elapsed) < len(markers):
            ready, _, _ = select.select([master], [], [], 0.01)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
                while len(elapsed) < len(markers) and markers[len(elapsed)] in seen:
                    elapsed.append(time.perf_counter() - started)
        board = board_process(process, env)
        rss_at_frame = rss_kib(board)
        if len(elapsed) < len(markers):
            raise RuntimeError(f"{command[-1]}: marker {markers[len(elapsed)]!r} never appeared")
        end = time.perf_counter() + settle
        while time.perf_counter() < end:  # keep draining so the app never blocks on output
            if select.select([master], [], [], 0.05)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
        return elapsed, rss_at_frame, rss_kib(board)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        os.close(master)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--settle", type=float, default=1.0, help="seconds before reading RSS")
    parser.add_argument("--incidents", type=int, default=20, help="open incidents on the board")
    parser.add_argument("--baseline", type=Path, help="another checkout, timed in the same run")
    parser.add_argument(
        "--postgres", action="store_true", help="the board on PostgreSQL (tests/pg_server.py)"
    )
    args = parser.parse_args()
    server = None
    if args.postgres:
        from tests.pg_server import PostgresServer

        server = PostgresServer()
        server.start()
    try:
        run(args, server.fresh_database() if server is not None else None)
    finally:
        if server is not None:
            server.stop()


def run(args: argparse.Namespace, postgres_url: str | None) -> None:

    home = Path(tempfile.mkdtemp(prefix="storycart-bench-"))
    env = {
        # COLUMNS / LINES (a pytest-xdist worker sets them) would override the pty's size.
        **{key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")},
        "TERM": "xterm-256color",
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "LANG": "C.UTF-8",
        "TMPDIR": tempfile.mkdtemp(prefix="scs-", dir="/tmp"),  # a warm server of its own
        "STORYCART_WARM_CLI": "0",
    }
    warm_env = {**env, "STORYCART_WARM_CLI": "1"}
    minimal = home / "minimal_app.py"
    minimal.write_text(MINIMAL_APP)
    with_settings = home / "settings_floor_app.py"
    with_settings.write_text(SETTINGS_FLOOR_APP)
    database = postgres_url or f"sqlite:///{home / 'board.db'}"
    storycart = [sys.executable, "-m", "app.cli", "--lang", "en", "--db", database]
    board_markers = (b"Incident board", b"INC-")  # an incident code: a row
    floor = [sys.executable, str(minimal)]
    settings_floor = [sys.executable, str(with_settings)]

    compile_checkout(Path(__file__).resolve().parents[2])

    # The incidents, then one warm-up each: the first database migration is not start-up.
    seed(database, args.incidents, datetime.now(UTC))
    measure(storycart, board_markers, env, args.settle)
    measure(floor, (b"Minimal floor ready",), env, 0.1)
    measure(settings_floor, (b"Minimal floor ready",), env, 0.1)
    measure(storycart, board_markers, warm_env, 0.1)  # starts the warm server
    until_warm(warm_env)
    baseline_env = None
    if args.baseline is not None:
        baseline = args.baseline.resolve()
        compile_checkout(baseline)
        baseline_env = {**env, "PYTHONPATH": str(baseline)}
        measure(storycart, board_markers, baseline_env, 0.1)

    results: dict[str, list[tuple[list[float], int, int]]] = {
        "storycart": [],
        "floor": [],
        "settings_floor": [],
        "warm": [],
    }
    if baseline_env is not None:
        results["baseline"] = []
    load = os.getloadavg()[0]
    for _ in range(args.runs):
        results["storycart"].append(measure(storycart, board_markers, env, args.settle))
        results["floor"].append(measure(floor, (b"Minimal floor ready",), env, args.settle))
        results["settings_floor"].append(
            measure(settings_floor, (b"Minimal floor ready",), env, args.settle)
        )
        results["warm"].append(measure(storycart, board_markers, warm_env, args.settle))
        if baseline_env is not None:
            results["baseline"].append(measure(storycart, board_markers, baseline_env, args.settle))

    try:
        report(results, args, load)
    finally:
        stop_servers(env)


def report(results: dict, args: argparse.Namespace, load: float) -> None:
    baseline_env = "baseline" in results

    def row(name: str, label: str, marker: int = -1) -> str:
        times = [t[marker] * 1000 for t, _, _ in results[name]]
        at_frame = statistics.median(r / 1024 for _, r, _ in results[name])
        settled = statistics.median(r / 1024 for _, _, r in results[name])
        return (
            f"| {label:<35} | {statistics.median(times):9.0f} | {min(times):7.0f} | "
            f"{max(times):7.0f} | {at_frame:14.1f} | {settled:14.1f} |"
        )

    floor_median = statistics.median(t[0] for t, _, _ in results["floor"])
    header, board = (
        statistics.median(t[n] for t, _, _ in results["storycart"]) / floor_median for n in (0, 1)
    )
    python = sys.version.split()[0]
    store = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"Start-up to first painted frame, {args.runs} runs each, 120x40 pty, {store}, "
        f"Python {python}"
    )
    print(
        "| app                                 | median ms |  min ms |  max ms "
        "| RSS@frame MiB | RSS@+1s MiB    |"
    )
    print(f"|{'-' * 37}|{'-' * 11}|{'-' * 9}|{'-' * 9}|{'-' * 16}|{'-' * 16}|")
    print(row("storycart", "storycart: board header (first frame)", 0))
    print(row("storycart", f"storycart: {args.incidents} incidents on screen", 1))
    print(row("floor", "minimal Textual app (one Static)"))
    print(row("settings_floor", "the same after import pydantic_settings"))
    print(row("warm", "warm: board header (first frame)", 0))
    print(row("warm", f"warm: {args.incidents} incidents on screen", 1))
    if baseline_env:
        print(row("baseline", "baseline: board header", 0))
        print(row("baseline", f"baseline: {args.incidents} incidents on screen", 1))
    print(
        f"\nratio storycart / floor (median): first frame {header:.2f}x, incidents on screen "
        f"{board:.2f}x   goal: <= 1.25x"
    )
    bound = statistics.median(t[0] for t, _, _ in results["settings_floor"]) / floor_median
    print(f"ratio one-Static app after import pydantic_settings / floor (median): {bound:.2f}x")
    warm = statistics.median(t[1] for t, _, _ in results["warm"]) / floor_median
    print(f"ratio warm / floor (median): incidents on screen {warm:.2f}x   goal: <= 1.5x")
    if baseline_env:
        before = statistics.median(t[1] for t, _, _ in results["baseline"]) / floor_median
        print(f"baseline / floor (median): incidents on screen {before:.2f}x")
    print(f"load average: {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    print(
        "RSS@frame: when the incidents are on screen (RSS columns of the header row are the "
        f"same run's); RSS@+1s: {args.settle:.1f} s later. Goal: RSS@+1s < 60 MiB."
    )


if __name__ == "__main__":
    main()
