"""The console chat: the same Application and handlers, through an in-process Bot API."""

from __future__ import annotations

from pathlib import Path

from telegram import Update

from bot.app import build_application, running
from bot.console import CONSOLE_TOKEN, CONSOLE_USER_ID, ConsoleChat, LocalBotApi, LocalRequest
from bot.settings import load_settings
from news.opml import OpmlFeed, build_opml, parse_opml
from tests.botapi_server import BotApiServer
from tests.test_e2e_bot import TOKEN, USER, seed


async def test_console_answers_like_the_bot(tmp_path: Path) -> None:
    """The same question gets the same reply text in the console as over the (local) Telegram API;
    buttons are numbered and pressable; HTML is shown readably."""
    settings = load_settings(database_path=tmp_path / "c.sqlite3")
    await seed(settings)

    api = LocalBotApi()
    app = build_application(settings, token=CONSOLE_TOKEN, request=LocalRequest(api), with_updater=False)
    async with running(app):
        chat = ConsoleChat(app, api)
        calls = await chat.send("what did Lavrov say?")
        console_text = next(c for c in calls if c.method == "sendMessage").params["text"]
        shown = chat.render(calls)
        assert "*Сергей Лавров*" in shown and "[https://news.example/" in shown and "&amp;" not in shown
        assert "[1] 1/2" in shown and "[2] ▶" in shown
        paged = chat.render(await chat.send("2"))
        assert paged.startswith("bot (edited)> ") and "[1] ◀" in paged
        assert "Subscribed" in chat.render(await chat.send("/subscribe Lavrov")) or chat.buttons
        help_text = chat.render(await chat.send("/help"))
        assert "/subscribe" in help_text and "<b>" not in help_text
        admin_only = chat.render(await chat.send("/stats"))
        assert "I don't know that command" in admin_only  # the console user is no admin unless configured

    async with BotApiServer(TOKEN) as server:
        online = load_settings(
            bot_token=TOKEN, database_path=tmp_path / "c.sqlite3", telegram_api_base_url=server.url
        )
        bot_app = build_application(online)
        async with running(bot_app, polling=True, timeout=1, poll_interval=0):
            mark = server.mark()
            server.push(
                server.api.message_update(
                    server.api.chat(USER), server.api.user(USER), "what did Lavrov say?"
                )
            )
            reply = await server.wait_for("sendMessage", after=mark)
    assert reply.params["text"] == console_text
    assert CONSOLE_USER_ID != USER


async def test_console_files_opml_export_and_import(tmp_path: Path) -> None:
    """In-process: /opml uploads a document (multipart) the local API keeps; a document sent by the
    admin is fetched with getFile and downloaded through LocalRequest, then imported."""
    settings = load_settings(database_path=tmp_path / "f.sqlite3", admin_ids=str(CONSOLE_USER_ID))
    await seed(settings)
    api = LocalBotApi()
    app = build_application(settings, token=CONSOLE_TOKEN, request=LocalRequest(api), with_updater=False)
    async with running(app):
        chat = ConsoleChat(app, api)
        opml = build_opml([OpmlFeed("ftp://feeds.example/a", "A"), OpmlFeed("https://[::1]/rss", "B")])
        stored = api.store_file(opml.encode(), "feeds.opml", "text/x-opml")
        update = api.message_update(chat.chat, chat.user, "", document=stored)
        start = len(api.calls)
        await app.process_update(Update.de_json(update, app.bot))
        methods = [c.method for c in api.calls[start:]]
        assert methods[:2] == ["getFile", "downloadFile"] and api.calls[start + 1].status == 200
        summary = next(c for c in api.calls[start:] if c.method == "sendMessage").params["text"]
        assert "0 added, 0 already there (re-enabled if disabled), 2 rejected" in summary
        assert "loopback address ::1" in summary and "ftp://feeds.example/a" in summary

        calls = await chat.send("/opml")
        sent = next(c for c in calls if c.method == "sendDocument")
        assert sent.status == 200 and parse_opml(api.document_of(sent)) == []
        assert "bot (file)> newsbot-sources.opml" in chat.render(calls)
