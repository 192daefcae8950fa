"""Shared fixtures: real SQLite files in a temporary folder, the shared data folder, a fixed clock."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from news.clock import FixedClock

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "corpus" / "seeds"

# Tests must never read a developer's .env or environment by accident.
for _name in list(os.environ):
    if _name in {
        "BOT_TOKEN",
        "ADMIN_IDS",
        "DATABASE_PATH",
        "TIMEZONE",
        "LOG_LEVEL",
        "WEBHOOK_URL",
        "TELEGRAM_API_BASE_URL",
        "SOURCES_ALLOW_PRIVATE",
    }:
        del os.environ[_name]


@pytest.fixture
def clock() -> FixedClock:
    """A clock frozen at a known instant."""
    return FixedClock(datetime(2024, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh database file path."""
    return tmp_path / "news.sqlite3"


@pytest.fixture
async def services(
    db_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[object]:
    """Services over a fresh database file."""
    from bot.services import open_services
    from bot.settings import Settings

    monkeypatch.chdir(db_path.parent)  # no stray .env is read
    settings = Settings(database_path=db_path, _env_file=None)  # type: ignore[call-arg]
    async with open_services(settings, clock=clock) as svc:
        yield svc


@pytest.fixture(autouse=True)
def _restore_root_logging() -> object:
    """Commands under test install their own log handlers; put the root logger back afterwards so a
    handler bound to a closed capture stream never outlives its test."""
    import logging

    root = logging.getLogger()
    handlers, level, filters = list(root.handlers), root.level, list(root.filters)
    yield None
    root.handlers[:] = handlers
    root.setLevel(level)
    root.filters[:] = filters
