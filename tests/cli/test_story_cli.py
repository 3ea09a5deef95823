"""`storycart story ...`, `export json` and `import` of the library, as real processes."""

from __future__ import annotations

import json
import subprocess
import sys

STORYCART = [sys.executable, "-m", "app.cli"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*STORYCART, *args], capture_output=True, text=True, timeout=60)


def test_list_search_show_and_week_in_three_languages(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'cart.db'}"]
    listing = json.loads(run("story", "list", "--json", "--lang", "ko", *db).stdout)
    assert len(listing) == 6 and all(s["lang"] == "ko" and s["example"] for s in listing)
    found = run("story", "search", "인증서", "--lang", "ko", *db).stdout
    assert "주인 없는 인증서" in found
    two_characters = json.loads(
        run("story", "search", "障害", "--json", "--lang", "ja", *db).stdout
    )
    assert two_characters and all(
        "障害" in run("story", "show", s["key"], "--json", *db).stdout for s in two_characters
    )
    shown = run(
        "story", "show", "starter-orphan-certificate/ja", "--lens", "support", "--lang", "ja", *db
    )
    assert shown.returncode == 0
    assert "サポート" in shown.stdout and "カードを3枚も試しました" in shown.stdout
    assert "何が起きたか" not in shown.stdout  # only the lens asked for
    whole = run("story", "show", "starter-orphan-certificate/en", "--lang", "en", *db).stdout
    assert "Closing the loop" in whole and "[done] Automate certificate renewal" in whole
    week = json.loads(run("story", "week", "--json", "--lang", "en", *db).stdout)
    assert week["story"]["lang"] == "en" and week["rotates_at"] and week["reason"] == "rotation"
    missing = run("story", "show", "nope", *db)
    assert missing.returncode == 1 and missing.stderr == "storycart: There is no story 'nope'.\n"


def test_library_json_round_trip_and_a_broken_file_changes_nothing(tmp_path):
    first = ["--db", f"sqlite:///{tmp_path / 'a.db'}"]
    second = ["--db", f"sqlite:///{tmp_path / 'b.db'}"]
    assert (
        run("story", "nominate", "starter-sale-pool/ko", "세일 전에 꼭 읽기", *first).returncode
        == 0
    )
    exported = tmp_path / "library.json"
    assert run("export", "json", "-o", str(exported), *first).returncode == 0
    imported = run("import", str(exported), *second)
    assert imported.returncode == 0, imported.stderr
    assert "18 stories" in imported.stdout and "1 nomination," in imported.stdout
    again = tmp_path / "again.json"
    run("export", "json", "-o", str(again), *second)
    assert json.loads(again.read_text("utf-8")) == json.loads(exported.read_text("utf-8"))

    broken = json.loads(exported.read_text("utf-8"))
    broken["stories"][3]["occurred_on"] = "어제"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken, ensure_ascii=False), "utf-8")
    refused = run("import", str(bad), *second)
    assert refused.returncode == 1
    assert refused.stderr == (
        f"storycart: {bad}: Story 4: The date '어제' is not a date like 2026-11-24. "
        "Nothing was changed.\n"
    )
    truncated = tmp_path / "cut.json"
    truncated.write_text(exported.read_text("utf-8")[:500], "utf-8")
    cut = run("import", str(truncated), *second)
    assert cut.returncode == 1 and "not valid JSON" in cut.stderr and "line" in cut.stderr
    run("export", "json", "-o", str(again), *second)
    assert json.loads(again.read_text("utf-8")) == json.loads(exported.read_text("utf-8"))


def test_human_output_follows_lang(tmp_path):
    first = ["--db", f"sqlite:///{tmp_path / 'a.db'}"]
    listing = run("story", "list", "--lang", "ko", *first)
    assert listing.stdout.splitlines()[0].endswith("건강해 보였던 카나리 (예시)")
    assert listing.stderr == f"storycart: {tmp_path / 'a.db'}에 새 데이터베이스를 만들었습니다\n"
    assert run("story", "search", "없는말", "--lang", "ja", *first).stdout == (
        "'없는말' を含むストーリーはありません\n"
    )
    exported = tmp_path / "library.json"
    assert run("export", "json", "-o", str(exported), "--lang", "ko", *first).stdout == (
        f"{exported}에 썼습니다\n"
    )
    imported = run(
        "import", str(exported), "--lang", "ko", "--db", f"sqlite:///{tmp_path / 'b.db'}"
    )
    assert imported.stdout.startswith("가져왔습니다: 스토리 18편, ")
    assert "stories" not in imported.stdout


def test_diagrams_attached_listed_printed_and_removed_from_the_command_line(tmp_path):
    from pypdf import PdfReader

    from tests.diagram_files import TEXT_DIAGRAM, picture

    db = ["--db", f"sqlite:///{tmp_path / 'cart.db'}"]
    key = "starter-sale-pool/ko"
    (tmp_path / "flow.txt").write_text(TEXT_DIAGRAM + "\n", encoding="utf-8")
    (tmp_path / "map.png").write_bytes(picture())
    (tmp_path / "map.gif").write_bytes(b"GIF89a....")
    text = run("story", "diagram", key, "--text", str(tmp_path / "flow.txt"), "--lang", "ko", *db)
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines() == ["1.", *TEXT_DIAGRAM.splitlines()]
    image = run(
        "story", "diagram", key, "--image", str(tmp_path / "map.png"),
        "--caption", "지도", "--lang", "ko", *db,
    )  # fmt: skip
    assert image.stdout.splitlines()[-2:] == ["2. PNG 이미지 map.png, 300×150 픽셀", "   지도"]
    refused = run("story", "diagram", key, "--image", str(tmp_path / "map.gif"), *db)
    assert refused.returncode == 1
    assert refused.stderr == "storycart: map.gif is not a PNG, JPEG or SVG image.\n"
    missing = run("story", "diagram", key, "--text", str(tmp_path / "nope.txt"), *db)
    assert missing.stderr == f"storycart: There is no file {tmp_path / 'nope.txt'}.\n"
    listed = json.loads(run("story", "diagram", key, "--json", *db).stdout)
    assert [(d["kind"], d["caption"]) for d in listed] == [("text", ""), ("PNG", "지도")]
    assert "image" not in listed[1]  # the list names images, it does not print them

    shown = run("story", "show", key, "--lang", "ko", *db).stdout
    assert "다이어그램" in shown and TEXT_DIAGRAM in shown
    sheet = tmp_path / "sheet.pdf"
    assert run("export", "story", key, "-o", str(sheet), *db).returncode == 0
    assert len(PdfReader(sheet).pages[0].images) == 1

    removed = run("story", "diagram", key, "--remove", "1", "--json", *db)
    assert [d["kind"] for d in json.loads(removed.stdout)] == ["PNG"]
    gone = run("story", "diagram", key, "--remove", "5", *db)
    assert gone.returncode == 1 and gone.stderr == "storycart: The story has no diagram 5.\n"
