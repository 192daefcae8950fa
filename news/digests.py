"""Digests: new coverage grouped by story, rendered to Telegram HTML, decided into the outbox.

Modes per chat: `now` (one message per story, within a minute of ingest; when the story grows, the
earlier message is edited while it is under 48 hours old), `hourly` (on the hour, in the chat's time
zone) and `daily HH:MM` (chat's time zone). Each decision (queue rows marked digested + outbox rows)
is one transaction, so a digest is decided exactly once. Rendering is pure: `render_story_block`,
`render_digest` and `split_message` work on plain data, escape everything, and count Telegram's
limit in UTF-16 code units.
"""

from __future__ import annotations

import html
import logging
import re
import sqlite3
import zoneinfo
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

import aiosqlite

from news.clock import Clock, from_iso, to_iso
from news.stories import source_label
from news.subscriptions import ArticleWords
from storage.db import Database
from storage.outbox import enqueue

log = logging.getLogger(__name__)

TELEGRAM_LIMIT = 4096
_TAG = re.compile(r"<[^>]+>")
EDIT_WINDOW = timedelta(hours=48)
MAX_QUOTES_PER_ARTICLE = 2
QUOTE_CHARS = 220


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def esc(text: str) -> str:
    """Escape for Telegram HTML (& first, then < > and quotes)."""
    return html.escape(text, quote=True)


@dataclass(frozen=True, slots=True)
class DigestArticle:
    """One article line of a digest."""

    id: int
    title: str
    url: str | None
    source: str
    lang: str
    new: bool = True
    quotes: tuple[tuple[str, str], ...] = ()  # (speaker, text)


@dataclass(frozen=True, slots=True)
class DigestStory:
    """One story block: its headline and the articles the chat gets."""

    story_id: int
    headline: str
    articles: tuple[DigestArticle, ...]
    total_articles: int = 0
    matched: tuple[str, ...] = ()  # what the chat subscribed to that matched

    @property
    def languages(self) -> list[str]:
        """Languages of the articles shown, in order of appearance."""
        return list(OrderedDict.fromkeys(a.lang for a in self.articles))

    @property
    def sources(self) -> list[str]:
        """Sources of the articles shown, in order of appearance."""
        return list(OrderedDict.fromkeys(a.source for a in self.articles))


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def render_article(article: DigestArticle, *, mark_new: bool) -> str:
    """One bullet: linked title, source and language, then the quotes."""
    title = esc(_cut(article.title, 200))
    link = f'<a href="{esc(article.url)}">{title}</a>' if article.url else title
    prefix = "🆕 " if mark_new and article.new else ""
    line = f"• {prefix}{link} — {esc(article.source)} ({esc(article.lang)})"
    for speaker, text in article.quotes[:MAX_QUOTES_PER_ARTICLE]:
        line += f"\n  «{esc(_cut(text, QUOTE_CHARS))}» — {esc(speaker)}"
    return line


def render_story_block(story: DigestStory, *, mark_new: bool = True, limit: int = TELEGRAM_LIMIT) -> str:
    """A story: headline, counts, languages and sources, one line per article; fits in `limit`."""
    new = sum(1 for a in story.articles if a.new)
    total = max(story.total_articles, len(story.articles))
    if mark_new and new != total:
        counts = f"{new} new · {total} in all"
    else:
        counts = f"{total} article{'s' if total != 1 else ''}"
    head = f"<b>{esc(_cut(story.headline, 300))}</b>\n{counts} · {esc(', '.join(story.languages))}"
    head += f" · {esc(', '.join(story.sources[:6]))}"
    if story.matched:
        head += f"\n<i>for: {esc(', '.join(story.matched))}</i>"
    lines = [render_article(a, mark_new=mark_new) for a in story.articles]
    # newest last; when too long, drop the oldest lines and say so
    dropped = 0
    while lines and utf16_len(head + "\n" + "\n".join(lines)) > limit - 40:
        lines.pop(0)
        dropped += 1
    body = "\n".join(lines)
    if dropped:
        body = f"… {dropped} earlier article{'s' if dropped != 1 else ''}\n" + body
    text = f"{head}\n{body}" if body else head
    if utf16_len(text) > limit:  # a single huge line: cut by code units, never inside a tag
        text = _truncate_html(text, limit)
    return text


def _truncate_html(text: str, limit: int) -> str:
    """Last resort for one oversized block: plain text (tags dropped), re-escaped, cut to fit."""
    plain = html.unescape(_TAG.sub("", text))
    while plain and utf16_len(esc(plain)) > limit - 1:
        plain = plain[: max(0, len(plain) - max(1, (utf16_len(esc(plain)) - limit) // 2 + 1))]
    return esc(plain) + "…"


def split_message(blocks: list[str], *, header: str = "", limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Blocks joined by blank lines into as few messages as fit; a block is never split."""
    parts: list[str] = []
    current = header
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if utf16_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        current = block
    if current:
        parts.append(current)
    return parts


def render_digest(stories: list[DigestStory], title: str, *, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """A scheduled digest: a title line, then one block per story; split only if it must be."""
    header = f"<b>{esc(title)}</b>"
    blocks = [render_story_block(s, limit=limit - utf16_len(header) - 2) for s in stories]
    return split_message(blocks, header=header, limit=limit)


# -- deciding digests ------------------------------------------------------------------------------------


@dataclass(slots=True)
class DigestRun:
    """What one digest pass decided."""

    chats: int = 0
    messages: int = 0
    edits: int = 0
    articles: int = 0
    chat_ids: list[int] = field(default_factory=list)


def local_now(now: datetime, tz_name: str | None, default_tz: str) -> datetime:
    """The instant in the chat's time zone (the bot's default when unset or unknown)."""
    try:
        tz = zoneinfo.ZoneInfo(tz_name or default_tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo(default_tz)
    return now.astimezone(tz)


def due_period(mode: str, digest_time: str | None, local: datetime) -> tuple[str, datetime] | None:
    """(period key, period start in local time) of a scheduled digest due at `local`, or None."""
    if mode == "hourly":
        start = local.replace(minute=0, second=0, microsecond=0)
        return f"hourly:{start:%Y-%m-%dT%H}", start
    if mode == "daily":
        try:
            hh, mm = (int(x) for x in (digest_time or "09:00").split(":", 1))
            at = time(hh, mm)
        except ValueError:
            at = time(9, 0)
        start = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
        if local < start:
            return None
        return f"daily:{start:%Y-%m-%d}", start
    return None


class DigestService:
    """Queues matches and turns them into outbox messages, per chat mode."""

    def __init__(self, db: Database, clock: Clock, *, default_tz: str = "UTC", engine: Any = None) -> None:
        self._db = db
        self._clock = clock
        self._default_tz = default_tz
        self._engine = engine
        self._has_quotes: bool | None = None

    async def queue(self, matches: list[Any]) -> int:
        """Record matches (chat, subscription, article) as pending digest items; returns how many are new."""
        if not matches:
            return 0
        now = to_iso(self._clock.now())
        added = 0
        async with self._db.atomic() as conn:
            for m in matches:
                cur = await conn.execute(
                    "INSERT OR IGNORE INTO digest_queue"
                    "(chat_id, article_id, story_id, subscription_id, matched_at)"
                    " SELECT ?, id, story_id, ?, ? FROM articles WHERE id = ?",
                    (m.chat_id, m.subscription_id, now, m.article_id),
                )
                added += cur.rowcount
        return added

    # -- now ----------------------------------------------------------------------------------------

    async def run_now(self) -> DigestRun:
        """Per-story messages (or edits) for every `now` chat with pending items."""
        run = DigestRun()
        rows = await self._db.fetchall(
            "SELECT DISTINCT q.chat_id FROM digest_queue q JOIN chats c ON c.id = q.chat_id"
            " WHERE q.digested_at IS NULL AND c.active = 1 AND c.digest_mode = 'now'"
        )
        for r in rows:
            await self._now_for_chat(int(r["chat_id"]), run)
        return run

    async def _now_for_chat(self, chat_id: int, run: DigestRun) -> None:
        now = self._clock.now()
        async with self._db.atomic() as conn:
            pending = await _fetch(
                conn,
                "SELECT article_id, story_id FROM digest_queue WHERE chat_id = ? AND digested_at IS NULL"
                " ORDER BY article_id",
                (chat_id,),
            )
            if not pending:
                return
            by_story: dict[int, list[int]] = OrderedDict()
            for p in pending:
                by_story.setdefault(int(p["story_id"] or -int(p["article_id"])), []).append(
                    int(p["article_id"])
                )
            for story_id, new_ids in by_story.items():
                if story_id < 0:  # an article without a story (should not happen): its own message
                    story_id = 0
                shown_ids = new_ids
                if story_id:
                    earlier = await _fetch(
                        conn,
                        "SELECT article_id FROM digest_queue WHERE chat_id = ? AND story_id = ?"
                        " AND digested_at IS NOT NULL ORDER BY article_id",
                        (chat_id, story_id),
                    )
                    shown_ids = [int(e["article_id"]) for e in earlier] + new_ids
                story = await self._story(conn, chat_id, story_id, shown_ids, set(new_ids))
                text = render_story_block(story, mark_new=len(shown_ids) > len(new_ids))
                kind = await self._send_or_edit(conn, chat_id, story_id, text, len(shown_ids), now)
                run.messages += kind == "send"
                run.edits += kind == "edit"
                run.articles += len(new_ids)
            await conn.execute(
                "UPDATE digest_queue SET digested_at = ? WHERE chat_id = ? AND digested_at IS NULL",
                (to_iso(now), chat_id),
            )
            await conn.execute("UPDATE chats SET last_digest_at = ? WHERE id = ?", (to_iso(now), chat_id))
        run.chats += 1
        run.chat_ids.append(chat_id)

    async def _send_or_edit(
        self, conn: aiosqlite.Connection, chat_id: int, story_id: int, text: str, version: int, now: datetime
    ) -> str:
        """Enqueue the story's message: an edit of the earlier one when possible, else a new message."""
        ts, stamp = now.timestamp(), to_iso(now)
        if story_id:
            earlier = await _fetch(
                conn,
                "SELECT id, state, kind, sent_at, created_at FROM outbox WHERE chat_id = ? AND story_id = ?"
                " AND kind = 'send' AND state != 'failed' ORDER BY id DESC LIMIT 1",
                (chat_id, story_id),
            )
            if earlier:
                row = earlier[0]
                decided = from_iso(row["sent_at"] or row["created_at"])
                if now - decided < EDIT_WINDOW:
                    if row["state"] == "pending":
                        cur = await conn.execute(
                            "UPDATE outbox SET text = ? WHERE id = ? AND state = 'pending'", (text, row["id"])
                        )
                        if cur.rowcount == 1:
                            return "send"
                    pending_edit = await _fetch(
                        conn,
                        "SELECT id FROM outbox WHERE chat_id = ? AND story_id = ? AND kind = 'edit'"
                        " AND state = 'pending' AND edit_of = ?",
                        (chat_id, story_id, row["id"]),
                    )
                    if pending_edit:
                        await conn.execute(
                            "UPDATE outbox SET text = ? WHERE id = ?", (text, pending_edit[0]["id"])
                        )
                        return "edit"
                    await enqueue(
                        conn,
                        chat_id=chat_id,
                        dedup_key=f"story:{story_id}:edit:{version}",
                        text=text,
                        now=ts,
                        created_at=stamp,
                        kind="edit",
                        story_id=story_id,
                        edit_of=int(row["id"]),
                    )
                    return "edit"
        await enqueue(
            conn,
            chat_id=chat_id,
            dedup_key=f"story:{story_id or 'none'}:{version}:{stamp}",
            text=text,
            now=ts,
            created_at=stamp,
            story_id=story_id or None,
        )
        return "send"

    # -- hourly and daily ---------------------------------------------------------------------------------

    async def run_scheduled(self) -> DigestRun:
        """Hourly and daily digests that are due now, in each chat's time zone."""
        run = DigestRun()
        now = self._clock.now()
        chats = await self._db.fetchall(
            "SELECT c.id, c.digest_mode, c.digest_time, c.timezone, s.last_period FROM chats c"
            " LEFT JOIN digest_state s ON s.chat_id = c.id"
            " WHERE c.active = 1 AND c.digest_mode IN ('hourly', 'daily')"
            " AND EXISTS (SELECT 1 FROM digest_queue q WHERE q.chat_id = c.id AND q.digested_at IS NULL)"
        )
        for chat in chats:
            local = local_now(now, chat["timezone"], self._default_tz)
            due = due_period(chat["digest_mode"], chat["digest_time"], local)
            if due is None or due[0] == chat["last_period"]:
                continue
            await self._scheduled_for_chat(int(chat["id"]), due[0], due[1], local, run)
        return run

    async def _scheduled_for_chat(
        self, chat_id: int, period: str, start_local: datetime, local: datetime, run: DigestRun
    ) -> None:
        now = self._clock.now()
        cutoff = to_iso(start_local)
        async with self._db.atomic() as conn:
            pending = await _fetch(
                conn,
                "SELECT article_id, story_id FROM digest_queue WHERE chat_id = ? AND digested_at IS NULL"
                " AND matched_at < ? ORDER BY story_id, article_id",
                (chat_id, cutoff),
            )
            if not pending:
                return
            by_story: dict[int, list[int]] = OrderedDict()
            for p in pending:
                by_story.setdefault(int(p["story_id"] or 0), []).append(int(p["article_id"]))
            stories = [await self._story(conn, chat_id, sid, ids, set(ids)) for sid, ids in by_story.items()]
            stories.sort(key=lambda s: -len(s.articles))
            kind = "Daily" if period.startswith("daily") else "Hourly"
            parts = render_digest(stories, f"{kind} digest · {local:%d %b %Y, %H:%M}")
            for number, text in enumerate(parts, start=1):
                await enqueue(
                    conn,
                    chat_id=chat_id,
                    dedup_key=f"digest:{period}:{number}",
                    text=text,
                    now=now.timestamp(),
                    created_at=to_iso(now),
                )
            ids = [int(p["article_id"]) for p in pending]
            marks = ",".join("?" * len(ids))
            await conn.execute(
                f"UPDATE digest_queue SET digested_at = ? WHERE chat_id = ? AND article_id IN ({marks})",
                (to_iso(now), chat_id, *ids),
            )
            await conn.execute(
                "INSERT INTO digest_state(chat_id, last_digest_at, last_period) VALUES (?,?,?)"
                " ON CONFLICT(chat_id) DO UPDATE SET last_digest_at = excluded.last_digest_at,"
                " last_period = excluded.last_period",
                (chat_id, to_iso(now), period),
            )
            await conn.execute("UPDATE chats SET last_digest_at = ? WHERE id = ?", (to_iso(now), chat_id))
        run.chats += 1
        run.messages += len(parts)
        run.articles += len(pending)
        run.chat_ids.append(chat_id)

    # -- story data for rendering --------------------------------------------------------------------

    async def _quotes_table(self, conn: aiosqlite.Connection) -> bool:
        if self._has_quotes is None:
            rows = await _fetch(
                conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'quotes'", ()
            )
            self._has_quotes = bool(rows)
        return self._has_quotes

    async def _story(
        self,
        conn: aiosqlite.Connection,
        chat_id: int,
        story_id: int,
        article_ids: list[int],
        new_ids: set[int],
    ) -> DigestStory:
        marks = ",".join("?" * len(article_ids))
        arts = await _fetch(
            conn,
            f"SELECT id, title, url, source, lang FROM articles WHERE id IN ({marks})"
            " ORDER BY COALESCE(published_at, ingested_at), id",
            tuple(article_ids),
        )
        subs = await _fetch(
            conn,
            "SELECT s.query, s.entity_id FROM subscriptions s JOIN digest_queue q ON q.subscription_id = s.id"
            f" WHERE q.chat_id = ? AND q.article_id IN ({marks})",
            (chat_id, *article_ids),
        )
        entity_ids = {int(s["entity_id"]) for s in subs if s["entity_id"] is not None}
        queries = [str(s["query"]) for s in subs]
        quotes: dict[int, list[tuple[str, str]]] = {}
        if subs and await self._quotes_table(conn):
            rows = await _fetch(
                conn,
                "SELECT q.article_id, q.text, q.entity_id, COALESCE(q.speaker_text, '') AS said_by,"
                " COALESCE(e.name, q.speaker_text, '') AS speaker FROM quotes q"
                " LEFT JOIN entities e ON e.id = q.entity_id"
                f" WHERE q.article_id IN ({marks}) AND q.kind = 'quote' ORDER BY q.article_id, q.start",
                tuple(article_ids),
            )
            for r in rows:
                # quotes of the subscribed people: by entity, or a speaker whose name has the keyword
                by_entity = r["entity_id"] is not None and int(r["entity_id"]) in entity_ids
                names = ArticleWords(f"{r['said_by']} {r['speaker']}")
                if by_entity or any(names.has_phrase(q) for q in queries):
                    quotes.setdefault(int(r["article_id"]), []).append((str(r["speaker"]), str(r["text"])))
        headline = arts[0]["title"] if arts else ""
        total = len(article_ids)
        if story_id:
            srow = await _fetch(conn, "SELECT headline FROM stories WHERE id = ?", (story_id,))
            if srow:
                headline = srow[0]["headline"]
            count = await _fetch(conn, "SELECT COUNT(*) AS n FROM articles WHERE story_id = ?", (story_id,))
            total = max(total, int(count[0]["n"])) if count else total
        return DigestStory(
            story_id=story_id,
            headline=headline,
            articles=tuple(
                DigestArticle(
                    id=int(a["id"]),
                    title=a["title"],
                    url=a["url"],
                    source=source_label(a["url"] or a["source"]),
                    lang=a["lang"],
                    new=int(a["id"]) in new_ids,
                    quotes=tuple(quotes.get(int(a["id"]), ())),
                )
                for a in arts
            ),
            total_articles=total,
            matched=tuple(dict.fromkeys(str(s["query"]) for s in subs)),
        )


async def _fetch(conn: aiosqlite.Connection, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
    async with conn.execute(sql, params) as cur:
        return list(await cur.fetchall())
