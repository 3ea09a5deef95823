"""Every figure, example and recipient of DESIGN.md §4 is in the built-in policies,
in Korean, Japanese and English."""

from __future__ import annotations

import pytest

from app.domain.durations import parse_duration as d
from app.domain.policy.document import policy_to_toml
from app.domain.policy.model import LocalText, Policy
from app.domain.policy.parse import parse_policy_text
from app.services.policy_set import load_policies, policy_sources

POLICIES = load_policies(policy_sources(None))


def ko(items) -> list[str]:
    return [item.get("ko") for item in items]


def all_texts(policy: Policy):
    for severity in policy.severities:
        yield severity.name
        yield from severity.definition
        yield from (t for t in (severity.impact, severity.postmortem_note) if t)
        for step in severity.ladder:
            yield from step.notify
            if step.note:
                yield step.note
    for incident_type in policy.types:
        yield incident_type.name
        if incident_type.description:
            yield incident_type.description
        for m in incident_type.mitigations:
            yield from (m.situation, m.temporary, m.permanent)
    for cell in policy.cells:
        yield from cell.examples
    yield policy.title


def test_both_builtins_load_without_problems():
    assert POLICIES.problems == []
    assert set(POLICIES.names()) == {"web-service", "ai-ops"}


@pytest.mark.parametrize("name", ["web-service", "ai-ops"])
def test_every_text_is_in_korean_japanese_and_english(name):
    for text in all_texts(POLICIES.get(name)):
        assert isinstance(text, LocalText)
        assert text.languages() == {"en", "ko", "ja"}, text


@pytest.mark.parametrize("name", ["web-service", "ai-ops"])
def test_export_loads_back_equal(name):
    policy = POLICIES.get(name)
    assert parse_policy_text(policy_to_toml(policy), "exported.toml") == policy


def test_web_service_targets_from_seed_003():
    policy = POLICIES.get("web-service")
    assert [s.key for s in policy.severities] == ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
    assert [s.response_s for s in policy.severities] == [0, d("15m"), d("1h"), d("24h")]
    assert [s.resolution_s for s in policy.severities] == [d("1h"), d("4h"), d("24h"), d("1w")]
    assert {s.update_every_s for s in policy.severities} == {d("15m")}
    assert [s.postmortem_due_s for s in policy.severities[:2]] == [d("2d"), d("2d")]
    assert ko(policy.severity("SEV-1").definition) == [
        "서비스 완전 다운",
        "데이터 손실/유출",
        "모든 사용자 영향",
    ]


def test_web_service_examples_from_seed_003():
    policy = POLICIES.get("web-service")
    examples = {c.severity_key: ko(c.examples) for c in policy.cells}
    assert examples == {
        "SEV-1": ["웹사이트 접속 불가", "데이터베이스 장애"],
        "SEV-2": ["이미지 내보내기 실패", "테마 변경 불가"],
        "SEV-3": ["특정 브라우저에서 스타일 깨짐", "느린 로딩"],
        "SEV-4": ["오타", "마이너 UI 버그"],
    }


def test_web_service_ladder_l1_to_l4():
    sev1 = POLICIES.get("web-service").severity("SEV-1")
    ladder = [(step.after_s, ko(step.notify), step.unless) for step in sev1.ladder]
    assert ladder == [
        (0, ["L1 온콜 엔지니어"], ()),
        (0, ["L3 엔지니어링 매니저"], ()),  # "or SEV-1"
        (d("15m"), ["L2 테크 리드"], ("acknowledged",)),
        (d("1h"), ["L4 CTO / 경영진"], ("resolved",)),
    ]
    sev2 = POLICIES.get("web-service").severity("SEV-2")
    assert [(s.after_s, ko(s.notify)[0][:2]) for s in sev2.ladder] == [
        (0, "L1"),
        (d("15m"), "L2"),
        (d("30m"), "L3"),
        (d("1h"), "L4"),
    ]


def test_ai_ops_matrix_from_seed_001():
    policy = POLICIES.get("ai-ops")
    assert [s.key for s in policy.severities] == ["P0", "P1", "P2", "P3"]
    assert [t.key for t in policy.types] == [
        "data",
        "model",
        "security",
        "regulatory",
        "operational",
    ]
    assert len(policy.cells) == 20
    grid = {(c.type_key, c.severity_key): c.examples[0].get("ko") for c in policy.cells}
    assert grid[("data", "P0")] == "대량 개인정보 유출"
    assert grid[("model", "P1")] == "성능 30% 이상 저하"
    assert grid[("security", "P2")] == "의심스러운 접근 시도"
    assert grid[("regulatory", "P3")] == "정책 업데이트 필요"
    assert grid[("operational", "P0")] == "전면 서비스 중단"


def test_ai_ops_targets_and_escalations_from_seed_001():
    policy = POLICIES.get("ai-ops")
    assert [s.response_s for s in policy.severities] == [d("15m"), d("1h"), d("4h"), d("24h")]
    assert {s.update_every_s for s in policy.severities} == {d("1h")}
    assert {s.postmortem_due_s for s in policy.severities} == {d("48h")}
    assert [ko(s.first_notify) for s in policy.severities] == [
        ["CISO", "법무", "CEO"],
        ["거버넌스 위원회", "제품 리더"],
        ["팀 리더"],
        ["담당 엔지니어"],
    ]
    later = {s.key: [(st.after_s, ko(st.notify)) for st in s.ladder[1:]] for s in policy.severities}
    assert later == {
        "P0": [(d("1h"), ["보드 멤버"]), (d("4h"), ["전체 경영진"])],
        "P1": [(d("1h"), ["CISO"]), (d("4h"), ["CEO"])],
        "P2": [(d("1h"), ["거버넌스 위원회"])],
        "P3": [(d("1h"), ["팀 리더"])],
    }


def test_ai_ops_regulatory_report_and_mitigations():
    policy = POLICIES.get("ai-ops")
    reports = {t.key: t.regulatory_report_s for t in policy.types}
    assert reports == {
        "data": d("72h"),
        "security": d("72h"),
        "regulatory": None,
        "model": None,
        "operational": None,
    }
    model = policy.incident_type("model")
    assert [(m.temporary.get("ko"), m.permanent.get("ko")) for m in model.mitigations] == [
        ("이전 버전으로 롤백", "재학습 또는 하이퍼파라미터 튜닝"),
        ("해당 그룹에 대한 모델 비활성화", "공정성 메트릭 기반 재학습"),
    ]
