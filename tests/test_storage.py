"""Storage: WAL, migrations on new and existing files, atomic(), duplicates."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from news.articles import ArticleDraft, prepare_article
from news.clock import FixedClock
from storage.articles import SqliteArticleStore
from storage.db import Database, Migration, MigrationError, bundled_migrations


async def test_new_database_is_wal_with_all_migrations(db_path: Path) -> None:
    db = await Database.open(db_path)
    try:
        assert await db.scalar("PRAGMA journal_mode") == "wal"
        assert await db.scalar("PRAGMA foreign_keys") == 1
        assert await db.schema_version() == bundled_migrations()[-1].version
    finally:
        await db.close()


async def test_migrations_apply_to_an_existing_database_once(db_path: Path) -> None:
    first = bundled_migrations()[:1]
    db = await Database.open(db_path, migrate=False)
    assert await db.migrate(first) == [first[0].version]
    await db.execute(
        "INSERT INTO articles(title, body, clean_text, lang, source, content_hash, ingested_at)"
        " VALUES ('t', 'b', 'b', 'en', 's', 'h', '2024-01-01T00:00:00+00:00')"
    )
    await db.close()

    db = await Database.open(db_path)  # applies the rest, keeps the data
    try:
        assert await db.schema_version() == bundled_migrations()[-1].version
        assert await db.scalar("SELECT COUNT(*) FROM articles") == 1
        assert await db.migrate() == []  # nothing left to do
    finally:
        await db.close()


async def test_failed_migration_leaves_database_unchanged(db_path: Path) -> None:
    db = await Database.open(db_path)
    try:
        version = await db.schema_version()
        broken = Migration(version + 1, "broken", "CREATE TABLE half(x); INSERT INTO missing VALUES (1);")
        with pytest.raises(MigrationError, match="broken"):
            await db.migrate([broken])
        assert await db.schema_version() == version
        assert await db.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'") == 0
    finally:
        await db.close()


async def test_atomic_rolls_back_on_error(db_path: Path) -> None:
    db = await Database.open(db_path)
    try:
        with pytest.raises(RuntimeError):
            async with db.atomic() as conn:
                await conn.execute("INSERT INTO events(at, kind, message) VALUES ('2024-01-01', 'test', 'x')")
                async with db.atomic() as inner:  # nested use joins the outer transaction
                    await inner.execute(
                        "INSERT INTO events(at, kind, message) VALUES ('2024-01-01', 'test', 'y')"
                    )
                raise RuntimeError("boom")
        assert await db.scalar("SELECT COUNT(*) FROM events") == 0
    finally:
        await db.close()


async def test_reader_cannot_write(db_path: Path) -> None:
    db = await Database.open(db_path)
    try:
        with pytest.raises(sqlite3.OperationalError):
            await db.fetchall("INSERT INTO events(at, kind, message) VALUES ('a', 'b', 'c')")
    finally:
        await db.close()


async def test_duplicates_by_url_and_by_text(db_path: Path, clock: FixedClock) -> None:
    db = await Database.open(db_path)
    try:
        store = SqliteArticleStore(db, clock)
        first = prepare_article(
            ArticleDraft(body="Alpha text about things.", source="a.txt", url="https://x.org/a?utm_source=tg")
        )
        same_url = prepare_article(
            ArticleDraft(body="Other text.", source="b.txt", url="http://www.x.org/a/")
        )
        same_text = prepare_article(ArticleDraft(body="ALPHA   text about «things».", source="c.txt"))
        fresh = prepare_article(ArticleDraft(body="Something else entirely.", source="d.txt"))
        outcomes = await store.add_batch([first, same_url, same_text, fresh])
        assert [o.added for o in outcomes] == [True, False, False, True]
        assert outcomes[1].reason == "same URL" and outcomes[1].duplicate_of == outcomes[0].article_id
        assert outcomes[2].reason == "same text"
        assert await store.count() == 2
    finally:
        await db.close()
