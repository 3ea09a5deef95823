"""`storycart alert test | list` as real processes against a real HTTP receiver."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.http_receiver import Receiver

STORYCART = [sys.executable, "-m", "app.cli"]


def config_with_hook(tmp_path, port: int) -> str:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[channels.hook]\nurl = "json://127.0.0.1:{port}/hook?token=s3cret"\nlang = "ko"\n'
        '[channels.phone]\nurl_env = "STORYCART_TEST_PHONE"\npages = ["L2 tech lead"]\n',
        "utf-8",
    )
    return str(config)


def storycart(tmp_path, *args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "STORYCART_DB": str(tmp_path / "cart.db")}
    environment.pop("STORYCART_TEST_PHONE", None)
    return subprocess.run(
        [*STORYCART, *args], capture_output=True, text=True, timeout=60, env=environment
    )


def test_a_test_page_says_it_is_a_test_and_what_came_back(tmp_path):
    with Receiver() as receiver:
        config = config_with_hook(tmp_path, receiver.port)
        sent = storycart(tmp_path, "--config", config, "--lang", "en", "alert", "test", "hook")
        assert sent.returncode == 0, sent.stderr
        assert sent.stdout.strip() == "Test page sent through hook; the service accepted it."
        (request,) = receiver.requests
        document = json.loads(request.body)
        assert (
            document["title"] == "Story Cart 테스트 호출 — 인시던트 아님"
        )  # the channel's language
        assert "hook" in document["message"] and "조치할 필요 없습니다" in document["message"]
        receiver.failing = True
        failed = storycart(tmp_path, "--config", config, "--lang", "en", "alert", "test", "hook")
        assert failed.returncode == 1 and failed.stdout == ""
        assert failed.stderr.count("\n") == 1
        assert "The test page through hook failed: " in failed.stderr
        assert "s3cret" not in failed.stderr
    missing = storycart(tmp_path, "--config", config, "--lang", "ja", "alert", "test", "phone")
    assert missing.returncode == 1
    assert "STORYCART_TEST_PHONE" in missing.stderr and "s3cret" not in missing.stderr
    unknown = storycart(tmp_path, "--config", config, "--lang", "en", "alert", "test", "pager")
    assert "There is no paging channel 'pager'; known: hook, phone." in unknown.stderr


def test_the_channel_list_never_prints_a_url(tmp_path):
    config = config_with_hook(tmp_path, 9)
    listed = storycart(tmp_path, "--config", config, "--lang", "en", "alert", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["hook"]["source"] == "url json://…" and rows["hook"]["lang"] == "ko"
    assert rows["phone"]["source"] == "url_env STORYCART_TEST_PHONE"
    assert rows["phone"]["pages"] == ["L2 tech lead"] and not rows["phone"]["broken"]
    human = storycart(tmp_path, "--config", config, "--lang", "ko", "alert", "list")
    assert "마지막 전달: — · 마지막 실패: —" in human.stdout
    assert "s3cret" not in listed.stdout + human.stdout and "127.0.0.1" not in human.stdout
