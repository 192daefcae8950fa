"""Feeds: RSS, Atom, JSON Feed, malformed documents, encodings, the feedparser test set; polling over
local HTTP (conditional GET, backoff, disabling, near-duplicates, teaser pages); OPML."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from news.clock import FixedClock
from news.feeds import parse_feed
from news.fetch import HttpFetcher
from news.ingest import IngestService
from news.opml import OpmlError, parse_opml
from news.poller import PollingLimits, SourcePoller
from news.sources import SourceError, SourceService
from storage.articles import SqliteArticleStore, SqliteEventLog
from storage.db import Database
from tests._feed_server import FeedServer, Route

FEEDPARSER_TESTS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "feedparser" / "tests"

LONG = (
    "Министрите на външните работи обсъдиха сътрудничеството между двете страни и подписаха споразумение "
    "за търговия, транспорт и енергетика. Според официалното съобщение срещата е продължила три часа. "
) * 3

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test &amp; News</title><link>https://news.example/</link>
<item><title>First &lt;story&gt;</title><link>https://news.example/a?utm_source=rss</link>
<guid>a-1</guid><pubDate>Fri, 01 Nov 2024 10:00:00 GMT</pubDate>
<description><![CDATA[<p>{LONG}</p><script>alert(1)</script><p>Second paragraph.</p>]]></description></item>
<item><title>Only a link</title><link>https://news.example/b</link><guid>b-2</guid></item>
<item></item>
</channel></rss>""".encode()

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title><id>urn:x</id>
<updated>2024-11-01T10:00:00Z</updated>
<entry><title>Atom entry</title><id>urn:entry:1</id><link href="https://atom.example/1"/>
<published>2024-11-01T09:30:00+02:00</published>
<content type="html">&lt;p&gt;{LONG}&lt;/p&gt;</content></entry>
</feed>""".encode()

JSON_FEED = (
    b'{"version": "https://jsonfeed.org/version/1.1", "title": "JSON news", "language": "bg",'
    b' "items": [{"id": "j1", "url": "https://json.example/1", "title": "JSON item",'
    b' "content_html": "<p>' + LONG.encode() + b'</p>", "date_published": "2024-11-01T10:00:00Z"},'
    b' {"id": "j2", "content_text": "plain <text> & more"}, 5]}'
)


def test_rss_items_become_drafts() -> None:
    parsed = parse_feed(RSS, source="https://news.example/rss", source_id=7)
    assert parsed.rejected is None and parsed.kind == "rss20"
    assert parsed.title == "Test & News"
    assert len(parsed.items) == 2 and parsed.item_rejections == ["item has no title, text or link"]
    first, second = parsed.items
    assert first.draft.guid == "a-1" and first.draft.source_id == 7
    assert first.draft.title == "First <story>"
    assert first.draft.published == datetime(2024, 11, 1, 10, 0, tzinfo=UTC)
    assert "alert" not in first.draft.body and "Second paragraph." in first.draft.body
    assert not first.needs_page
    assert second.needs_page and second.draft.url == "https://news.example/b"


def test_atom_and_json_feed() -> None:
    atom = parse_feed(ATOM, source="atom")
    assert atom.kind == "atom10" and atom.items[0].draft.guid == "urn:entry:1"
    assert atom.items[0].draft.published == datetime(2024, 11, 1, 7, 30, tzinfo=UTC)
    assert atom.items[0].draft.body.startswith("Министрите")
    feed = parse_feed(JSON_FEED, source="json", content_type="application/feed+json")
    assert feed.rejected is None and feed.kind == "json1.1" and feed.title == "JSON news"
    assert [i.draft.guid for i in feed.items] == ["j1", "j2"]
    assert feed.items[0].draft.lang == "bg"
    assert feed.items[1].draft.body == "plain <text> & more"
    assert feed.item_rejections == ["item is not an object"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"<html><body><p>Just a page</p></body></html>", "not a feed"),
        (b"\x00\x01\x02 binary junk \xff\xfe", "not a feed"),
        (b'{"version": "1", "items": []}', "not a JSON Feed"),
        (b"{broken json", "not valid JSON"),
    ],
)
def test_malformed_documents_are_rejected_with_a_reason(body: bytes, reason: str) -> None:
    parsed = parse_feed(body, source="x")
    assert parsed.rejected and reason in parsed.rejected


def test_ill_formed_feed_is_read_leniently_with_a_warning() -> None:
    body = b"<rss version='2.0'><channel><title>T</title><item><title>Unclosed & bad</title><link>https://x.example/1</link>"
    parsed = parse_feed(body, source="x")
    assert parsed.rejected is None
    assert parsed.warnings and "ill-formed" in parsed.warnings[0]
    assert parsed.items and parsed.items[0].draft.url == "https://x.example/1"


@pytest.mark.parametrize("encoding", ["windows-1251", "koi8-r", "utf-16"])
def test_encodings(encoding: str) -> None:
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>Новости</title>'
        "<item><title>Лавров встретился с Цой Сон Хи</title><link>https://ru.example/1</link>"
        "<description>Переговоры прошли в Москве.</description></item></channel></rss>"
    )
    parsed = parse_feed(text.encode(encoding), source="x")
    assert parsed.rejected is None
    assert parsed.items[0].draft.title == "Лавров встретился с Цой Сон Хи"
    assert parsed.items[0].draft.body == "Переговоры прошли в Москве."


@pytest.mark.skipif(not FEEDPARSER_TESTS.is_dir(), reason="feedparser test set not available")
def test_feedparser_test_set_sample_never_crashes() -> None:
    files = sorted(FEEDPARSER_TESTS.rglob("*.xml"))
    sample = random.Random(5).sample(files, 150) + sorted(FEEDPARSER_TESTS.glob("encoding/*.xml"))[:30]
    for path in sample:
        parsed = parse_feed(path.read_bytes(), source=str(path))
        assert parsed.rejected is None or parsed.rejected.strip(), path
        assert all(reason for reason in parsed.item_rejections)
        for item in parsed.items:
            assert item.draft.body.strip() or item.draft.url


def test_opml_round_trip_and_errors() -> None:
    from news.opml import OpmlFeed, build_opml

    doc = build_opml([OpmlFeed("https://a.example/rss?x=1&y=2", "A & B"), OpmlFeed("https://b.example/atom")])
    assert parse_opml(doc) == [
        OpmlFeed("https://a.example/rss?x=1&y=2", "A & B"),
        OpmlFeed("https://b.example/atom", "https://b.example/atom"),
    ]
    nested = b'<opml version="1.0"><body><outline text="News"><outline xmlUrl="https://c.example/f"/></outline></body></opml>'
    assert [f.url for f in parse_opml(nested)] == ["https://c.example/f"]
    with pytest.raises(OpmlError):
        parse_opml(b"<rss/>")
    with pytest.raises(OpmlError):
        parse_opml(b"<opml><body>")
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<opml><body><outline xmlUrl="https://d.example/&x;"/></body></opml>'
    )
    with pytest.raises(OpmlError, match="external entity"):
        parse_opml(xxe)


# -- polling over local HTTP --------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[FeedServer]:
    srv = FeedServer().start()
    yield srv
    srv.stop()


@pytest.fixture
async def watch(tmp_path: Path):
    clock = FixedClock(datetime(2024, 11, 1, 12, 0, tzinfo=UTC))
    db = await Database.open(tmp_path / "feeds.sqlite3")
    events = SqliteEventLog(db, clock)
    ingest = IngestService(SqliteArticleStore(db, clock), events)
    fetcher = HttpFetcher(allow_private=True, timeout=5)
    limits = PollingLimits(default_interval=600, min_interval=5, max_interval=3600, max_failures=3)
    poller = SourcePoller(db, fetcher, ingest, clock, limits=limits, events=events)
    sources = SourceService(db, fetcher, clock, limits)
    yield clock, db, poller, sources
    await fetcher.aclose()
    await db.close()


OTHER = (
    "Пристанището във Варна ще получи нови инвестиции за разширяване на контейнерния терминал, "
    "съобщиха от министерството на транспорта. Проектът предвижда нови кейове и модерни кранове. "
) * 3
PAGE = f"""<html><head><title>Only a link — full story</title></head><body>
<nav>Home | World | Sport</nav><article><h1>Only a link</h1>
<p>{OTHER}</p><p>{OTHER}</p></article><footer>© News</footer></body></html>""".encode()


async def test_poll_conditional_get_and_teaser_page(watch, server: FeedServer) -> None:
    clock, db, poller, sources = watch
    server.routes["/rss"] = Route(RSS)
    server.routes["/b"] = Route(PAGE, "text/html; charset=utf-8")
    rss = RSS.replace(b"https://news.example/b", server.base.encode() + b"/b")
    server.routes["/rss"] = Route(rss)
    source_id, new = await sources.add(f"{server.base}/rss")
    assert new
    [result] = await poller.poll_due()
    assert result.status == "ok" and len(result.added) == 2, result
    body = await db.scalar("SELECT body FROM articles WHERE guid = 'b-2'")
    assert "контейнерния терминал" in body  # the teaser's page was fetched and extracted
    assert await db.scalar("SELECT COUNT(*) FROM events WHERE kind = 'source.rejected'") == 1
    # not due yet
    assert await poller.poll_due() == []
    clock.advance(seconds=601)
    [again] = await poller.poll_due()
    assert again.status == "not_modified"
    assert server.hits[-1][1] is not None  # If-None-Match was sent
    listed = await sources.list()
    assert listed[0].id == source_id and listed[0].articles == 2 and listed[0].failures == 0


async def test_failures_back_off_then_disable(watch, server: FeedServer) -> None:
    clock, db, poller, sources = watch
    server.routes["/broken"] = Route(b"<html>not a feed</html>", "text/html")
    source_id, _ = await sources.add(f"{server.base}/broken", kind="feed", probe=False)
    [first] = await poller.poll_due()
    assert first.status == "failed" and "not a feed" in (first.error or "")
    row = await db.fetchone(
        "SELECT failures, next_poll_at, last_error FROM sources WHERE id = ?", (source_id,)
    )
    assert row["failures"] == 1 and row["next_poll_at"] == "2024-11-01T12:20:00+00:00"  # 600 s × 2
    clock.advance(seconds=1200)
    [second] = await poller.poll_due()
    assert second.status == "failed"
    clock.advance(seconds=3600)
    [third] = await poller.poll_due()
    assert third.status == "disabled"
    clock.advance(days=2)
    assert await poller.poll_due() == []
    stats = await sources.stats()
    assert stats["enabled"] == 0 and stats["disabled"][0][2].startswith("rejected: not a feed")
    assert await db.scalar("SELECT COUNT(*) FROM events WHERE kind = 'source.disabled'") == 1
    # adding it again re-enables it
    await sources.add(f"{server.base}/broken")
    assert (await sources.stats())["enabled"] == 1


async def test_near_duplicate_wire_story_on_two_sites(watch, server: FeedServer) -> None:
    _clock, db, poller, sources = watch
    lead = (
        "Северна Корея ще подкрепя Русия до победата, заяви външният министър Чое Сон-хуи в Москва. " + LONG
    )

    def feed(site: str, title: str) -> bytes:
        return (
            f'<rss version="2.0"><channel><title>{site}</title><item><title>{title}</title>'
            f"<link>https://{site}/story</link><guid>{site}-1</guid><description>{lead}</description>"
            "</item></channel></rss>"
        ).encode()

    server.routes["/one"] = Route(feed("one.example", "Пхенян ще подкрепя Москва до победата"))
    server.routes["/two"] = Route(feed("two.example", "Пхенян ще подкрепя Москва до победата!"))
    await sources.add(f"{server.base}/one", probe=False)
    await sources.add(f"{server.base}/two", probe=False)
    results = await poller.poll_due()
    assert sorted(len(r.added) for r in results) == [0, 1]
    assert sum(r.near_duplicates for r in results) == 1
    assert await db.scalar("SELECT COUNT(*) FROM articles") == 1


async def test_source_validation_and_opml_import_export(watch, server: FeedServer) -> None:
    _clock, _db, _poller, sources = watch
    for bad in ("ftp://x.example/feed", "not a url", "javascript:alert(1)"):
        with pytest.raises(SourceError):
            await sources.add(bad)
    strict = SourceService(_db, HttpFetcher(allow_private=False), _clock)
    with pytest.raises(SourceError, match="SOURCES_ALLOW_PRIVATE"):
        await strict.add(f"{server.base}/rss")
    server.routes["/json"] = Route(JSON_FEED, "application/feed+json")
    _, new = await sources.add(f"{server.base}/json")
    assert new and (await sources.list())[0].title == "JSON news"
    opml = (
        f'<opml version="2.0"><body><outline text="a" xmlUrl="{server.base}/a"/>'
        f'<outline text="dup" xmlUrl="{server.base}/json"/><outline text="bad" xmlUrl="file:///etc/passwd"/>'
        "</body></opml>"
    )
    report = await sources.import_opml(opml)
    assert report.added == [f"{server.base}/a"] and report.existing == [f"{server.base}/json"]
    assert report.rejected and report.rejected[0][0] == "file:///etc/passwd"
    exported = parse_opml(await sources.export_opml())
    assert [f.url for f in exported] == [f"{server.base}/json", f"{server.base}/a"]
    assert await sources.remove(f"{server.base}/a") == f"{server.base}/a"
    assert await sources.remove(999) is None
