"""Per-source polling: conditional GET, parse, fetch teaser pages, drop near-duplicates, ingest.

Each source has its own interval (clamped to the configured minimum and maximum). A failure (fetch
error or a document that is not a feed) doubles the wait, up to the maximum; after
`max_failures` failures in a row the source is disabled (disabled_at, last_error: /stats shows it).
Every rejection, of a source's document, of an item or of an article, is recorded as an event with
its reason. Exact duplicates (feed GUID, canonical URL, content hash) are caught by storage; near
duplicates (the same wire story on two sites) here, by rapidfuzz over normalised title and lead.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from rapidfuzz import fuzz, process

from news.articles import ArticleDraft
from news.clock import Clock, to_iso
from news.feeds import parse_feed
from news.fetch import Fetcher, FetchError
from news.ingest import IngestService
from news.pages import extract_page
from news.ports import EventSink
from storage.db import Database

log = logging.getLogger(__name__)

NEAR_DUPLICATE_SCORE = 90.0
NEAR_DUPLICATE_WINDOW = timedelta(days=2)
NEAR_DUPLICATE_MIN_CHARS = 60
LEAD_CHARS = 300
_NON_WORD = re.compile(r"[^\w]+")

AfterIngest = Callable[[list[int]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class PollingLimits:
    """Intervals and failure tolerance (from settings)."""

    default_interval: int = 600
    min_interval: int = 60
    max_interval: int = 86_400
    max_failures: int = 8

    @classmethod
    def from_settings(cls, settings: object) -> PollingLimits:
        """POLL_INTERVAL_* and SOURCE_MAX_FAILURES."""
        return cls(
            default_interval=int(getattr(settings, "poll_interval_default_seconds", 600)),
            min_interval=int(getattr(settings, "poll_interval_min_seconds", 60)),
            max_interval=int(getattr(settings, "poll_interval_max_seconds", 86_400)),
            max_failures=int(getattr(settings, "source_max_failures", 8)),
        )

    def clamp(self, seconds: int | None) -> int:
        """An interval within [min, max] (the default when None)."""
        value = self.default_interval if seconds is None else seconds
        return max(self.min_interval, min(self.max_interval, value))


@dataclass(slots=True)
class PollResult:
    """What one poll of one source did."""

    source_id: int
    url: str
    status: str = "ok"  # ok | not_modified | failed | disabled
    items: int = 0
    added: list[int] = field(default_factory=list)
    duplicates: int = 0
    near_duplicates: int = 0
    rejected: list[str] = field(default_factory=list)
    error: str | None = None
    crashed: bool = False  # an unexpected exception (a bug or a hostile document), caught and counted


def near_key(title: str | None, body: str) -> str:
    """Normalised title and lead: what two copies of one wire story share."""
    text = f"{title or ''} {body[: LEAD_CHARS + 200]}"
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return _NON_WORD.sub(" ", text).strip()[: LEAD_CHARS + 100]


class NearDuplicates:
    """Recent articles' keys, to catch a story already stored from another site."""

    def __init__(self, db: Database, clock: Clock, *, score: float = NEAR_DUPLICATE_SCORE) -> None:
        self._db = db
        self._clock = clock
        self._score = score

    async def recent(self) -> tuple[list[str], list[int]]:
        """Keys and ids of the articles ingested within the window."""
        since = to_iso(self._clock.now() - NEAR_DUPLICATE_WINDOW)
        rows = await self._db.fetchall(
            "SELECT id, title, substr(clean_text, 1, ?) AS lead FROM articles WHERE ingested_at >= ?"
            " ORDER BY id DESC LIMIT 20000",
            (LEAD_CHARS + 200, since),
        )
        return [near_key(r["title"], r["lead"]) for r in rows], [int(r["id"]) for r in rows]

    async def split(
        self, drafts: Sequence[ArticleDraft]
    ) -> tuple[list[ArticleDraft], list[tuple[ArticleDraft, int]]]:
        """(new drafts, [(draft, id of the article it repeats)]); in-batch repeats are caught too (id 0)."""
        keys, ids = await self.recent()
        fresh: list[ArticleDraft] = []
        repeats: list[tuple[ArticleDraft, int]] = []
        batch_keys: list[str] = []
        for draft in drafts:
            key = near_key(draft.title, draft.body)
            if len(key) < NEAR_DUPLICATE_MIN_CHARS:
                fresh.append(draft)
                continue
            hit = (
                process.extractOne(key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=self._score)
                if keys
                else None
            )
            if hit is not None:
                repeats.append((draft, ids[hit[2]]))
                continue
            if batch_keys and process.extractOne(
                key, batch_keys, scorer=fuzz.token_sort_ratio, score_cutoff=self._score
            ):
                repeats.append((draft, 0))
                continue
            batch_keys.append(key)
            fresh.append(draft)
        return fresh, repeats


class SourcePoller:
    """Polls due sources and hands new article ids to `after_ingest` (stories, subscriptions, digests)."""

    def __init__(
        self,
        db: Database,
        fetcher: Fetcher,
        ingest: IngestService,
        clock: Clock,
        *,
        limits: PollingLimits | None = None,
        events: EventSink | None = None,
        after_ingest: AfterIngest | None = None,
        max_pages_per_poll: int = 10,
        concurrency: int = 4,
    ) -> None:
        self._db = db
        self._fetcher = fetcher
        self._ingest = ingest
        self._clock = clock
        self.limits = limits or PollingLimits()
        self._events = events
        self.after_ingest = after_ingest
        self._max_pages = max_pages_per_poll
        self._near = NearDuplicates(db, clock)
        self._semaphore = asyncio.Semaphore(concurrency)
        self._ingest_lock = asyncio.Lock()

    async def _event(self, kind: str, message: str, subject: str) -> None:
        if self._events is not None:
            await self._events.record(kind, message, subject=subject)

    async def due_sources(self) -> list[sqlite3.Row]:
        """Enabled sources whose next poll time has come."""
        now = to_iso(self._clock.now())
        return await self._db.fetchall(
            "SELECT * FROM sources WHERE disabled_at IS NULL AND (next_poll_at IS NULL OR next_poll_at <= ?)"
            " ORDER BY COALESCE(next_poll_at, ''), id",
            (now,),
        )

    async def poll_due(self) -> list[PollResult]:
        """Poll every due source (a few at a time); never raises because of one source."""
        rows = await self.due_sources()

        async def one(row: sqlite3.Row) -> PollResult:
            async with self._semaphore:
                return await self.poll_row(row)

        return list(await asyncio.gather(*(one(r) for r in rows)))

    async def poll_source(self, source_id: int) -> PollResult:
        """Poll one source now, whatever its schedule (the `sources poll` command)."""
        row = await self._db.fetchone("SELECT * FROM sources WHERE id = ?", (source_id,))
        if row is None:
            raise KeyError(f"no source with id {source_id}")
        return await self.poll_row(row)

    async def poll_row(self, row: sqlite3.Row) -> PollResult:
        """Poll one source row and record the outcome on it."""
        result = PollResult(source_id=int(row["id"]), url=str(row["url"]))
        try:
            await self._poll(row, result)
        except FetchError as exc:
            result.status, result.error = "failed", str(exc)
        except Exception as exc:  # a bug or a hostile document: count it, keep polling the others
            log.exception("polling %s failed", row["url"])
            result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"
            result.crashed = True
        await self._record(row, result)
        return result

    async def _poll(self, row: sqlite3.Row, result: PollResult) -> None:
        url = str(row["url"])
        if row["kind"] == "page":
            fetched = await self._fetcher.fetch(url, etag=row["etag"], last_modified=row["last_modified"])
            await self._save_validators(row["id"], fetched.etag, fetched.last_modified)
            if fetched.not_modified:
                result.status = "not_modified"
                return
            page = extract_page(fetched.body, fetched.final_url or url)
            if page is None:
                raise FetchError("no article text found on the page")
            draft = ArticleDraft(
                body=page.text,
                source=url,
                title=page.title,
                url=fetched.final_url or url,
                published=page.published,
                lang=page.lang,
                guid=fetched.final_url or url,
                source_id=int(row["id"]),
            )
            result.items = 1
            await self._store(row, [draft], result)
            return
        fetched = await self._fetcher.fetch(url, etag=row["etag"], last_modified=row["last_modified"])
        if fetched.not_modified:
            result.status = "not_modified"
            await self._save_validators(row["id"], fetched.etag or row["etag"], fetched.last_modified)
            return
        parsed = parse_feed(
            fetched.body,
            source=url,
            source_id=int(row["id"]),
            content_type=fetched.content_type,
            headers=fetched.headers,
        )
        if parsed.rejected:
            await self._event("source.rejected", parsed.rejected, url)
            raise FetchError(f"rejected: {parsed.rejected}")
        await self._save_validators(row["id"], fetched.etag, fetched.last_modified, title=parsed.title)
        for reason in parsed.item_rejections:
            result.rejected.append(reason)
            await self._event("source.rejected", f"item: {reason}", url)
        for warning in parsed.warnings:
            await self._event("source.warning", warning, url)
        result.items = len(parsed.items)
        drafts = await self._known_filtered([i.draft for i in parsed.items], int(row["id"]))
        needing = {id(i.draft) for i in parsed.items if i.needs_page}
        completed: list[ArticleDraft] = []
        pages = 0
        for draft in drafts:
            if id(draft) in needing and draft.url and pages < self._max_pages:
                pages += 1
                draft = await self._with_page(draft)
            completed.append(draft)
        await self._store(row, completed, result)

    async def _known_filtered(self, drafts: list[ArticleDraft], source_id: int) -> list[ArticleDraft]:
        """Drop items whose GUID this source already gave (before any page fetch)."""
        guids = [d.guid for d in drafts if d.guid]
        if not guids:
            return drafts
        marks = ",".join("?" * len(guids))
        rows = await self._db.fetchall(
            f"SELECT guid FROM articles WHERE source_id = ? AND guid IN ({marks})", (source_id, *guids)
        )
        known = {r[0] for r in rows}
        return [d for d in drafts if not d.guid or d.guid not in known]

    async def _with_page(self, draft: ArticleDraft) -> ArticleDraft:
        assert draft.url is not None
        try:
            fetched = await self._fetcher.fetch(draft.url)
        except FetchError as exc:
            await self._event("source.page_failed", str(exc), draft.url)
            return draft
        page = extract_page(fetched.body, fetched.final_url or draft.url)
        if page is None or len(page.text) <= len(draft.body):
            return draft
        return ArticleDraft(
            body=page.text,
            source=draft.source,
            title=draft.title or page.title,
            url=draft.url,
            published=draft.published or page.published,
            lang=draft.lang or page.lang,
            guid=draft.guid,
            source_id=draft.source_id,
        )

    async def _store(self, row: sqlite3.Row, drafts: list[ArticleDraft], result: PollResult) -> None:
        if not drafts:
            return
        async with self._ingest_lock:  # near-duplicate check and insert must not interleave
            fresh, repeats = await self._near.split(drafts)
            for draft, original in repeats:
                result.near_duplicates += 1
                await self._event(
                    "ingest.near_duplicate",
                    f"same story as article {original}" if original else "same story twice in one feed",
                    draft.url or str(row["url"]),
                )
            report = await self._ingest.ingest_drafts(fresh, where=str(row["url"]))
        result.added.extend(report.added)
        result.duplicates += len(report.duplicates)
        result.rejected.extend(r.reason for r in report.rejected)
        if report.added and self.after_ingest is not None:
            await self.after_ingest(list(report.added))

    async def _save_validators(
        self, source_id: int, etag: str | None, last_modified: str | None, *, title: str | None = None
    ) -> None:
        await self._db.execute(
            "UPDATE sources SET etag = ?, last_modified = ?, title = COALESCE(title, ?) WHERE id = ?",
            (etag, last_modified, title, source_id),
        )

    async def _record(self, row: sqlite3.Row, result: PollResult) -> None:
        now = self._clock.now()
        interval = self.limits.clamp(int(row["interval_seconds"]))
        if result.status in ("ok", "not_modified"):
            await self._db.execute(
                "UPDATE sources SET last_polled_at = ?, next_poll_at = ?, failures = 0, last_error = NULL"
                " WHERE id = ?",
                (to_iso(now), to_iso(now + timedelta(seconds=interval)), row["id"]),
            )
            return
        failures = int(row["failures"]) + 1
        error = (result.error or "failed")[:500]
        disabling = failures >= self.limits.max_failures
        # /stats lists recent *failed* events: say there that the source is now disabled
        note = f"source disabled after {failures} failures: {error}" if disabling else error
        await self._event("source.failed", note, str(row["url"]))
        if disabling:
            result.status = "disabled"
            await self._db.execute(
                "UPDATE sources SET last_polled_at = ?, failures = ?, last_error = ?, disabled_at = ?,"
                " next_poll_at = NULL WHERE id = ?",
                (to_iso(now), failures, error, to_iso(now), row["id"]),
            )
            await self._event("source.disabled", f"after {failures} failures: {error}", str(row["url"]))
            return
        backoff = min(self.limits.max_interval, interval * (2 ** min(failures, 16)))
        await self._db.execute(
            "UPDATE sources SET last_polled_at = ?, next_poll_at = ?, failures = ?, last_error = ?"
            " WHERE id = ?",
            (to_iso(now), to_iso(now + timedelta(seconds=backoff)), failures, error, row["id"]),
        )
