"""The database handle: WAL mode, foreign keys, one writer connection, a reader, migrations.

Writes go through `Database.atomic()`, which serialises writers on one connection and wraps the
block in a transaction; reads use a separate connection so a long ingest never blocks a question.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    """A migration could not be applied; the database is left at the previous version."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered schema step, read from `storage/migrations/NNNN_name.sql`."""

    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The migrations shipped with the package, in version order."""
    found: list[Migration] = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a version number: {versions}")
    return found


async def _pragma(conn: aiosqlite.Connection, statement: str) -> None:
    # Exhaust and close the cursor: an open PRAGMA statement would keep the file locked.
    async with conn.execute(f"PRAGMA {statement}") as cur:
        await cur.fetchall()


async def _configure(conn: aiosqlite.Connection, *, readonly: bool) -> None:
    conn.row_factory = aiosqlite.Row
    for statement in (
        "foreign_keys = ON",
        "busy_timeout = 10000",
        "synchronous = NORMAL",
        "temp_store = MEMORY",
        "cache_size = -32768",  # 32 MB per connection: enough for the hot index pages at 220k articles
    ):
        await _pragma(conn, statement)
    if readonly:
        await _pragma(conn, "query_only = ON")


class Database:
    """An open SQLite database file. Create with `await Database.open(path)`; close with `close()`."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        """Open (creating folders and file if needed), switch to WAL and apply pending migrations."""
        db_path = Path(path)
        if str(db_path) != ":memory:":
            db_path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so transactions are explicit.
        writer = await aiosqlite.connect(db_path, isolation_level=None)
        reader: aiosqlite.Connection | None = None
        try:
            await _configure(writer, readonly=False)
            await _pragma(writer, "journal_mode = WAL")
            reader = await aiosqlite.connect(db_path, isolation_level=None)
            await _configure(reader, readonly=True)
        except BaseException:
            for conn in (reader, writer):
                if conn is not None:
                    await conn.close()
            raise
        db = cls(db_path, writer, reader)
        if migrate:
            await db.migrate()
        return db

    async def close(self) -> None:
        """Close both connections; safe to call twice."""
        for conn in (self._reader, self._writer):
            with contextlib.suppress(ValueError, sqlite3.ProgrammingError):  # already closed
                await conn.close()

    # -- schema -----------------------------------------------------------------------------------

    async def migrate(self, migrations: Iterable[Migration] | None = None) -> list[int]:
        """Apply migrations newer than the recorded version, each in its own transaction."""
        steps = list(migrations) if migrations is not None else bundled_migrations()
        async with self._write_lock:
            await self._writer.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            async with self._writer.execute("SELECT version FROM schema_migrations") as cur:
                done = {row[0] for row in await cur.fetchall()}
            applied: list[int] = []
            for step in steps:
                if step.version in done:
                    continue
                stamp = datetime.now(UTC).isoformat(timespec="seconds")
                script = (
                    "BEGIN IMMEDIATE;\n"
                    f"{step.sql}\n;"
                    "INSERT INTO schema_migrations(version, name, applied_at) "
                    f"VALUES ({step.version}, '{step.name}', '{stamp}');\n"
                    "COMMIT;"
                )
                try:
                    await self._writer.executescript(script)
                except sqlite3.Error as exc:
                    if self._writer.in_transaction:
                        await self._writer.execute("ROLLBACK")
                    raise MigrationError(
                        f"migration {step.version:04d}_{step.name} failed: {exc}. "
                        "The database is unchanged; restore a backup or fix the migration."
                    ) from exc
                log.info("applied migration %04d_%s", step.version, step.name)
                applied.append(step.version)
            return applied

    async def schema_version(self) -> int:
        """The highest applied migration version (0 for an empty database)."""
        row = await self.fetchone("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        return int(row[0]) if row else 0

    # -- writes -----------------------------------------------------------------------------------

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction on the single writer connection; commits on success, rolls back on error.

        Nested use inside the same task joins the outer transaction.
        """
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            yield self._writer
            return
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            self._owner = task
            try:
                yield self._writer
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            else:
                await self._writer.execute("COMMIT")
            finally:
                self._owner = None

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one write statement in its own transaction; return the last row id."""
        async with self.atomic() as conn, conn.execute(sql, params) as cur:
            return cur.lastrowid or 0

    # -- reads ------------------------------------------------------------------------------------

    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """All rows of a read query, on the reader connection."""
        async with self._reader.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        """The first row of a read query, or None."""
        async with self._reader.execute(sql, params) as cur:
            return await cur.fetchone()

    async def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        """The first column of the first row, or None."""
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    @property
    def reader(self) -> aiosqlite.Connection:
        """The read-only connection, for repositories that stream large results."""
        return self._reader
