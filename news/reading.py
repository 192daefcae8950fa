"""Reading article files: plain text, Markdown, JSON lines and JSON arrays, in UTF-8 or the usual
Cyrillic legacy encodings. Every file yields drafts or a rejection with a reason a person can act on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from news.articles import ArticleDraft

LEGACY_ENCODINGS = ("cp1251", "koi8-r", "cp866", "iso8859-5")
COLLECTION_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})

_SOURCE_LINE = re.compile(
    r"^\s*(?:оригинал(?: статьи)?|источник|первоисточник|източник|оригинална статия|source|"
    r"original(?: article)?|"
    r"read the original|via)\s*:\s*(?P<url>https?://\S+)\s*$",
    re.IGNORECASE,
)
_HEADLINE_END = re.compile(r"[.,:;—–-]$")
_PUBLISHED_LINE = re.compile(
    r"^\s*(?:опубликовано|публикувано|published)\s*:?\s*(?P<when>.*)$", re.IGNORECASE
)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")


@dataclass(slots=True)
class FileReading:
    """What one file gave: drafts to ingest and rejections (reason, with a line number when known)."""

    path: Path
    drafts: list[ArticleDraft] = field(default_factory=list)
    rejections: list[str] = field(default_factory=list)


class RejectedFile(Exception):
    """The whole file cannot be read; the message says why and what to do."""


def iter_input_files(paths: list[Path]) -> Iterator[Path]:
    """The files named, and every file under the folders named, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        else:
            yield path


def decode_bytes(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or the likeliest Cyrillic legacy encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise RejectedFile("not valid UTF-16 despite its byte-order mark; re-save it as UTF-8") from None
    if b"\x00" in data[:8192]:
        raise RejectedFile("binary file (NUL bytes); only text, Markdown and JSON articles can be ingested")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best: tuple[float, str] | None = None
    for encoding in LEGACY_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, text)
    if best is None or best[0] < 0.85:
        raise RejectedFile(
            "not UTF-8, and not readable as " + ", ".join(LEGACY_ENCODINGS) + "; re-save the file as UTF-8"
        )
    return best[1]


def _plausibility(text: str) -> float:
    """Share of characters that look like ordinary prose, with lower-case Cyrillic favoured:
    a wrong single-byte decoding swaps cases or yields box-drawing symbols."""
    sample = text[:20000]
    if not sample:
        return 0.0
    ordinary = lower_cyr = cyr = 0
    for ch in sample:
        if ch.isalpha():
            ordinary += 1
            if "\u0400" <= ch <= "\u04ff":
                cyr += 1
                lower_cyr += ch.islower()
        elif ch.isspace() or ch.isdigit() or ch in ".,;:!?-—–()\"'«»„“”%/№":
            ordinary += 1
    share = ordinary / len(sample)
    if cyr:
        share *= 0.5 + 0.5 * (lower_cyr / cyr)
    return share


def looks_binary(text: str) -> bool:
    """True when a decoded text is mostly control characters."""
    sample = text[:8192]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls / len(sample) > 0.02


def read_article_file(path: Path, *, max_bytes: int, max_collection_bytes: int) -> FileReading:
    """Read one file into drafts; problems become rejections rather than exceptions."""
    reading = FileReading(path)
    limit = max_collection_bytes if path.suffix.lower() in COLLECTION_SUFFIXES else max_bytes
    try:
        size = path.stat().st_size
        if size > limit:
            raise RejectedFile(
                f"too large ({size / 1e6:.1f} MB; the limit is {limit / 1e6:.1f} MB): split it or raise "
                "MAX_ARTICLE_BYTES"
            )
        data = path.read_bytes()
    except RejectedFile as exc:
        reading.rejections.append(str(exc))
        return reading
    except OSError as exc:
        reading.rejections.append(f"unreadable ({exc.strerror or exc}); check the path and permissions")
        return reading
    try:
        if not data.strip():
            raise RejectedFile("empty file")
        text = decode_bytes(data)
        if looks_binary(text):
            raise RejectedFile("binary file; only text, Markdown and JSON articles can be ingested")
        if not text.strip():
            raise RejectedFile("empty file")
    except RejectedFile as exc:
        reading.rejections.append(str(exc))
        return reading
    source = str(path.resolve())
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson") or (suffix == ".json" and not text.lstrip().startswith(("[", "{"))):
        _read_json_lines(text, source, reading)
    elif suffix == ".json":
        _read_json_document(text, source, reading)
    else:
        reading.drafts.append(parse_plain_text(text, source, markdown=suffix in (".md", ".markdown")))
    return reading


def parse_plain_text(text: str, source: str, *, markdown: bool = False) -> ArticleDraft:
    """A plain-text or Markdown article: optional headline line, body, optional trailing source URL."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if markdown:
        lines = [_strip_markdown(line) for line in lines]
    url = None
    # The source line is the last non-empty line, or close to it.
    tail = [i for i, line in enumerate(lines) if line.strip()][-3:]
    for i in reversed(tail):
        match = _SOURCE_LINE.match(lines[i])
        if match:
            url = match.group("url").rstrip(").,;»\"'")
            del lines[i]
            break
    title = None
    published = None
    non_empty = [i for i, line in enumerate(lines) if line.strip()]
    if len(non_empty) >= 2:
        first = lines[non_empty[0]].strip()
        heading = markdown and text.lstrip().startswith("#")
        if heading or (len(first) <= 200 and not _HEADLINE_END.search(first) and len(first.split()) >= 2):
            title = first
            del lines[non_empty[0]]
    for line in lines[:6]:
        match = _PUBLISHED_LINE.match(line)
        if match:
            published = parse_datetime(match.group("when"))
            break
    body = "\n".join(lines).strip("\n")
    return ArticleDraft(body=body, source=source, title=title, url=url, published=published)


def _strip_markdown(line: str) -> str:
    line = _MD_HEADING.sub("", line)
    line = _MD_LINK.sub(r"\1", line)
    return _MD_EMPHASIS.sub(r"\2", line)


def _record_to_draft(record: Any, source: str) -> ArticleDraft:
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    body = record.get("body") or record.get("text") or record.get("content")
    if not isinstance(body, str) or not body.strip():
        raise ValueError("no text in body/text/content")
    title = record.get("title")
    url = record.get("url") or record.get("link")
    guid = record.get("guid") or record.get("id") or record.get("message_id")
    published = record.get("published") or record.get("date")
    lang = record.get("lang") or record.get("language")
    return ArticleDraft(
        body=body,
        source=source,
        title=title if isinstance(title, str) and title.strip() else None,
        url=url if isinstance(url, str) else None,
        published=parse_datetime(published) if isinstance(published, str) else None,
        lang=lang if isinstance(lang, str) else None,
        guid=str(guid) if guid is not None else None,
    )


def _read_json_lines(text: str, source: str, reading: FileReading) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            reading.drafts.append(_record_to_draft(json.loads(line), source))
        except json.JSONDecodeError as exc:
            reading.rejections.append(f"line {number}: invalid JSON ({exc.msg}); fix or remove the line")
        except ValueError as exc:
            reading.rejections.append(f"line {number}: {exc}")


def _read_json_document(text: str, source: str, reading: FileReading) -> None:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        reading.rejections.append(f"invalid JSON at line {exc.lineno} ({exc.msg}); fix the file")
        return
    records = document if isinstance(document, list) else [document]
    for number, record in enumerate(records, start=1):
        try:
            reading.drafts.append(_record_to_draft(record, source))
        except ValueError as exc:
            reading.rejections.append(f"record {number}: {exc}")


_DATE_FORMATS = ("%d.%m.%Y %H:%M", "%d.%m.%Y, %H:%M", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def parse_datetime(value: str) -> datetime | None:
    """An ISO 8601 or dd.mm.yyyy [HH:MM] timestamp as an aware datetime (UTC if no zone), else None."""
    value = value.strip()
    if not value:
        return None
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                moment = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
