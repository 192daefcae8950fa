"""The console chat: the same Application and handlers, through an in-process Bot API."""

from __future__ import annotations

from pathlib import Path

from bot.app import build_application, running
from bot.console import CONSOLE_TOKEN, CONSOLE_USER_ID, ConsoleChat, LocalBotApi, LocalRequest
from bot.settings import load_settings
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
