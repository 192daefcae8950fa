"""Ingestion through the command line and the service: seeds, broken files, real Telegram posts."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from news.reading import parse_plain_text, read_article_file
from tests.conftest import SEEDS, SHARED


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(sql))


def test_seeds_ingest_once_then_duplicates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "x.sqlite3"
    assert main(["--db", str(db), "ingest", str(SEEDS)]) == 0
    assert "2 added, 0 duplicates" in capsys.readouterr().out
    rows = _rows(db, "SELECT lang, url, title, title_derived FROM articles ORDER BY lang")
    assert [r[0] for r in rows] == ["bg", "ru"]
    bg, ru = rows
    assert bg[1] is None and bg[3] == 1  # no headline line, no URL: title taken from the first sentence
    assert isinstance(ru[1], str) and ru[1].startswith("https://www.nur.kz/")
    assert ru[3] == 0 and "Опубликовано" not in str(ru[2])
    first_line = (SEEDS / "ru_nur_kz_kndr_military_aid.txt").read_text(encoding="utf-8").splitlines()[0]
    assert ru[2] == first_line.strip()

    assert main(["--db", str(db), "ingest", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    assert "0 added, 2 duplicates" in out
    assert out.count("duplicate ") == 2
    assert _rows(db, "SELECT COUNT(*) FROM articles") == [(2,)]


def test_noise_lines_kept_in_body_but_not_indexed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "x.sqlite3"
    assert main(["--db", str(db), "ingest", str(SEEDS)]) == 0
    for body, clean in _rows(db, "SELECT body, clean_text FROM articles"):
        assert isinstance(body, str) and isinstance(clean, str)
        assert len(clean) < len(body)
        for line in clean.splitlines():
            assert not line.startswith("Още:")
            assert "pic.twitter.com" not in line
            assert "(@" not in line
            assert "Подпиш" not in line
    passages = _rows(
        db,
        "SELECT p.text, a.clean_text, p.start, p.end FROM passages p JOIN articles a ON a.id = p.article_id",
    )
    assert passages and all(text == clean[start:end] for text, clean, start, end in passages)  # type: ignore[index]


def _broken_folder(root: Path) -> dict[str, str]:
    """Files that must be rejected, with a word the reason must contain."""
    root.mkdir()
    (root / "empty.txt").write_text("", encoding="utf-8")
    (root / "blank.txt").write_text("  \n\n \t\n", encoding="utf-8")
    (root / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (root / "huge.txt").write_text("Слово. " * 400_000, encoding="utf-8")
    (root / "garbage.txt").write_bytes(bytes([0x98, 0x81, 0x83]) * 300)
    (root / "bad.jsonl").write_text(
        json.dumps({"title": "Fine", "body": "A valid line about the harbour."})
        + "\n{not json\n"
        + json.dumps({"title": "No body"})
        + "\n",
        encoding="utf-8",
    )
    (root / "only_noise.txt").write_text("Подпишитесь на наш Telegram!\nОще: нещо\n", encoding="utf-8")
    return {
        "empty.txt": "empty",
        "blank.txt": "empty",
        "binary.txt": "binary",
        "huge.txt": "too large",
        "garbage.txt": "UTF-8",
        "bad.jsonl": "invalid JSON",
        "only_noise.txt": "no article text",
    }


def test_broken_files_are_reported_and_good_ones_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "in"
    expected = _broken_folder(folder)
    (folder / "cp1251.txt").write_bytes(
        "Министр заявил журналистам, что переговоры продолжатся в понедельник.".encode("cp1251")
    )
    db = tmp_path / "x.sqlite3"
    assert main(["--db", str(db), "ingest", str(folder)]) == 1
    out = capsys.readouterr().out
    rejected = [line for line in out.splitlines() if line.startswith("rejected ")]
    for name, reason in expected.items():
        assert any(name in line and reason in line for line in rejected), (name, reason, rejected)
    # bad.jsonl: one invalid line and one without body are two rejections; its good line is kept.
    assert sum("bad.jsonl" in line for line in rejected) == 2
    titles = {r[0] for r in _rows(db, "SELECT title FROM articles")}
    assert "Fine" in titles
    langs = _rows(db, "SELECT lang, clean_text FROM articles WHERE source LIKE '%cp1251.txt'")
    assert langs and langs[0][0] == "ru" and "переговоры" in str(langs[0][1])
    assert _rows(db, "SELECT COUNT(*) FROM events WHERE kind = 'ingest.rejected'") == [(len(rejected),)]


def test_missing_path_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "x.sqlite3"), "ingest", str(tmp_path / "nope")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_telegram_posts_ingest_without_loss(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = SHARED / "eval" / "telegram_ru_posts" / "raw"
    files = sorted(folder.glob("*.json"))[:4]
    posts = [p for f in files for p in json.loads(f.read_text(encoding="utf-8"))]
    with_text = sum(1 for p in posts if isinstance(p.get("text"), str) and p["text"].strip())
    db = tmp_path / "x.sqlite3"
    main(["--db", str(db), "ingest", "--quiet", *map(str, files)])
    out = capsys.readouterr().out
    summary = out.strip().splitlines()[-1]
    added, duplicates, rejected = (int(summary.split(" ")[i]) for i in (0, 2, 5))
    # Every post is accounted for: stored, a reported duplicate, or a reported rejection.
    assert added + duplicates + rejected == len(posts)
    assert rejected == len(posts) - with_text + sum(
        1 for p in posts if isinstance(p.get("text"), str) and p["text"].strip() and not _has_words(p["text"])
    )
    assert _rows(db, "SELECT COUNT(*) FROM articles") == [(added,)]


def _has_words(text: str) -> bool:
    from news.noise import strip_noise

    return bool(strip_noise(text).strip())


def test_markdown_and_source_line(tmp_path: Path) -> None:
    md = tmp_path / "a.md"
    md.write_text(
        "# Port plan\n\nThe **mayor** said [the plan](https://x.org) works.\n\nSource: https://x.org/p\n",
        encoding="utf-8",
    )
    reading = read_article_file(md, max_bytes=10_000, max_collection_bytes=10_000)
    (draft,) = reading.drafts
    assert draft.title == "Port plan"
    assert draft.url == "https://x.org/p"
    assert "**" not in draft.body and "the plan works" in draft.body


def test_headline_detection() -> None:
    assert (
        parse_plain_text("Short headline here\nBody sentence one. Two.", "s").title == "Short headline here"
    )
    assert parse_plain_text("A whole first sentence ends here.\nMore.", "s").title is None
    assert parse_plain_text("One line only", "s").title is None
