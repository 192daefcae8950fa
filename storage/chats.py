"""Chats, users, subscriptions, the admin audit trail and bot statistics in SQLite (sources: news/sources.py).

Each repository sits behind a small Protocol so handlers and tests depend on behaviour, not SQL.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Literal, Protocol

from news.clock import Clock, to_iso
from storage.db import Database

DigestMode = Literal["now", "hourly", "daily", "off"]
SubscriptionKind = Literal["entity", "keyword"]


@dataclass(frozen=True, slots=True)
class Chat:
    """A chat the bot talks in, with its preferences."""

    id: int
    type: str
    title: str | None
    lang: str | None
    timezone: str | None
    digest_mode: DigestMode
    digest_time: str | None
    active: bool
    last_digest_at: str | None
    created_at: str


@dataclass(frozen=True, slots=True)
class Subscription:
    """What a chat follows: a known entity, or a keyword."""

    id: int
    chat_id: int
    kind: SubscriptionKind
    entity_id: int | None
    query: str
    excludes: str
    created_at: str


@dataclass(frozen=True, slots=True)
class BotStats:
    """Counts for /stats."""

    articles: int
    quotes: int | None
    people: int | None
    chats: int
    active_chats: int
    subscriptions: int
    deliveries: int | None
    last_errors: tuple[tuple[str, str, str], ...]  # (at, kind, message)
    pending_deliveries: int | None = None
    sources: int = 0
    disabled_sources: tuple[tuple[str, str], ...] = ()  # (url, last error)


class ChatRepository(Protocol):
    """Chats and their preferences."""

    async def ensure(self, chat_id: int, chat_type: str, title: str | None) -> Chat:
        """The chat, created when first seen, reactivated when it was inactive."""
        ...

    async def get(self, chat_id: int) -> Chat | None:
        """One chat, or None."""
        ...

    async def set_lang(self, chat_id: int, lang: str | None) -> None:
        """Set (or clear, with None) the chat's language."""
        ...

    async def set_timezone(self, chat_id: int, tz: str) -> None:
        """Set the chat's time zone."""
        ...

    async def set_digest(self, chat_id: int, mode: DigestMode, at: str | None) -> None:
        """Set the digest mode (and the HH:MM time for daily)."""
        ...

    async def set_active(self, chat_id: int, active: bool) -> None:
        """Mark a chat active or inactive."""
        ...

    async def active_ids(self) -> list[int]:
        """Ids of every active chat."""
        ...


class UserRepository(Protocol):
    """Users the bot has seen, and bans."""

    async def seen(self, user_id: int) -> bool:
        """Record the user; returns True when the user is banned."""
        ...

    async def set_banned(self, user_id: int, banned: bool) -> None:
        """Ban or unban."""
        ...


class SubscriptionRepository(Protocol):
    """Subscriptions of chats."""

    async def add(
        self, chat_id: int, kind: SubscriptionKind, query: str, entity_id: int | None, excludes: str = ""
    ) -> tuple[Subscription, bool]:
        """Add; returns the subscription and whether it is new."""
        ...

    async def list_for_chat(self, chat_id: int) -> list[Subscription]:
        """The chat's subscriptions, oldest first."""
        ...

    async def remove(self, chat_id: int, subscription_id: int) -> Subscription | None:
        """Remove one of the chat's subscriptions; returns what was removed, or None."""
        ...


class AuditLog(Protocol):
    """Admin actions."""

    async def record(self, admin_id: int, action: str, detail: str = "") -> None:
        """Record one admin action."""
        ...


class SqliteChatRepository:
    """ChatRepository on the chats table."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def ensure(self, chat_id: int, chat_type: str, title: str | None) -> Chat:
        """The chat, created when first seen, reactivated when it was inactive."""
        await self._db.execute(
            "INSERT INTO chats(id, type, title, created_at) VALUES (?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET type = excluded.type, title = excluded.title, active = 1",
            (chat_id, chat_type, title, to_iso(self._clock.now())),
        )
        chat = await self.get(chat_id)
        assert chat is not None
        return chat

    async def get(self, chat_id: int) -> Chat | None:
        """One chat, or None."""
        row = await self._db.fetchone("SELECT * FROM chats WHERE id = ?", (chat_id,))
        if row is None:
            return None
        return Chat(
            id=row["id"],
            type=row["type"],
            title=row["title"],
            lang=row["lang"],
            timezone=row["timezone"],
            digest_mode=row["digest_mode"],
            digest_time=row["digest_time"],
            active=bool(row["active"]),
            last_digest_at=row["last_digest_at"],
            created_at=row["created_at"],
        )

    async def set_lang(self, chat_id: int, lang: str | None) -> None:
        """Set (or clear, with None) the chat's language."""
        await self._db.execute("UPDATE chats SET lang = ? WHERE id = ?", (lang, chat_id))

    async def set_timezone(self, chat_id: int, tz: str) -> None:
        """Set the chat's time zone."""
        await self._db.execute("UPDATE chats SET timezone = ? WHERE id = ?", (tz, chat_id))

    async def set_digest(self, chat_id: int, mode: DigestMode, at: str | None) -> None:
        """Set the digest mode (and the HH:MM time for daily)."""
        await self._db.execute(
            "UPDATE chats SET digest_mode = ?, digest_time = ? WHERE id = ?", (mode, at, chat_id)
        )

    async def set_active(self, chat_id: int, active: bool) -> None:
        """Mark a chat active, or inactive (blocked, kicked): inactive chats get no broadcasts or digests."""
        await self._db.execute("UPDATE chats SET active = ? WHERE id = ?", (int(active), chat_id))

    async def deactivate(self, chat_id: int) -> None:
        """The bot was blocked or removed (the delivery sender's ChatDirectory)."""
        await self.set_active(chat_id, False)

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: move the chat's settings and subscriptions to the new id."""
        async with self._db.atomic() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO chats(id, type, title, lang, timezone, digest_mode, digest_time,"
                " active, last_digest_at, created_at) SELECT ?, 'supergroup', title, lang, timezone,"
                " digest_mode, digest_time, 1, last_digest_at, created_at FROM chats WHERE id = ?",
                (new_chat_id, old_chat_id),
            )
            await conn.execute(
                "UPDATE OR IGNORE subscriptions SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id)
            )
            await conn.execute("DELETE FROM chats WHERE id = ?", (old_chat_id,))

    async def active_ids(self) -> list[int]:
        """Ids of every active chat."""
        rows = await self._db.fetchall("SELECT id FROM chats WHERE active = 1 ORDER BY id")
        return [int(r[0]) for r in rows]


class SqliteUserRepository:
    """UserRepository on the users table."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def seen(self, user_id: int) -> bool:
        """Record the user (first time only); returns True when the user is banned."""
        banned = await self._db.scalar("SELECT banned FROM users WHERE id = ?", (user_id,))
        if banned is None:
            await self._db.execute(
                "INSERT OR IGNORE INTO users(id, first_seen) VALUES (?, ?)",
                (user_id, to_iso(self._clock.now())),
            )
            return False
        return bool(banned)

    async def set_banned(self, user_id: int, banned: bool) -> None:
        """Ban or unban (creating the user row when unknown)."""
        await self._db.execute(
            "INSERT INTO users(id, banned, first_seen) VALUES (?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET banned = excluded.banned",
            (user_id, int(banned), to_iso(self._clock.now())),
        )


def _subscription(r: sqlite3.Row) -> Subscription:
    return Subscription(
        id=r["id"],
        chat_id=r["chat_id"],
        kind=r["kind"],
        entity_id=r["entity_id"],
        query=r["query"],
        excludes=r["excludes"],
        created_at=r["created_at"],
    )


class SqliteSubscriptionRepository:
    """SubscriptionRepository on the subscriptions table."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def add(
        self, chat_id: int, kind: SubscriptionKind, query: str, entity_id: int | None, excludes: str = ""
    ) -> tuple[Subscription, bool]:
        """Add; returns the subscription and whether it is new."""
        existing = await self._db.fetchone(
            "SELECT * FROM subscriptions WHERE chat_id = ? AND kind = ? AND query = ?", (chat_id, kind, query)
        )
        if existing is not None:
            return _subscription(existing), False
        new_id = await self._db.execute(
            "INSERT INTO subscriptions(chat_id, kind, entity_id, query, excludes, created_at)"
            " VALUES (?,?,?,?,?,?)",
            (chat_id, kind, entity_id, query, excludes, to_iso(self._clock.now())),
        )
        row = await self._db.fetchone("SELECT * FROM subscriptions WHERE id = ?", (new_id,))
        assert row is not None
        return _subscription(row), True

    async def list_for_chat(self, chat_id: int) -> list[Subscription]:
        """The chat's subscriptions, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM subscriptions WHERE chat_id = ? ORDER BY id", (chat_id,)
        )
        return [_subscription(r) for r in rows]

    async def remove(self, chat_id: int, subscription_id: int) -> Subscription | None:
        """Remove one of the chat's subscriptions; returns what was removed, or None."""
        row = await self._db.fetchone(
            "SELECT * FROM subscriptions WHERE id = ? AND chat_id = ?", (subscription_id, chat_id)
        )
        if row is None:
            return None
        await self._db.execute("DELETE FROM subscriptions WHERE id = ?", (subscription_id,))
        return _subscription(row)


class SqliteAuditLog:
    """AuditLog on the audit table."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def record(self, admin_id: int, action: str, detail: str = "") -> None:
        """Record one admin action."""
        await self._db.execute(
            "INSERT INTO audit(at, admin_id, action, detail) VALUES (?,?,?,?)",
            (to_iso(self._clock.now()), admin_id, action, detail[:2000]),
        )

    async def recent(self, limit: int = 20) -> list[tuple[str, int, str, str]]:
        """The latest admin actions, newest first."""
        rows = await self._db.fetchall(
            "SELECT at, admin_id, action, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [(r[0], int(r[1]), r[2], r[3]) for r in rows]


class SqliteAskedQuestions:
    """Questions asked in chats, so paging buttons carry a short id."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def remember(self, chat_id: int, question: str) -> int:
        """Store a question; returns its id."""
        return await self._db.execute(
            "INSERT INTO asked(chat_id, question, created_at) VALUES (?,?,?)",
            (chat_id, question, to_iso(self._clock.now())),
        )

    async def recall(self, question_id: int, chat_id: int) -> str | None:
        """The question with that id asked in that chat, or None."""
        value = await self._db.scalar(
            "SELECT question FROM asked WHERE id = ? AND chat_id = ?", (question_id, chat_id)
        )
        return None if value is None else str(value)


async def _table_exists(db: Database, name: str) -> bool:
    return bool(await db.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))


async def _count(db: Database, table: str, where: str = "") -> int | None:
    if not await _table_exists(db, table):
        return None
    return int(await db.scalar(f"SELECT COUNT(*) FROM {table} {where}") or 0)


async def collect_stats(db: Database) -> BotStats:
    """Counts for /stats; tables owned by other parts (quotes, people, outbox) count when they exist."""
    quotes = await _count(db, "quotes")
    people = None
    for table in ("entities", "people"):
        people = await _count(db, table)
        if people is not None:
            break
    deliveries = await _count(db, "outbox", "WHERE state = 'sent'")
    pending = await _count(db, "outbox", "WHERE state IN ('pending', 'sending')")
    disabled = await db.fetchall(
        "SELECT url, COALESCE(last_error, '') FROM sources WHERE disabled_at IS NOT NULL"
        " ORDER BY disabled_at DESC LIMIT 10"
    )
    errors = await db.fetchall(
        "SELECT at, kind, message FROM events WHERE kind LIKE '%fail%' OR kind LIKE '%error%' "
        "OR kind LIKE '%rejected%' ORDER BY id DESC LIMIT 5"
    )
    return BotStats(
        articles=await _count(db, "articles") or 0,
        quotes=quotes,
        people=people,
        chats=await _count(db, "chats") or 0,
        active_chats=await _count(db, "chats", "WHERE active = 1") or 0,
        subscriptions=await _count(db, "subscriptions") or 0,
        deliveries=deliveries,
        last_errors=tuple((r[0], r[1], r[2]) for r in errors),
        pending_deliveries=pending,
        sources=await _count(db, "sources") or 0,
        disabled_sources=tuple((r[0], r[1]) for r in disabled),
    )
