"""Feeds into article drafts: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed by hand.

`parse_feed` never raises on bad input: a document that is not a feed comes back as a rejection with
its reason, items without usable text are rejected one by one, and everything kept becomes an
ArticleDraft (guid, link, title, published, text from the summary or content HTML). Items whose text
is only a link or a short teaser are flagged `needs_page` so the poller can fetch and extract the page.
"""

from __future__ import annotations

import calendar
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from news.articles import ArticleDraft
from news.html_text import html_to_text

SHORT_TEXT_CHARS = 400  # a feed text shorter than this is a teaser: fetch the page
MAX_ITEMS = 500

_JSON_FEED_VERSION = re.compile(r"^https?://jsonfeed\.org/version/")


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item as read from a feed, ready to become a draft."""

    draft: ArticleDraft
    needs_page: bool


@dataclass(slots=True)
class ParsedFeed:
    """What a feed document gave: its title and items, or why it was refused; per-item rejections."""

    title: str | None = None
    kind: str = ""  # rss20, atom10, json1 ... as feedparser names them
    items: list[FeedItem] = field(default_factory=list)
    rejected: str | None = None  # the whole document was refused, and why
    item_rejections: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _struct_to_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _iso_to_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _clean(text: Any, limit: int = 1000, *, is_html: bool = True) -> str | None:
    if not isinstance(text, str):
        return None
    text = re.sub(r"\s+", " ", html_to_text(text) if is_html and "<" in text else text).strip()
    return text[:limit] or None


def _draft(
    *,
    source: str,
    source_id: int | None,
    guid: Any,
    link: Any,
    title: Any,
    published: datetime | None,
    html: str,
    lang: Any,
    title_is_html: bool = True,
) -> tuple[FeedItem | None, str | None]:
    body = html_to_text(html) if html else ""
    clean_title = _clean(title, is_html=title_is_html)
    link_text = link.strip() if isinstance(link, str) and link.strip() else None
    guid_text = str(guid).strip()[:500] if guid else None
    if not body.strip() and not clean_title and not link_text:
        return None, "item has no title, text or link"
    needs_page = bool(link_text) and len(body.strip()) < SHORT_TEXT_CHARS
    if not body.strip():
        body = clean_title or link_text or ""
    draft = ArticleDraft(
        body=body,
        source=source,
        title=clean_title,
        url=link_text,
        published=published,
        lang=lang if isinstance(lang, str) and lang else None,
        guid=guid_text or link_text,
        source_id=source_id,
    )
    return FeedItem(draft, needs_page), None


def _looks_like_json(body: bytes, content_type: str) -> bool:
    if "json" in content_type:
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def parse_json_feed(body: bytes, *, source: str, source_id: int | None = None) -> ParsedFeed:
    """A JSON Feed (https://jsonfeed.org, versions 1 and 1.1)."""
    out = ParsedFeed(kind="json")
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        out.rejected = f"not valid JSON: {exc}"
        return out
    if not isinstance(doc, dict) or not _JSON_FEED_VERSION.match(str(doc.get("version", ""))):
        out.rejected = "JSON but not a JSON Feed (no jsonfeed.org version)"
        return out
    out.kind = "json" + str(doc.get("version", "")).rstrip("/").rsplit("/", 1)[-1]
    out.title = _clean(doc.get("title"))
    items = doc.get("items")
    if not isinstance(items, list):
        out.rejected = "JSON Feed without an items list"
        return out
    lang = doc.get("language")
    for raw in items[:MAX_ITEMS]:
        if not isinstance(raw, dict):
            out.item_rejections.append("item is not an object")
            continue
        html = raw.get("content_html") or ""
        if not html and isinstance(raw.get("content_text"), str):
            html = raw["content_text"].replace("&", "&amp;").replace("<", "&lt;")
        if not html and isinstance(raw.get("summary"), str):
            html = raw["summary"]
        item, reason = _draft(
            source=source,
            source_id=source_id,
            guid=raw.get("id"),
            link=raw.get("url") or raw.get("external_url"),
            title=raw.get("title"),
            published=_iso_to_datetime(raw.get("date_published") or raw.get("date_modified")),
            html=html if isinstance(html, str) else "",
            lang=raw.get("language") or lang,
        )
        if item:
            out.items.append(item)
        else:
            out.item_rejections.append(reason or "unusable item")
    return out


def parse_feed(
    body: bytes,
    *,
    source: str,
    source_id: int | None = None,
    content_type: str = "",
    headers: dict[str, str] | None = None,
) -> ParsedFeed:
    """Parse a feed document of any supported kind; never raises on bad input."""
    if not body.strip():
        return ParsedFeed(rejected="empty document")
    json_reason = ""
    if _looks_like_json(body, content_type):
        parsed = parse_json_feed(body, source=source, source_id=source_id)
        json_reason = f"{parsed.rejected}; " if parsed.rejected else ""
        if parsed.rejected is None or "json" in content_type or not parsed.rejected.startswith("not valid"):
            return parsed
    try:
        fp = feedparser.parse(
            body, response_headers=headers or {}, sanitize_html=True, resolve_relative_uris=True
        )
    except Exception as exc:  # feedparser is robust, but a crash here must stay a counted rejection
        return ParsedFeed(rejected=f"parser error: {type(exc).__name__}: {exc}")
    out = ParsedFeed(kind=str(fp.get("version") or ""))
    feed = fp.get("feed", {}) or {}
    out.title = _clean(feed.get("title"))
    bozo = fp.get("bozo_exception") if fp.get("bozo") else None
    entries = fp.get("entries", []) or []
    if not out.kind and not entries:
        if bozo is not None:
            out.rejected = f"{json_reason}not a feed: {type(bozo).__name__}: {bozo}"[:300]
        else:
            out.rejected = f"{json_reason}not a feed (no RSS, Atom or RDF root element)"
        return out
    if bozo is not None:
        out.warnings.append(f"ill-formed, read leniently: {type(bozo).__name__}: {bozo}"[:300])
    lang = feed.get("language")
    for entry in entries[:MAX_ITEMS]:
        html = ""
        contents = entry.get("content") or []
        if contents:
            html = "\n".join(str(c.get("value", "")) for c in contents if isinstance(c, dict))
        if not html:
            html = str(entry.get("summary") or entry.get("description") or "")
        link = entry.get("link")
        if not link:
            for candidate in entry.get("links", []) or []:
                if isinstance(candidate, dict) and candidate.get("href"):
                    link = candidate["href"]
                    break
        item, reason = _draft(
            source=source,
            source_id=source_id,
            guid=entry.get("id") or entry.get("guid"),
            link=link,
            title=entry.get("title"),
            published=_struct_to_datetime(entry.get("published_parsed") or entry.get("updated_parsed")),
            html=html,
            lang=entry.get("language") or lang,
            title_is_html=(entry.get("title_detail") or {}).get("type", "text/html") != "text/plain",
        )
        if item:
            out.items.append(item)
        else:
            out.item_rejections.append(reason or "unusable item")
    if len(entries) > MAX_ITEMS:
        out.warnings.append(f"{len(entries) - MAX_ITEMS} items beyond the first {MAX_ITEMS} ignored")
    return out


def http_date(moment: datetime) -> str:
    """An RFC 7231 date (for feeds we write in tests and OPML)."""
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", moment.astimezone(UTC).timetuple())
