"""Every benchmark still runs: each script in tests/bench/ with tiny sizes, as a real process,
must finish and print its table. The measured numbers are not checked here (speed goals live
in the scripts' output, not in timed tests); this only keeps the scripts from rotting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Real processes timed from outside: one worker runs them all in turn, so that the clean-exit
# test's six apps and keeper daemon never share the machine with another app's start-up clock.
pytestmark = pytest.mark.xdist_group("real_terminals")


BENCH = Path(__file__).resolve().parent
REPO = BENCH.parents[1]
TINY = {
    "bench_ack.py": ["--laptops", "1", "--acks", "2", "--no-postgres"],
    "bench_ack_keys.py": ["--incidents", "5", "--rounds", "2"],
    "bench_alert_storm.py": ["--alerts", "4", "--groups", "2", "--senders", "2", "--wait", "20"],
    "bench_chain.py": ["--alerts", "2", "--wait", "20"],
    "bench_cli.py": ["--runs", "1", "--incidents", "6", "--no-postgres"],
    "bench_board.py": ["--incidents", "3", "--ticks", "2", "--seconds", "1", "--history", "50"],
    "bench_import.py": ["--stories", "30", "--no-postgres"],
    "bench_firing.py": ["--steps", "3", "--spread", "1", "--page"],
    "bench_intake.py": ["--alerts", "20", "--groups", "3", "--senders", "2"],
    "bench_kiosk.py": ["20"],
    "bench_metrics.py": ["--incidents", "300", "--runs", "1", "--no-postgres"],
    "bench_postmortem.py": ["--keys", "3"],
    "bench_posters.py": ["--papers", "a4", "--langs", "ja", "--policies", "web-service"],
    "bench_sheets.py": ["--runs", "1", "--stories", "2"],
    "bench_startup.py": ["--runs", "1", "--settle", "0.2", "--incidents", "2"],
    "bench_stories.py": ["--stories", "30", "--runs", "2", "--no-postgres"],
    "bench_sync.py": ["--laptops", "1", "--changes", "2"],
    "bench_watchers.py": ["--interval", "5", "--step-after", "12"],
}


def test_every_benchmark_script_has_tiny_sizes_here():
    assert {path.name for path in BENCH.glob("bench_*.py")} == set(TINY)


@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_runs_and_prints_its_table(script, tmp_path):
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *TINY[script]],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) >= 2, done.stdout  # a heading and at least one row of figures
    assert any(char.isdigit() for line in lines[1:] for char in line), done.stdout
