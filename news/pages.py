"""Web pages into article text, with trafilatura (used when a feed item is only a link or a teaser)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

log = logging.getLogger(__name__)

MIN_TEXT_CHARS = 200


@dataclass(frozen=True, slots=True)
class PageText:
    """The main text of a page, with what trafilatura found about it."""

    text: str
    title: str | None
    published: datetime | None
    lang: str | None


def extract_page(html: bytes | str, url: str | None = None) -> PageText | None:
    """The article in an HTML page, or None when there is no main text worth keeping."""
    import trafilatura  # imported here: it loads lxml, justext and friends

    if isinstance(html, bytes):
        from news.reading import RejectedFile, decode_bytes

        raw = html
        try:
            html = decode_bytes(raw)
        except RejectedFile:
            html = raw.decode("utf-8", "replace")
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            with_metadata=True,
        )
    except Exception:  # a page must never crash the poller
        log.warning("trafilatura failed on %s", url, exc_info=True)
        return None
    if doc is None:
        return None
    text = (getattr(doc, "text", None) or "").strip()
    if len(text) < MIN_TEXT_CHARS:
        return None
    published: datetime | None = None
    date = getattr(doc, "date", None)
    if date:
        try:
            published = datetime.fromisoformat(str(date)).replace(tzinfo=UTC)
        except ValueError:
            published = None
    title = getattr(doc, "title", None)
    lang = getattr(doc, "language", None)
    return PageText(text=text, title=title or None, published=published, lang=lang or None)
