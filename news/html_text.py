"""HTML fragments (feed summaries and contents) into plain text with paragraph breaks."""

from __future__ import annotations

import html
import re

import lxml.etree
import lxml.html

_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "figure",
    "figcaption",
    "hr",
    "dd",
    "dt",
}
_DROP = {"script", "style", "noscript", "iframe", "object", "embed", "svg", "form", "button"}
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANKS = re.compile(r"\n\s*\n+")


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, one paragraph per line; plain text passes through unescaped."""
    if not fragment or not fragment.strip():
        return ""
    if "<" not in fragment:
        return _tidy(html.unescape(fragment))
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return _tidy(html.unescape(re.sub(r"<[^>]*>", " ", fragment)))
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _DROP:
            if node.tail:
                parts.append(node.tail)
            return
        if tag in _BLOCK:
            parts.append("\n")
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            walk(child)
        if tag in _BLOCK:
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    walk(root)
    return _tidy("".join(parts))


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n")]
    return _BLANKS.sub("\n", "\n".join(lines)).strip()
