"""Settings by the book (issue 33): one typed model on pydantic-settings, each default declared
once, secrets as SecretStr, and one line-numbered way to say a TOML file is wrong — in config,
the roster inside it and drill scenarios."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from pydantic import SecretStr

from app.config import ConfigError, Flags, Settings, load_settings
from app.domain.drill.scenario import ScenarioError, load_file


def test_defaults_are_the_models_field_defaults_and_what_settings_shows(tmp_path):
    """With no file, no variable and no flag, `storycart settings` shows the model's defaults."""
    environ = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "HOME": str(tmp_path),
        "LANG": "C",
        "PATH": "/usr/bin:/bin",
    }
    shown = subprocess.run(
        [sys.executable, "-m", "app.cli", "settings", "--json"],
        env={**environ, "PYTHONPATH": os.environ.get("PYTHONPATH", "")},
        capture_output=True,
        text=True,
        check=True,
    )
    rows = {row["key"]: row for row in json.loads(shown.stdout)["settings"]}
    fields = Settings.model_fields
    for key in ("theme", "rotation_weeks", "claim_lease", "kiosk_seconds", "feedback_url"):
        assert rows[key]["source"] == "default"
        assert rows[key]["value"] == fields[key].default, key
    assert rows["kitty_keyboard"]["value"] is fields["kitty_keyboard"].default
    assert rows["kiosk_unlock"]["value"] == fields["kiosk_unlock"].default.split()


def test_the_environment_overrides_the_file_and_flags_override_both(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('user = "민지"\npolicy = "ai-ops"\n', "utf-8")
    environ = {"STORYCART_USER": "haruto", "STORYCART_POLICY": "web-service"}
    settings = load_settings(Flags(config=str(config)), environ)
    assert (settings.user, settings.policy) == ("haruto", "web-service")
    assert settings.sources["user"] == "STORYCART_USER"
    flagged = load_settings(Flags(config=str(config), policy="kiosk"), environ)
    assert flagged.policy == "kiosk" and flagged.sources["policy"] == "--policy"


def test_secrets_never_show_in_repr_or_str(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        'db = "postgresql://oncall:hunter2@db.example/storycart"\n'
        '[channels.phone]\nurl = "ntfy://tok3n@ntfy.example/ops"\n',
        "utf-8",
    )
    settings = load_settings(Flags(config=str(config)), {})
    assert settings.db_url == "postgresql://oncall:hunter2@db.example/storycart"
    (channel,) = settings.channels
    assert isinstance(channel.url, SecretStr)
    assert channel.url.get_secret_value() == "ntfy://tok3n@ntfy.example/ops"
    for shown in (repr(settings), str(settings), repr(channel), str(channel)):
        assert "hunter2" not in shown and "tok3n" not in shown


def test_a_bad_config_value_names_its_line(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('theme = "storycart"\n\nrotation_weeks = 6\n', "utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(Flags(config=str(config)), {})
    assert str(refused.value) == (
        f"rotation_weeks in {config} (line 3) must be a whole number from 1 to 4, not 6."
    )
    config.write_text('theme = "storycart"\ncolour = 1\n', "utf-8")
    with pytest.raises(ConfigError, match=r"^Config file .*config.toml \(line 2\): 'colour' is"):
        load_settings(Flags(config=str(config)), {})


ROSTER = """\
[roster.people.minji]
name = "민지"

[roster.levels."L1 on-call engineer"]
rotation = ["minji"]
start = "soon"
"""


def test_a_bad_roster_value_names_its_line_like_config(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(ROSTER, "utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(Flags(config=str(config)), {})
    assert str(refused.value) == (
        f"{config} (line 4): roster level 'L1 on-call engineer': 'start' 'soon' is not a time "
        "(like 2026-11-02T10:00)."
    )


SCENARIO = """\
key = "mine"
title = "Mine"
policy = "web-service"
severity = "SEV-2"
type = "outage"

[[events]]
at = "0m"
kind = "signal"
text = "down"

[[events]]
at = "5m"
kind = "panic"
text = "worse"
"""


def test_a_bad_drill_scenario_value_names_its_line_like_config(tmp_path):
    scenario = tmp_path / "mine.toml"
    scenario.write_text(SCENARIO, "utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_file(scenario)
    assert str(refused.value) == (
        f"{scenario} (line 14), event 2: the kind 'panic' is not one of "
        "signal, fact, inject, customer, update, severity."
    )
