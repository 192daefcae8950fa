"""The coverage watch, composed: sources → articles → stories → subscriptions → digests → outbox.

New articles (from the poller, the CLI or a handler) are processed in id order from a persistent
cursor, so a crash anywhere between storing an article and deciding its digests is caught up on the
next pass: every step is idempotent (a story is assigned once, a match is queued once per chat and
article, a digest decision marks its queue rows in the same transaction as its outbox rows).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from news.articles import ArticleDraft
from news.clock import Clock
from news.digests import DigestRun, DigestService
from news.fetch import Fetcher, HttpFetcher
from news.ingest import IngestReport, IngestService
from news.poller import PollingLimits, PollResult, SourcePoller
from news.ports import EventSink
from news.sources import SourceService
from news.stories import StoryService
from news.subscriptions import SubscriptionMatcher
from storage.db import Database
from storage.outbox import OutboxStore

log = logging.getLogger(__name__)

CATCH_UP_BATCH = 500


@dataclass(slots=True)
class WatchReport:
    """What one catch-up pass did."""

    articles: int = 0
    stories: int = 0
    matches: int = 0
    messages: int = 0
    edits: int = 0


class CoverageWatch:
    """Owns the poller, the story clusterer, the matcher, the digests and the outbox store."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Any,
        ingest: IngestService,
        *,
        events: EventSink | None = None,
        engine: Any = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._ingest = ingest
        self.fetcher = fetcher or HttpFetcher(
            timeout=float(settings.fetch_timeout_seconds),
            max_bytes=int(settings.fetch_max_bytes),
            allow_private=bool(settings.sources_allow_private),
        )
        self.limits = PollingLimits.from_settings(settings)
        self.stories = StoryService(db, clock, engine)
        self.matcher = SubscriptionMatcher(db, engine)
        self.digests = DigestService(db, clock, default_tz=str(settings.timezone), engine=engine)
        self.outbox = OutboxStore(db, clock)
        self.poller = SourcePoller(
            db,
            self.fetcher,
            ingest,
            clock,
            limits=self.limits,
            events=events,
            after_ingest=self._after_ingest,
        )
        self.sources = SourceService(db, self.fetcher, clock, self.limits)
        self.on_outbox: Callable[[], None] | None = None  # the sender's notify(), set by bot/jobs.py
        self.runner: Any = None  # the sender runner, set by bot/jobs.py
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        """Close the HTTP client."""
        close = getattr(self.fetcher, "aclose", None)
        if close is not None:
            await close()

    async def _after_ingest(self, article_ids: list[int]) -> None:
        await self.catch_up()

    async def add_articles(self, drafts: Sequence[ArticleDraft], *, where: str = "") -> IngestReport:
        """Store drafts from outside the poller (an admin's /add, a URL fetched for it) and run the same
        hooks as for polled articles: stories, subscription matches, `now` digests."""
        report = await self._ingest.ingest_drafts(drafts, where=where)
        if report.added:
            await self.catch_up()
        return report

    async def poll_due(self) -> list[PollResult]:
        """Poll every source that is due (the polling job)."""
        return await self.poller.poll_due()

    async def catch_up(self) -> WatchReport:
        """Process every article newer than the cursor: stories, matches, `now` digests."""
        report = WatchReport()
        async with self._lock:
            while True:
                cursor = int(
                    await self._db.scalar("SELECT article_id FROM watch_cursor WHERE name = 'coverage'") or 0
                )
                rows = await self._db.fetchall(
                    "SELECT id FROM articles WHERE id > ? ORDER BY id LIMIT ?", (cursor, CATCH_UP_BATCH)
                )
                if not rows:
                    break
                ids = [int(r["id"]) for r in rows]
                assigned = await self.stories.assign(ids)
                matches = await self.matcher.match(ids)
                await self.digests.queue(matches)
                await self._db.execute(
                    "INSERT INTO watch_cursor(name, article_id) VALUES ('coverage', ?)"
                    " ON CONFLICT(name) DO UPDATE SET article_id = excluded.article_id",
                    (ids[-1],),
                )
                report.articles += len(ids)
                report.stories += len(set(assigned.values()))
                report.matches += len(matches)
            run = await self.digests.run_now()
        report.messages, report.edits = run.messages, run.edits
        if run.messages or run.edits:
            self._notify()
        return report

    async def run_now(self) -> DigestRun:
        """`now` digests for pending matches (the safety-net job)."""
        async with self._lock:
            run = await self.digests.run_now()
        if run.messages or run.edits:
            self._notify()
        return run

    async def run_scheduled(self) -> DigestRun:
        """Hourly and daily digests that are due."""
        async with self._lock:
            run = await self.digests.run_scheduled()
        if run.messages:
            self._notify()
        return run

    def _notify(self) -> None:
        if self.on_outbox is not None:
            self.on_outbox()
