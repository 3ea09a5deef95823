"""Firing lateness: 1,000 escalation steps due within one minute, `storycart daemon` on SQLite.

Declares 1,000 incidents whose single ladder step comes due at evenly spread moments over the
next minute, runs one (or two) real daemon processes, and reads their JSON lines: lateness
(fired_at - due_at) p50 / p99 / max, and duplicates (must be 0). Prints a table; not a test.

    .venv/bin/python tests/bench/bench_firing.py [--daemons 1|2] [--steps 1000] [--spread 60]
        [--idle 30] [--lead 8] [--postgres]

A storm (issue 34): `--steps 1000 --spread 1 --lead 40 --page [--postgres] [--declare-first]` —
all steps due in the same second; --lead gives the declarations time to finish before the first
is due (on a loaded machine they may not: the table then says the figures are void).
--declare-first starts the daemons after the declarations (their first pass plans the storm
ahead), so that a busy machine's slow declarations do not run into the storm.
--postgres runs on a throwaway PostgreSQL server (tests/pg_server.py) instead of SQLite.

With --idle N, once everything has fired each daemon's CPU is read from /proc over N seconds
while all the incidents stay open (goal at 10,000 open incidents: under 3 % of a core).

With --page, every step also pages a json:// channel served by a real HTTP server in this
process, and the table adds due → page received (p50 / p99, goal p99 < 1 s) and pages that
arrived twice; --service-delay makes that server as slow to answer as a real service.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.domain.clock import FakeClock
from app.domain.policy.parse import parse_policy_text
from app.services.incident_service import IncidentService
from app.services.policy_versions import PolicyVersions
from storage.database import Database

POLICY = """
[policy]
name = "bench"
scheme = "SEV"
title = "Benchmark"

[[severities]]
key = "SEV-1"
name = "Critical"
response = "1h"
update_every = "1h"
rounds = 1

[[types]]
key = "service"
name = "Service"

[[ladder]]
severity = "SEV-1"
after = "0s"
notify = ["On-call"]
"""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--daemons", type=int, default=1)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds the steps span")
    parser.add_argument("--page", action="store_true", help="also page a local HTTP receiver")
    parser.add_argument("--idle", type=float, default=0.0, help="seconds of idle CPU to read")
    parser.add_argument(
        "--service-delay", type=float, default=0.0, help="seconds the receiver takes to answer"
    )
    parser.add_argument("--lead", type=float, default=8.0, help="seconds before the first is due")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument(
        "--declare-first", action="store_true", help="start the daemons after the declarations"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    server = None
    if args.postgres:
        from tests.pg_server import PostgresServer

        server = PostgresServer()
        server.start()
    try:
        run(args, server)
    finally:
        if server is not None:
            server.stop()


def run(args, server) -> None:
    receiver = None
    if args.page:
        from tests.http_receiver import Receiver

        receiver = Receiver().__enter__()
        receiver.delay = args.service_delay

    folder = Path(tempfile.mkdtemp(prefix="storycart-firing-"))
    url = server.fresh_database() if server is not None else f"sqlite:///{folder / 'bench.db'}"
    database = Database.open(url)
    command = [sys.executable, "-m", "app.cli", "daemon", "--db", url]
    if receiver is not None:
        config = folder / "config.toml"
        config.write_text(
            f'[channels.bench]\nurl = "json://127.0.0.1:{receiver.port}/page"\n', "utf-8"
        )
        command += ["--config", str(config)]
    # Output goes to files: an unread pipe fills after ~64 KB and would block the daemon.
    outputs = [folder / f"daemon-{n}.jsonl" for n in range(args.daemons)]

    def start_daemons() -> list[subprocess.Popen]:
        return [
            subprocess.Popen(command, stdout=path.open("w"), stderr=subprocess.PIPE, text=True)
            for path in outputs
        ]

    daemons = [] if args.declare_first else start_daemons()
    # The daemons run while the incidents are declared, each a few seconds before its step is
    # due (declaring all 10,000 first would take longer than the first steps' head start).
    start = datetime.now(UTC) + timedelta(seconds=args.lead)
    clock = FakeClock(start)
    service = IncidentService(database, clock, PolicyVersions(database, clock))
    policy = parse_policy_text(POLICY, "bench.toml")
    gap = args.spread / args.steps
    began = time.perf_counter()
    for number in range(args.steps):
        clock.set(start + timedelta(seconds=number * gap))
        service.declare(policy, f"incident {number}", "SEV-1", actor="bench")
    database.close()
    print(
        f"declared {args.steps} incidents in {time.perf_counter() - began:.1f} s", file=sys.stderr
    )
    if args.declare_first:
        daemons = start_daemons()
    head_start = (start - datetime.now(UTC)).total_seconds()
    if head_start < 5:  # the daemons' first pass (start-up) may run into the storm
        print(f"VOID: the first step was due {head_start:.1f} s after the declarations ended")
    wait_for_everything(start, args, outputs, receiver)
    idle = [idle_cpu(daemon.pid, args.idle) for daemon in daemons] if args.idle else []
    lines = []
    for daemon, path in zip(daemons, outputs, strict=True):
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=30)
        lines += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        if daemon.returncode != 0 or err.strip():
            print(err[-2000:], file=sys.stderr)
            (folder / "stderr.txt").write_text(err)
            print("STDERR", folder / "stderr.txt", file=sys.stderr)

    keys = [(line["incident"], line["step"], line["round"]) for line in lines]
    late_ms = [line["late_by_s"] * 1000 for line in lines]
    print(
        f"Firing lateness, {args.steps} steps due over {args.spread:.0f} s, "
        f"{args.daemons} daemon(s), {'PostgreSQL' if server is not None else 'SQLite'}"
    )
    print("| fired | duplicates | p50 ms | p99 ms | max ms | late (not running) |")
    print("|-------|------------|--------|--------|--------|--------------------|")
    not_running = sum(line["reason"] != "on time" for line in lines)
    print(
        f"| {len(lines):5d} | {len(keys) - len(set(keys)):10d} | "
        f"{statistics.median(late_ms):6.0f} | {percentile(late_ms, 0.99):6.0f} | "
        f"{max(late_ms):6.0f} | {not_running:18d} |"
    )
    print("goal: p99 < 100 ms, duplicates 0")
    for number, share in enumerate(idle, 1):
        print(
            f"daemon {number} idle with {args.steps} open incidents: {share:.2f} % of a core "
            f"over {args.idle:.0f} s (goal < 3 %)"
        )
    if receiver is not None:
        print_pages(receiver, start, gap, args.steps)
        receiver.__exit__(None, None, None)


def idle_cpu(pid: int, seconds: float) -> float:
    """A process's CPU over `seconds` of wall time, as % of one core (/proc/PID/stat)."""
    import os

    def ticks() -> int:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    hertz = os.sysconf("SC_CLK_TCK")
    before, began = ticks(), time.monotonic()
    time.sleep(seconds)
    return 100 * (ticks() - before) / hertz / (time.monotonic() - began)


def wait_for_everything(start: datetime, args, outputs: list[Path], receiver) -> None:
    """Until every step has fired (and paged), or a minute after the last one was due."""
    time.sleep(max((start - datetime.now(UTC)).total_seconds() + args.spread, 0))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        fired = sum(len(path.read_text().splitlines()) for path in outputs)
        paged = len(receiver.requests) if receiver is not None else args.steps
        if fired >= args.steps and paged >= args.steps:
            break
        time.sleep(0.2)
    time.sleep(1)  # anything that would arrive twice has time to


def print_pages(receiver, start: datetime, gap: float, steps: int) -> None:
    """Due → received for each page, from its title ("INC-… SEV-1: incident N")."""
    delays, keys = [], []
    for request in receiver.requests:
        document = json.loads(request.body)
        number = int(document["title"].rsplit(" ", 1)[1])
        due = start + timedelta(seconds=number * gap)
        delays.append((request.received_at - due.timestamp()) * 1000)
        keys.append(request.headers.get("X-Storycart-Idempotency-Key"))
    print("| pages received | twice | due→received p50 ms | p99 ms | max ms |")
    print("|----------------|-------|---------------------|--------|--------|")
    print(
        f"| {len(delays):14d} | {len(keys) - len(set(keys)):5d} | "
        f"{statistics.median(delays):19.0f} | {percentile(delays, 0.99):6.0f} | "
        f"{max(delays):6.0f} |"
    )
    print(f"goal: {steps} pages, none twice, p99 < 1000 ms")


if __name__ == "__main__":
    main()
