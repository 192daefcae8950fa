"""Settings: defaults, parsing, and one clear line per wrong value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def _no_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_defaults_need_no_environment() -> None:
    settings = load_settings()
    assert settings.bot_token is None
    assert settings.database_path == Path("data/newsbot.sqlite3")
    assert settings.admin_ids == frozenset()


def test_admin_ids_accept_commas_and_spaces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "12, 34 56")
    assert load_settings().admin_ids == frozenset({12, 34, 56})


def test_token_is_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi")
    settings = load_settings()
    assert "ABCDEF" not in repr(settings)
    assert settings.bot_token is not None


@pytest.mark.parametrize(
    ("name", "value"),
    [("ADMIN_IDS", "alice"), ("TIMEZONE", "Mars/Olympus"), ("LOG_LEVEL", "LOUD"), ("WEBHOOK_PORT", "http")],
)
def test_wrong_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(f"{name}:")
    assert "\n" not in message and ".env" in message


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TIMEZONE=Europe/Sofia\n", encoding="utf-8")
    assert load_settings().timezone == "Europe/Sofia"


def test_cli_reports_a_bad_setting_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TIMEZONE", "Nowhere/Land")
    assert main(["articles"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: TIMEZONE:")
    assert "Traceback" not in err and len(err.splitlines()) == 1
