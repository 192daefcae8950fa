"""The command-line contract of ask, search and alias (issue 3 item 5), run as `python -m bot` would be."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests._engine_fixtures import SEEDS


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.sqlite3"
    assert main(["--db", str(path), "ingest", "--quiet", str(SEEDS)]) == 0
    return path


def _run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--db", str(db), *args])
    return code, capsys.readouterr().out


def test_ask_json_contract(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(db, capsys, "ask", "--json", "--limit", "3", "what did Lavrov say?")
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"question", "intent", "speaker", "answers"}
    assert data["intent"] == "quotes"
    assert set(data["speaker"]) == {"name", "aliases"}
    assert 1 <= len(data["answers"]) <= 3
    item = data["answers"][0]
    assert set(item) == {"kind", "speaker", "text", "attribution", "article", "also_in", "score"}
    assert set(item["article"]) == {"id", "title", "url", "source", "lang", "published"}
    assert Path(item["article"]["source"]).name.endswith(".txt")


def test_ask_batch_and_human_output(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO('Что сказал Лавров?\n\nNEAR("*" AND\n'))
    code, out = _run(db, capsys, "ask", "--batch")
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 3
    assert lines[0]["intent"] == "quotes" and lines[1]["intent"] == "none" and lines[2]["intent"] == "none"
    code, out = _run(db, capsys, "ask", "Какво каза Лавров?")
    assert code == 0 and "Лавров" in out and "—" in out


def test_search_limit_zero_and_batch(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = _run(db, capsys, "search", "--json", "--limit", "0", "Lavrov")
    data = json.loads(out)
    assert data["query"] == "Lavrov" and len(data["articles"]) == 2
    assert all(a["matched"] for a in data["articles"])
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("Лавровым\nPyongyang NEAR\nZelenskyy\n"))
    code, out = _run(db, capsys, "search", "--json", "--batch", "--limit", "0")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines[0]["articles"]) == 2
    assert len(lines) == 3 and len(lines[2]["articles"]) == 1  # Зеленски, in the Bulgarian article


def test_alias_commands(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(db, capsys, "alias", "add", "Choe Son Hui", "Цой Сон Хи")
    assert code == 0 and "Цой Сон Хи" in out
    code, out = _run(db, capsys, "alias", "list")
    assert "Цой Сон Хи" in out and "admin" in out
    code, out = _run(db, capsys, "ask", "--json", "what did Choe Son Hui say?")
    assert {a["article"]["lang"] for a in json.loads(out)["answers"]} == {"ru", "bg"}
    code, out = _run(db, capsys, "alias", "remove", "Цой Сон Хи")
    assert code == 0


@pytest.mark.parametrize("command", ["ask", "search", "alias", "reindex"])
def test_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert command in capsys.readouterr().out
