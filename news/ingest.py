"""Ingestion: files or drafts in, stored articles out, with every rejection counted and explained."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from news.articles import ArticleDraft, PreparedArticle, prepare_article
from news.ports import AddOutcome, ArticleStore, EventSink
from news.reading import iter_input_files, read_article_file

log = logging.getLogger(__name__)

BATCH_SIZE = 256


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input that was not stored, and why."""

    where: str
    reason: str


@dataclass(slots=True)
class IngestReport:
    """Counts and details of one ingest run."""

    added: list[int] = field(default_factory=list)
    duplicates: list[tuple[str, int, str]] = field(default_factory=list)  # (where, existing id, reason)
    rejected: list[Rejection] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing was rejected."""
        return not self.rejected


class IngestService:
    """Turns files and drafts into stored, indexed articles."""

    def __init__(
        self,
        store: ArticleStore,
        events: EventSink | None = None,
        *,
        max_article_bytes: int = 2_000_000,
        max_collection_bytes: int = 200_000_000,
    ) -> None:
        self._store = store
        self._events = events
        self.max_article_bytes = max_article_bytes
        self.max_collection_bytes = max_collection_bytes

    async def ingest_drafts(self, drafts: Sequence[ArticleDraft], *, where: str = "") -> IngestReport:
        """Prepare and store drafts in batches; returns what happened to each."""
        report = IngestReport()
        await self._ingest_into(report, [(where or d.source, d) for d in drafts])
        return report

    async def ingest_paths(
        self,
        paths: Iterable[Path],
        *,
        on_file: Callable[[Path], None] | None = None,
    ) -> IngestReport:
        """Ingest files and folders (recursively). `on_file` is called after each file, for progress."""
        report = IngestReport()
        pending: list[tuple[str, ArticleDraft]] = []
        for path in iter_input_files(list(paths)):
            report.files += 1
            reading = read_article_file(
                path, max_bytes=self.max_article_bytes, max_collection_bytes=self.max_collection_bytes
            )
            for reason in reading.rejections:
                await self._reject(report, str(path), reason)
            for number, draft in enumerate(reading.drafts, start=1):
                label = str(path) if len(reading.drafts) == 1 else f"{path}#{number}"
                pending.append((label, draft))
            if len(pending) >= BATCH_SIZE * 8:  # long runs keep the prepare/index pipeline full
                await self._ingest_into(report, pending)
                pending = []
            if on_file:
                on_file(path)
        if pending:
            await self._ingest_into(report, pending)
        return report

    async def _ingest_into(self, report: IngestReport, items: list[tuple[str, ArticleDraft]]) -> None:
        # A pipeline of one: batch k is prepared (and, where the store supports it, its indexing started
        # in the background) before batch k-1 is stored.
        prefetch = getattr(self._store, "prefetch", None)
        previous: list[tuple[str, PreparedArticle]] = []
        for start in range(0, len(items) + BATCH_SIZE, BATCH_SIZE):
            batch = items[start : start + BATCH_SIZE]
            prepared: list[tuple[str, PreparedArticle]] = []
            for where, draft in batch:
                if len(draft.body.encode("utf-8", "replace")) > self.max_article_bytes:
                    await self._reject(report, where, f"article longer than {self.max_article_bytes} bytes")
                    continue
                try:
                    prepared.append((where, prepare_article(draft)))
                except ValueError as exc:
                    await self._reject(report, where, str(exc))
            if prepared and prefetch is not None:
                prefetch([p for _, p in prepared])
            if previous:
                await self._store_batch(report, previous)
            previous = prepared

    async def _store_batch(self, report: IngestReport, prepared: list[tuple[str, PreparedArticle]]) -> None:
        outcomes: list[AddOutcome] = await self._store.add_batch([p for _, p in prepared])
        for (where, _), outcome in zip(prepared, outcomes, strict=True):
            if outcome.article_id is not None:
                report.added.append(outcome.article_id)
            else:
                report.duplicates.append((where, outcome.duplicate_of or 0, outcome.reason or "duplicate"))

    async def _reject(self, report: IngestReport, where: str, reason: str) -> None:
        report.rejected.append(Rejection(where, reason))
        log.warning("rejected %s: %s", where, reason)
        if self._events is not None:
            await self._events.record("ingest.rejected", reason, subject=where)
