"""Snapshots of the severity matrix at 120x40 with a frozen clock, in English and Korean."""

from __future__ import annotations

from tests.ui.helpers import make_app

SIZE = (120, 40)


def test_matrix_web_service_en(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, lang="en"), terminal_size=SIZE)


def test_matrix_ai_ops_ko(snap_compare, tmp_path):
    app = make_app(tmp_path, lang="ko", policy="ai-ops")
    assert snap_compare(app, terminal_size=SIZE, press=["down", "down", "right"])


def test_matrix_ai_ops_ja(snap_compare, tmp_path):
    app = make_app(tmp_path, lang="ja", policy="ai-ops")
    assert snap_compare(app, terminal_size=SIZE, press=["right", "right", "right"])


def test_matrix_web_service_ko(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, lang="ko"), terminal_size=SIZE)
