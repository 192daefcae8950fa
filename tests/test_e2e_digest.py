"""End to end, coverage watch: the real Application and its jobs, a feed served over local HTTP, the local
Bot API server. A chat subscribed to "Lavrov" (mode `now`) gets one digest naming the story when the
Bulgarian seed article appears in the feed, then an edit of that message adding the Russian one; a chat
subscribed to "Macron" gets nothing."""

from __future__ import annotations

import asyncio
import html
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application, running
from bot.render import telegram_html_errors, utf16_len
from bot.settings import load_settings
from news.articles import derive_title
from news.feeds import http_date
from news.reading import parse_plain_text
from tests._feed_server import FeedServer, Route
from tests.botapi_server import BotApiServer

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
LAVROV_FAN = 7
MACRON_FAN = 8

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="seed articles not available")


def _item(path: Path, guid: str, published: datetime) -> tuple[str, str]:
    draft = parse_plain_text(path.read_text(encoding="utf-8"), str(path))
    title = draft.title or derive_title(draft.body)
    item = (
        f"<item><title>{html.escape(title)}</title><link>https://news.example/{path.stem}</link>"
        f"<guid>{guid}</guid><pubDate>{http_date(published)}</pubDate>"
        f"<description>{html.escape(draft.body)}</description></item>"
    )
    return title, item


def _feed(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Seeds</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


async def _wait(server: BotApiServer, method: str, chat_id: int, *, after: int, timeout: float = 30) -> Any:  # noqa: ASYNC109
    return await server.wait_for(
        method, lambda c: int(c.params["chat_id"]) == chat_id, after=after, timeout=timeout
    )


async def test_subscriber_gets_digest_then_edit_and_others_nothing(tmp_path: Path) -> None:
    bg_title, bg_item = _item(
        SEEDS / "bg_choe_lavrov_moscow.txt", "bg-1", datetime(2024, 11, 1, 10, tzinfo=UTC)
    )
    ru_title, ru_item = _item(
        SEEDS / "ru_nur_kz_kndr_military_aid.txt", "ru-1", datetime(2024, 11, 1, 12, tzinfo=UTC)
    )
    feeds = FeedServer().start()
    try:
        feeds.routes["/seeds.xml"] = Route(_feed(bg_item))
        async with BotApiServer(TOKEN) as server:
            settings = load_settings(
                bot_token=TOKEN,
                database_path=tmp_path / "bot.sqlite3",
                telegram_api_base_url=server.url,
                sources_allow_private=True,
                poll_interval_min_seconds=1,
                poll_interval_default_seconds=1,
            )
            app = build_application(settings)
            async with running(app, polling=True, timeout=1, poll_interval=0):
                api = server.api
                for user, query in ((LAVROV_FAN, "Lavrov"), (MACRON_FAN, "Macron")):
                    chat = api.chat(user, "private", f"User{user}")
                    mark = server.mark()
                    server.push(
                        api.message_update(chat, api.user(user, f"User{user}", "en"), f"/subscribe {query}")
                    )
                    await _wait(server, "sendMessage", user, after=mark)
                start = server.mark()
                services = app.bot_data.services
                await services.coverage.sources.add(f"{feeds.base}/seeds.xml", kind="feed", probe=False)

                first = await _wait(server, "sendMessage", LAVROV_FAN, after=start)
                text = str(first.params["text"])
                assert html.escape(bg_title[:60]) in text or bg_title[:60] in html.unescape(text)
                assert telegram_html_errors(text) == [] and utf16_len(text) <= 4096
                message_id = first.result["message_id"]

                after_first = server.mark()
                feeds.routes["/seeds.xml"] = Route(_feed(ru_item, bg_item))
                edit = await _wait(server, "editMessageText", LAVROV_FAN, after=after_first)
                assert edit.params["message_id"] == message_id
                edited = html.unescape(str(edit.params["text"]))
                assert bg_title[:60] in edited and ru_title[:60] in edited
                assert "2 articles" in edited or "in all" in edited
                assert telegram_html_errors(str(edit.params["text"])) == []

                await asyncio.sleep(2.5)  # a few more polls and digest ticks: nothing else may arrive
                sent_to = [int(c.params["chat_id"]) for c in api.calls[start:] if c.method == "sendMessage"]
                assert sent_to.count(LAVROV_FAN) == 1, "the story's growth must edit, not send again"
                assert MACRON_FAN not in sent_to
                story_rows = await services.db.fetchall("SELECT DISTINCT story_id FROM articles")
                assert len(story_rows) == 1
                states = await services.coverage.outbox.counts()
                assert states["pending"] == 0 and states["failed"] == 0
    finally:
        feeds.stop()
