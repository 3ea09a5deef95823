from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from app.config import ConfigError, Flags, load_settings
from app.domain.i18n import Catalog, catalog_keys, detect_language, said_in


@pytest.mark.parametrize("lang", ["ko", "ja"])
def test_every_message_is_translated(lang):
    assert catalog_keys(lang) == catalog_keys("en")


def test_durations_read_naturally_in_each_language():
    assert Catalog("en").duration(5400) == "1 h 30 min"
    assert Catalog("ko").duration(48 * 3600) == "48시간"
    assert Catalog("ja").duration(604800) == "1週間"
    assert Catalog("ko").duration(0) == "즉시"


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "ko_KR.UTF-8"}, "ko"),
        ({"LC_ALL": "ja_JP.UTF-8", "LANG": "ko_KR"}, "ja"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_language_defaults_to_the_locale(environ, lang):
    assert detect_language(environ) == lang


def test_flags_beat_environment_beat_config_file(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('lang = "ja"\npolicy = "ai-ops"\ndb = "sqlite:////tmp/a.db"\n', "utf-8")
    environ = {"STORYCART_DB": "sqlite:////tmp/b.db"}
    settings = load_settings(Flags(config=str(config), lang="ko"), environ)
    assert (settings.lang, settings.policy, settings.db_url) == (
        "ko",
        "ai-ops",
        "sqlite:////tmp/b.db",
    )
    assert settings.sources == {"lang": "--lang", "policy": str(config), "db": "STORYCART_DB"}
    assert settings.policy_dir == tmp_path / "policies"


def test_default_database_lives_in_the_platformdirs_data_dir():
    settings = load_settings(Flags(), {"LANG": "ko_KR.UTF-8"})
    assert settings.db_url == f"sqlite:///{os.environ['XDG_DATA_HOME']}/storycart/storycart.db"
    assert settings.lang == "ko"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('lang = "fr"', "'fr' from"),
        ("colour = 1", "'colour' is not a setting"),
        ("lang = 3", "'lang' must be a string, not a whole number"),
        ("lang = ", "not valid TOML"),
        ('alert_command = "page-me --now"', "'alert_command' must be a list"),
        ('alert_command = ["page-me", ""]', "list of non-empty strings"),
        ("rotation_weeks = 6", "rotation_weeks in .* from 1 to 4, not 6"),
        ('rotation_weeks = "2"', "'rotation_weeks' must be a whole number, not a string"),
        ("rotation_weeks = true", "'rotation_weeks' must be a whole number, not true or false"),
        ("policy_files = [5]", "'policy_files' must be a list of strings"),
    ],
)
def test_bad_config_is_one_clear_sentence(tmp_path, text, problem):
    config = tmp_path / "config.toml"
    config.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match=problem):
        load_settings(Flags(config=str(config)), {})


def test_missing_explicit_config_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(Flags(config=str(tmp_path / "none.toml")), {})


def test_alert_command_user_and_export_dir_settings(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        'user = "민지"\nalert_command = ["page", "--team", "웹"]\n'
        'desktop_notifications = false\nexport_dir = "~/msgs"\n',
        "utf-8",
    )
    settings = load_settings(Flags(config=str(config)), {})
    assert settings.user == "민지"
    assert settings.alert_command == ("page", "--team", "웹")
    assert settings.desktop_notifications is False
    assert settings.export_dir == Path("~/msgs").expanduser()
    assert load_settings(Flags(config=str(config)), {"STORYCART_USER": "haruto"}).user == "haruto"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("INC-2026-0001", "INC-2026-0001은"),
        ("INC-2026-0002", "INC-2026-0002는"),
        ("결제 장애", "결제 장애는"),
        ("'SEV-9'", "'SEV-9'는"),
        ("'SEV-3'", "'SEV-3'은"),
    ],
)
def test_korean_particles_follow_the_last_sound(word, expected):
    assert Catalog("ko").t("refusal.already_resolved", code=word).startswith(expected)


def test_a_refusal_is_said_in_the_readers_language():
    from app.domain.incident import AlreadyDone

    error = AlreadyDone("refusal.already_acknowledged", code="INC-2026-0003")
    assert str(error) == "Incident INC-2026-0003 is already acknowledged."
    assert said_in(error, Catalog("ko")) == "INC-2026-0003은 이미 확인(응답)되었습니다."
    assert said_in(error, Catalog("ja")).startswith("INC-2026-0003")
    assert said_in(ValueError("plain"), Catalog("ja")) == "plain"


def test_every_setting_is_documented_in_the_readme():
    """SETTINGS is the one definition; the README's Settings section must name each key and
    each environment variable it reads, so a new setting cannot go undocumented."""
    from app.config import ENVIRONMENT, SETTINGS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    section = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    documented_keys = {
        line.split("=", 1)[0].strip() for line in section.splitlines() if "=" in line
    }
    documented_keys |= set(re.findall(r"^\[([a-z_]+)[.\]]", section, re.MULTILINE))
    assert {setting.key for setting in SETTINGS} <= documented_keys
    for variable in ENVIRONMENT:
        assert variable in section, variable
