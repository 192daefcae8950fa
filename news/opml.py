"""OPML import and export of the source list (feed readers' exchange format)."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

import lxml.etree


class OpmlError(ValueError):
    """The document is not OPML; the message says why."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One outline with a feed URL."""

    url: str
    title: str | None = None


def parse_opml(data: bytes | str) -> list[OpmlFeed]:
    """Every outline with an xmlUrl (nested folders included), in document order, without duplicates.

    External entities and network access are disabled in the parser.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = lxml.etree.fromstring(raw, parser=parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise OpmlError(f"not well-formed XML: {exc}") from None
    if not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise OpmlError(f"the root element is <{root.tag}>, not <opml>")
    seen: set[str] = set()
    feeds: list[OpmlFeed] = []
    for node in root.iter("outline"):
        url = (node.get("xmlUrl") or node.get("xmlurl") or "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        title = (node.get("title") or node.get("text") or "").strip() or None
        feeds.append(OpmlFeed(url, title))
    return feeds


def build_opml(feeds: list[OpmlFeed], *, title: str = "newsbot sources", created: str | None = None) -> str:
    """An OPML 2.0 document listing the feeds."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">', "  <head>"]
    lines.append(f"    <title>{_text(title)}</title>")
    if created:
        lines.append(f"    <dateCreated>{_text(created)}</dateCreated>")
    lines.append("  </head>")
    lines.append("  <body>")
    for feed in feeds:
        label = feed.title or feed.url
        lines.append(
            f'    <outline type="rss" text={quoteattr(label)} title={quoteattr(label)}'
            f" xmlUrl={quoteattr(feed.url)}/>"
        )
    lines.append("  </body>")
    lines.append("</opml>")
    return "\n".join(lines) + "\n"


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
