"""Webhook mode: the real Application receives updates over HTTP and checks Telegram's secret token."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from pathlib import Path

import httpx

from bot.app import run_bot
from bot.settings import load_settings
from tests.botapi_server import BotApiServer

TOKEN = "987654321:AAFwebhookTestTokenValue0123456789abc"
SECRET = "s3cret-webhook_token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_checks_secret_and_answers(tmp_path: Path) -> None:
    port = _free_port()
    async with BotApiServer(TOKEN) as server:
        settings = load_settings(
            bot_token=TOKEN,
            database_path=tmp_path / "hook.sqlite3",
            telegram_api_base_url=server.url,
            webhook_url=f"http://127.0.0.1:{port}/hook",
            webhook_listen="127.0.0.1",
            webhook_port=port,
            webhook_secret=SECRET,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(run_bot(settings, stop=stop))
        try:
            registered = await server.wait_for("setWebhook", timeout=15)
            assert registered.params["url"] == f"http://127.0.0.1:{port}/hook"
            assert registered.params["secret_token"] == SECRET
            api = server.api
            chat = api.chat(5, "private", "User5")
            update = api.message_update(chat, api.user(5, "User5", "en"), "/help")
            body = json.dumps(update)
            headers = {"Content-Type": "application/json"}
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                for _ in range(50):  # the listener starts just after setWebhook
                    with contextlib.suppress(httpx.ConnectError):
                        forged = await client.post(
                            "/hook", content=body, headers={**headers, "X-Telegram-Bot-Api-Secret-Token": "x"}
                        )
                        break
                    await asyncio.sleep(0.1)
                assert forged.status_code == 403
                missing = await client.post("/hook", content=body, headers=headers)
                assert missing.status_code == 403
                mark = server.mark()
                good = await client.post(
                    "/hook", content=body, headers={**headers, "X-Telegram-Bot-Api-Secret-Token": SECRET}
                )
                assert good.status_code == 200
            reply = await server.wait_for("sendMessage", lambda c: c.params["chat_id"] == 5, after=mark)
            assert reply.params["text"]
            # the forged requests reached no handler: exactly one reply was sent
            assert sum(1 for c in api.calls if c.method == "sendMessage") == 1
        finally:
            stop.set()
            assert await asyncio.wait_for(task, 15) == 0
