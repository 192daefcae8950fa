"""Sources for admins: add (validated), remove, list, OPML import/export, and the figures /stats shows."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass, field

from news.articles import ArticleDraft
from news.clock import Clock, to_iso
from news.feeds import parse_feed
from news.fetch import Fetcher, FetchError, check_url_syntax
from news.opml import OpmlError, OpmlFeed, build_opml, parse_opml
from news.pages import extract_page
from news.poller import PollingLimits
from storage.db import Database


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """A source as listed to admins."""

    id: int
    url: str
    kind: str
    title: str | None
    interval_seconds: int
    last_polled_at: str | None
    next_poll_at: str | None
    failures: int
    last_error: str | None
    disabled_at: str | None
    articles: int


@dataclass(slots=True)
class ImportReport:
    """What an OPML import did."""

    added: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)


MAX_URL_CHARS = 2000
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml", "")


class SourceError(ValueError):
    """A source cannot be added (or an article fetched); the message says why.

    `code` is the kind of refusal, for replies that explain it: invalid, scheme, private, resolve, fetch
    (as `FetchError.code`), not_source (neither a feed nor a page), no_text (no article text on the
    page), kind (unknown source kind), opml (not an OPML document).
    """

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


class SourceService:
    """The admin's view of sources. `probe=True` on add fetches the URL once to tell feed from page."""

    def __init__(
        self, db: Database, fetcher: Fetcher, clock: Clock, limits: PollingLimits | None = None
    ) -> None:
        self._db = db
        self._fetcher = fetcher
        self._clock = clock
        self.limits = limits or PollingLimits()

    async def validate(self, url: str) -> str:
        """The URL, stripped, when it is http(s) and its host is allowed; SourceError otherwise."""
        if len(url.strip()) > MAX_URL_CHARS:
            raise SourceError(f"the URL is longer than {MAX_URL_CHARS} characters", "invalid")
        try:
            url = check_url_syntax(url)
            check = getattr(self._fetcher, "check_destination", None)
            if check is not None:
                await check(url)
        except FetchError as exc:
            raise SourceError(str(exc), exc.code) from None
        return url

    async def probe(self, url: str) -> tuple[str, str | None]:
        """Fetch once: ('feed', title) or ('page', title); SourceError when it is neither."""
        try:
            fetched = await self._fetcher.fetch(url)
        except FetchError as exc:
            raise SourceError(f"cannot fetch {url}: {exc}", exc.code) from None
        parsed = parse_feed(
            fetched.body, source=url, content_type=fetched.content_type, headers=fetched.headers
        )
        if parsed.rejected is None:
            return "feed", parsed.title
        page = extract_page(fetched.body, fetched.final_url or url)
        if page is not None:
            return "page", page.title
        raise SourceError(
            f"{url} is neither a feed nor a page with article text ({parsed.rejected})", "not_source"
        )

    async def fetch_article(self, url: str) -> ArticleDraft:
        """One web page as an article draft: fetched with the same address rules, size limit and
        timeout as sources, its main text, title and date extracted. SourceError says why not."""
        url = await self.validate(url)
        try:
            fetched = await self._fetcher.fetch(url)
        except FetchError as exc:
            raise SourceError(f"cannot fetch {url}: {exc}", exc.code) from None
        if fetched.content_type not in PAGE_TYPES:
            raise SourceError(f"{url} is not a web page ({fetched.content_type})", "no_text")
        final = fetched.final_url or url
        page = await asyncio.to_thread(extract_page, fetched.body, final)
        if page is None:
            raise SourceError(f"no article text found at {url}", "no_text")
        return ArticleDraft(
            body=page.text,
            source=final,
            title=page.title,
            url=final,
            published=page.published,
            lang=page.lang,
        )

    async def add(
        self,
        url: str,
        *,
        added_by: int | None = None,
        kind: str | None = None,
        interval: int | None = None,
        probe: bool = True,
        title: str | None = None,
    ) -> tuple[int, bool]:
        """Add a source; returns (id, is_new). An existing URL is left as it is (re-enabled if disabled)."""
        url = await self.validate(url)
        existing = await self._db.scalar("SELECT id FROM sources WHERE url = ?", (url,))
        if existing is not None:
            await self._db.execute(
                "UPDATE sources SET disabled_at = NULL, failures = 0, next_poll_at = NULL WHERE id = ?",
                (existing,),
            )
            return int(existing), False
        if kind is None:
            kind, found_title = await self.probe(url) if probe else ("feed", None)
            title = title or found_title
        if kind not in ("feed", "page"):
            raise SourceError(f"unknown source kind {kind!r}: use feed or page", "kind")
        new_id = await self._db.execute(
            "INSERT INTO sources(url, kind, title, added_at, added_by, interval_seconds)"
            " VALUES (?,?,?,?,?,?)",
            (url, kind, title, to_iso(self._clock.now()), added_by, self.limits.clamp(interval)),
        )
        return new_id, True

    async def remove(self, ref: int | str) -> str | None:
        """Remove by id or URL; returns the URL removed, or None. Its articles stay."""
        if isinstance(ref, int) or str(ref).isdigit():
            row = await self._db.fetchone("SELECT id, url FROM sources WHERE id = ?", (int(ref),))
        else:
            row = await self._db.fetchone("SELECT id, url FROM sources WHERE url = ?", (str(ref).strip(),))
        if row is None:
            return None
        await self._db.execute("DELETE FROM sources WHERE id = ?", (row["id"],))
        return str(row["url"])

    async def set_interval(self, source_id: int, seconds: int) -> int:
        """Change a source's interval (clamped); returns the value stored."""
        value = self.limits.clamp(seconds)
        await self._db.execute("UPDATE sources SET interval_seconds = ? WHERE id = ?", (value, source_id))
        return value

    async def list(self) -> list[SourceInfo]:
        """Every source with its polling state and article count."""
        rows = await self._db.fetchall(
            "SELECT s.*, (SELECT COUNT(*) FROM articles a WHERE a.source_id = s.id) AS n"
            " FROM sources s ORDER BY s.id"
        )
        return [_info(r) for r in rows]

    async def find(self, url: str) -> SourceInfo | None:
        """The source with exactly this URL (stripped), or None."""
        row = await self._db.fetchone(
            "SELECT s.*, (SELECT COUNT(*) FROM articles a WHERE a.source_id = s.id) AS n"
            " FROM sources s WHERE s.url = ?",
            (url.strip(),),
        )
        return None if row is None else _info(row)

    async def import_opml(self, data: bytes | str, *, added_by: int | None = None) -> ImportReport:
        """Add every feed of an OPML document (no probing: they are declared feeds)."""
        try:
            feeds = parse_opml(data)
        except OpmlError as exc:
            raise SourceError(str(exc), "opml") from None
        report = ImportReport()
        for feed in feeds:
            try:
                _, new = await self.add(
                    feed.url, added_by=added_by, kind="feed", probe=False, title=feed.title
                )
            except SourceError as exc:
                report.rejected.append((feed.url, str(exc)))
                continue
            (report.added if new else report.existing).append(feed.url)
        return report

    async def export_opml(self) -> str:
        """Every feed source as OPML 2.0."""
        sources = [s for s in await self.list() if s.kind == "feed"]
        return build_opml([OpmlFeed(s.url, s.title) for s in sources], created=to_iso(self._clock.now()))

    async def stats(self) -> dict[str, object]:
        """Counts for /stats: sources, enabled, disabled (with their last errors), failing."""
        sources = await self.list()
        return {
            "sources": len(sources),
            "enabled": sum(1 for s in sources if not s.disabled_at),
            "failing": sum(1 for s in sources if s.failures and not s.disabled_at),
            "disabled": [(s.url, s.disabled_at, s.last_error) for s in sources if s.disabled_at],
        }


def _info(r: sqlite3.Row) -> SourceInfo:
    return SourceInfo(
        id=r["id"],
        url=r["url"],
        kind=r["kind"],
        title=r["title"],
        interval_seconds=r["interval_seconds"],
        last_polled_at=r["last_polled_at"],
        next_poll_at=r["next_poll_at"],
        failures=r["failures"],
        last_error=r["last_error"],
        disabled_at=r["disabled_at"],
        articles=r["n"],
    )
