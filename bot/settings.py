"""Configuration from the environment and `.env`, validated once at start."""

from __future__ import annotations

import zoneinfo
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class SettingsError(Exception):
    """A setting has a wrong value; the message names the variable and says what to do."""


class Settings(BaseSettings):
    """Every setting the bot reads. `.env.example` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    database_path: Path = Path("./data/newsbot.sqlite3")
    timezone: str = "UTC"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    # Telegram transport
    telegram_api_base_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)

    # Asking
    question_max_chars: int = Field(default=1000, ge=10, le=4000)
    questions_per_minute: int = Field(default=6, ge=1, le=1000)
    answers_per_page: int = Field(default=3, ge=1, le=10)

    # Ingestion
    max_article_bytes: int = Field(default=2_000_000, ge=1000)

    # Sources and digests
    poll_interval_default_seconds: int = Field(default=600, ge=1)
    poll_interval_min_seconds: int = Field(default=60, ge=1)
    poll_interval_max_seconds: int = Field(default=86_400, ge=1)
    sources_allow_private: bool = False
    fetch_timeout_seconds: float = Field(default=20.0, gt=0)
    fetch_max_bytes: int = Field(default=5_000_000, ge=1000)
    source_max_failures: int = Field(default=8, ge=1)

    # Delivery limits (Telegram's published guidance)
    send_rate_global_per_second: float = Field(default=30.0, gt=0)
    send_rate_private_per_second: float = Field(default=1.0, gt=0)
    send_rate_group_per_minute: float = Field(default=20.0, gt=0)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError("expected numeric Telegram user ids separated by commas") from None
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as Europe/Sofia or UTC") from None
        return value

    @field_validator("bot_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value


def load_settings(**overrides: object) -> Settings:
    """Read settings; on a wrong value raise SettingsError with one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first.get("loc") else "settings"
        message = first.get("msg", "invalid value").removeprefix("Value error, ")
        raise SettingsError(
            f"{name}: {message}. Fix it in the environment or in .env (see .env.example)."
        ) from None
