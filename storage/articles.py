"""Articles and passages in SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Protocol

import aiosqlite

from news.articles import PreparedArticle
from news.clock import Clock, to_iso
from news.ports import AddOutcome, ArticleSummary, StoredArticle
from storage.db import Database

_SUMMARY_COLUMNS = (
    "a.id, a.title, a.url, a.source, a.lang, a.published_at, a.ingested_at, a.story_id, "
    "(SELECT COUNT(*) FROM passages p WHERE p.article_id = a.id) AS passages"
)


class ArticleIndexHook(Protocol):
    """Runs inside the transaction that stores new articles, so indexes never lag the articles."""

    async def index_articles(
        self, conn: aiosqlite.Connection, items: Sequence[tuple[int, PreparedArticle]]
    ) -> None:
        """Index freshly stored articles (id, prepared form)."""
        ...


def summary_from_row(row: sqlite3.Row) -> ArticleSummary:
    """An ArticleSummary from a row selected with the summary columns."""
    return ArticleSummary(
        id=row["id"],
        title=row["title"],
        url=row["url"],
        source=row["source"],
        lang=row["lang"],
        published=row["published_at"],
        ingested=row["ingested_at"],
        passages=row["passages"],
        story_id=row["story_id"],
    )


class SqliteArticleStore:
    """ArticleStore on a Database; optional hooks index each batch in the same transaction."""

    def __init__(self, db: Database, clock: Clock, hooks: Sequence[ArticleIndexHook] = ()) -> None:
        self._db = db
        self._clock = clock
        self._hooks = list(hooks)

    def add_hook(self, hook: ArticleIndexHook) -> None:
        """Register one more index hook (the answer engine adds its indexer at start)."""
        self._hooks.append(hook)

    def prefetch(self, articles: Sequence[PreparedArticle]) -> None:
        """Tell the hooks which articles come next, so that they can start work before `add_batch`."""
        for hook in self._hooks:
            prefetch = getattr(hook, "prefetch", None)
            if prefetch is not None:
                prefetch(articles)

    async def add_batch(self, articles: Sequence[PreparedArticle]) -> list[AddOutcome]:
        """Store new articles in one transaction; duplicates (feed GUID, URL, text) are reported, against the
        stored articles and earlier articles of the same batch. A constant number of statements per batch."""
        outcomes: list[AddOutcome] = []
        stored: list[tuple[int, PreparedArticle]] = []
        now = to_iso(self._clock.now())
        async with self._db.atomic() as conn:
            by_guid, by_url, by_hash = await self._existing(conn, articles)
            async with conn.execute("SELECT COALESCE(MAX(id), 0) FROM articles") as cur:
                row = await cur.fetchone()
            next_id = int(row[0]) if row else 0
            rows: list[tuple[object, ...]] = []
            passages: list[tuple[int, int, int, int, str]] = []
            for art in articles:
                draft = art.draft
                guid_key = (
                    (draft.source_id, draft.guid) if draft.source_id is not None and draft.guid else None
                )
                duplicate: tuple[int, str] | None = None
                if guid_key is not None and guid_key in by_guid:
                    duplicate = (by_guid[guid_key], "same feed item")
                elif art.canonical_url and art.canonical_url in by_url:
                    duplicate = (by_url[art.canonical_url], "same URL")
                elif art.content_hash in by_hash:
                    duplicate = (by_hash[art.content_hash], "same text")
                if duplicate:
                    outcomes.append(AddOutcome(None, duplicate[0], duplicate[1]))
                    continue
                next_id += 1
                article_id = next_id
                if guid_key is not None:
                    by_guid[guid_key] = article_id
                if art.canonical_url:
                    by_url[art.canonical_url] = article_id
                by_hash[art.content_hash] = article_id
                rows.append(
                    (
                        article_id,
                        draft.url,
                        art.canonical_url,
                        art.title,
                        int(art.title_derived),
                        draft.body,
                        art.clean_text,
                        art.lang,
                        to_iso(draft.published) if draft.published else None,
                        draft.source,
                        draft.source_id,
                        draft.guid,
                        art.content_hash,
                        now,
                    )
                )
                passages.extend((article_id, i, p.start, p.end, p.text) for i, p in enumerate(art.passages))
                outcomes.append(AddOutcome(article_id))
                stored.append((article_id, art))
            if rows:
                await conn.executemany(
                    "INSERT INTO articles(id, url, canonical_url, title, title_derived, body, clean_text,"
                    " lang, published_at, source, source_id, guid, content_hash, ingested_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    rows,
                )
            if passages:
                await conn.executemany(
                    "INSERT INTO passages(article_id, seq, start, end, text) VALUES (?,?,?,?,?)", passages
                )
            if stored:
                for hook in self._hooks:
                    await hook.index_articles(conn, stored)
        return outcomes

    @staticmethod
    async def _existing(
        conn: aiosqlite.Connection, articles: Sequence[PreparedArticle]
    ) -> tuple[dict[tuple[int | None, str | None], int], dict[str, int], dict[str, int]]:
        """Stored articles that a batch may repeat: by (feed, GUID), by canonical URL, by content hash."""

        async def lookup(sql: str, values: list[str]) -> list[sqlite3.Row]:
            out: list[sqlite3.Row] = []
            uniq = list(dict.fromkeys(values))
            for i in range(0, len(uniq), 500):
                part = uniq[i : i + 500]
                async with conn.execute(sql.format(",".join("?" * len(part))), part) as cur:
                    out.extend(await cur.fetchall())
            return out

        guids: dict[int, list[str]] = {}
        for a in articles:
            if a.draft.source_id is not None and a.draft.guid:
                guids.setdefault(a.draft.source_id, []).append(a.draft.guid)
        urls = [a.canonical_url for a in articles if a.canonical_url]
        hashes = [a.content_hash for a in articles]
        by_guid: dict[tuple[int | None, str | None], int] = {}
        for source_id, values in guids.items():  # along the (source_id, guid) index
            sql = f"SELECT id, source_id, guid FROM articles WHERE source_id = {int(source_id)}"
            sql += " AND guid IN ({})"
            for r in await lookup(sql, values):
                by_guid.setdefault((r[1], r[2]), int(r[0]))
        by_url = (
            {
                str(r[1]): int(r[0])
                for r in await lookup(
                    "SELECT id, canonical_url FROM articles WHERE canonical_url IN ({})", urls
                )
            }
            if urls
            else {}
        )
        by_hash = {
            str(r[1]): int(r[0])
            for r in await lookup("SELECT id, content_hash FROM articles WHERE content_hash IN ({})", hashes)
        }
        return by_guid, by_url, by_hash

    async def list_articles(self, *, limit: int | None = None, offset: int = 0) -> list[ArticleSummary]:
        """Stored articles, newest first."""
        rows = await self._db.fetchall(
            f"SELECT {_SUMMARY_COLUMNS} FROM articles a ORDER BY a.id DESC LIMIT ? OFFSET ?",
            (-1 if limit is None else limit, offset),
        )
        return [summary_from_row(r) for r in rows]

    async def get(self, article_id: int) -> StoredArticle | None:
        """One article with its body and indexed text, or None."""
        row = await self._db.fetchone(
            f"SELECT {_SUMMARY_COLUMNS}, a.body, a.clean_text FROM articles a WHERE a.id = ?", (article_id,)
        )
        if row is None:
            return None
        return StoredArticle(summary_from_row(row), row["body"], row["clean_text"])

    async def count(self) -> int:
        """How many articles are stored."""
        return int(await self._db.scalar("SELECT COUNT(*) FROM articles") or 0)


class SqliteEventLog:
    """EventSink on the events table."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def record(self, kind: str, message: str, subject: str | None = None) -> None:
        """Record one event."""
        await self._db.execute(
            "INSERT INTO events(at, kind, subject, message) VALUES (?,?,?,?)",
            (to_iso(self._clock.now()), kind, subject, message[:2000]),
        )

    async def recent(self, kind_prefix: str = "", limit: int = 10) -> list[sqlite3.Row]:
        """The latest events whose kind starts with the prefix."""
        return await self._db.fetchall(
            "SELECT at, kind, subject, message FROM events WHERE kind LIKE ? ORDER BY id DESC LIMIT ?",
            (kind_prefix + "%", limit),
        )
