"""Bad policy files are refused with one sentence naming the file, the line / key and
the problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.domain.policy.document import policy_to_toml
from app.domain.policy.errors import PolicyError
from app.domain.policy.parse import load_policy_file, parse_policy_text
from app.domain.policy.targets import severity_targets
from app.services.policy_set import PolicySource, load_policies

MINIMAL = """\
[policy]
name = "tiny"
scheme = "SEV"
title = "Tiny policy"

[[severities]]
key = "SEV-1"
name = "Critical"
response = "5m"
update_every = "15m"

[[severities]]
key = "SEV-2"
name = "High"
response = "30m"
update_every = "30m"

[[types]]
key = "service"
name = "Service"

[[ladder]]
severity = ["SEV-1", "SEV-2"]
after = "0s"
notify = ["On-call"]
"""


def write(tmp_path: Path, text: str | bytes, name: str = "policy.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refusal(tmp_path: Path, text: str | bytes) -> str:
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as error:
        load_policy_file(path)
    message = str(error.value)
    assert message.startswith(f"Policy file {path}")
    assert message.count("\n") == 0 and message.endswith(".")
    return message


def test_minimal_policy_loads(tmp_path):
    policy = load_policy_file(write(tmp_path, MINIMAL))
    assert [s.key for s in policy.severities] == ["SEV-1", "SEV-2"]
    assert policy.severity("SEV-1").first_notify[0].get("ko") == "On-call"


def test_missing_required_key_names_key_and_line(tmp_path):
    message = refusal(tmp_path, MINIMAL.replace('response = "30m"\n', ""))
    assert "key severities[1]" in message
    assert "missing the required key 'response'" in message
    assert "line 12" in message  # the [[severities]] header of the second severity


def test_unknown_severity_in_a_ladder_step(tmp_path):
    message = refusal(tmp_path, MINIMAL.replace('["SEV-1", "SEV-2"]', '["SEV-1", "SEV-9"]'))
    assert "unknown severity 'SEV-9'" in message and "known: SEV-1, SEV-2" in message
    assert "key ladder[0].severity" in message and "line 23" in message


def test_unknown_severity_in_an_unless_condition(tmp_path):
    step = (
        '[[ladder]]\nseverity = "SEV-1"\nafter = "1h"\nunless = ["below:SEV-7"]\nnotify = ["L"]\n'
    )
    text = f"{MINIMAL}\n{step}"
    assert "unknown severity 'SEV-7'" in refusal(tmp_path, text)


def test_negative_duration(tmp_path):
    message = refusal(tmp_path, MINIMAL.replace('response = "5m"', 'response = "-5m"'))
    assert "negative" in message and "key severities[0].response" in message and "line 9" in message


def test_garbage_duration(tmp_path):
    message = refusal(tmp_path, MINIMAL.replace('response = "5m"', 'response = "soon"'))
    assert "'soon' is not a duration" in message


def test_zero_update_cadence_is_refused(tmp_path):
    message = refusal(tmp_path, MINIMAL.replace('update_every = "15m"', 'update_every = "0s"'))
    assert "must be longer than zero" in message


def test_duplicate_severity_keys(tmp_path):
    message = refusal(tmp_path, MINIMAL.replace('key = "SEV-2"', 'key = "SEV-1"'))
    assert "the severity 'SEV-1' is defined twice" in message


def test_duplicate_toml_keys_report_the_line(tmp_path):
    message = refusal(tmp_path, MINIMAL.replace('scheme = "SEV"', 'scheme = "SEV"\nscheme = "P"'))
    assert "not valid TOML" in message and "line 4" in message


def test_wrong_types(tmp_path):
    assert "must be a string, not an integer" in refusal(
        tmp_path, MINIMAL.replace('name = "tiny"', "name = 7")
    )
    assert "expected a duration string" in refusal(
        tmp_path, MINIMAL.replace('response = "5m"', "response = 5")
    )
    assert "must be an array, not a table" in refusal(
        tmp_path, MINIMAL.replace('notify = ["On-call"]', 'notify = { en = "On-call" }')
    )


def test_unknown_keys_are_typos_not_silence(tmp_path):
    message = refusal(
        tmp_path, MINIMAL.replace('response = "5m"', 'respones = "5m"\nresponse = "5m"')
    )
    assert "is not a known key here" in message
    assert "severities[0].respones" in message


def test_unsupported_language(tmp_path):
    message = refusal(
        tmp_path, MINIMAL.replace('title = "Tiny policy"', 'title = { fr = "Petite" }')
    )
    assert "is not a supported language" in message
    assert "policy.title.fr" in message


def test_severity_without_any_escalation_step(tmp_path):
    message = refusal(tmp_path, MINIMAL.replace('["SEV-1", "SEV-2"]', '"SEV-1"'))
    assert "severity 'SEV-2' has no escalation step" in message


def test_cells_must_name_known_types_and_severities(tmp_path):
    text = MINIMAL + '\n[[cells]]\ntype = "database"\nseverity = "SEV-1"\nexamples = ["x"]\n'
    assert "unknown incident type 'database'" in refusal(tmp_path, text)


def test_non_utf8_bytes(tmp_path):
    raw = MINIMAL.replace("Tiny policy", "장애").encode("euc-kr")
    message = refusal(tmp_path, raw)
    assert "is not UTF-8 text" in message and "line 4" in message


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(PolicyError, match="does not exist"):
        load_policy_file(tmp_path / "nope.toml")
    with pytest.raises(PolicyError, match="is a directory"):
        load_policy_file(tmp_path)


def test_duplicate_policy_names_across_files_keep_the_first(tmp_path):
    first = write(tmp_path, MINIMAL, "a.toml")
    second = write(tmp_path, MINIMAL.replace("Tiny policy", "Another"), "b.toml")
    result = load_policies([PolicySource(first, "config dir"), PolicySource(second, "config dir")])
    assert result.get("tiny").title.get("en") == "Tiny policy"
    assert len(result.problems) == 1
    assert re.search(
        r"defines the policy 'tiny', which .*a\.toml already defines", str(result.problems[0])
    )


def test_a_user_file_may_replace_a_builtin_by_name(tmp_path):
    builtin = write(tmp_path, MINIMAL, "builtin.toml")
    mine = write(tmp_path, MINIMAL.replace("Tiny policy", "Mine"), "mine.toml")
    result = load_policies([PolicySource(builtin, "built-in"), PolicySource(mine, "config dir")])
    assert result.get("tiny").title.get("en") == "Mine" and not result.problems


def test_broken_file_keeps_its_last_good_version(tmp_path):
    path = write(tmp_path, MINIMAL)
    good = load_policies([PolicySource(path, "config dir")])
    path.write_text(MINIMAL.replace('response = "5m"', 'response = "later"'), encoding="utf-8")
    last_good = {p.source: p for p in good.policies.values()}
    again = load_policies([PolicySource(path, "config dir")], last_good=last_good)
    assert again.get("tiny") == good.get("tiny")
    assert "'later' is not a duration" in str(again.problems[0])


def test_export_round_trip_of_a_single_language_file(tmp_path):
    policy = load_policy_file(write(tmp_path, MINIMAL))
    assert parse_policy_text(policy_to_toml(policy), "again") == policy


def test_rounds_and_ack_timeout_are_validated(tmp_path):
    assert "must be between 1 and 100, not 0" in refusal(
        tmp_path, MINIMAL.replace('update_every = "15m"', 'update_every = "15m"\nrounds = 0')
    )
    assert "must be an integer, not a string" in refusal(
        tmp_path, MINIMAL.replace('update_every = "15m"', 'update_every = "15m"\nrounds = "3"')
    )
    assert "must be longer than zero" in refusal(
        tmp_path, MINIMAL.replace('update_every = "15m"', 'update_every = "15m"\nack_timeout = "0"')
    )


def test_ladder_defaults_repeat_at_the_update_cadence(tmp_path):
    policy = load_policy_file(write(tmp_path, MINIMAL))
    sev1 = policy.severity("SEV-1")
    assert (sev1.rounds, sev1.ack_timeout_s, sev1.repeat_pause_s) == (3, None, 900)
    text = MINIMAL.replace(
        'update_every = "15m"',
        'update_every = "15m"\nack_timeout = "30m"\nrepeat_after = "5m"\nrounds = 2',
    )
    sev1 = load_policy_file(write(tmp_path, text)).severity("SEV-1")
    assert (sev1.rounds, sev1.ack_timeout_s, sev1.repeat_pause_s) == (2, 1800, 300)
    assert (
        parse_policy_text(policy_to_toml(load_policy_file(write(tmp_path, text))), "x").severity(
            "SEV-1"
        )
        == sev1
    )


def test_metric_targets_are_read_and_fall_back_to_response_and_resolution(tmp_path):
    text = MINIMAL.replace(
        'response = "5m"', 'response = "5m"\ntargets = { detect = "2m", resolve = "1h" }'
    )
    policy = load_policy_file(write(tmp_path, text))
    assert severity_targets(policy.severity("SEV-1")).measures() == {
        "detect": 120,
        "resolve": 3600,
        "acknowledge": 300,  # the response time, as no acknowledge target is set
    }
    assert parse_policy_text(policy_to_toml(policy), "again.toml") == policy


def test_bad_metric_targets_are_refused_with_the_key(tmp_path):
    unknown = MINIMAL.replace('response = "5m"', 'response = "5m"\ntargets = { respond = "5m" }')
    message = refusal(tmp_path, unknown)
    assert "key severities[0].targets.respond" in message
    assert "known keys: acknowledge, detect, mitigate, resolve" in message
    zero = MINIMAL.replace('response = "5m"', 'response = "5m"\ntargets = { detect = "0s" }')
    assert "must be longer than zero" in refusal(tmp_path, zero)
    assert "must be a table, not a string" in refusal(
        tmp_path, MINIMAL.replace('response = "5m"', 'response = "5m"\ntargets = "fast"')
    )


def test_a_policy_may_add_the_legal_role_and_nothing_unknown(tmp_path):
    text = MINIMAL.replace('title = "Tiny policy"', 'title = "Tiny policy"\nroles = ["legal"]')
    policy = load_policy_file(write(tmp_path, text))
    assert policy.roles == ("legal",)
    assert parse_policy_text(policy_to_toml(policy), "again.toml") == policy
    said = refusal(
        tmp_path, MINIMAL.replace('title = "Tiny policy"', 'title = "T"\nroles = ["cfo"]')
    )
    assert "names the unknown role 'cfo' (known: legal)" in said and "key policy.roles[0]" in said
