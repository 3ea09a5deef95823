"""`storycart daemon` with `[intake] public_url`, as a real process paging a real HTTP server: its
ntfy pages carry an Acknowledge button to the link, the key file is made beside the config for
its owner alone, and a key file others may read stops it with one sentence."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time

from app.domain.clock import SystemClock
from app.services.ack_links import AckLinks
from app.services.ack_secret import read_secret
from app.services.incident_service import IncidentService
from app.services.policy_versions import PolicyVersions
from storage.database import Database
from tests.cli.test_daemon import STORYCART, cli, fast, start_daemon, stop  # noqa: F401

PUBLIC = "https://oncall.example.org"


def config(tmp_path, port: int) -> str:
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir()
    path.write_text(
        f'[intake]\npublic_url = "{PUBLIC}/"\n'
        f'[channels.phone]\nurl = "ntfy://127.0.0.1:{port}/oncall"\nlang = "ko"\n',
        "utf-8",
    )
    return str(path)


def test_the_daemons_pages_carry_a_link_that_acknowledges(fast, receiver):  # noqa: F811
    tmp_path, policy = fast
    url = f"sqlite:///{tmp_path / 'team.db'}"
    db = ["--config", config(tmp_path, receiver.port), "--db", url, *policy]
    assert cli("db", "upgrade", *db).returncode == 0
    code = cli("incident", "declare", "--title", "Queue stuck", "--severity", "SEV-1", *db)
    code = code.stdout.strip()
    daemon = start_daemon(db)
    deadline = time.monotonic() + 20
    while not receiver.requests and time.monotonic() < deadline:
        time.sleep(0.1)
    _lines, err, returncode = stop(daemon)
    assert returncode == 0, err
    page = receiver.requests[0]
    (action,) = json.loads(page.headers["X-Actions"])
    assert action["label"] == "확인(Ack)" and action["method"] == "POST"
    assert action["url"].startswith(f"{PUBLIC}/ack/")
    assert f"확인(Ack): {action['url']}" in json.loads(page.body)["message"]
    secret = tmp_path / "conf" / "ack.secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    database = Database.open(url)
    clock = SystemClock()
    service = IncidentService(database, clock, PolicyVersions(database, clock), ())
    links = AckLinks(database, clock, service, PUBLIC, read_secret(secret))
    token = action["url"].rsplit("/", 1)[1]
    assert links.acknowledge(token).acknowledged_here
    database.close()
    shown = json.loads(cli("incident", "show", code, "--json", *db).stdout)
    assert shown["acknowledged_at"], shown


def test_a_key_file_others_may_read_stops_the_daemon_with_one_sentence(tmp_path):
    path = config(tmp_path, 9)
    secret = tmp_path / "conf" / "ack.secret"
    secret.write_text("k" * 64 + "\n", "utf-8")
    os.chmod(secret, 0o644)
    db = ["--config", path, "--db", f"sqlite:///{tmp_path / 'team.db'}"]
    ran = subprocess.run([*STORYCART, "daemon", *db], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 1
    assert ran.stderr == (
        f"storycart: {secret}, the key of acknowledge links, must be readable by its owner "
        f"alone (chmod 600 {secret}).\n"
    )
