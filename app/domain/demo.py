"""A year of made-up but realistic incident history, for `storycart demo` (a newcomer sees the
metrics screen full) and for the benchmarks: a few SEV-1s and many SEV-3/4s, durations drawn
from skewed (log-normal) distributions the way real ones are, now and then the same failure
again within weeks, and postmortems whose follow-ups are partly done and partly overdue.
Deterministic for a given seed."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# (severity, share of incidents, median minutes to: detect, acknowledge, mitigate, resolve)
PROFILE = (
    ("SEV-1", 0.05, 3, 4, 25, 55),
    ("SEV-2", 0.15, 6, 10, 60, 150),
    ("SEV-3", 0.40, 15, 40, 240, 600),
    ("SEV-4", 0.40, 60, 300, 1200, 2880),
)
SPREAD = 0.8  # sigma of the log-normal: the long tail real incident durations have

TITLES = {
    "en": (
        "Checkout API returns 5xx",
        "Login slow for mobile users",
        "Search index lagging",
        "Payment webhook retries piling up",
        "Image uploads failing",
        "Certificate expired on the API gateway",
        "Email notifications delayed",
        "Database connection pool exhausted",
        "Recommendations show stale items",
        "CDN cache misses after deploy",
    ),
    "ko": (
        "결제 API 5xx 오류",
        "모바일 로그인 지연",
        "검색 색인 지연",
        "결제 웹훅 재시도 적체",
        "이미지 업로드 실패",
        "API 게이트웨이 인증서 만료",
        "이메일 알림 지연",
        "DB 커넥션 풀 고갈",
        "추천 목록이 오래된 항목 표시",
        "배포 후 CDN 캐시 미스",
    ),
    "ja": (
        "決済APIが5xxを返す",
        "モバイルのログインが遅い",
        "検索インデックスの遅延",
        "決済Webhookの再試行が滞留",
        "画像アップロードの失敗",
        "APIゲートウェイの証明書期限切れ",
        "メール通知の遅延",
        "DBコネクションプールの枯渇",
        "おすすめに古い項目が表示される",
        "デプロイ後のCDNキャッシュミス",
    ),
}
ACTIONS = {
    "en": ("Add an alert for it", "Write the runbook", "Automate the fix", "Load test it"),
    "ko": ("알람 추가", "런북 작성", "수정 자동화", "부하 테스트"),
    "ja": ("アラートを追加", "ランブックを書く", "修正を自動化", "負荷試験"),
}
# The status update each mitigated incident gets, as its responder would have written it.
MITIGATION = {"en": "rolled back", "ko": "롤백함", "ja": "ロールバックした"}
OWNERS = ("민지", "はると", "Sam", "Ana", "지훈", "さくら")
# Where it happened: the same failure in another place is another incident, not a recurrence.
PLACES = ("seoul", "tokyo", "us-east", "eu-west", "web", "mobile", "batch", "api")


@dataclass(frozen=True)
class DemoAction:
    title: str
    owner: str
    due: date
    done: bool


@dataclass(frozen=True)
class DemoIncident:
    title: str
    severity: str
    started_at: datetime
    detected_at: datetime
    declared_at: datetime
    acknowledged_at: datetime | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    actions: tuple[DemoAction, ...] = ()


def _minutes(rng: random.Random, median: float) -> float:
    return median * math.exp(rng.gauss(0, SPREAD))


def demo_history(count: int, now: datetime, lang: str = "en", seed: int = 7) -> list[DemoIncident]:
    """`count` incidents declared over the year before `now`, oldest first; the last few still
    open. Every time is before `now`."""
    rng = random.Random(seed)
    titles, actions = TITLES.get(lang, TITLES["en"]), ACTIONS.get(lang, ACTIONS["en"])
    weights = [share for _s, share, *_ in PROFILE]
    history = []
    span = timedelta(days=365).total_seconds()
    moments = sorted(rng.uniform(0, span) for _ in range(count))
    for seconds in moments:
        severity, _share, detect, ack, mitigate, resolve = rng.choices(PROFILE, weights)[0]
        declared = now - timedelta(seconds=span - seconds)
        detected = declared - timedelta(minutes=_minutes(rng, detect) / 3)
        started = detected - timedelta(minutes=_minutes(rng, detect))
        acknowledged = declared + timedelta(minutes=_minutes(rng, ack))
        mitigated = started + timedelta(minutes=_minutes(rng, mitigate))
        resolved = max(mitigated, acknowledged) + timedelta(minutes=_minutes(rng, resolve) / 2)
        if rng.random() < 0.08:
            acknowledged = None  # resolved before anyone acknowledged it
        times = [t if t is None or t < now else None for t in (acknowledged, mitigated, resolved)]
        acknowledged, mitigated, resolved = times
        todo = ()
        if resolved is not None and severity in ("SEV-1", "SEV-2"):
            todo = tuple(
                DemoAction(
                    title=rng.choice(actions),
                    owner=rng.choice(OWNERS),
                    due=(resolved + timedelta(days=rng.randint(7, 45))).date(),
                    done=rng.random() < 0.7,
                )
                for _ in range(rng.randint(1, 3))
            )
        history.append(
            DemoIncident(
                title=f"{rng.choice(titles)} ({rng.choice(PLACES)})",
                severity=severity,
                started_at=started,
                detected_at=detected,
                declared_at=declared,
                acknowledged_at=acknowledged,
                mitigated_at=mitigated,
                resolved_at=resolved,
                actions=todo,
            )
        )
    return history
