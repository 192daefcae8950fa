"""The composition of services: opened once, handed to the CLI, the bot and the jobs, closed once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.settings import Settings
from news.clock import Clock, SystemClock
from news.coverage import CoverageWatch
from news.engine import Engine
from news.ingest import IngestService
from storage.articles import SqliteArticleStore, SqliteEventLog
from storage.db import Database


@dataclass(frozen=True, slots=True)
class Services:
    """Everything handlers, jobs and commands need, typed. Built by `open_services`."""

    settings: Settings
    clock: Clock
    db: Database
    articles: SqliteArticleStore
    events: SqliteEventLog
    ingest: IngestService
    engine: Engine  # answer engine (issue 3): also the articles' index hook
    coverage: CoverageWatch  # coverage watch (issue 5): sources, stories, digests, outbox


async def build_services(
    settings: Settings, *, clock: Clock | None = None, db_path: Path | None = None
) -> Services:
    """Open the database (applying migrations) and wire every service; call `close_services` after."""
    clock = clock or SystemClock()
    db = await Database.open(db_path or settings.database_path)
    events = SqliteEventLog(db, clock)
    articles = SqliteArticleStore(db, clock)
    ingest = IngestService(articles, events, max_article_bytes=settings.max_article_bytes)
    engine = Engine(db)  # answer engine: indexes every stored batch in the same transaction
    articles.add_hook(engine)
    coverage = CoverageWatch(db, clock, settings, ingest, events=events, engine=engine)  # issue 5
    return Services(
        settings=settings,
        clock=clock,
        db=db,
        articles=articles,
        events=events,
        ingest=ingest,
        engine=engine,
        coverage=coverage,
    )


async def close_services(services: Services) -> None:
    """Release what `build_services` opened."""
    await services.coverage.aclose()  # issue 5: the feed fetcher's connection pool
    await services.db.close()


@asynccontextmanager
async def open_services(
    settings: Settings, *, clock: Clock | None = None, db_path: Path | None = None
) -> AsyncIterator[Services]:
    """`build_services` as an async context manager."""
    services = await build_services(settings, clock=clock, db_path=db_path)
    try:
        yield services
    finally:
        await close_services(services)
