"""End to end, admin sources: /addsource, /sources, /removesource, /add URL and OPML export/import go
through the coverage watch's SourceService (validation, private addresses refused unless allowed, probing),
with the real Application polling the local Bot API server and feeds/pages served over local HTTP."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.console import ApiCall, visible_text
from bot.i18n import t
from news.opml import OpmlFeed, build_opml, parse_opml
from tests._feed_server import FeedServer, Route
from tests.test_e2e_bot import ADMIN, SEEDS, USER, Env, running_env

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="seed articles not available")

LONG = (
    "The river port of Ruse will get a second bridge across the Danube, the regional administration "
    "announced on Tuesday after a meeting with the Romanian side. "
) * 2
FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Danube &amp; Co news</title><link>https://danube.example/</link>
<item><title>Second Danube bridge</title><link>https://danube.example/bridge</link>
<guid>bridge-1</guid><pubDate>Tue, 05 Nov 2024 10:00:00 GMT</pubDate>
<description>{LONG}</description></item>
</channel></rss>""".encode()
ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Ruse mayor promises a new Danube ferry | River News</title>
<meta property="article:published_time" content="2024-11-05T09:30:00Z">
</head><body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Ruse mayor promises a new Danube ferry</h1>
<p>The city of Ruse will launch a new passenger ferry across the Danube to Giurgiu next summer,
the municipality said on Tuesday after the council approved the budget for the project.</p>
<p>"The ferry will carry four hundred passengers a day and cut the trip to twenty minutes," said
Pencho Milkov, the mayor of Ruse.</p>
<p>Milkov added that the ferry terminal will be built next to the old customs house and that the
tickets will cost less than the bridge toll for cars.</p>
</article><footer>© River News</footer></body></html>""".encode()


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer().start()
    server.routes["/feed.xml"] = Route(FEED)
    server.routes["/article.html"] = Route(ARTICLE, "text/html; charset=utf-8")
    server.routes["/image.png"] = Route(b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, "image/png")
    yield server
    server.stop()


@pytest.fixture
async def env(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[Env]:
    """The bot with SOURCES_ALLOW_PRIVATE=true (the local feed server is on loopback)."""
    async with running_env(tmp_path, caplog, sources_allow_private=True) as running_bot:
        yield running_bot


@pytest.fixture
async def strict_env(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[Env]:
    """The bot with the default: private and loopback addresses refused."""
    async with running_env(tmp_path, caplog) as running_bot:
        yield running_bot


def shown(call: ApiCall) -> str:
    return visible_text(str(call.params["text"]))


async def send_document(
    env: Env, user_id: int, content: bytes, file_name: str, *, caption: str = "", mime: str = "text/x-opml"
) -> dict[str, Any]:
    """The user sends a file in the private chat; returns the message (to reply to it)."""
    stored = env.api.store_file(content, file_name, mime)
    update = env.api.message_update(env.api.chat(user_id), env.user(user_id), caption, document=stored)
    env.server.push(update)
    return dict(update["message"])


async def test_addsource_list_reenable_remove_and_opml_export(env: Env, feeds: FeedServer) -> None:
    url = f"{feeds.base}/feed.xml"
    added = await env.say(ADMIN, f"/addsource {url}")
    assert shown(added) == f"Source 1 added (feed): {url}", shown(added)
    again = await env.say(ADMIN, f"/addsource {url}")
    assert shown(again) == f"Already a source (1): {url}"
    page = await env.say(ADMIN, f"/addsource {feeds.base}/article.html")
    assert shown(page).startswith("Source 2 added (page)")

    listing = shown(await env.say(ADMIN, "/sources"))
    # the polling job may have polled them already (it starts 2 s after the bot)
    assert f"1. Danube & Co news — {url}\n   feed, every 10 min, " in listing or (
        f"1. {url}\n   feed, every 10 min, 0 articles, last polled never\n   next poll: now" in listing
    ), listing
    assert re.search(r"page, every 10 min, \d articles, last polled (never|20\d\d-)", listing), listing

    async with env.app.bot_data.services.db.atomic() as conn:
        await conn.execute(
            "UPDATE sources SET failures = 8, last_error = 'HTTP 500 <boom>',"
            " disabled_at = '2024-11-02T10:00:00+00:00' WHERE id = 1"
        )
    listing = shown(await env.say(ADMIN, "/sources"))
    assert "disabled since 2024-11-02 10:00 UTC" in listing
    assert "failures in a row: 8, last error: HTTP 500 <boom>" in listing
    enabled = await env.say(ADMIN, f"/addsource {url}")
    assert "was disabled and is enabled again" in shown(enabled)
    row = await env.app.bot_data.services.db.fetchone("SELECT * FROM sources WHERE id = 1")
    assert row["disabled_at"] is None and row["failures"] == 0

    mark = env.server.mark()
    env.server.push(env.api.message_update(env.api.chat(ADMIN), env.user(ADMIN), "/opml"))
    sent = await env.server.wait_for("sendDocument", after=mark)
    assert sent.status == 200 and sent.result["document"]["file_name"].endswith(".opml")
    assert "1 feeds as OPML" in sent.params["caption"]
    feeds_in_doc = parse_opml(env.api.document_of(sent))
    assert [f.url for f in feeds_in_doc] == [url]  # pages are not OPML feeds
    assert feeds_in_doc[0].title == "Danube & Co news"

    removed = await env.say(ADMIN, "/removesource 2")
    assert shown(removed) == f"Source removed: {feeds.base}/article.html (its articles stay)."
    removed = await env.say(ADMIN, f"/removesource {url}")
    assert "Source removed" in shown(removed)
    assert shown(await env.say(ADMIN, "/removesource 1")) == "There is no source 1."
    assert shown(await env.say(ADMIN, "/removesource")) == visible_text(t("en", "removesource_usage"))
    assert shown(await env.say(ADMIN, "/sources")) == visible_text(t("en", "sources_empty"))
    audit = await env.app.bot_data.services.db.fetchall("SELECT action FROM audit ORDER BY id")
    assert {"addsource", "sources", "removesource", "opml"} <= {r[0] for r in audit}


async def test_addsource_refusals_have_clear_replies(env: Env, feeds: FeedServer) -> None:
    help_text = shown(await env.say(ADMIN, "/help"))
    assert "/opml" in help_text and "/removesource ID or URL" in help_text
    menus = [cmds for (scope, _lang), cmds in env.api.commands.items() if str(ADMIN) in scope]
    assert menus and {"sources", "addsource", "removesource", "opml"} <= {c["command"] for c in menus[0]}
    ftp = await env.say(ADMIN, "/addsource ftp://x")
    assert shown(ftp).startswith("Not added: ftp://x\nOnly http:// and https:// addresses can be used")
    missing = await env.say(ADMIN, f"/addsource {feeds.base}/missing.xml")
    assert "Could not download it" in shown(missing) and "HTTP 404" in shown(missing)
    image = await env.say(ADMIN, f"/addsource {feeds.base}/image.png")
    assert "neither an RSS/Atom feed nor a page" in shown(image)
    creds = await env.say(ADMIN, "/addsource https://user:pw@news.example/feed")
    assert "not a usable web address" in shown(creds)
    usage = await env.say(ADMIN, "/addsource")
    assert shown(usage) == visible_text(t("en", "addsource_usage"))
    assert await env.app.bot_data.services.db.scalar("SELECT COUNT(*) FROM sources") == 0
    refused_ru = await env.say(ADMIN, "/addsource ftp://x", lang="ru")
    assert shown(refused_ru).startswith("Не добавлено: ftp://x\nМожно использовать только")
    other = await env.say(USER, f"/addsource {feeds.base}/feed.xml")
    assert other.params["text"] == t("en", "unknown_command")
    other = await env.say(USER, "/opml")
    assert other.params["text"] == t("en", "unknown_command")


async def test_private_addresses_refused_without_allow_private(strict_env: Env, feeds: FeedServer) -> None:
    env = strict_env
    url = f"{feeds.base}/feed.xml"
    refused = await env.say(ADMIN, f"/addsource {url}")
    text = shown(refused)
    assert text.startswith(f"Not added: {url}\nRefused: that address is on a private or local network")
    assert "SOURCES_ALLOW_PRIVATE" in text
    assert await env.app.bot_data.services.db.scalar("SELECT COUNT(*) FROM sources") == 0
    article = await env.say(ADMIN, f"/add {feeds.base}/article.html")
    assert "Could not fetch that page: Refused: that address is on a private" in shown(article)
    assert not [hit for hit in feeds.hits]  # nothing was fetched from the loopback server

    mark = env.server.mark()
    opml = build_opml([OpmlFeed(url, "Local"), OpmlFeed("https://10.1.2.3/rss", "LAN")])
    await send_document(env, ADMIN, opml.encode(), "mine.opml")
    summary = await env.server.wait_for("sendMessage", after=mark)
    assert "0 added, 0 already there (re-enabled if disabled), 2 rejected" in shown(summary)
    assert "loopback address 127.0.0.1" in shown(summary) and "private address 10.1.2.3" in shown(summary)


async def test_add_url_fetches_extracts_and_runs_the_watch(env: Env, feeds: FeedServer) -> None:
    subscribed = await env.say(USER, "/subscribe ferry")
    assert "ferry" in shown(subscribed)
    added = await env.say(ADMIN, f"/add {feeds.base}/article.html")
    assert shown(added).startswith("Added article 3: Ruse mayor promises a new Danube ferry"), shown(added)
    db = env.app.bot_data.services.db
    row = await db.fetchone("SELECT url, published_at, story_id FROM articles WHERE id = 3")
    assert row["url"] == f"{feeds.base}/article.html"
    assert str(row["published_at"]).startswith("2024-11-05")
    assert row["story_id"] is not None  # the coverage watch assigned a story at once
    assert await db.scalar("SELECT article_id FROM watch_cursor WHERE name = 'coverage'") == 3
    # the subscriber's `now` digest names the article (the watch ran on the admin's /add)
    digest = await env.server.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == USER and "for: ferry" in c.params["text"], timeout=15
    )
    assert "Ruse mayor promises a new Danube ferry" in digest.params["text"]
    answer = await env.say(USER, "what did Milkov say?")
    assert "four hundred passengers" in answer.params["text"]
    duplicate = await env.say(ADMIN, f"/add {feeds.base}/article.html")
    assert "Already stored as article 3" in shown(duplicate)
    image = await env.say(ADMIN, f"/add {feeds.base}/image.png")
    assert "No article text found on that page" in shown(image)
    missing = await env.say(ADMIN, f"/add {feeds.base}/gone.html")
    assert "Could not fetch that page: Could not download it" in shown(missing)


async def test_opml_upload_and_reply_import(env: Env, feeds: FeedServer) -> None:
    existing = f"{feeds.base}/feed.xml"
    await env.say(ADMIN, f"/addsource {existing}")
    doc = build_opml(
        [
            OpmlFeed(existing, "Danube"),
            OpmlFeed(f"{feeds.base}/other.xml", "Other <feed>"),
            OpmlFeed("ftp://files.example/feed", "FTP"),
        ]
    )
    mark = env.server.mark()
    await send_document(env, ADMIN, doc.encode(), "feeds.opml")
    summary = await env.server.wait_for("sendMessage", after=mark)
    text = shown(summary)
    assert "OPML import: 1 added, 1 already there (re-enabled if disabled), 1 rejected." in text
    assert f"Added\n{feeds.base}/other.xml" in text
    assert "Rejected\nftp://files.example/feed: only http and https URLs" in text
    kinds = await env.app.bot_data.services.db.fetchall("SELECT url, kind, title FROM sources ORDER BY id")
    assert [(r[0], r[1]) for r in kinds] == [(existing, "feed"), (f"{feeds.base}/other.xml", "feed")]

    # /opml in reply to a file (sent without being imported, e.g. by a non-admin first)
    mark = env.server.mark()
    again = build_opml([OpmlFeed(f"{feeds.base}/third.xml", None)])
    message = await send_document(env, USER, again.encode(), "third.xml", mime="application/xml")
    await env.say(USER, "/start")  # processed after the document: the non-admin's file got no reply
    assert not [c for c in env.api.calls[mark:] if c.method == "downloadFile"]
    env.api.chats[ADMIN] = env.api.chat(ADMIN)
    message["chat"] = env.api.chat(ADMIN)
    reply = await env.say(ADMIN, "/opml", reply_to=message)
    assert "OPML import: 1 added" in shown(reply)

    not_opml = await send_document(env, ADMIN, b"<rss><channel/></rss>", "feed.xml", mime="text/xml")
    assert not_opml
    bad = await env.server.wait_for(
        "sendMessage", lambda c: "not an OPML document" in str(c.params["text"]), after=mark
    )
    assert "the root element is &lt;rss&gt;" in bad.params["text"]
    text_reply = await env.say(
        ADMIN, "/opml", reply_to=env.api.message_update(env.api.chat(ADMIN), env.user(ADMIN), "hi")["message"]
    )
    assert shown(text_reply) == visible_text(t("en", "opml_not_document"))
