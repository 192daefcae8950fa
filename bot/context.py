"""The typed context handlers receive: `context.services`, `context.chats`, `context.runtime`.

`build_application` passes `ContextTypes(context=BotContext, bot_data=BotData)`; `post_init` fills
`BotData` once. Handlers never read string keys out of `bot_data`.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.render import CallbackCodec
from bot.services import Services
from bot.settings import Settings
from news.articles import ArticleDraft
from news.ports import AnswerEngine
from news.sources import SourceService
from storage.chats import (
    SqliteAskedQuestions,
    SqliteAuditLog,
    SqliteChatRepository,
    SqliteSubscriptionRepository,
    SqliteUserRepository,
)


@dataclass(frozen=True, slots=True)
class ChatServices:
    """The bot's own repositories, on the same database as `Services`."""

    chats: SqliteChatRepository
    users: SqliteUserRepository
    subscriptions: SqliteSubscriptionRepository
    audit: SqliteAuditLog
    asked: SqliteAskedQuestions

    @classmethod
    def on(cls, services: Services) -> ChatServices:
        """Repositories over the services' database and clock."""
        db, clock = services.db, services.clock
        return cls(
            chats=SqliteChatRepository(db, clock),
            users=SqliteUserRepository(db, clock),
            subscriptions=SqliteSubscriptionRepository(db, clock),
            audit=SqliteAuditLog(db, clock),
            asked=SqliteAskedQuestions(db, clock),
        )


class RateLimiter:
    """A sliding one-minute window per user: `check(user)` returns 0 when allowed, else seconds to wait."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_minute = per_minute
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}

    def check(self, user_id: int) -> int:
        """Count one request by the user when allowed (return 0); otherwise the seconds until allowed."""
        now = self._clock()
        hits = self._hits.setdefault(user_id, deque())
        while hits and now - hits[0] >= 60:
            hits.popleft()
        if len(hits) >= self._per_minute:
            return max(1, int(60 - (now - hits[0])) + 1)
        hits.append(now)
        if len(self._hits) > 10_000:  # forget idle users
            for uid in [u for u, h in self._hits.items() if not h or now - h[-1] >= 60]:
                del self._hits[uid]
        return 0


@dataclass(slots=True)
class Runtime:
    """Per-process state that is not a service: the callback codec, the rate limiter."""

    settings: Settings
    codec: CallbackCodec
    limiter: RateLimiter
    admin_ids: frozenset[int]


@dataclass(slots=True)
class BotData:
    """The application's `bot_data`: typed, filled by `post_init`."""

    runtime: Runtime | None = None
    services: Services | None = None
    chats: ChatServices | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """CallbackContext with typed access to services."""

    @property
    def services(self) -> Services:
        """The shared services (database, articles, ingest, engine)."""
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are not open (post_init has not run)")
        return services

    @property
    def chats(self) -> ChatServices:
        """The bot's repositories (chats, users, subscriptions, audit, asked questions)."""
        chats = self.bot_data.chats
        if chats is None:
            raise RuntimeError("services are not open (post_init has not run)")
        return chats

    @property
    def runtime(self) -> Runtime:
        """Codec, rate limiter, settings."""
        runtime = self.bot_data.runtime
        if runtime is None:
            raise RuntimeError("runtime is not set (build_application has not run)")
        return runtime

    @property
    def engine(self) -> AnswerEngine:
        """The answer engine."""
        return self.services.engine

    @property
    def sources(self) -> SourceService:
        """The coverage watch's sources: validated add (private addresses refused), list, OPML."""
        return self.services.coverage.sources

    @property
    def fetch_article(self) -> Callable[[str], Awaitable[ArticleDraft]]:
        """Fetch one web page as an article draft (same address rules, size limit and timeout as
        sources); raises `news.sources.SourceError` with the reason."""
        return self.services.coverage.sources.fetch_article


BotApplication = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], BotData, Any]
