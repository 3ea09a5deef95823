"""The commands scripts and monitors call, timed as real processes: `storycart incident list`,
`incident show CODE`, `incident ack CODE` and `status` on a database holding --incidents open
incidents, on SQLite and on PostgreSQL (its own server, tests/pg_server.py), each against the
floor of the same run: `python -c pass` and `python -c "import sqlite3"`. Every command runs
--runs times after one warm-up; `incident ack` acknowledges a different unacknowledged incident
each time (a real change, through the incident commands service). Each command is timed warm
(the default: run by the warm server the warm-up round started, app.cli.warm_server; the bench
has its own $TMPDIR, so its own server) and cold (STORYCART_WARM_CLI=0: every import paid).
CPU ms is the calling process's own: a warm command's work is done in the server's child.
Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_cli.py [--runs 5] [--incidents 20]
        [--no-postgres] [--baseline DIR]

--baseline DIR also runs each command from the Story Cart checked out in DIR (`git archive main |
tar -x -C DIR`), interleaved with this one's, on the same database: before → after under the
same load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_board import percentile, seed
from bench_startup import compile_checkout, stop_servers, until_warm


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from spawn to exit, and the CPU seconds the process used (user + system: on a
    shared machine the steadier figure); the command must succeed."""
    started = time.perf_counter()
    # `python -m` puts the working directory first on sys.path: run from the checkout the
    # environment names (PYTHONPATH), or a --baseline run would import this one.
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=env.get("PYTHONPATH", "").split(os.pathsep)[0] or None,
    )
    stderr = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):  # status exits 1 when nobody watches: still a run
        raise RuntimeError(f"{command[3:]} failed: {stderr.decode()[-400:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def unacknowledged(storycart: list[str], env: dict[str, str]) -> list[str]:
    listing = subprocess.run(
        [*storycart, "incident", "list", "--json"], env=env, capture_output=True, check=True
    )
    return [
        item["id"]
        for item in json.loads(listing.stdout)
        if not item.get("acknowledged_at") and not item.get("resolved_at")
    ]


def measure(
    url: str, runs: int, env: dict[str, str], baseline_env: dict[str, str] | None
) -> dict[str, list[tuple[float, float]]]:
    storycart = [sys.executable, "-m", "app.cli", "--lang", "en", "--db", url]
    codes = unacknowledged(storycart, env)
    cold_env = {**env, "STORYCART_WARM_CLI": "0"}
    sides = {"warm: ": env, "cold: ": cold_env} | (
        {"baseline: ": baseline_env} if baseline_env else {}
    )
    if len(codes) < len(sides) * (runs + 1):
        raise RuntimeError(f"{len(codes)} unacknowledged incidents; too few for the runs")
    commands = {
        "python -c pass": (env, lambda _n: [sys.executable, "-c", "pass"]),
        "python -c 'import sqlite3'": (env, lambda _n: [sys.executable, "-c", "import sqlite3"]),
    }
    for side, (label, side_env) in enumerate(sides.items()):
        first = side * (runs + 1)  # each side acknowledges incidents of its own
        commands |= {
            f"{label}incident list": (side_env, lambda _n: [*storycart, "incident", "list"]),
            f"{label}incident show CODE": (
                side_env,
                lambda _n: [*storycart, "incident", "show", codes[0]],
            ),
            f"{label}incident ack CODE": (
                side_env,
                lambda n, first=first: [*storycart, "incident", "ack", codes[first + n]],
            ),
            f"{label}status": (side_env, lambda _n: [*storycart, "status"]),
        }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for n in range(runs + 1):  # interleaved, so a burst of load hits every command alike
        for name, (command_env, command) in commands.items():
            elapsed = timed(command(n), command_env)
            if n:  # the first round warms the caches and starts the warm server
                times[name].append(elapsed)
        if n == 0:
            until_warm(env)
    return times


def table(label: str, times: dict[str, list[tuple[float, float]]]) -> None:
    floor_wall, floor_cpu = (
        statistics.median(run[n] for run in times["python -c 'import sqlite3'"]) for n in (0, 1)
    )
    print(f"\n{label}")
    print(
        f"| {'command':<36} | median ms | p90 ms | × sqlite3 | CPU ms | CPU × sqlite3 | goal     |"
    )
    print(f"|{'-' * 38}|-----------|--------|-----------|--------|---------------|----------|")
    for name, runs in times.items():
        wall = [run[0] for run in runs]
        median, cpu = statistics.median(wall), statistics.median(run[1] for run in runs)
        goal = "" if name.startswith("python") else ("< 300 ms" if median < 0.3 else "> 300 ms")
        goal = goal if name.startswith("warm") else ""  # the goal is for what scripts meet
        print(
            f"| {name:<36} | {median * 1000:9.0f} | {percentile(wall, 0.9) * 1000:6.0f} "
            f"| {median / floor_wall:9.2f} | {cpu * 1000:6.0f} | {cpu / floor_cpu:13.2f} "
            f"| {goal:<8} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--incidents", type=int, default=20)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--baseline", type=Path, help="another checkout, timed in the same run")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="storycart-bench-cli-"))
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "LANG": "C.UTF-8",
        "TMPDIR": tempfile.mkdtemp(prefix="scb-", dir="/tmp"),  # a warm server of its own
    }
    compile_checkout(Path(__file__).resolve().parents[2])
    baseline_env = None
    if args.baseline is not None:
        baseline = args.baseline.resolve()
        compile_checkout(baseline)
        baseline_env = {**env, "PYTHONPATH": str(baseline)}

    try:
        run_tables(args, home, env, baseline_env)
    finally:
        stop_servers(env)


def run_tables(args, home: Path, env: dict[str, str], baseline_env) -> None:
    load = os.getloadavg()[0]
    print(f"CLI commands, {args.incidents} open incidents, medians of {args.runs} real processes")
    sqlite_url = f"sqlite:///{home / 'cli.db'}"
    seed(sqlite_url, args.incidents, datetime.now(UTC))
    table(f"SQLite (load {load:.2f} at start)", measure(sqlite_url, args.runs, env, baseline_env))
    if not args.no_postgres:
        from tests.pg_server import PostgresServer

        server = PostgresServer()
        server.start()
        try:
            url = server.fresh_database()
            seed(url, args.incidents, datetime.now(UTC))
            load = os.getloadavg()[0]
            table(
                f"PostgreSQL (load {load:.2f} at start)", measure(url, args.runs, env, baseline_env)
            )
        finally:
            server.stop()
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
