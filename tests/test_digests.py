"""Subscriptions matching and digests: fuzzy keywords and excludes, rendering (escaping, UTF-16 limit,
splitting only when needed), and hourly/daily schedules in the chat's time zone."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from news.articles import ArticleDraft
from news.clock import FixedClock
from news.digests import (
    DigestArticle,
    DigestService,
    DigestStory,
    due_period,
    local_now,
    render_digest,
    render_story_block,
    utf16_len,
)
from news.ingest import IngestService
from news.subscriptions import (
    ArticleWords,
    Rule,
    SubscriptionMatcher,
    parse_excludes,
    rule_matches,
    split_query,
)
from storage.articles import SqliteArticleStore
from storage.db import Database


def test_keyword_matching_is_fuzzy_cross_script_and_excludes_veto() -> None:
    words = ArticleWords(
        "Сергей Лавровым встретился в Москве с главой МИД КНДР. Переговоры о поставках ракет."
    )
    assert words.has_phrase("Lavrov")  # Latin query, Cyrillic text, instrumental case
    assert words.has_phrase("лавров")
    assert words.has_phrase("Lavrow")  # a typo
    assert not words.has_phrase("Macron")
    rule = Rule(1, 5, "keyword", None, "Lavrov", parse_excludes("-ракеты"))
    assert not rule_matches(rule, set(), words)  # excluded
    assert rule_matches(Rule(1, 5, "keyword", None, "Lavrov", ()), set(), words)
    assert rule_matches(Rule(2, 5, "entity", 17, "Sergey Lavrov", ()), {17, 3}, ArticleWords("no name here"))
    assert not rule_matches(Rule(2, 5, "entity", 17, "Sergey Lavrov", ()), {3}, words)
    assert split_query("brexit -football !cricket") == ("brexit", ("football", "cricket"))
    assert parse_excludes('["-a", "b"]') == ("a", "b") and parse_excludes("x, -y") == ("x", "y")
    # no user regular expressions: metacharacters are just characters
    started = time.perf_counter()
    assert not ArticleWords("ab" * 20_000 + "!").has_phrase("(a+)+$ zzz")
    assert time.perf_counter() - started < 2.0


def _story(n: int, title: str = "Title", new: int | None = None) -> DigestStory:
    arts = tuple(
        DigestArticle(
            i,
            f"{title} {i} <b>&",
            f"https://x.example/{i}?a=1&b=2",
            "x.example",
            "ru",
            new=new is None or i >= new,
            quotes=(("Лавров", 'Мы "за" <мир>'),),
        )
        for i in range(n)
    )
    return DigestStory(1, "Headline <script> & co", arts, total_articles=n, matched=("Lavrov",))


def test_rendering_escapes_and_fits_the_limit() -> None:
    text = render_story_block(_story(2, new=1))
    assert "&lt;script&gt; &amp; co" in text and "<script>" not in text
    assert 'href="https://x.example/0?a=1&amp;b=2"' in text
    assert "1 new · 2 in all" in text and "🆕" in text
    assert "«Мы &quot;за&quot; &lt;мир&gt;» — Лавров" in text
    big = render_story_block(_story(400, title="😀" * 50))
    assert utf16_len(big) <= 4096 and "earlier articles" in big
    parts = render_digest([_story(3), _story(2)], "Daily digest")
    assert len(parts) == 1  # split only if it must be
    many = render_digest([_story(30, title="Заголовок " * 8) for _ in range(6)], "Daily digest")
    assert len(many) > 1 and all(utf16_len(p) <= 4096 for p in many)


def test_schedule_periods_in_the_chat_time_zone() -> None:
    now = datetime(2024, 11, 1, 6, 30, tzinfo=UTC)
    sofia = local_now(now, "Europe/Sofia", "UTC")
    assert sofia.hour == 8
    assert due_period("daily", "09:00", sofia) is None
    assert due_period("daily", "08:15", sofia)[0] == "daily:2024-11-01"  # type: ignore[index]
    assert due_period("hourly", None, sofia)[0] == "hourly:2024-11-01T08"  # type: ignore[index]
    assert local_now(now, "Not/AZone", "UTC").hour == 6


async def test_daily_digest_once_per_day_after_its_time(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2024, 11, 1, 5, 0, tzinfo=UTC))
    db = await Database.open(tmp_path / "d.sqlite3")
    try:
        ingest = IngestService(SqliteArticleStore(db, clock))
        text = "Сергей Лавров встретился в Москве с министром иностранных дел КНДР Цой Сон Хи."
        added = (await ingest.ingest_drafts([ArticleDraft(body=text, source="https://a.example/1")])).added
        await db.execute(
            "INSERT INTO chats(id, type, digest_mode, digest_time, timezone, created_at)"
            " VALUES (5, 'private', 'daily', '08:00', 'Europe/Sofia', 'x')"
        )
        await db.execute(
            "INSERT INTO subscriptions(chat_id, kind, query, created_at) VALUES (5, 'keyword', 'Lavrov', 'x')"
        )
        matcher = SubscriptionMatcher(db)
        matches = await matcher.match(added)
        assert [(m.chat_id, m.article_id) for m in matches] == [(5, added[0])]
        digests = DigestService(db, clock)
        assert await digests.queue(matches) == 1 and await digests.queue(matches) == 0
        assert (await digests.run_scheduled()).messages == 0  # 07:00 in Sofia: not yet
        clock.advance(hours=1, minutes=5)  # 08:05 in Sofia
        run = await digests.run_scheduled()
        assert run.messages == 1 and run.articles == 1
        assert (await digests.run_scheduled()).messages == 0  # once a day
        row = await db.fetchone("SELECT dedup_key, text FROM outbox WHERE chat_id = 5")
        assert row["dedup_key"] == "digest:daily:2024-11-01:1"
        assert "Daily digest" in row["text"] and "Лавров" in row["text"]
        assert await db.scalar("SELECT COUNT(*) FROM digest_queue WHERE digested_at IS NULL") == 0
    finally:
        await db.close()
