"""Chats, subscriptions, users and audit (storage/chats.py), the sources the bot uses, and wiring helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import api_urls, describe_update
from bot.context import ChatServices
from bot.services import open_services
from bot.settings import load_settings
from news.sources import SourceError
from storage.chats import collect_stats


async def test_repositories_round_trip(tmp_path: Path) -> None:
    settings = load_settings(database_path=tmp_path / "s.sqlite3")
    async with open_services(settings) as services:
        repos = ChatServices.on(services)
        chat = await repos.chats.ensure(-5, "group", "G")
        assert chat.digest_mode == "now" and chat.active and chat.lang is None
        await repos.chats.set_lang(-5, "bg")
        await repos.chats.set_digest(-5, "daily", "07:30")
        await repos.chats.set_timezone(-5, "Europe/Sofia")
        chat2 = await repos.chats.get(-5)
        assert chat2 is not None and (chat2.lang, chat2.digest_mode, chat2.digest_time) == (
            "bg",
            "daily",
            "07:30",
        )

        sub, new = await repos.subscriptions.add(-5, "entity", "Сергей Лавров", 3)
        again, new_again = await repos.subscriptions.add(-5, "entity", "Сергей Лавров", 3)
        assert new and not new_again and again.id == sub.id
        await repos.subscriptions.add(-5, "keyword", "gas", None, "Qatar")
        assert await repos.subscriptions.remove(-6, sub.id) is None  # not that chat's
        await repos.chats.migrate(-5, -1005)
        assert await repos.chats.get(-5) is None
        moved = await repos.subscriptions.list_for_chat(-1005)
        assert [s.query for s in moved] == ["Сергей Лавров", "gas"] and moved[1].excludes == "Qatar"
        assert (await repos.chats.get(-1005)).digest_time == "07:30"  # type: ignore[union-attr]

        await repos.chats.deactivate(-1005)
        assert await repos.chats.active_ids() == []
        await repos.chats.ensure(-1005, "supergroup", "G")  # a message from it again: active
        assert await repos.chats.active_ids() == [-1005]

        assert await repos.users.seen(9) is False
        await repos.users.set_banned(9, True)
        assert await repos.users.seen(9) is True
        await repos.audit.record(1, "ban", "9")
        assert (await repos.audit.recent())[0][1:3] == (1, "ban")

        # sources are the coverage watch's SourceService (validated), not a row repository of the bot
        assert not hasattr(repos, "sources")
        sources = services.coverage.sources
        url = "https://93.184.215.14/feed"  # a public address literal: no DNS, no fetch with probe=False
        source_id, created = await sources.add(url, added_by=1, kind="feed", probe=False)
        assert created and (await sources.add(url, added_by=1, kind="feed", probe=False)) == (
            source_id,
            False,
        )
        found = await sources.find(url)
        assert found is not None and found.id == source_id and found.kind == "feed"
        assert [s.url for s in await sources.list()] == [url]
        with pytest.raises(SourceError) as refused:
            await sources.add("http://127.0.0.1/feed", probe=False, kind="feed")
        assert refused.value.code == "private"
        with pytest.raises(SourceError) as refused:
            await sources.add("ftp://e.example/feed", probe=False, kind="feed")
        assert refused.value.code == "scheme"
        assert await sources.remove(url) == url and await sources.find(url) is None

        qid = await repos.asked.remember(-1005, "what?")
        assert await repos.asked.recall(qid, -1005) == "what?"
        assert await repos.asked.recall(qid, 1) is None

        stats = await collect_stats(services.db)
        assert stats.chats == 1 and stats.subscriptions == 2


def test_api_urls_for_a_self_hosted_server() -> None:
    assert api_urls("http://localhost:8081") == (
        "http://localhost:8081/bot",
        "http://localhost:8081/file/bot",
    )
    assert api_urls("http://h:1/bot/") == ("http://h:1/bot", "http://h:1/file/bot")


def test_describe_update_never_includes_text() -> None:
    from telegram import Update

    update = Update.de_json(
        {
            "update_id": 5,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 3, "type": "private"},
                "from": {"id": 3, "is_bot": False, "first_name": "A"},
                "text": "secret text",
            },
        },
        None,
    )
    described = describe_update(update)
    assert described == "update 5 (message) chat 3 (private) user 3"
